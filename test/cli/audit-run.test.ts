/**
 * `fundaudit audit` as a batch job and a person at a terminal see it, through
 * the real binary: what ran, runs in which nothing could run, stderr
 * feedback (progress, the line after --out, --quiet), colour switches, the
 * terminal's width and --top, config discovery, --rules with the shipped pack,
 * suppressions, the time zone, and the CI formats.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/fundaudit');
const RULES = join(ROOT, 'test/cli/rules');
const ZHANG = '11010519491231002X';

let dir: string;
let data: string;

function run(args: string[], env: Record<string, string | undefined> = {}, cwd = dir) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined, SOURCE_DATE_EPOCH: '', TZ: undefined, ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const audit = (extra: string[] = [], env: Record<string, string | undefined> = {}) => run(['audit', data, '--no-default-rules', '--rules', RULES, ...extra], env);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'fa-audit-run-'));
  data = join(dir, 'exports');
  mkdirSync(data);
  writeFileSync(
    join(data, 'payouts.csv'),
    [
      '身份证号码,姓名,待遇项目,待遇年月,发放金额,发放状态,银行账号,户名',
      `${ZHANG},张三,基本养老金,2024-01,3000.00,成功,6222020200112233445,张三`,
      `${ZHANG},张三,基本养老金,2024-02,3000.00,成功,6222020200112233445,张三`,
      `${ZHANG},张三,基本养老金,2024-03,3000.00,成功,6222020200112233445,张三`,
      `440524188001010014,欧阳修文,基本养老金,2024-02,8000.00,成功,6222020200998877665,欧阳修文`,
      '',
    ].join('\n'),
  );
  writeFileSync(join(data, 'deaths.csv'), ['身份证号,姓名,死亡日期', `${ZHANG},张三,2024-01-15`, ''].join('\n'));
});

describe('what ran', () => {
  it('a run in which no rule could run exits 2, naming the missing tables, and writes no report', () => {
    const only = join(dir, 'only-deaths');
    mkdirSync(only);
    writeFileSync(join(only, 'deaths.csv'), readFileSync(join(data, 'deaths.csv')));
    const out = join(dir, 'nothing.json');
    const r = run(['audit', only, '--fail-on', 'low', '--format', 'json', '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^fundaudit: no rule could run, so nothing was checked — missing tables: payouts \(待遇发放明细\) for \d+ rules/);
    expect(r.stderr).toContain('  fix: give the exports of those tables');
    expect(() => readFileSync(out)).toThrow();
  });

  it('--fail-on-skipped fails a run in which a rule did not run, after writing the report', () => {
    const ok = audit(['--format', 'json']);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout).run).toEqual({ rules: 3, ran: 2, skipped: 1, failed: 0, withFindings: 2 });
    const r = audit(['--format', 'json', '--fail-on-skipped']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).skipped[0].ruleId).toBe('T-PAID-WHILE-IMPRISONED');
    expect(r.stderr).toBe('fundaudit: 1 of 3 rule(s) did not run (--fail-on-skipped): T-PAID-WHILE-IMPRISONED\n');
  });
});

describe('stderr', () => {
  it('after --out, one line says where the report went and what it holds; --quiet says nothing but errors', () => {
    const out = join(dir, 'r.md');
    const r = audit(['--format', 'md', '--out', out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`fundaudit: wrote ${out}: 2 finding(s) — critical 0, high 1, medium 0, low 1, info 0; 1 of 3 rules not run\n`);
    const q = audit(['--format', 'md', '--out', out, '--quiet']);
    expect(q.stderr).toBe('');
    const failing = audit(['--format', 'md', '--out', out, '--quiet', '--fail-on', 'high']);
    expect(failing.code).toBe(1);
    expect(failing.stderr).toBe('fundaudit: 1 finding(s) at or above --fail-on high\n');
  });

  it('--progress shows files loaded with rows and rules done of all, on stderr only', () => {
    const r = audit(['--format', 'json', '--progress']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/fundaudit: loaded .*deaths\.csv: deaths, 1 rows\n/);
    expect(r.stderr).toMatch(/fundaudit: loaded .*payouts\.csv: payouts, 4 rows\n/);
    expect(r.stderr).toMatch(/fundaudit: rules 1\/3 \(T-LARGE-PAYOUT\)\n(.*\n)*fundaudit: rules 3\/3 \(T-PAID-WHILE-IMPRISONED\)\n/);
    expect(JSON.parse(r.stdout).findings).toHaveLength(2);
    // Not a terminal, no --progress: silence.
    expect(audit(['--format', 'json']).stderr).toBe('');
  });
});

describe('colour', () => {
  const coloured = (args: string[], env: Record<string, string | undefined>) => /\u001b\[/.test(audit(args, env).stdout);
  it('--color and FORCE_COLOR colour a piped report; --no-color, NO_COLOR, TERM=dumb and FORCE_COLOR=0 do not', () => {
    expect(coloured([], { NO_COLOR: undefined })).toBe(false); // not a terminal
    expect(coloured(['--color'], { NO_COLOR: undefined })).toBe(true);
    expect(coloured([], { NO_COLOR: undefined, FORCE_COLOR: '1' })).toBe(true);
    expect(coloured([], { NO_COLOR: undefined, FORCE_COLOR: '0' })).toBe(false);
    expect(coloured(['--no-color'], { NO_COLOR: undefined, FORCE_COLOR: '1' })).toBe(false);
    expect(coloured([], { NO_COLOR: '1' })).toBe(false);
  });

  const hasScript = spawnSync('sh', ['-c', 'command -v script']).status === 0;
  it.skipIf(!hasScript)('on a terminal: colour unless NO_COLOR or TERM=dumb; the report fits its width', () => {
    const onTty = (env: Record<string, string | undefined>, cols = 100) => {
      const cmd = `stty cols ${cols}; ${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} audit ${JSON.stringify(data)} --no-default-rules --rules ${JSON.stringify(RULES)} --quiet`;
      return spawnSync('script', ['-qec', cmd, '/dev/null'], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: undefined, FORCE_COLOR: undefined, TERM: 'xterm', ...env } }).stdout;
    };
    expect(onTty({})).toMatch(/\u001b\[31m\[高\]/);
    expect(onTty({ TERM: 'dumb' })).not.toMatch(/\u001b\[/);
    expect(onTty({ NO_COLOR: '1' })).not.toMatch(/\u001b\[/);
    const narrow = onTty({ NO_COLOR: '1' }, 70);
    const width = (l: string) => [...l].reduce((w, ch) => w + (/[\u2e80-\uffe6]/.test(ch) ? 2 : 1), 0);
    for (const line of narrow.replace(/\r/g, '').split('\n')) expect(width(line), line).toBeLessThanOrEqual(70);
  });
});

describe('options', () => {
  it('--rules adds to the shipped pack; --no-default-rules leaves it out', () => {
    const ids = (args: string[]) => JSON.parse(run(['audit', data, '--format', 'json', ...args]).stdout).manifest.rules.map((x: { id: string }) => x.id);
    const withPack = ids(['--rules', RULES]);
    expect(withPack).toContain('T-LARGE-PAYOUT');
    expect(withPack).toContain('PAID-AFTER-DEATH');
    expect(ids(['--rules', RULES, '--no-default-rules'])).toEqual(['T-LARGE-PAYOUT', 'T-PAID-AFTER-DEATH', 'T-PAID-WHILE-IMPRISONED']);
    const none = run(['audit', data, '--no-default-rules']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('no rules: --no-default-rules leaves the shipped rules out');
  });

  it('fundaudit.yaml in the working folder is read when --config is not given, and named in the manifest; --no-config skips it', () => {
    const work = join(dir, 'job');
    mkdirSync(work);
    writeFileSync(join(work, 'fundaudit.yaml'), [`paths: [${JSON.stringify(data)}]`, `rules: [${JSON.stringify(RULES)}]`, 'default_rules: false', 'format: json', 'lang: en', ''].join('\n'));
    const r = run(['audit'], {}, work);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.lang).toBe('en');
    expect(doc.manifest.options).toMatchObject({ config: 'fundaudit.yaml', defaultRules: false });
    const skip = run(['audit', '--no-config'], {}, work);
    expect(skip.code).toBe(2);
    expect(skip.stderr).toContain('no input paths given');
  });

  it('--top lists that many findings per rule in the terminal report', () => {
    expect(audit(['--top', '0']).code).toBe(2);
    expect(audit(['--top', 'x']).stderr).toContain('--top x: not a whole number of 1 or more');
    expect(audit(['--top', '1']).code).toBe(0);
  });

  it('times are local: Asia/Shanghai by default, TZ when set', () => {
    const at = (tz: string | undefined) => JSON.parse(audit(['--format', 'json'], { SOURCE_DATE_EPOCH: '1717200000', TZ: tz }).stdout);
    expect(at(undefined)).toMatchObject({ generatedAt: '2024-06-01T08:00:00+08:00', timeZone: 'Asia/Shanghai' });
    expect(at('Europe/Berlin')).toMatchObject({ generatedAt: '2024-06-01T02:00:00+02:00', timeZone: 'Europe/Berlin' });
    const bad = audit(['--format', 'json'], { SOURCE_DATE_EPOCH: '1717200000', TZ: 'Mars/Olympus' });
    expect(JSON.parse(bad.stdout).timeZone).toBe('Asia/Shanghai');
    expect(bad.stderr).toContain("TZ=Mars/Olympus is not a time zone; the report's times are in Asia/Shanghai");
    expect(audit([], { SOURCE_DATE_EPOCH: '1717200000' }).stdout).toContain('生成时间 2024-06-01 08:00:00 +08:00 (Asia/Shanghai)');
  });
});

describe('suppressions', () => {
  it('accept findings with a reason: listed apart, out of the totals and of --fail-on; expired and unmatched entries reported', () => {
    const fp = JSON.parse(audit(['--format', 'json']).stdout).findings.find((f: { ruleId: string }) => f.ruleId === 'T-PAID-AFTER-DEATH').fingerprint;
    const file = join(dir, 'accepted.yaml');
    writeFileSync(
      file,
      [
        '# yaml-language-server: $schema=../docs/suppressions.schema.json',
        'suppressions:',
        `  - fingerprint: ${fp}`,
        '    reason: 已核实，家属已退回',
        '    approver: 王审计',
        '    expires: 2099-12-31',
        '  - rule: T-LARGE-PAYOUT',
        '    entity: "6222020200998877665"',
        '    reason: 一次性补发，有批文',
        '    approver: 王审计',
        '    expires: 2020-01-01',
        '  - rule: T-LARGE-PAYOUT',
        '    entity: no-such-account',
        '    reason: 旧账户',
        '    approver: 王审计',
        '    expires: 2099-12-31',
        '',
      ].join('\n'),
    );
    const r = audit(['--format', 'json', '--suppressions', file, '--fail-on', 'high']);
    expect(r.code).toBe(0); // the high finding is accepted; the low one is not at or above high
    const doc = JSON.parse(r.stdout);
    expect(doc.findings.map((f: { ruleId: string }) => f.ruleId)).toEqual(['T-LARGE-PAYOUT']);
    expect(doc.summary.total).toMatchObject({ count: 1, amount: 800000 });
    expect(doc.suppressions.suppressed.map((f: { ruleId: string; suppression: { reason: string } }) => [f.ruleId, f.suppression.reason])).toEqual([['T-PAID-AFTER-DEATH', '已核实，家属已退回']]);
    expect(doc.suppressions.expired.map((s: { line: number; entity: string }) => [s.line, s.entity])).toEqual([[7, '****7665']]);
    expect(doc.suppressions.unmatched.map((s: { line: number }) => s.line)).toEqual([12]);
    const t = audit(['--suppressions', file]).stdout;
    expect(t).toContain('已接受的疑点（抑制） (1)');
    expect(t).toContain('已过期的抑制（不再生效） (1)');
    expect(t).toContain('未匹配任何疑点的抑制 (1)');
    expect(t).not.toContain('6222020200998877665');

    writeFileSync(file, 'suppressions:\n  - rule: T-LARGE-PAYOUT\n    reason: x\n    approver: y\n    expires: 2099-12-31\n');
    const bad = audit(['--suppressions', file]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(`${file}:2:5: the suppression on line 2 names no finding`);
  });
});

describe('CI formats', () => {
  it('github: one annotation per finding at its first evidence row', () => {
    const r = audit(['--format', 'github', '--lang', 'en']);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines.filter((l) => l.startsWith('::error ') || l.startsWith('::warning '))).toHaveLength(3);
    expect(lines[0]).toMatch(/^::error file=.*deaths\.csv,line=2,title=T-PAID-AFTER-DEATH \[high\] Benefits paid after death::/);
    expect(r.stdout).not.toContain(ZHANG);
  });
});
