/**
 * Turn the paths a user gave into the list of files to load: files as given,
 * a folder's own export files (and its subfolders' with --recursive), in a
 * stable order.
 */
import { closeSync, constants, fstatSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { InputError, UsageError } from '../errors.js';
import { EXPORT_FILE, UNSUPPORTED_FILE } from './formats.js';
import type { FileReport } from './model.js';

/** Which files of a folder are inputs, for messages. */
export const FOLDER_FILES = '*.csv, *.txt, *.tsv, *.xlsx';

/**
 * Expands `paths` into file paths. Files named explicitly are kept whatever
 * their extension; folders contribute their export files (CSV, text,
 * workbooks — and kinds that cannot be read, so that they are reported, not
 * skipped) and links to them (hidden entries skipped; linked folders not
 * followed), sorted by path so that runs are deterministic. Subfolders are
 * read only with `recursive`; the ones left out that hold such files are
 * returned, to be named. A file reached twice is listed once. Throws
 * UsageError for a path that does not exist.
 */
export async function expandPaths(paths: string[], opts: { recursive?: boolean } = {}): Promise<{ files: string[]; skippedFolders: string[] }> {
  const out: string[] = [];
  const skippedFolders: string[] = [];
  const seen = new Set<string>();
  const add = (p: string) => {
    const key = resolve(p);
    if (!seen.has(key)) {
      seen.add(key);
      out.push(p);
    }
  };
  for (const p of paths) {
    let st;
    try {
      st = await stat(p);
    } catch {
      throw new UsageError(`no such file or folder: ${p}`, `check the path (folders are searched for ${FOLDER_FILES})`);
    }
    if (st.isDirectory()) {
      for (const f of await walk(p, opts.recursive ?? false, skippedFolders)) add(f);
    } else {
      add(p);
    }
  }
  return { files: out, skippedFolders };
}

async function walk(dir: string, recursive: boolean, skipped: string[]): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const files: string[] = [];
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      if (recursive) files.push(...(await walk(p, true, skipped)));
      else if (await holdsExports(p)) skipped.push(p);
    }
    // A linked export is an export: listed like a file (a broken link is then reported as unreadable, not
    // skipped). Linked folders are not followed, so a link cannot make the walk loop. A named pipe, socket or
    // device named like an export is listed too, so that it is reported as what it is rather than skipped.
    else if (EXPORT_FILE.test(e.name) || UNSUPPORTED_FILE.test(e.name)) files.push(p);
  }
  return files;
}

/** Does a folder hold export files, or folders (one level down is looked at: it is only to name the folder)? */
async function holdsExports(dir: string): Promise<boolean> {
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    return entries.some((e) => !e.name.startsWith('.') && (e.isDirectory() || EXPORT_FILE.test(e.name) || UNSUPPORTED_FILE.test(e.name)));
  } catch {
    return false;
  }
}

/** Looks up a per-file option by the path as given or by the same file under another spelling. */
export function optionForFile<T>(options: Record<string, T> | undefined, path: string): T | undefined {
  if (!options) return undefined;
  if (Object.prototype.hasOwnProperty.call(options, path)) return options[path];
  const key = resolve(path);
  for (const [k, v] of Object.entries(options)) if (resolve(k) === key) return v;
  return undefined;
}

/** Caps on the files fundaudit reads whole besides the exports (rule files have theirs in rules/yaml.ts). */
export const INPUT_CAPS = {
  config: 1 << 20,
  mapping: 1 << 20,
  // A baseline is a previous json report: findings with up to 50 evidence rows each (more with --evidence all).
  // One past 256 MiB is read finding by finding (report/baseline.ts), so the cap is a county's years of findings.
  baseline: 16 * 2 ** 30,
  // A suppressions file: a few hundred bytes per accepted finding.
  suppressions: 16 << 20,
} as const;

/** What a file system entry is, for messages about files that are not regular files. */
export function entryKind(st: Stats): string {
  if (st.isFile()) return 'a regular file';
  if (st.isDirectory()) return 'a folder';
  if (st.isFIFO()) return 'a named pipe (FIFO)';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  return 'not a regular file';
}

/** Why an open or read failed, in words a user acts on. */
export function ioReason(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  switch (e?.code) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOENT':
      return 'no such file';
    case 'ELOOP':
      return 'too many levels of symbolic links';
    case 'EISDIR':
      return 'it is a folder';
    default:
      return e?.code ?? (e instanceof Error ? e.message : String(err));
  }
}

/** A file that cannot be used as an input: what it is, and which one (`what` names its role: "export", "config file"). */
export class InputFileError extends InputError {
  constructor(
    readonly path: string,
    readonly what: string,
    readonly reason: string,
    fix: string,
    readonly code: 'unreadable-file' | 'not-regular-file' | 'file-too-large',
  ) {
    super(`cannot read ${what} ${path}: ${reason}`, fix, path);
  }
}

/**
 * Opens an input for reading and checks that it is a regular file: a named
 * pipe would block the run forever, a device such as /dev/zero never ends,
 * and a link to either is refused the same way. The open does not block (a
 * pipe is opened non-blocking, then refused on what fstat says of the open
 * descriptor, so nothing can be swapped in between). Throws InputFileError
 * naming the file and saying "permission denied" when that is the cause.
 */
export function openInput(path: string, what: string): { fd: number; size: number } {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (err) {
    const reason = ioReason(err);
    const fix = reason === 'permission denied' ? `give the user running fundaudit read access to it (ls -l ${path})` : `check the path of the ${what}`;
    throw new InputFileError(path, what, reason, fix, 'unreadable-file');
  }
  let st: Stats;
  try {
    st = fstatSync(fd);
  } catch (err) {
    closeSync(fd);
    throw new InputFileError(path, what, ioReason(err), `check the ${what}`, 'unreadable-file');
  }
  if (!st.isFile()) {
    closeSync(fd);
    throw new InputFileError(path, what, `it is ${entryKind(st)}, not a regular file`, `give the path of a regular file (copy the data into a file first)`, 'not-regular-file');
  }
  return { fd, size: st.size };
}

/**
 * Reads a whole input file of at most `max` bytes (a config, mapping or
 * baseline file): a regular file (see openInput), refused unread when larger.
 * Reads at most `max + 1` bytes whatever its size claims.
 */
export function readInputFile(path: string, what: string, max: number): Buffer {
  return readOpenedInput(openInput(path, what), path, what, max);
}

/** readInputFile on an input already opened (openInput); closes it. */
export function readOpenedInput({ fd, size }: { fd: number; size: number }, path: string, what: string, max: number): Buffer {
  try {
    if (size > max) throw tooLarge(path, what, size, max);
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const buf = Buffer.allocUnsafe(Math.min(1 << 16, max + 1 - total));
      let n: number;
      try {
        n = readSync(fd, buf, 0, buf.length, null);
      } catch (err) {
        throw new InputFileError(path, what, ioReason(err), `check the ${what}`, 'unreadable-file');
      }
      if (n === 0) break;
      chunks.push(buf.subarray(0, n));
      total += n;
      if (total > max) throw tooLarge(path, what, null, max);
    }
    return Buffer.concat(chunks, total);
  } finally {
    closeSync(fd);
  }
}

/** The error for an input larger than its cap (`size` null: it grew past the cap while read). */
export function tooLarge(path: string, what: string, size: number | null, max: number): InputFileError {
  const mib = (n: number) => (n >= 1 << 30 ? `${Math.round((n / (1 << 30)) * 10) / 10} GiB` : n >= 1 << 20 ? `${Math.round((n / (1 << 20)) * 10) / 10} MiB` : `${n} bytes`);
  // Rounded, a size just past the cap reads as the cap itself ("16 GiB, more than the 16 GiB"): then say bytes.
  const exact = size !== null && mib(size) === mib(max);
  const show = (n: number) => (exact ? `${n.toLocaleString('en-US')} bytes` : mib(n));
  const reason = size === null ? `it holds more than the ${mib(max)} allowed` : `it is ${show(size)}, more than the ${show(max)} allowed`;
  return new InputFileError(path, what, reason, `give the right ${what}: one is never that large`, 'file-too-large');
}

const UNREADABLE_CODES = new Set(['unreadable-file', 'not-regular-file']);

/**
 * The error a run stops with when an input file could not be read at all
 * (permission denied, a broken link, a pipe or a device), or undefined: an
 * audit must not report on part of what it was given as if it were all.
 */
export function unreadableInputs(reports: readonly FileReport[]): InputError | undefined {
  const bad = reports.flatMap((r) => r.issues.filter((i) => i.line === 0 && UNREADABLE_CODES.has(i.code)));
  if (bad.length === 0) return undefined;
  const [first] = bad;
  const cut = first.reason.indexOf('; ');
  const why = (cut > 0 ? first.reason.slice(0, cut) : first.reason).replace(/^the file cannot be read: /, '');
  const more = bad.length > 1 ? ` (and ${bad.length - 1} more file${bad.length > 2 ? 's' : ''}: ${bad.slice(1, 4).map((i) => i.file).join(', ')}${bad.length > 4 ? ', …' : ''})` : '';
  return new InputError(`cannot read export ${first.file}: ${why}${more}`, cut > 0 ? first.reason.slice(cut + 2) : 'check the file', first.file);
}

/**
 * The identity of the file a path names, links followed (device and inode):
 * equal for the same file reached through a symlinked folder, a link, a
 * hard link or another spelling. Undefined when the path names nothing.
 */
export function fileIdentity(path: string): string | undefined {
  try {
    const st = statSync(path, { bigint: true });
    return `${st.dev}:${st.ino}`;
  } catch {
    return undefined;
  }
}
