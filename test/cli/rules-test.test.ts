/**
 * `fundaudit rules test`, through the real binary (build first: npm run build).
 * Rule files are copies of the worked example, written to a temp folder and
 * altered to fail in known ways.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/fundaudit');
const EXAMPLE = join(ROOT, 'rules/people/PAID-AFTER-DEATH.yaml');

let dir: string;

function run(args: string[], cwd = dir) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Writes `<dir>/<name>/people/PAID-AFTER-DEATH.yaml` with `edit` applied to the example. */
function ruleDir(name: string, edit: (text: string) => string): string {
  const folder = join(dir, name, 'people');
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, 'PAID-AFTER-DEATH.yaml'), edit(readFileSync(EXAMPLE, 'utf8')));
  return join(name);
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'fa-rules-test-'));
  ruleDir('good', (t) => t);
  ruleDir('wrong-amount', (t) => t.replace('amount: "6000.00"', 'amount: "9000.00"'));
  ruleDir('bad-data', (t) => t.replace('11010519491231002X,张三,2024-01-15', '11010519491231002X,张三,2024-01-32'));
  ruleDir('invalid', (t) => t.replace('risk: fraud', 'risk: [fraud'));
  ruleDir('control', (t) =>
    t.replace('amount: "6000.00"', 'amount: "9000.00"').replace('name: two months paid after death', 'name: "two months \\e]0;pwned\\a\\e[2J paid"'),
  );
});

describe('fundaudit rules test', () => {
  it('the worked example passes (shipped file)', () => {
    const r = run(['rules', 'test', EXAMPLE], ROOT);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ok {4}PAID-AFTER-DEATH \(\d+ cases\)$/m);
    expect(r.stdout).toMatch(/^\d+ passed, 0 failed$/m);
  });

  it('a failing case names rule, case and place, with expected vs found; exit 1', () => {
    const r = run(['rules', 'test', 'wrong-amount']);
    expect(r.code).toBe(1);
    const line = readFileSync(join(dir, 'wrong-amount/people/PAID-AFTER-DEATH.yaml'), 'utf8').split('\n').findIndex((l) => l.includes('name: two months paid after death')) + 1;
    expect(r.stdout).toContain(`FAIL  PAID-AFTER-DEATH › two months paid after death  (wrong-amount/people/PAID-AFTER-DEATH.yaml:${line})`);
    expect(r.stdout).toContain('    ✗ expected amount 9000.00 yuan in total, found 6000.00');
    expect(r.stdout).toContain('    found 1 finding, 6000.00 yuan in total:');
    expect(r.stdout).toContain('      - 11010519491231002X 2024-02 6000.00: 张三 (11010519491231002X) died on 2024-01-15; 2 month(s) paid afterwards (2024-02 to 2024-03), 6000.00 yuan in total');
    expect(r.stdout).toMatch(/^\d+ passed, 1 failed$/m);
  });

  it('a case resting on mis-typed data fails and says where', () => {
    const r = run(['rules', 'test', 'bad-data']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/✗ table deaths line 2, column death_date: .*\(value "2024-01-32"\)/);
  });

  it("a rule file's text cannot drive the terminal: control characters are shown escaped", () => {
    const r = run(['rules', 'test', 'control']);
    expect(r.code).toBe(1);
    expect(r.stdout).not.toMatch(/[\u0007\u001b]/);
    expect(r.stdout).toContain('FAIL  PAID-AFTER-DEATH › two months \\u001b]0;pwned\\u0007\\u001b[2J paid  (control/people/PAID-AFTER-DEATH.yaml:');
  });

  it('--format json gives every case', () => {
    const r = run(['rules', 'test', 'wrong-amount', '--format', 'json']);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out.version).toBe(1);
    expect(out.failed).toBe(1);
    const failed = out.results.find((x: { passed: boolean }) => !x.passed);
    expect(failed).toMatchObject({ ruleId: 'PAID-AFTER-DEATH', case: 'two months paid after death', failures: ['expected amount 9000.00 yuan in total, found 6000.00'] });
    expect(failed.found).toMatchObject({ count: 1, entities: ['11010519491231002X'], amount: '6000.00' });
  });

  it('--format github prints annotations', () => {
    const r = run(['rules', 'test', 'wrong-amount', '--format', 'github']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^::error file=wrong-amount\/people\/PAID-AFTER-DEATH\.yaml,line=\d+,title=rule test failed%3A PAID-AFTER-DEATH › two months paid after death::✗ expected amount 9000\.00 yuan in total, found 6000\.00%0A/m);
  });

  it('invalid rule files exit 1 with their place, as rules validate does', () => {
    const r = run(['rules', 'test', 'invalid']);
    expect(r.code).toBe(1);
    expect(run(['rules', 'validate', 'invalid']).code).toBe(1);
    expect(r.stdout).toMatch(/^invalid\/people\/PAID-AFTER-DEATH\.yaml:\d+:\d+: /m);
  });

  it('--format junit: a testsuite per rule, a testcase per case, failures with expected vs found, rule-file problems as errors', () => {
    const ok = run(['rules', 'test', 'good', '--format', 'junit']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^<\?xml version="1\.0" encoding="UTF-8"\?>\n<testsuites name="fundaudit rules test" tests="\d+" failures="0" errors="0">/);
    expect(ok.stdout).toMatch(/<testsuite name="PAID-AFTER-DEATH" tests="\d+" failures="0" errors="0" file="good\/people\/PAID-AFTER-DEATH\.yaml">/);
    const failing = run(['rules', 'test', 'wrong-amount', '--format', 'junit']);
    expect(failing.code).toBe(1);
    expect(failing.stdout).toMatch(/<testcase name="two months paid after death" classname="PAID-AFTER-DEATH" file="wrong-amount\/people\/PAID-AFTER-DEATH\.yaml" line="\d+">\n {6}<failure message="expected amount 9000\.00 yuan in total, found 6000\.00" type="rule-test">/);
    const invalid = run(['rules', 'test', 'invalid', '--format', 'junit']);
    expect(invalid.code).toBe(1);
    expect(invalid.stdout).toMatch(/<testsuite name="rule files" tests="1" failures="0" errors="1">/);
    // Control characters from a rule file never reach the XML (XML 1.0 forbids them).
    const control = run(['rules', 'test', 'control', '--format', 'junit']);
    expect(control.stdout).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/);
    expect(control.stdout).toContain('\\u001b');
  });

  it('usage errors exit 2', () => {
    expect(run(['rules', 'test', 'good', '--format', 'xml']).code).toBe(2);
    const r = run(['rules', 'test', 'good', '--only', 'NO-SUCH-RULE']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--only NO-SUCH-RULE: no rule, category or risk of that name');
    expect(run(['rules', 'test', 'missing-folder']).code).toBe(2);
  });

  it('--only and --skip select by id, category or risk', () => {
    expect(run(['rules', 'test', 'good', '--only', 'people']).stdout).toMatch(/PAID-AFTER-DEATH/);
    const skipped = run(['rules', 'test', 'good', '--skip', 'fraud']);
    expect(skipped.stdout + skipped.stderr).toMatch(/^0 passed, 0 failed$/m);
    expect(skipped.code).toBe(0);
    expect(skipped.stdout).toMatch(/^0 passed, 0 failed$/m);
  });
});
