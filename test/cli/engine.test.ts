/**
 * The engines through the real binary (build first: npm run build):
 * `audit --engine duckdb|arquero` (and `engine:` in a config), `--evidence`,
 * `rules sql`, and `rules test` on both engines.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/fundaudit');
const DEMO = join(ROOT, 'fixtures/demo');

let dir: string;
let tmp: string;

function run(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: dir,
    encoding: 'utf8',
    // A private temporary directory: what the DuckDB engine leaves there is checked.
    env: { ...process.env, NO_COLOR: '1', SOURCE_DATE_EPOCH: '1700000000', TMPDIR: tmp, ...env },
    maxBuffer: 64 << 20,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'fa-engine-'));
  tmp = join(dir, 'tmp');
  mkdirSync(tmp);
});

describe('audit --engine', () => {
  it('writes the same JSON report with DuckDB (the default) and with Arquero, and leaves no temporary folder', () => {
    const duck = run(['audit', DEMO, '--format', 'json']);
    const arquero = run(['audit', DEMO, '--format', 'json', '--engine', 'arquero']);
    expect(duck.code).toBe(0);
    expect(arquero.code).toBe(0);
    expect(JSON.parse(duck.stdout).findings.length).toBeGreaterThan(20);
    expect(duck.stdout).toBe(arquero.stdout);
    expect(readdirSync(tmp)).toEqual([]);
  });

  it('takes the engine from the config file, the command line winning', () => {
    const config = join(dir, 'audit.yaml');
    writeFileSync(config, `paths: [${JSON.stringify(DEMO)}]\nengine: arquero\nonly: [PAID-AFTER-DEATH]\nformat: json\n`);
    const fromConfig = run(['audit', '--config', config]);
    const overridden = run(['audit', '--config', config, '--engine', 'duckdb']);
    expect(fromConfig.code).toBe(0);
    expect(overridden.stdout).toBe(fromConfig.stdout);
  });

  it('refuses an unknown engine, on the command line and in the config', () => {
    const cli = run(['audit', DEMO, '--engine', 'spark']);
    expect(cli.code).toBe(2);
    expect(cli.stderr).toMatch(/spark/);
    const config = join(dir, 'bad.yaml');
    writeFileSync(config, `paths: [${JSON.stringify(DEMO)}]\nengine: spark\n`);
    const bad = run(['audit', '--config', config]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/engine in .*bad\.yaml: "spark" is not one of duckdb, arquero/);
  });
});

describe('audit --evidence', () => {
  const findings = (out: string) => JSON.parse(out).findings as Array<{ ruleId: string; evidence: Array<{ line: number; values: object }>; evidenceCount: number }>;
  const withValues = (f: { evidence: Array<{ values: object }> }) => f.evidence.filter((e) => Object.keys(e.values).length > 0).length;

  it('carries every evidence row by its place, shows the values of as many as asked, and counts them all', () => {
    // Rules whose findings rest on a few rows, and on hundreds.
    const only = ['--only', 'PAID-AFTER-DEATH,BENFORD-BY-OPERATOR,OPERATOR-OUTLIER-SHARE'];
    const two = findings(run(['audit', DEMO, '--format', 'json', '--evidence', '2', ...only]).stdout);
    const all = findings(run(['audit', DEMO, '--format', 'json', '--evidence', 'all', ...only]).stdout);
    const usual = findings(run(['audit', DEMO, '--format', 'json', ...only]).stdout);
    expect(two.length).toBe(usual.length);
    for (const list of [two, all, usual]) expect(list.every((f) => f.evidence.length === f.evidenceCount)).toBe(true);
    // The rows with values are the first ones, by file and line.
    expect(two.every((f) => withValues(f) === Math.min(2, f.evidenceCount) && f.evidence.slice(0, 2).every((e) => Object.keys(e.values).length > 0))).toBe(true);
    expect(all.every((f) => withValues(f) === f.evidenceCount)).toBe(true);
    expect(usual.every((f) => withValues(f) === Math.min(50, f.evidenceCount))).toBe(true);
    expect(two.map((f) => f.evidence.map((e) => e.line))).toEqual(all.map((f) => f.evidence.map((e) => e.line)));
    // Some finding rests on more than 50 rows, so that `all` shows more than the default.
    expect(all.some((f) => f.evidenceCount > 50)).toBe(true);
    expect(two.map((f) => f.evidenceCount)).toEqual(usual.map((f) => f.evidenceCount));
  });

  it('refuses a count that is not one', () => {
    const r = run(['audit', DEMO, '--evidence', 'lots']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--evidence: "lots" is not a number of rows or all/);
  });
});

describe('rules sql', () => {
  it("prints a rule's SQL with its params as named placeholders, their values only in comments", () => {
    const r = run(['rules', 'sql', 'PAID-AFTER-DEATH']);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^-- PAID-AFTER-DEATH: Benefits paid after death/);
    // The survivors' items are looked for by their text keys, bound beside the list.
    expect(lines.filter((l) => l.startsWith('-- $')).map((l) => l.split(' ')[1])).toEqual(['$p_grace_months', '$pk_survivor_items']);
    const query = lines.filter((l) => !l.startsWith('--')).join('\n');
    expect(query).toMatch(/^WITH/);
    expect(query).toContain('$p_grace_months');
    expect(query).toContain('$pk_survivor_items');
    // The default list of survivors' benefits is a param: no item of it is in the SQL.
    expect(query).not.toContain('丧葬补助金');
  });

  it('prints every rule, and the macros with --macros', () => {
    const r = run(['rules', 'sql', '--macros']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^CREATE MACRO fa_js_trim/m);
    expect((r.stdout.match(/^WITH$/gm) ?? []).length).toBeGreaterThan(40);
    expect(r.stdout).not.toMatch(/cannot be written as SQL/);
  });

  it('prints SQL that reads as it runs: no control character escaped inside a literal, the macros run in DuckDB', async () => {
    const r = run(['rules', 'sql', '--macros']);
    expect(r.code).toBe(0);
    // text_key's map and JavaScript's spaces hold tabs, form feeds and invisible spaces: written as chr(n), a
    // user who copies the SQL elsewhere gets the same characters (printed raw, they came out as \u000d text).
    expect(r.stdout).not.toMatch(/\\u[0-9a-f]{4}/i);
    expect(r.stdout).not.toMatch(/[^\P{C}\n]|[^ \P{Z}]/u);
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const connection = await (await DuckDBInstance.create(':memory:')).connect();
    try {
      const sql = r.stdout.replace(/^--.*\n/gm, '');
      for (const statement of sql.split(/;\n/).filter((s) => s.startsWith('CREATE MACRO'))) await connection.run(statement);
      const got = await connection.runAndReadAll(`SELECT fa_js_trim(chr(12288) || chr(9) || 'x y' || chr(65279)) AS t`);
      expect(got.getRows()).toEqual([['x y']]);
    } finally {
      connection.closeSync();
    }
  });

  it('refuses an unknown rule id', () => {
    const r = run(['rules', 'sql', 'NO-SUCH-RULE']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no rule NO-SUCH-RULE/);
  });
});

describe('rules test on both engines', () => {
  it('fails a case, by rule and case, where DuckDB cannot find what Arquero finds', () => {
    const rules = join(dir, 'rules', 'people');
    mkdirSync(rules, { recursive: true });
    const shipped = readFileSync(join(ROOT, 'rules/people/PAID-AFTER-DEATH.yaml'), 'utf8');
    // parse_int with a radix: Arquero reads hex, the DuckDB executor has no SQL for it.
    writeFileSync(join(rules, 'PAID-AFTER-DEATH.yaml'), shipped.replace("- filter: d.status == '成功'", "- filter: op.parse_int('ff', 16) == 255 && d.status == '成功'"));
    const both = run(['rules', 'test', join(dir, 'rules')]);
    expect(both.code).toBe(1);
    expect(both.stdout).toMatch(/FAIL {2}PAID-AFTER-DEATH › two months paid after death/);
    expect(both.stdout).toMatch(/the engines disagree: DuckDB did not run the rule .*op\.parse_int with a radix other than 10/);
    const reference = run(['rules', 'test', join(dir, 'rules'), '--engine', 'arquero']);
    expect(reference.code).toBe(0);
  });

  it('passes every shipped case on both engines', () => {
    const r = run(['rules', 'test', '--only', 'people']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\d+ passed, 0 failed/);
    expect(existsSync(tmp) && readdirSync(tmp)).toEqual([]);
  });
});
