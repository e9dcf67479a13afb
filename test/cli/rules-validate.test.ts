/** `fundaudit rules validate`, through the real binary (build first: npm run build). */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/fundaudit');
const BROKEN = 'test/rules/broken';

function run(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, 'rules', 'validate', ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('fundaudit rules validate', () => {
  it('passes the shipped rules', () => {
    const r = run([]);
    expect(r.stdout).toMatch(/^\d+ rule files checked, no problems\n$/);
    expect(r.code).toBe(0);
  });

  it('prints file:line:col, code, message, the line with a caret, the fix and a summary', () => {
    const r = run([`${BROKEN}/money/SCHEMA-ENUM.yaml`]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(
      [
        `${BROKEN}/money/SCHEMA-ENUM.yaml:7:11  schema  \`severity\` is \`urgent\`, not one of the allowed values`,
        '    severity: urgent',
        '              ^',
        '    fix: use one of: info, low, medium, high, critical',
        '1 problem in 1 file (1 checked)',
        '',
      ].join('\n'),
    );
  });

  it('places the caret under wide characters correctly', () => {
    const r = run([`${BROKEN}/money/UNKNOWN-PLACEHOLDER.yaml`]);
    expect(r.stdout).toContain(['    zh: "{nmae} 领取 {amount:money} 元"', '          ^'].join('\n'));
  });

  it('shows control characters from a rule file as escapes, in text and annotations, with the caret still in place', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fundaudit-esc-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    mkdirSync(join(dir, 'money'));
    const file = join(dir, 'money', 'VALID-RULE.yaml');
    const valid = readFileSync(join(ROOT, BROKEN, 'money/VALID-RULE.yaml'), 'utf8');
    writeFileSync(file, valid.replace('title: { zh: 大额发放, en: Large payouts }', 'title: { zh: "\x1b]0;pwned\x07大额", en: x, xx: 1 }'));
    const r = run([file]);
    expect(r.code).toBe(1);
    expect(r.stdout).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/);
    expect(r.stdout).toContain(
      ['    title: { zh: "\\u001b]0;pwned\\u0007大额", en: x, xx: 1 }', `    ${' '.repeat(48)}^`].join('\n'),
    );
    const github = run([file, '--format', 'github']);
    expect(github.stdout).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/);
  });

  it('reports every problem in every file of a folder', () => {
    const r = run([BROKEN]);
    expect(r.code).toBe(1);
    const lines = r.stdout.split('\n').filter((l) => /^\S+:\d+:\d+ {2}/.test(l));
    const files = new Set(lines.map((l) => l.split(':')[0]));
    expect(files.size).toBeGreaterThanOrEqual(29);
    expect(r.stdout).toMatch(new RegExp(`\\n${lines.length} problems in ${files.size} files \\(\\d+ checked\\)\\n$`));
  });

  it('--format json gives every problem as data', () => {
    const r = run([`${BROKEN}/money/SEVERAL-PROBLEMS.yaml`, '--format', 'json']);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out.version).toBe(1);
    expect(out.ok).toBe(false);
    expect(out.files).toBe(1);
    expect(out.problems.map((p: { line: number; col: number; code: string }) => `${p.line}:${p.col} ${p.code}`)).toEqual([
      '7:11 schema',
      '10:3 unused-param',
      '18:28 undeclared-param',
      '19:23 expression-not-allowed',
      '25:11 unknown-column',
      '34:11 duplicate-test-name',
    ]);
    expect(out.problems[2]).toMatchObject({ file: `${BROKEN}/money/SEVERAL-PROBLEMS.yaml`, snippet: '    - filter: d.amount > $.limit', fix: expect.stringContaining('declare it under params') });
  });

  it('--format github prints workflow annotations', () => {
    const r = run([`${BROKEN}/money/UNKNOWN-COLUMN.yaml`, '--format', 'github']);
    expect(r.code).toBe(1);
    const [first, summary] = r.stdout.trimEnd().split('\n');
    expect(first).toMatch(
      new RegExp(`^::error file=${BROKEN}/money/UNKNOWN-COLUMN\\.yaml,line=18,col=17,title=fundaudit unknown-column::unknown column \`amout\` at this step%0Afix: did you mean \`amount\`\\?`),
    );
    expect(summary).toBe('1 problem in 1 file (1 checked)');
  });

  it('exits 2 for a path that does not exist, a folder without rule files, or an unknown format', () => {
    const missing = run(['no/such/rules']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('rule path not found: no/such/rules');
    const empty = run(['docs']);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('no rule files (*.yaml, *.yml) in docs');
    const format = run(['--format', 'xml']);
    expect(format.code).toBe(2);
    expect(format.stderr).toMatch(/--format.*xml/);
  });
});
