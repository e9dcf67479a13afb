/**
 * Inputs are regular files of bounded size: named pipes, devices (a link to
 * /dev/zero) and unreadable files are refused with a clear error naming the
 * file, never read forever; config, mapping, baseline and rule files have
 * size caps. Through the real binary, for `inspect`, `audit` and `rules`.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BIN, fundaudit, ROOT } from './binary.js';

const RULES = join(ROOT, 'test/cli/rules');
const DEATHS = '身份证号,姓名,死亡日期\n11010519491231002X,张三,2024-01-15\n';
// A hang would be the bug: every run here must end well within this.
const QUICK = { timeout: 30_000 };

let dir: string;
let deaths: string;

/** Makes a named pipe; false where the platform has none. */
function mkfifo(path: string): boolean {
  if (process.platform === 'win32') return false;
  try {
    execFileSync('mkfifo', [path]);
    return true;
  } catch {
    return false;
  }
}

const hasDevZero = process.platform !== 'win32' && existsSync('/dev/zero');

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'fa-inputs-'));
  deaths = join(dir, 'deaths.csv');
  writeFileSync(deaths, DEATHS);
});

describe('named pipes', () => {
  let pipes: string;
  let fifoOk = false;
  beforeAll(() => {
    pipes = join(dir, 'pipes');
    mkdirSync(join(pipes, 'rules', 'people'), { recursive: true });
    mkdirSync(join(pipes, 'exports'));
    copyFileSync(deaths, join(pipes, 'exports', 'deaths.csv'));
    fifoOk = mkfifo(join(pipes, 'exports', 'payouts.csv')) && mkfifo(join(pipes, 'rules', 'people', 'PIPE.yaml'));
  });

  it('an export that is a named pipe is refused, in a folder or named', ({ skip }) => {
    if (!fifoOk) skip('this platform cannot make a named pipe (mkfifo)');
    for (const input of [join(pipes, 'exports'), join(pipes, 'exports', 'payouts.csv')]) {
      const r = fundaudit(['audit', input, '--rules', RULES], QUICK);
      expect(r.signal).toBeNull();
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`cannot read export ${join(pipes, 'exports', 'payouts.csv')}: it is a named pipe (FIFO), not a regular file`);
    }
    const r = fundaudit(['inspect', join(pipes, 'exports')], QUICK);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/named pipe \(FIFO\), not a regular file.*\[not-regular-file\]/s);
    expect(r.stdout).toMatch(/deaths 死亡人员信息/);
  });

  it('a rule file that is a named pipe is a rule problem at file:1:1', ({ skip }) => {
    if (!fifoOk) skip('this platform cannot make a named pipe (mkfifo)');
    const v = fundaudit(['rules', 'validate', join(pipes, 'rules')], QUICK);
    expect(v.code).toBe(1);
    expect(v.stdout).toMatch(/PIPE\.yaml:1:1 +not-regular-file +rule file cannot be read: it is a named pipe/);
    const r = fundaudit(['audit', deaths, '--rules', join(pipes, 'rules')], QUICK);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/PIPE\.yaml:1:1: rule file cannot be read: it is a named pipe/);
  });
});

describe('links to /dev/zero', () => {
  it.for<[string, (z: string) => string[], RegExp]>([
    ['an export', (z: string) => ['audit', z.replace(/\.link$/, '.csv'), '--rules', RULES], /cannot read export .*zero\.csv: it is a character device, not a regular file/],
    ['a config file', (z: string) => ['audit', deaths, '--rules', RULES, '--config', z], /cannot read config file .*: it is a character device/],
    ['a mapping file', (z: string) => ['audit', deaths, '--rules', RULES, '--mapping', z], /cannot read mapping file .*: it is a character device/],
    ['a baseline', (z: string) => ['audit', deaths, '--rules', RULES, '--baseline', z], /cannot read baseline .*: it is a character device/],
    ['a rule file', (z: string) => ['audit', deaths, '--rules', z.replace(/\.link$/, '.yaml')], /zero\.yaml:1:1: rule file cannot be read: it is a character device/],
  ])('%s linked to /dev/zero is refused at once', ([, args, message], { skip }) => {
    if (!hasDevZero) skip('this platform has no /dev/zero');
    const sub = mkdtempSync(join(dir, 'zero-'));
    for (const name of ['zero.link', 'zero.csv', 'zero.yaml']) symlinkSync('/dev/zero', join(sub, name));
    const r = fundaudit(args(join(sub, 'zero.link')), QUICK);
    expect(r.signal).toBeNull();
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});

describe('size caps', () => {
  it.each([
    ['--config', 'config file', 1 << 20],
    ['--mapping', 'mapping file', 1 << 20],
    // A baseline past 256 MiB is read finding by finding; the cap is a county's years of findings.
    ['--baseline', 'baseline', 16 * 2 ** 30],
    ['--suppressions', 'suppressions file', 16 << 20],
  ])('%s larger than its cap is refused unread', (option, what, cap) => {
    const big = join(dir, `big-${option.slice(2)}.yaml`);
    writeFileSync(big, '');
    // Sparse: the cap is checked on the size before any byte is read.
    truncateSync(big, cap + 1);
    const r = fundaudit(['audit', deaths, '--rules', RULES, option, big], QUICK);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`cannot read ${what} ${big}: it is `);
    expect(r.stderr).toMatch(/it is [\d,]+ bytes, more than the [\d,]+ bytes allowed/);
  });
});

describe('unreadable files', () => {
  const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;

  /**
   * Runs fundaudit as a user who cannot read the file. Root reads everything, so as root the run is made as
   * `nobody` (uid 65534); otherwise the file is made unreadable to the current user.
   */
  function runUnreadable(args: string[]) {
    const r = spawnSync(process.execPath, [BIN, ...args], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 30_000,
      env: { ...process.env, NO_COLOR: '1' },
      ...(asRoot ? { uid: 65534, gid: 65534 } : {}),
    });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr, error: r.error };
  }

  let secret: string;
  let usable: string | undefined;
  beforeAll(() => {
    if (process.platform === 'win32') return;
    const sub = join(dir, 'unreadable');
    mkdirSync(sub);
    secret = join(sub, 'payouts.csv');
    writeFileSync(secret, '身份证号码,姓名,待遇年月,发放金额,发放状态\n11010519491231002X,张三,2024-02,3000.00,成功\n');
    copyFileSync(deaths, join(sub, 'deaths.csv'));
    chmodSync(secret, 0o000);
    chmodSync(dir, 0o755);
    chmodSync(sub, 0o755);
    // The other user must reach the binary and this folder; where it cannot, the case cannot be made here.
    const probe = runUnreadable(['--version']);
    usable = probe.code === 0 ? undefined : `cannot run fundaudit as another user here (${probe.error?.message ?? probe.stderr.trim()})`;
  });

  it('inspect and audit say "permission denied" and which file', ({ skip }) => {
    if (process.platform === 'win32') skip('file modes do not make a file unreadable on Windows');
    if (usable) skip(usable);
    const sub = join(dir, 'unreadable');
    const i = runUnreadable(['inspect', sub]);
    expect(i.code).toBe(1);
    expect(i.stdout).toContain(secret);
    expect(i.stdout).toMatch(/the file cannot be read: permission denied/);
    for (const input of [sub, secret]) {
      const a = runUnreadable(['audit', input, '--rules', RULES]);
      expect(a.code).toBe(2);
      expect(a.stderr).toContain(`cannot read export ${secret}: permission denied`);
      expect(a.stderr).not.toMatch(/not recognised/);
    }
    const c = runUnreadable(['audit', join(sub, 'deaths.csv'), '--rules', RULES, '--config', secret]);
    expect(c.code).toBe(2);
    expect(c.stderr).toContain(`cannot read config file ${secret}: permission denied`);
  });
});
