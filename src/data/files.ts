/**
 * Turn the paths a user gave into the list of files to load: files as given,
 * a folder's own export files (and its subfolders' with --recursive), in a
 * stable order.
 */
import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { EXPORT_FILE, UNSUPPORTED_FILE } from './formats.js';

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
    // skipped). Linked folders are not followed, so a link cannot make the walk loop.
    else if ((e.isFile() || e.isSymbolicLink()) && (EXPORT_FILE.test(e.name) || UNSUPPORTED_FILE.test(e.name))) files.push(p);
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
