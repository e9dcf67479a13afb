/**
 * Runs the real binary (build first: npm run build), as a user would: with
 * NO_COLOR, no SOURCE_DATE_EPOCH unless given, in a working folder of the test's.
 */
import { spawn, spawnSync } from 'node:child_process';
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
