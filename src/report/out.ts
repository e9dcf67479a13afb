/**
 * Where `--out` may write. The report replaces a regular file or creates one;
 * it never replaces a device, a named pipe, a socket or a folder, and never
 * one of the run's own inputs, however that input is reached (a symlinked
 * folder, a link, another spelling of the path): files are compared by what
 * they are (device and inode), not by their path strings.
 */
import { lstatSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { UsageError } from '../errors.js';
import { entryKind, fileIdentity } from '../data/files.js';

/** An input of the run that the report must never replace, and what it is to the user ("the config file"). */
export interface ProtectedInput {
  path: string;
  role: string;
}

/**
 * The file the report is written to: `out` itself, or the file a link at
 * `out` names (so that a link keeps pointing at the new report). Throws
 * UsageError when its folder does not exist, or when it exists and is not a
 * regular file, or is a link to nothing.
 */
export function outTarget(out: string): string {
  let target = out;
  let link: ReturnType<typeof lstatSync> | undefined;
  try {
    link = lstatSync(out);
  } catch {
    link = undefined;
  }
  if (link?.isSymbolicLink()) {
    try {
      target = realpathSync(out);
    } catch {
      throw new UsageError(`cannot write the report to ${out}: it is a link to a file that does not exist`, 'remove the link, or give another --out');
    }
  } else if (link === undefined) {
    // A new file: its folder (through any links) must exist.
    const folder = dirname(out);
    let dir;
    try {
      dir = statSync(folder);
    } catch {
      throw new UsageError(`cannot write the report to ${out}: folder ${folder} does not exist`, 'create the folder first, or choose another --out');
    }
    if (!dir.isDirectory()) throw new UsageError(`cannot write the report to ${out}: ${folder} is not a folder`, 'choose another --out');
    return join(realpathSync(folder), basename(out));
  }
  else target = join(realpathSync(dirname(out)), basename(out));
  const st = statSync(target);
  if (st.isDirectory()) throw new UsageError(`cannot write the report to ${out}: it is a folder`, 'give a file name, e.g. --out report.html');
  if (!st.isFile()) {
    throw new UsageError(`cannot write the report to ${out}: it is ${entryKind(st)}, not a regular file, and the report would replace it`, 'give the path of a regular file, e.g. --out report.json (or write to stdout and redirect it)');
  }
  return target;
}

/**
 * Refuses `--out` when it names (by whatever path) one of the run's inputs:
 * an export, the config, mapping, baseline or suppressions file, a rule file.
 * Also checks the target itself (see outTarget).
 */
export function guardOut(out: string, inputs: readonly ProtectedInput[]): void {
  outTarget(out);
  const id = fileIdentity(out);
  if (id === undefined) return;
  for (const input of inputs) {
    if (fileIdentity(input.path) !== id) continue;
    const same = input.path === out ? '' : ` (${input.path}, the same file by another path)`;
    throw new UsageError(`--out ${out} is ${input.role}${same}; writing the report there would destroy it`, 'write the report to another file');
  }
}
