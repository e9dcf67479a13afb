/**
 * Atomic report writing: the report goes to a temporary file in the same
 * folder, is flushed to disk, then renamed over the target. A failed or killed
 * run leaves either the previous report or the new one, never half of one.
 */
import { closeSync, fchmodSync, fsyncSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';

/**
 * A report written piece by piece (see stream.ts): called once with a function
 * that writes bytes to the temporary file, so that no report is ever one string.
 */
export type Producer = (write: (bytes: Uint8Array) => void) => void;

/** Writes `content` (or what `content` writes) to `file` atomically. Throws (after removing the temp file) when any step fails. */
export function writeFileAtomic(file: string, content: string | Uint8Array | Producer): void {
  const dir = dirname(file);
  // Hidden, unique and in the same folder: rename(2) is atomic only within one file system.
  const tmp = join(dir, `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  let fd: number | null = null;
  try {
    fd = openSync(tmp, 'wx', 0o644);
    // Replacing a report keeps its permissions: one made private (say a --reveal run) must stay private.
    const previous = existingMode(file);
    if (previous !== null) fchmodSync(fd, previous);
    const out = fd;
    const write = (bytes: Uint8Array) => {
      let off = 0;
      while (off < bytes.length) off += writeSync(out, bytes, off, bytes.length - off);
    };
    if (typeof content === 'function') content(write);
    else write(typeof content === 'string' ? Buffer.from(content, 'utf8') : content);
    fsyncSync(fd);
    closeSync(fd);
    fd = null;
    renameSync(tmp, file);
  } catch (err) {
    if (fd !== null) {
      try {
        closeSync(fd);
      } catch {
        // already failing; the original error is the one to report
      }
    }
    rmSync(tmp, { force: true });
    throw err;
  }
  // Make the rename itself durable; not every platform can open a folder.
  try {
    const dfd = openSync(dir, 'r');
    try {
      fsyncSync(dfd);
    } finally {
      closeSync(dfd);
    }
  } catch {
    // best effort
  }
}

/** Permission bits of an existing file, or null when there is none. */
function existingMode(file: string): number | null {
  try {
    return statSync(file).mode & 0o7777;
  } catch {
    return null;
  }
}

const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/**
 * writeFileAtomic, with Ctrl-C and termination signals held back until the
 * rename is done, then re-raised: an interrupted run leaves the new report or
 * the old one, and no temporary file. (SIGKILL cannot be held back; it can
 * leave the hidden `.NAME.PID.RANDOM.tmp` beside the report, never a partial report.)
 */
export async function writeReportFile(file: string, content: string | Uint8Array | Producer): Promise<void> {
  const caught: NodeJS.Signals[] = [];
  const hold = (sig: NodeJS.Signals) => void caught.push(sig);
  for (const s of SIGNALS) process.on(s, hold);
  try {
    writeFileAtomic(file, content);
    // Let a signal that arrived during the write reach `hold` before it is removed.
    await new Promise((r) => setImmediate(r));
  } finally {
    for (const s of SIGNALS) process.off(s, hold);
  }
  if (caught.length > 0) process.kill(process.pid, caught[0]);
}
