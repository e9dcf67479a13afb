/**
 * `fundaudit audit`, through the real binary (build first: npm run build).
 * Input data is written to a temp folder; the rules are the small test pack
 * in test/cli/rules/, so that these tests do not depend on the shipped rules.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/fundaudit');
const RULES = join(ROOT, 'test/cli/rules');

const ZHANG = '11010519491231002X';
const OUYANG = '440524188001010014';
const ACCOUNT_OUYANG = '6222020200998877665';

let dir: string;
let data: string;

function run(args: string[], env: Record<string, string> = {}, cwd = dir) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', SOURCE_DATE_EPOCH: '', ...env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Audit the temp data with the test rules. */
const audit = (extra: string[] = [], env: Record<string, string> = {}) => run(['audit', data, '--no-default-rules', '--rules', RULES, ...extra], env);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'fa-audit-'));
  data = join(dir, 'exports');
  mkdirSync(data);
  writeFileSync(
    join(data, 'payouts.csv'),
    [
      '身份证号码,姓名,待遇项目,待遇年月,发放金额,发放状态,银行账号,户名',
      `${ZHANG},张三,基本养老金,2024-01,3000.00,成功,6222020200112233445,张三`,
      `${ZHANG},张三,基本养老金,2024-02,3000.00,成功,6222020200112233445,张三`,
      `${ZHANG},张三,基本养老金,2024-03,3000.00,成功,6222020200112233445,张三`,
      `${OUYANG},欧阳修文,=1+1,2024-02,8000.00,成功,${ACCOUNT_OUYANG},欧阳修文`,
      `${OUYANG},欧阳修文,基本养老金,2024-03,abc,成功,${ACCOUNT_OUYANG},欧阳修文`,
      '',
    ].join('\r\n'),
  );
  writeFileSync(join(data, 'deaths.csv'), ['身份证号,姓名,死亡日期', `${ZHANG},张三,2024-01-15`, ''].join('\n'));
});

describe('fundaudit audit: formats', () => {
  it('prints the terminal report by default: inputs, summary, entities, findings with file:line, skipped rules, data issues', () => {
    const r = audit();
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('输入数据');
    expect(r.stdout).toMatch(/数据期间 2024-01 – 2024-03/);
    expect(r.stdout).toMatch(/清人\s*│\s*冒领骗取\s*│\s*1\s*│\s*6,000\.00/);
    expect(r.stdout).toContain('重点对象');
    expect(r.stdout).toContain('[高] T-PAID-AFTER-DEATH 死亡后继续发放待遇');
    // Long paths wrap: join continuation lines before matching.
    expect(r.stdout.replace(/\n +/g, ' ')).toMatch(/证据: .*deaths\.csv:2, .*payouts\.csv:3, .*payouts\.csv:4/);
    // Skipped rules say what is missing in the report's language.
    expect(r.stdout).toMatch(/T-PAID-WHILE-IMPRISONED: 缺少数据表\s+prisoners（服刑人员信息）/);
    // Data issues are grouped by kind, with their places.
    expect(r.stdout).toMatch(/bad-money 1 条: 不是金额/);
    expect(r.stdout).toMatch(/payouts\.csv:6 \[发放金额\]/);
    expect(r.stdout).not.toMatch(/\u001b\[/);
    for (const line of r.stdout.split('\n')) expect([...line].reduce((w, ch) => w + (/[\u2e80-\uffe6]/.test(ch) ? 2 : 1), 0)).toBeLessThanOrEqual(100);
  });

  it('json: the whole result under the versioned schema, with the manifest', () => {
    const r = audit(['--format', 'json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.schemaVersion).toBe(2);
    expect(doc.findings.map((f: { ruleId: string }) => f.ruleId)).toEqual(['T-PAID-AFTER-DEATH', 'T-LARGE-PAYOUT']);
    expect(doc.findings[0]).toMatchObject({ amount: 600000, amountYuan: '6000.00', period: '2024-02' });
    expect(doc.skipped).toEqual([
      { ruleId: 'T-PAID-WHILE-IMPRISONED', code: 'missing-table', missing: ['prisoners'], reason: expect.stringContaining('缺少数据表 prisoners') },
    ]);
    expect(doc.manifest.files.map((f: { table: string; rowsRead: number }) => [f.table, f.rowsRead])).toEqual([
      ['deaths', 1],
      ['payouts', 5],
    ]);
    expect(doc.manifest.files[1].sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(doc.manifest.rules.map((x: { id: string; sha256: string }) => x.id)).toEqual(['T-LARGE-PAYOUT', 'T-PAID-AFTER-DEATH', 'T-PAID-WHILE-IMPRISONED']);
    expect(doc.manifest.params['T-LARGE-PAYOUT']).toEqual({ min_amount: '5000.00' });
    expect(doc.inputs).toMatchObject({ rows: 6, dataIssues: expect.any(Number) });
  });

  it('csv: one row per finding plus evidence rows, BOM, formula cells neutralised', () => {
    const r = audit(['--format', 'csv', '--lang', 'en']);
    expect(r.code).toBe(0);
    expect(r.stdout.startsWith('\uFEFFrecord,fingerprint,rule_id')).toBe(true);
    const rows = r.stdout.slice(1).trimEnd().split('\r\n');
    const records = rows.slice(1).map((x) => x.split(',')[0]);
    expect(records.filter((x) => x === 'finding' || x === 'evidence')).toEqual(['finding', 'evidence', 'evidence', 'evidence', 'finding', 'evidence']);
    // The manifest travels in the same file: run first, then inputs, rules and params.
    expect(records[0]).toBe('run');
    expect(rows[1]).toContain('personal_data=masked');
    expect(records.filter((x) => x === 'input')).toHaveLength(2);
    expect(records.filter((x) => x === 'rule')).toHaveLength(3);
    // The message of T-LARGE-PAYOUT starts with the item "=1+1": it must not reach a spreadsheet as a formula.
    expect(r.stdout).toContain(`,"'=1+1 2024-02: 8,000.00 yuan`);
    for (const row of rows) for (const cell of row.split(',')) expect(cell).not.toMatch(/^"?[=+\-@]/);
  });

  it('md: headings, summary table, findings with evidence', () => {
    const r = audit(['--format', 'md']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^# 社会保险基金审计风险报告/);
    expect(r.stdout).toContain('## 风险汇总');
    expect(r.stdout).toMatch(/\| 清人 \| 冒领骗取 \| 1 \| 1 \| 6,000\.00 \|/);
    expect(r.stdout).toContain('### T-PAID-AFTER-DEATH 死亡后继续发放待遇');
    expect(r.stdout).toMatch(/payouts\.csv:3 \| 待遇发放明细 \|/);
  });

  it('html: one self-contained page with the chart', () => {
    const r = audit(['--format', 'html']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^<!DOCTYPE html>/);
    expect(r.stdout).toContain('<svg id="risk-chart"');
    expect(r.stdout).not.toMatch(/<(link|img|iframe)\b|\bsrc=/i);
    expect(r.stdout).toContain('=1+1 2024-02');
  });

  const hasScript = spawnSync('sh', ['-c', 'command -v script']).status === 0;
  it.skipIf(!hasScript)('colours by severity on a TTY, never under NO_COLOR', () => {
    // script(1) gives the binary a pseudo-terminal as stdout.
    const onTty = (env: Record<string, string | undefined>) => {
      const cmd = `${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} audit ${JSON.stringify(data)} --no-default-rules --rules ${JSON.stringify(RULES)}`;
      return spawnSync('script', ['-qec', cmd, '/dev/null'], { cwd: dir, encoding: 'utf8', env: { ...process.env, ...env } }).stdout;
    };
    // An undefined value removes the variable from the child's environment.
    expect(onTty({ NO_COLOR: undefined })).toMatch(/\u001b\[31m\[高\]/);
    expect(onTty({ NO_COLOR: '1' })).not.toMatch(/\u001b\[/);
  });

  it('speaks English with --lang en', () => {
    const r = audit(['--lang', 'en']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Summary');
    expect(r.stdout).toContain('[high] T-PAID-AFTER-DEATH Benefits paid after death');
    for (const line of r.stdout.split('\n')) expect(line.length).toBeLessThanOrEqual(100);
  });
});

describe('fundaudit audit: personal data', () => {
  const RAW = [ZHANG, OUYANG, ACCOUNT_OUYANG, '张三', '欧阳修文'];

  it('masks identity numbers, names and accounts in every format by default', () => {
    for (const format of ['terminal', 'json', 'csv', 'md', 'html']) {
      const r = audit(['--format', format]);
      expect(r.code).toBe(0);
      for (const raw of RAW) expect(r.stdout, `${format} leaks ${raw}`).not.toContain(raw);
    }
    const t = audit().stdout;
    expect(t).toContain('110105********002X');
    expect(t).toContain('张*');
    expect(t).toContain('欧阳**');
    expect(t).toContain('****7665');
    expect(t).toContain('个人信息已脱敏');
  });

  it('masks them in rejected rows and in a file without a header row, in every format', () => {
    const odd = join(dir, 'odd');
    mkdirSync(odd, { recursive: true });
    writeFileSync(
      join(odd, 'payouts.csv'),
      [
        '个人编号,身份证号码,姓名,待遇项目,待遇年月,发放金额,发放状态,银行账号,户名',
        `P001,${ZHANG},张三,基本养老金,2024-01,3000.00,成功,6222020200112233445,张三`,
        // an unquoted comma in the name, and a row written with full-width commas
        `P002,${OUYANG},欧阳,修文,基本养老金,2024-02,100.00,成功,${ACCOUNT_OUYANG},欧阳修文`,
        `P003，${OUYANG}，欧阳修文，基本养老金，2024-03，100.00，成功，${ACCOUNT_OUYANG}，欧阳修文`,
        '',
      ].join('\n'),
    );
    // A list without its header row: the first record is read as the header.
    writeFileSync(join(odd, '死亡名单.csv'), [`${OUYANG},欧阳修文,2024-01-15`, `${ZHANG},张三,2024-01-15`, ''].join('\n'));
    for (const format of ['terminal', 'json', 'csv', 'md', 'html']) {
      const r = run(['audit', odd, '--no-default-rules', '--rules', RULES, '--format', format]);
      expect(r.code).toBe(0);
      for (const raw of [OUYANG, ACCOUNT_OUYANG, '欧阳修文', '修文']) expect(r.stdout, `${format} leaks ${raw}`).not.toContain(raw);
    }
  });

  it('shows them with --reveal, and the report says so', () => {
    const r = audit(['--reveal']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`张三（${ZHANG}）`);
    expect(r.stdout).toContain('本报告未脱敏');
    expect(JSON.parse(audit(['--reveal', '--format', 'json']).stdout).revealed).toBe(true);
    expect(JSON.parse(audit(['--format', 'json']).stdout).revealed).toBe(false);
  });
});

describe('fundaudit audit: reproducibility', () => {
  it('gives byte-identical output in every format with SOURCE_DATE_EPOCH set', () => {
    for (const format of ['terminal', 'json', 'csv', 'md', 'html']) {
      const a = audit(['--format', format], { SOURCE_DATE_EPOCH: '1717200000' });
      const b = audit(['--format', format], { SOURCE_DATE_EPOCH: '1717200000' });
      expect(a.code).toBe(0);
      expect(b.stdout, format).toBe(a.stdout);
    }
    // Local time, stated: Asia/Shanghai unless TZ says otherwise.
    expect(JSON.parse(audit(['--format', 'json'], { SOURCE_DATE_EPOCH: '1717200000', TZ: '' }).stdout)).toMatchObject({ generatedAt: '2024-06-01T08:00:00+08:00', timeZone: 'Asia/Shanghai' });
  });

  it('refuses a SOURCE_DATE_EPOCH that is not whole seconds, before any work', () => {
    const r = audit(['--format', 'json'], { SOURCE_DATE_EPOCH: '1.7e9' });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/SOURCE_DATE_EPOCH=1\.7e9 is not a number of seconds/);
  });
});

describe('fundaudit audit: exit codes', () => {
  it('0 when nothing is at or above --fail-on, 1 when something is', () => {
    expect(audit(['--fail-on', 'critical']).code).toBe(0);
    const r = audit(['--fail-on', 'high', '--format', 'json']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('1 finding(s) at or above --fail-on high');
    expect(audit(['--fail-on', 'low', '--format', 'json']).code).toBe(1);
  });

  it('2 for a bad option value, with the cause on stderr', () => {
    const r = audit(['--format', 'xml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/xml/);
    expect(audit(['--fail-on', 'severe']).code).toBe(2);
    expect(audit(['--no-such-option']).code).toBe(2);
  });

  it('2 for a missing input path, with the cause and a fix', () => {
    const r = run(['audit', join(dir, 'nope'), '--no-default-rules', '--rules', RULES]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no such file or folder');
    expect(r.stderr).toContain('fix:');
  });

  it('2 for an invalid rules folder, listing the problems briefly', () => {
    const bad = join(dir, 'bad-rules');
    mkdirSync(bad, { recursive: true });
    writeFileSync(join(bad, 'BROKEN.yaml'), 'id: BROKEN\ntitle: [unclosed\n');
    const r = run(['audit', data, '--no-default-rules', '--rules', bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/BROKEN\.yaml:\d+:\d+/);
    expect(r.stderr).toContain('invalid rules');
    expect(r.stdout).toBe('');
    expect(run(['audit', data, '--no-default-rules', '--rules', join(dir, 'no-rules-here')]).code).toBe(2);
  });

  it('2 when no input file is recognised', () => {
    const junk = join(dir, 'junk');
    mkdirSync(junk, { recursive: true });
    writeFileSync(join(junk, 'notes.csv'), 'a,b\n1,2\n');
    const r = run(['audit', junk, '--no-default-rules', '--rules', RULES]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('recognised');
  });

  it('2 for a wrong --param, naming the rule', () => {
    const r = audit(['--param', 'T-LARGE-PAYOUT.no_such=1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('T-LARGE-PAYOUT');
  });
});

describe('fundaudit audit: options', () => {
  it('--param changes a threshold and the manifest records it', () => {
    const doc = JSON.parse(audit(['--format', 'json', '--param', 'T-LARGE-PAYOUT.min_amount=10000']).stdout);
    expect(doc.findings.map((f: { ruleId: string }) => f.ruleId)).toEqual(['T-PAID-AFTER-DEATH']);
    expect(doc.manifest.params['T-LARGE-PAYOUT']).toEqual({ min_amount: '10000.00' });
  });

  it('--only and --skip take ids, categories and risks', () => {
    const ids = (args: string[]) => JSON.parse(audit(['--format', 'json', ...args]).stdout).manifest.rules.map((x: { id: string }) => x.id);
    expect(ids(['--only', 'money'])).toEqual(['T-LARGE-PAYOUT']);
    expect(ids(['--skip', 'fraud'])).toEqual(['T-LARGE-PAYOUT']);
    expect(ids(['--only', 'T-PAID-AFTER-DEATH,T-LARGE-PAYOUT'])).toEqual(['T-LARGE-PAYOUT', 'T-PAID-AFTER-DEATH']);
  });

  it('a config tuning the whole pack still works with --only; the manifest lists only the rules that ran', () => {
    const cfg = join(dir, 'pack.yaml');
    writeFileSync(cfg, ['params:', '  T-PAID-AFTER-DEATH:', '    grace_months: 1', '  T-LARGE-PAYOUT:', '    min_amount: 10000', ''].join('\n'));
    const r = audit(['--format', 'json', '--config', cfg, '--only', 'money']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(Object.keys(doc.manifest.params)).toEqual(['T-LARGE-PAYOUT']);
    expect(doc.manifest.params['T-LARGE-PAYOUT']).toEqual({ min_amount: '10000.00' });
  });

  it('--config supplies options; command-line options win', () => {
    const cfg = join(dir, 'audit.yaml');
    writeFileSync(
      cfg,
      [`paths: [${JSON.stringify(data)}]`, `rules: [${JSON.stringify(RULES)}]`, 'default_rules: false', 'format: json', 'fail_on: high', 'params:', '  T-LARGE-PAYOUT:', '    min_amount: 10000', ''].join('\n'),
    );
    const r = run(['audit', '--config', cfg]);
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout);
    expect(doc.findings).toHaveLength(1);
    const over = run(['audit', '--config', cfg, '--format', 'md', '--fail-on', 'none']);
    expect(over.code).toBe(0);
    expect(over.stdout).toMatch(/^# /);
    writeFileSync(cfg, 'formt: json\n');
    const bad = run(['audit', data, '--config', cfg]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(`${cfg}:1:1: unknown key "formt"`);
  });

  it('--config paths are relative to the config file; wrong types and YAML errors point at file:line:col', () => {
    const cfgDir = join(dir, 'cfg');
    mkdirSync(cfgDir, { recursive: true });
    const cfg = join(cfgDir, 'nightly.yaml');
    writeFileSync(cfg, ['paths: ../exports', `rules: ${JSON.stringify(relative(cfgDir, RULES))}`, 'default_rules: false', 'only: [T-LARGE-PAYOUT]', 'out: ./out.json', 'format: json', ''].join('\n'));
    const r = run(['audit', '--config', cfg], {}, ROOT);
    // After --out, one line says where the report went and what it holds.
    expect(r.stderr).toBe(`fundaudit: wrote ${join(cfgDir, 'out.json')}: 1 finding(s) — critical 0, high 0, medium 0, low 1, info 0\n`);
    expect(r.code).toBe(0);
    expect(JSON.parse(readFileSync(join(cfgDir, 'out.json'), 'utf8')).findings.map((f: { ruleId: string }) => f.ruleId)).toEqual(['T-LARGE-PAYOUT']);

    writeFileSync(cfg, 'format: json\nfail_on: [high]\n');
    const wrong = run(['audit', data, '--config', cfg]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain(`${cfg}:2:10: "fail_on" must be a single value`);

    writeFileSync(cfg, 'format: json\nonly: [a\n');
    const yaml = run(['audit', data, '--config', cfg]);
    expect(yaml.code).toBe(2);
    expect(yaml.stderr).toMatch(new RegExp(`${cfg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: `));

    writeFileSync(cfg, 'fail_on: severe\n');
    const value = run(['audit', data, '--no-default-rules', '--rules', RULES, '--config', cfg]);
    expect(value.code).toBe(2);
    expect(value.stderr).toContain(`fail_on in ${cfg}: "severe" is not one of info, low, medium, high, critical, none`);
  });

  it('--baseline marks known findings; only new ones count for --fail-on', () => {
    const base = join(dir, 'baseline.json');
    expect(audit(['--format', 'json', '--out', base]).code).toBe(0);
    const r = audit(['--format', 'json', '--baseline', base, '--fail-on', 'low']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.findings.every((f: { baseline: string }) => f.baseline === 'persisting')).toBe(true);
    expect(doc.summary.total).toMatchObject({ count: 2, newCount: 0 });
    expect(doc.baseline).toMatchObject({ persisting: 2, new: 0, resolved: [] });

    // A finding missing from the baseline is new, and fails the run.
    const prev = JSON.parse(readFileSync(base, 'utf8'));
    prev.findings = prev.findings.filter((f: { ruleId: string }) => f.ruleId !== 'T-PAID-AFTER-DEATH');
    writeFileSync(base, JSON.stringify(prev));
    const r2 = audit(['--format', 'json', '--baseline', base, '--fail-on', 'high']);
    expect(r2.code).toBe(1);
    const doc2 = JSON.parse(r2.stdout);
    expect(doc2.findings.map((f: { ruleId: string; baseline: string }) => [f.ruleId, f.baseline])).toEqual([
      ['T-PAID-AFTER-DEATH', 'new'],
      ['T-LARGE-PAYOUT', 'persisting'],
    ]);
    expect(doc2.summary.total).toMatchObject({ count: 2, newCount: 1 });
  });
});

describe('fundaudit audit: --out', () => {
  it('--out - is stdout', () => {
    const r = audit(['--format', 'json', '--out', '-']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).schemaVersion).toBe(2);
  });

  it('writes the report atomically, leaving no temp file', () => {
    const outDir = join(dir, 'out-ok');
    mkdirSync(outDir);
    const out = join(outDir, 'report.html');
    const r = audit(['--format', 'html', '--out', out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(readFileSync(out, 'utf8')).toMatch(/^<!DOCTYPE html>/);
    expect(readdirSync(outDir)).toEqual(['report.html']);
  });

  it('a failing run leaves the previous report intact and no temp files', () => {
    const outDir = join(dir, 'out-keep');
    mkdirSync(outDir);
    const out = join(outDir, 'report.json');
    writeFileSync(out, 'previous report\n');
    // fails before writing: missing input
    expect(run(['audit', join(dir, 'nope'), '--no-default-rules', '--rules', RULES, '--out', out]).code).toBe(2);
    // fails while writing: the target cannot be replaced (it is a folder)
    // fails on the target: it is a folder, or its folder does not exist
    const blocked = join(outDir, 'blocked');
    mkdirSync(blocked);
    const w = audit(['--format', 'json', '--out', blocked]);
    expect(w.code).toBe(2);
    expect(w.stderr).toContain('cannot write the report');
    expect(audit(['--format', 'json', '--out', join(outDir, 'no', 'such', 'r.json')]).stderr).toMatch(/does not exist\n  fix: /);
    expect(readFileSync(out, 'utf8')).toBe('previous report\n');
    expect(readdirSync(outDir).sort()).toEqual(['blocked', 'report.json']);
    expect(readdirSync(blocked)).toEqual([]);
  });

  it('a run killed part-way leaves the previous report or the new one, whole, and no temp file', async () => {
    const outDir = join(dir, 'out-killed');
    mkdirSync(outDir);
    const out = join(outDir, 'report.json');
    for (const delay of [50, 250, 500]) {
      writeFileSync(out, 'previous report\n');
      const child = spawn(process.execPath, [BIN, 'audit', data, '--no-default-rules', '--rules', RULES, '--format', 'json', '--out', out], {
        env: { ...process.env, NO_COLOR: '1' },
        stdio: 'ignore',
      });
      // Listen before killing: a fast run may have exited already, and 'exit' is not replayed.
      const exited = new Promise((r) => child.on('exit', r));
      await new Promise((r) => setTimeout(r, delay));
      child.kill('SIGTERM');
      await exited;
      const text = readFileSync(out, 'utf8');
      if (text !== 'previous report\n') expect(JSON.parse(text).schemaVersion).toBe(2);
      expect(readdirSync(outDir)).toEqual(['report.json']);
    }
  });

  it('a report written into an input folder is never read back as input', () => {
    const own = join(dir, 'own');
    mkdirSync(own);
    for (const f of ['payouts.csv', 'deaths.csv']) writeFileSync(join(own, f), readFileSync(join(data, f)));
    const out = join(own, 'report.csv');
    for (let i = 0; i < 2; i++) expect(run(['audit', own, '--no-default-rules', '--rules', RULES, '--format', 'json', '--out', out]).code).toBe(0);
    const doc = JSON.parse(readFileSync(out, 'utf8'));
    expect(doc.manifest.files.map((f: { path: string }) => f.path)).not.toContain(out);
    expect(doc.inputs.unrecognisedFiles).toBe(0);
  });

  it('refuses --out naming one of the exports, and leaves the export untouched', () => {
    const mine = join(dir, 'mine');
    mkdirSync(mine);
    for (const f of ['payouts.csv', 'deaths.csv']) writeFileSync(join(mine, f), readFileSync(join(data, f)));
    const target = join(mine, 'payouts.csv');
    const before = readFileSync(target);
    const r = run(['audit', mine, '--no-default-rules', '--rules', RULES, '--format', 'csv', '--out', target]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('is one of the exports being audited (recognised as payouts)');
    expect(readFileSync(target).equals(before)).toBe(true);
  });
});
