/** `fundaudit rules list`, through the real binary (build first: npm run build). */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/fundaudit');
const BROKEN = 'test/rules/broken';
const VALID = `${BROKEN}/money/VALID-RULE.yaml`;

function run(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, 'rules', 'list', ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('fundaudit rules list', () => {
  it('lists id, category, risk, severity, tables and the Chinese title', () => {
    const r = run([VALID]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      [
        'ID          CATEGORY  RISK   SEVERITY  TABLES   TITLE',
        'VALID-RULE  money     fraud  low       payouts  大额发放',
        '1 rule',
        '',
      ].join('\n'),
    );
  });

  it('--lang en gives the English title', () => {
    const r = run([VALID, '--lang', 'en']);
    expect(r.stdout.split('\n')[1]).toBe('VALID-RULE  money     fraud  low       payouts  Large payouts');
  });

  it('--format json gives the tables and columns each rule reads', () => {
    const r = run([VALID, '--format', 'json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([
      {
        id: 'VALID-RULE',
        category: 'money',
        risk: 'fraud',
        severity: 'low',
        title: { zh: '大额发放', en: 'Large payouts' },
        tables: ['payouts'],
        columns: { payouts: ['amount', 'id_number', 'name', 'period'] },
        params: ['min_amount'],
        tests: 2,
        file: VALID,
      },
    ]);
  });

  it('shows the tables of a join, e.g. the worked example', () => {
    const r = run(['rules/people/PAID-AFTER-DEATH.yaml', '--format', 'json']);
    const [rule] = JSON.parse(r.stdout);
    expect(rule.tables).toEqual(['payouts', 'deaths']);
    expect(rule.columns.deaths).toEqual(expect.arrayContaining(['id_number', 'death_date']));
  });

  it('lists the shipped rules by category, each with the tables it needs', () => {
    const r = run([]);
    const rows = r.stdout.trimEnd().split('\n').slice(1, -1);
    expect(rows.length).toBeGreaterThan(20);
    const categories = rows.map((row) => row.split(/\s+/)[1]);
    expect([...categories].sort()).toEqual(categories);
    for (const row of rows) expect(row.split(/\s+/)[4]).toMatch(/^[a-z_]+(,[a-z_]+)*$/);
  });

  it('leaves out rule files with problems, says so on stderr and exits 1', () => {
    const r = run([`${BROKEN}/money`]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^VALID-RULE\s+money\s+fraud\s+low\s+payouts\s+大额发放$/m);
    expect(r.stdout).toMatch(/\n1 rule\n$/);
    expect(r.stderr).toMatch(/^fundaudit: \d+ rule files with problems not listed; run fundaudit rules validate\n$/);
  });

  it('shows control characters in a title as escapes, never sending them to the terminal', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fundaudit-esc-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    mkdirSync(join(dir, 'money'));
    const file = join(dir, 'money', 'VALID-RULE.yaml');
    writeFileSync(file, readFileSync(join(ROOT, VALID), 'utf8').replace('zh: 大额发放', 'zh: "\\e[2J大额发放"'));
    const r = run([file]);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[1]).toBe('VALID-RULE  money     fraud  low       payouts  \\u001b[2J大额发放');
  });

  it('exits 2 for a path that does not exist', () => {
    expect(run(['nowhere']).code).toBe(2);
  });
});
