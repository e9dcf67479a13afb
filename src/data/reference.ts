/**
 * Reference tables: data the rules need that is not an export of the fund —
 * the official holiday calendar (`calendar`, shipped in reference/ with its
 * source) and the contribution base limits (`contribution_limits`, which only
 * the user can supply). When a rule reads one and no input provides it, it is
 * added here, before any rule runs, so that every executor sees the same
 * tables and a rule stays a pure function of its inputs.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../package.js';
import { concatTables, loadText } from './load.js';
import type { FileReport, LoadedTable, Value } from './model.js';
import { tableDef } from './tables.js';

interface Reference {
  /** The shipped file under reference/, or null when nothing is shipped (the table is then empty unless supplied). */
  file: string | null;
  /** Column whose values a user's rows own: a shipped row is kept only for keys the user's table does not list. */
  key: string;
}

/** The reference tables (those tables.ts marks `reference`), by canonical name. */
export const REFERENCE_TABLES: Record<string, Reference> = {
  calendar: { file: 'calendar.csv', key: 'date' },
  contribution_limits: { file: null, key: 'year' },
};

/** How a shipped file is named in reports: relative to the package, like the shipped rules, so reports do not depend on where it is installed. */
const shownPath = (file: string) => `<fundaudit>/reference/${file}`;

const cache = new Map<string, { table: LoadedTable; report: FileReport }>();

function shipped(file: string): { table: LoadedTable; report: FileReport } {
  let hit = cache.get(file);
  if (!hit) {
    const name = Object.keys(REFERENCE_TABLES).find((n) => REFERENCE_TABLES[n].file === file)!;
    hit = loadText(name, readFileSync(join(PACKAGE_ROOT, 'reference', file), 'utf8'), shownPath(file));
    cache.set(file, hit);
  }
  return hit;
}

/** A table with every canonical column and no rows. */
function emptyTable(name: string): LoadedTable {
  const columns: Record<string, Value[]> = {};
  for (const c of tableDef(name)!.columns) columns[c.name] = [];
  return { name, rows: 0, columns, files: [], fileIndex: new Int32Array(0), lines: new Int32Array(0) };
}

/** `t` with every canonical column: a user's reference file may leave out those it does not need (region, source). */
function withEveryColumn(t: LoadedTable): LoadedTable {
  const missing = tableDef(t.name)!.columns.filter((c) => !t.columns[c.name]);
  if (missing.length === 0) return t;
  const columns: Record<string, ArrayLike<Value>> = { ...t.columns };
  for (const c of missing) columns[c.name] = new Array<Value>(t.rows).fill(null);
  return { ...t, columns };
}

/** The rows of `t` whose `key` value is not in `taken`. */
function without(t: LoadedTable, key: string, taken: Set<Value>): LoadedTable {
  const keep: number[] = [];
  const values = t.columns[key];
  for (let i = 0; i < t.rows; i++) if (!taken.has(values[i])) keep.push(i);
  const columns: Record<string, Value[]> = {};
  for (const [c, v] of Object.entries(t.columns)) columns[c] = keep.map((i) => v[i]);
  return { name: t.name, rows: keep.length, columns, files: t.files, fileIndex: Int32Array.from(keep, (i) => t.fileIndex[i]), lines: Int32Array.from(keep, (i) => t.lines[i]) };
}

/**
 * Adds to `tables` the reference tables among `needed`: a shipped table when
 * no input provides it; the shipped rows for keys a user's table does not list
 * when one does (the user's rows win); an empty table when nothing is shipped
 * and nothing was supplied. A user's table gets the canonical columns its file
 * left out, blank. Returns the reports of the shipped files used, for
 * the manifest.
 */
export function addReferenceTables(tables: Map<string, LoadedTable>, needed: Iterable<string>): FileReport[] {
  const used: FileReport[] = [];
  for (const name of new Set(needed)) {
    const ref = REFERENCE_TABLES[name];
    if (!ref) continue;
    const own = tables.get(name) && withEveryColumn(tables.get(name)!);
    if (own) tables.set(name, own);
    if (!ref.file) {
      if (!own) tables.set(name, emptyTable(name));
      continue;
    }
    const { table, report } = shipped(ref.file);
    used.push(report);
    if (!own) {
      tables.set(name, table);
    } else if (own.columns[ref.key]) {
      const taken = new Set(Array.from(own.columns[ref.key]));
      tables.set(name, concatTables(name, [own, without(table, ref.key, taken)]));
    }
  }
  return used;
}
