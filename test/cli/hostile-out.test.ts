/**
 * `--out` never replaces an input or a special file, however it is reached,
 * and a report is written whole or not at all: through the real binary.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, watch, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { deviceToTarget, fundaudit, ROOT, startFundaudit } from './binary.js';

const RULES = join(ROOT, 'test/cli/rules');

let dir: string;
let exports: string;
const PAYOUTS = '身份证号码,姓名,待遇项目,待遇年月,发放金额,发放状态\n11010519491231002X,张三,基本养老金,2024-02,3000.00,成功\n';
const DEATHS = '身份证号,姓名,死亡日期\n11010519491231002X,张三,2024-01-15\n';

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'fa-out-'));
  exports = join(dir, 'exports');
  mkdirSync(exports);
  writeFileSync(join(exports, 'payouts.csv'), PAYOUTS);
  writeFileSync(join(exports, 'deaths.csv'), DEATHS);
  if (process.platform !== 'win32') symlinkSync(exports, join(dir, 'linked'));
});

/** Every file of the run's inputs is as it was. */
function inputsIntact(): void {
  expect(readFileSync(join(exports, 'payouts.csv'), 'utf8')).toBe(PAYOUTS);
  expect(readFileSync(join(exports, 'deaths.csv'), 'utf8')).toBe(DEATHS);
}

describe('--out never replaces an input', () => {
  it('an export reached through a symlinked folder (the guard compares files, not path strings)', ({ skip }) => {
    if (process.platform === 'win32') skip('symbolic links need privileges on Windows');
    for (const out of [join(dir, 'linked', 'payouts.csv'), `${exports}/../linked/deaths.csv`]) {
      const r = fundaudit(['audit', exports, '--rules', RULES, '--format', 'json', '--out', out]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/is one of the exports being audited \(recognised as (payouts|deaths)\); writing the report there would destroy it/);
      inputsIntact();
    }
  });

  it.each([
    ['the config file', 'config.yaml', 'lang: en\n', ['--config']],
    ['the mapping file', 'mapping.yaml', 'headers: {}\n', ['--mapping']],
    ['the baseline', 'baseline.json', '{"findings": []}\n', ['--baseline']],
    ['the suppressions file', 'accepted.yaml', 'suppressions: []\n', ['--suppressions']],
  ])('%s, by its own path or through a link', (role, name, text, [option]) => {
    const file = join(dir, name);
    writeFileSync(file, text);
    const link = join(dir, `link-${name}`);
    if (process.platform !== 'win32' && !existsSync(link)) symlinkSync(file, link);
    for (const out of process.platform === 'win32' ? [file] : [file, link]) {
      const r = fundaudit(['audit', exports, '--rules', RULES, option, file, '--out', out]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`--out ${out} is ${role}`);
      expect(r.stderr).toContain('writing the report there would destroy it');
      expect(readFileSync(file, 'utf8')).toBe(text);
    }
  });

  it('a rule file, by another spelling of its path', () => {
    const rules = join(dir, 'rules');
    mkdirSync(join(rules, 'people'), { recursive: true });
    const rule = join(rules, 'people', 'T-PAID-AFTER-DEATH.yaml');
    copyFileSync(join(RULES, 'people', 'T-PAID-AFTER-DEATH.yaml'), rule);
    const before = readFileSync(rule, 'utf8');
    // Spelt with `..` (join would normalise it away).
    const r = fundaudit(['audit', exports, '--rules', rules, '--out', `${rules}/people/../people/T-PAID-AFTER-DEATH.yaml`]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/is a rule file .*the same file by another path/);
    expect(readFileSync(rule, 'utf8')).toBe(before);
  });
});

describe('--out never replaces a special file', () => {
  it('a device is refused (the report would have been renamed over /dev/null)', ({ skip }) => {
    const device = deviceToTarget(mkdtempSync(join(dir, 'device-')));
    if (!device) skip('no character device to aim at here (mknod needs root; no /dev/null)');
    const r = fundaudit(['audit', exports, '--rules', RULES, '--out', device!]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`cannot write the report to ${device}: it is a character device, not a regular file`);
    expect(lstatSync(device!).isCharacterDevice()).toBe(true);
  });

  it('a named pipe is refused, without waiting for a reader', ({ skip }) => {
    if (process.platform === 'win32') skip('this platform cannot make a named pipe (mkfifo)');
    const pipe = join(dir, 'report.pipe');
    execFileSync('mkfifo', [pipe]);
    const r = fundaudit(['audit', exports, '--rules', RULES, '--out', pipe], { timeout: 30_000 });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/it is a named pipe \(FIFO\), not a regular file/);
    expect(lstatSync(pipe).isFIFO()).toBe(true);
  });
});

describe('writing the report', () => {
  /** Many large payouts: thousands of findings, a report of megabytes whose write takes a while. */
  let large: string;
  beforeAll(() => {
    large = join(dir, 'large');
    mkdirSync(large);
    const rows = Array.from({ length: 20_000 }, (_, i) => `${String(i).padStart(6, '0')},11010519491231002X,张三,基本养老金,2024-02,80000.00,成功,62220202${String(i).padStart(11, '0')},张三`);
    writeFileSync(join(large, 'payouts.csv'), ['个人编号,身份证号码,姓名,待遇项目,待遇年月,发放金额,发放状态,银行账号,户名', ...rows, ''].join('\n'));
  });

  /** Audits the large export with --reveal into `out`, sending `signal` as soon as the temporary file appears. */
  function interrupt(out: string, signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string; modes: number[] }> {
    return new Promise((resolve) => {
      const child = startFundaudit(['audit', large, '--rules', RULES, '--only', 'T-LARGE-PAYOUT', '--format', 'html', '--reveal', '--out', out]);
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      const modes: number[] = [];
      const folder = join(out, '..');
      const watcher = watch(folder, (_event, name) => {
        if (!name?.endsWith('.tmp') || modes.length > 0) return;
        try {
          modes.push(lstatSync(join(folder, name)).mode & 0o777);
        } catch {
          return; // already renamed
        }
        child.kill(signal);
      });
      child.on('exit', (code, sig) => {
        watcher.close();
        resolve({ code, signal: sig, stderr, modes });
      });
    });
  }

  it.for([
    ['SIGTERM', 143],
    ['SIGINT', 130],
    ['SIGHUP', 129],
  ] as const)('%s during the write ends the run with exit %i, the previous report kept and no temporary file left', async ([signal, status], { skip }) => {
    if (process.platform === 'win32') skip('POSIX signals');
    const folder = mkdtempSync(join(dir, 'signal-'));
    const out = join(folder, 'report.html');
    writeFileSync(out, 'previous report');
    const r = await interrupt(out, signal);
    // The signal arrives while the temporary file exists; it is handled, never ignored.
    expect(r.modes).toEqual([0o600]);
    if (r.signal === null) {
      expect(r.code).toBe(status);
      expect(r.stderr).toContain(`stopped by ${signal}`);
    } else {
      // Delivered after the write's own handling ended: the signal ends the process by itself.
      expect(r.signal).toBe(signal);
    }
    expect(readdirSync(folder)).toEqual(['report.html']);
    const now = readFileSync(out, 'utf8');
    expect(now === 'previous report' || now.trimEnd().endsWith('</html>')).toBe(true);
  });

  it('a temporary file a killed run left beside the target is removed by the next run', () => {
    const folder = mkdtempSync(join(dir, 'stale-'));
    const dead = Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);
    const stale = join(folder, `.report.json.fundaudit-${dead}-0123456789ab.tmp`);
    writeFileSync(stale, '{"half": "a report with 11010519491231002X whole');
    const r = fundaudit(['audit', exports, '--rules', RULES, '--format', 'json', '--out', join(folder, 'report.json')]);
    expect(r.code).toBe(0);
    expect(readdirSync(folder)).toEqual(['report.json']);
  });
});
