/**
 * Atomic report writing: the report goes to a temporary file in the target's
 * own folder, created readable by its owner only (it may hold revealed
 * personal data), is flushed to disk, then renamed over the target. A failed
 * or interrupted run leaves the previous report or the new one, never half of
 * one, and no temporary file: it is removed on every exit the process sees
 * (an error, SIGINT, SIGTERM, SIGHUP, process exit). A kill that cannot be
 * seen (SIGKILL, a power cut) may leave one; the next write beside the same
 * target removes it. A report of any size is written as it is rendered, in
 * pieces (see stream.ts), never as one string.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, lstatSync, openSync, readdirSync, rmSync, statSync } from 'node:fs';
import { open, rename } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Interrupted } from '../errors.js';
import { outTarget } from './out.js';
import { processAlive } from '../processes.js';

/** Temporary files of this process not yet renamed or removed. */
const temps = new Set<string>();
let exitHook = false;

/** Removes this process's temporary files; on every exit, whatever caused it. */
function removeTemps(): void {
  for (const t of temps) rmSync(t, { force: true });
  temps.clear();
}

/** `.NAME.fundaudit-PID-RANDOM.tmp`: hidden, this tool's, this process's, unique. */
function tempName(target: string): string {
  return join(dirname(target), `.${basename(target)}.fundaudit-${process.pid}-${randomBytes(6).toString('hex')}.tmp`);
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Removes temporary files that an earlier run of this tool left beside
 * `target` when it was killed: those whose process is gone. (Temporaries of
 * the previous naming, `.NAME.PID.RANDOM8.tmp`, are recognised too.)
 */
export function removeStaleTemps(target: string): string[] {
  const base = escapeRe(basename(target));
  const ours = new RegExp(`^\\.${base}\\.(?:fundaudit-(\\d+)-[0-9a-f]{12}|(\\d+)\\.[0-9a-f]{8})\\.tmp$`);
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(dirname(target));
  } catch {
    return removed;
  }
  for (const name of names) {
    const m = ours.exec(name);
    if (!m) continue;
    const pid = Number(m[1] ?? m[2]);
    if (pid === process.pid || processAlive(pid)) continue;
    const path = join(dirname(target), name);
    try {
      if (!lstatSync(path).isFile()) continue;
      rmSync(path, { force: true });
      removed.push(path);
    } catch {
      // gone already, or not ours to remove
    }
  }
  return removed;
}

/** Permission bits of an existing regular file, or null. */
function existingMode(file: string): number | null {
  try {
    const st = statSync(file);
    return st.isFile() ? st.mode & 0o7777 : null;
  } catch {
    return null;
  }
}

/**
 * What a report file holds: its text or bytes, or its pieces in order (a
 * formatter's output through stream.ts `buffered`), each written as it comes.
 * An error thrown while the pieces are made abandons the write.
 */
export type ReportContent = string | Uint8Array | Iterable<Uint8Array>;

/** The content as pieces of bytes. */
function* piecesOf(content: ReportContent): Iterable<Uint8Array> {
  if (typeof content === 'string') yield Buffer.from(content, 'utf8');
  else if (content instanceof Uint8Array) yield content;
  else yield* content;
}

export interface WriteOptions {
  /** A new report is created readable by its owner only (a `--reveal` report holds personal data whole). */
  private?: boolean;
}

const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
/** Written at most this much at a time, so that a signal between two writes stops the write. */
const PIECE = 1 << 20;

/**
 * Writes the report to `file` (or to the file a link there names)
 * atomically, piece by piece as `content` gives them. Throws UsageError when `file` is not somewhere a report may go
 * (see out.ts), the file system's error when writing fails, and Interrupted
 * when SIGINT, SIGTERM or SIGHUP arrived during the write: then the write is
 * abandoned, the previous report stays and the temporary file is removed.
 * A replaced report keeps its permissions; a new one gets the usual ones
 * (0644 less the umask), or 0600 with `private`.
 */
export async function writeReportFile(file: string, content: ReportContent, opts: WriteOptions = {}): Promise<void> {
  const target = outTarget(file);
  removeStaleTemps(target);
  if (!exitHook) {
    process.on('exit', removeTemps);
    exitHook = true;
  }
  const caught: NodeJS.Signals[] = [];
  const hold = (sig: NodeJS.Signals) => void caught.push(sig);
  for (const s of SIGNALS) process.on(s, hold);
  const tmp = tempName(target);
  try {
    const fh = await open(tmp, 'wx', 0o600);
    temps.add(tmp);
    try {
      // Each await lets a signal reach `hold`; the next piece is not made once one has.
      for (const bytes of piecesOf(content)) {
        for (let off = 0; off < bytes.length && caught.length === 0; ) off += (await fh.write(bytes, off, Math.min(PIECE, bytes.length - off))).bytesWritten;
        if (caught.length > 0) break;
      }
      await fh.sync();
      if (caught.length > 0) throw new Interrupted(caught[0]);
      // Replacing a report keeps its permissions: one made private must stay private.
      const mode = existingMode(target) ?? (opts.private ? 0o600 : 0o644 & ~process.umask());
      // Checked again just before the rename: what was a report when the run started may since have become something else.
      outTarget(target);
      await rename(tmp, target);
      temps.delete(tmp);
      // The mode is set on the renamed file through the open descriptor: the temporary file itself stays 0600.
      await fh.chmod(mode);
    } finally {
      await fh.close();
    }
    syncFolder(dirname(target));
    // Let a signal that arrived during the last steps reach `hold`.
    await new Promise((r) => setImmediate(r));
    if (caught.length > 0) throw new Interrupted(caught[0]);
  } finally {
    for (const s of SIGNALS) process.off(s, hold);
    if (temps.has(tmp)) {
      rmSync(tmp, { force: true });
      temps.delete(tmp);
    }
  }
}

/** Makes a rename durable; not every platform can open a folder, so best effort. */
function syncFolder(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // best effort
  }
}
