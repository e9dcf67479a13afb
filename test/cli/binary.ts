/**
 * Runs the real binary (build first: npm run build), as a user would: with
 * NO_COLOR, no SOURCE_DATE_EPOCH unless given, in a working folder of the test's.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');
export const BIN = join(ROOT, 'bin/fundaudit');

export interface Ran {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `fundaudit …` to its end. */
export function fundaudit(args: string[], opts: { cwd?: string; env?: Record<string, string>; timeout?: number } = {}): Ran {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: opts.cwd ?? ROOT,
    encoding: 'utf8',
    timeout: opts.timeout ?? 120_000,
    maxBuffer: 256 << 20,
    env: { ...process.env, NO_COLOR: '1', SOURCE_DATE_EPOCH: '', ...opts.env },
  });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/** Starts `fundaudit …` and gives the child, to signal it or to write to it. */
export function startFundaudit(args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}) {
  return spawn(process.execPath, [BIN, ...args], {
    cwd: opts.cwd ?? ROOT,
    env: { ...process.env, NO_COLOR: '1', SOURCE_DATE_EPOCH: '', ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/**
 * A character device to aim `--out` at. As root, a device node of our own (the null device's numbers) in
 * `folder`: were the refusal ever broken, the report would replace that node, never the machine's /dev/null.
 * Otherwise /dev/null, which a user who is not root cannot replace. Undefined where there is neither.
 */
export function deviceToTarget(folder: string): string | undefined {
  if (process.platform === 'win32') return undefined;
  if (typeof process.getuid === 'function' && process.getuid() === 0) {
    const node = join(folder, 'null-device');
    try {
      execFileSync('mknod', ['-m', '666', node, 'c', '1', '3']);
      return node;
    } catch {
      return undefined;
    }
  }
  return existsSync('/dev/null') ? '/dev/null' : undefined;
}
