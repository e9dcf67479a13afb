/**
 * Turn the paths a user gave into the list of files to load: files as given,
 * folders walked recursively for *.csv and *.txt, in a stable order.
 */
import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { UsageError } from '../errors.js';

const DATA_FILE = /\.(csv|txt)$/i;

/**
 * Expands `paths` into file paths. Files named explicitly are kept whatever
 * their extension; folders contribute their *.csv/*.txt files and links to
 * them (hidden entries skipped; linked folders not followed), sorted by path
 * so that runs are deterministic. A file reached
 * twice is listed once. Throws UsageError for a path that does not exist.
 */
export async function expandPaths(paths: string[]): Promise<string[]> {
  const out: string[] = [];
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
      throw new UsageError(`no such file or folder: ${p}`, 'check the path (folders are searched for *.csv and *.txt files)');
    }
    if (st.isDirectory()) {
      for (const f of await walk(p)) add(f);
    } else {
      add(p);
    }
  }
  return out;
}

async function walk(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const files: string[] = [];
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) files.push(...(await walk(p)));
    // A linked export is an export: listed like a file (a broken link is then reported as unreadable, not
    // skipped). Linked folders are not followed, so a link cannot make the walk loop.
    else if ((e.isFile() || e.isSymbolicLink()) && DATA_FILE.test(e.name)) files.push(p);
  }
  return files;
}

/** Looks up a per-file option by the path as given or by the same file under another spelling. */
export function optionForFile<T>(options: Record<string, T> | undefined, path: string): T | undefined {
  if (!options) return undefined;
  if (Object.prototype.hasOwnProperty.call(options, path)) return options[path];
  const key = resolve(path);
  for (const [k, v] of Object.entries(options)) if (resolve(k) === key) return v;
  return undefined;
}
