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
import type { DataIssue, FileReport, LoadedTable, Value } from './model.js';
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
export function addReferenceTables(tables: Map<string, LoadedTable>, needed: Iterable<string>, inputs: FileReport[] = []): FileReport[] {
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
    if (!own) {
      tables.set(name, table);
    } else if (own.columns[ref.key]) {
      const taken = new Set(Array.from(own.columns[ref.key]));
      tables.set(name, concatTables(name, [own, without(table, ref.key, taken)]));
    }
    const issue = name === 'calendar' ? calendarYearsIssue(tables.get(name)!, inputs) : null;
    if (!issue) used.push(report);
    else {
      // On the user's calendar file when there is one, else on a copy of the shipped report (it is cached).
      const mine = inputs.filter((r) => r.table === name).at(-1);
      if (mine) mine.issues.push({ ...issue, file: mine.path, ...(mine.sheet === undefined ? {} : { sheet: mine.sheet }) });
      used.push(mine ? report : { ...report, issues: [...report.issues, { ...issue, file: report.path }] });
    }
  }
  return used;
}

/** Tables of money moving on days, whose dates working-day counts (CASH-HELD-BACK) read: their years must be in the calendar. */
const DATED_BY_CALENDAR = new Set(['payouts', 'contributions', 'bank_flows']);

/**
 * A warning when the data runs over years the holiday calendar in use has no arrangements for (every year has
 * official days off, so a year with no row is one the calendar does not know): working days there count Monday
 * to Friday, so a Spring Festival week would count as five working days. The years come from the files' month
 * spans (their profiles), from the calendar's first year on (see below), so what it warns about is chiefly a
 * calendar the data has outrun: the shipped one ends with the last year whose notice it holds.
 */
function calendarYearsIssue(calendar: LoadedTable, inputs: FileReport[]): Omit<DataIssue, 'file'> | null {
  const known = new Set<number>();
  for (const d of Array.from(calendar.columns.date ?? [])) if (typeof d === 'string') known.add(Number(d.slice(0, 4)));
  if (known.size === 0) return null;
  const first = Math.min(...known);
  const last = Math.max(...known);
  const missing = new Map<number, { table: string; to: string }>();
  for (const r of inputs) {
    if (!r.table || !DATED_BY_CALENDAR.has(r.table) || !r.profile?.from || !r.profile.to) continue;
    // From the calendar's first year only: payouts' and contributions' spans are of their periods, which for
    // back-payment (补缴, 补发) lie years before the money moved, while the latest period is close to the latest day.
    for (let y = Math.max(first, Number(r.profile.from.slice(0, 4))); y <= Number(r.profile.to.slice(0, 4)); y++) {
      if (!known.has(y) && !missing.has(y)) missing.set(y, { table: r.table, to: y === Number(r.profile.to.slice(0, 4)) ? r.profile.to : `${y}-12` });
    }
  }
  if (missing.size === 0) return null;
  const years = [...missing.keys()].sort((a, b) => a - b);
  const shown = years.length > 3 ? `${years[0]}–${years[years.length - 1]}` : years.join(', ');
  const example = missing.get(years[years.length - 1])!;
  return {
    line: 0,
    reason:
      `the holiday calendar covers ${first}–${last} but has no arrangements for ${shown}${years.length > 3 ? ` (${years.length} years)` : ''}, which ${example.table} reaches (up to ${example.to}): ` +
      `working days there count Monday to Friday, without official days off or 调休 working weekends — ` +
      `add those years' arrangements with --table calendar=FILE (see reference/README.md)`,
    level: 'warning',
    code: 'calendar-years',
    msg: { key: 'calendar-years', args: { first, last, years: shown, table: example.table, to: example.to } },
  };
}
