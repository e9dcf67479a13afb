/**
 * One audit's DuckDB, from opening to closing: the locked-down database with
 * limits that fit the machine, the exports loaded into it, its configuration
 * locked, and what the report says of each loaded table.
 */
import { availableParallelism, freemem, totalmem } from 'node:os';
import type { LoadedTable, LoadOptions, TableFacts, Value } from '../../data/model.js';
import { addReferenceTables, REFERENCE_TABLES } from '../../data/reference.js';
import { sourceLabel } from '../../data/provenance.js';
import { tableDef } from '../../data/tables.js';
import { AuditDatabase, type DatabaseLimits } from './database.js';
import { DuckDBDataset } from './dataset.js';
import { loadIntoDuckDB, loadTablesIntoDuckDB, type DuckDBLoad, type DuckDBLoadSettings } from './load.js';
import { readRows, valueSql } from './read.js';
import { dataTableName, ident } from './schema.js';

/** DuckDB's memory limit by default (MiB), on a machine with memory to spare: see defaultLimits. */
export const DEFAULT_MEMORY_MB = 1024;

/**
 * DuckDB's share of the machine when the run does not give its memory (`--duckdb-memory`, which openSession's
 * `limits` carry): DEFAULT_MEMORY_MB — chosen so that an audit of five million payout rows, every shipped rule running, stays
 * within 2 GiB with Node's own heap, the loading threads and what DuckDB's allocator holds beside its pool
 * (docs/scale.md) — or less on a machine with little memory (40% of it, 80% of what is free, 256 MiB at least);
 * every core; at most 50 GiB spilled to disk.
 */
export function defaultLimits(): DatabaseLimits {
  return {
    memoryBytes: Math.max(256 << 20, Math.min(DEFAULT_MEMORY_MB * 1048576, Math.floor(totalmem() * 0.4), Math.floor(freemem() * 0.8))),
    threads: Math.max(1, availableParallelism()),
    maxTempBytes: 50 * 2 ** 30,
  };
}


export interface DuckDBSession {
  database: AuditDatabase;
  dataset: DuckDBDataset;
  load: DuckDBLoad;
  /** Each loaded table's facts; `periodColumns` names, per table, the columns whose months say its period (the first present counts). */
  tableFacts(periodColumns: Record<string, string[]>): Promise<TableFacts[]>;
  /** The distinct text values of some loaded columns (none for a table or column not loaded), keyed `table.column`. */
  distinctValues(columns: ReadonlyArray<readonly [string, string]>): Promise<Map<string, string[]>>;
  close(): void;
}

/**
 * Opens a database, loads `files` into it, adds the reference tables among `needed` that the rules read
 * (data/reference.ts, as for the in-memory tables), and locks it. Closing removes everything it wrote.
 */
export async function openSession(files: string[], opts: LoadOptions, needed: Iterable<string> = [], limits: Partial<DatabaseLimits> = {}, settings: DuckDBLoadSettings = {}): Promise<DuckDBSession> {
  const database = await AuditDatabase.open({ ...defaultLimits(), ...limits });
  try {
    const load = await loadIntoDuckDB(files, opts, database, settings);
    await addReferences(database, load, needed);
    await database.lock();
    const dataset = DuckDBDataset.of(database, load);
    return { database, dataset, load, tableFacts: (p) => tableFacts(database, load, p), distinctValues: (c) => distinctValues(database, load, c), close: () => database.close() };
  } catch (err) {
    database.close();
    throw err;
  }
}

/**
 * The reference tables the rules read, as data/reference.ts makes them in memory: a loaded one is read back
 * (it is small), completed with the shipped rows and every column, and loaded again in its place; a missing
 * one is added. Their shipped files are reported like the inputs.
 */
async function addReferences(db: AuditDatabase, load: DuckDBLoad, needed: Iterable<string>): Promise<void> {
  const names = [...new Set(needed)].filter((n) => REFERENCE_TABLES[n]);
  if (names.length === 0) return;
  const tables = new Map<string, LoadedTable>();
  for (const name of names) if (load.tables.has(name)) tables.set(name, await readTable(db, load, name));
  load.files.push(...addReferenceTables(tables, names, load.files));
  for (const name of tables.keys()) {
    await db.connection.run(`DROP VIEW IF EXISTS ${ident(name)}`);
    await db.connection.run(`DROP TABLE IF EXISTS ${ident(dataTableName(name))}`);
    load.tables.delete(name);
    load.parts = load.parts.filter((p) => p.table !== name);
  }
  const added = await loadTablesIntoDuckDB(tables, db, load.sources.length);
  for (const [name, t] of added.tables) load.tables.set(name, t);
  load.sources.push(...added.sources);
  load.parts.push(...added.parts);
}

/** A loaded table read back from DuckDB whole, with its provenance (for small tables only). */
async function readTable(db: AuditDatabase, load: DuckDBLoad, name: string): Promise<LoadedTable> {
  const columns = load.tables.get(name)!.columns;
  const { rows } = await readRows(db.connection, `SELECT ${[...columns.map((c) => valueSql(name, c)), '__src', '__line'].join(', ')} FROM ${ident(name)} ORDER BY __row`);
  const out: Record<string, Value[]> = Object.fromEntries(columns.map((c) => [c, [] as Value[]]));
  const srcs: number[] = [];
  const fileIndex = new Int32Array(rows.length);
  const lines = new Int32Array(rows.length);
  rows.forEach((r, i) => {
    columns.forEach((c, k) => out[c].push(r[k] as Value));
    const src = Number(r[columns.length]);
    let k = srcs.indexOf(src);
    if (k < 0) k = srcs.push(src) - 1;
    fileIndex[i] = k;
    lines[i] = Number(r[columns.length + 1]);
  });
  const sources = srcs.map((s) => load.sources[s]);
  return { name, rows: rows.length, columns: out, sources, files: sources.map((s) => s.file), fileIndex, lines };
}

async function tableFacts(db: AuditDatabase, load: DuckDBLoad, periodColumns: Record<string, string[]>): Promise<TableFacts[]> {
  const out: TableFacts[] = [];
  for (const t of load.tables.values()) {
    // The files (sheets) that gave the table rows, in load order.
    const sources = load.parts.filter((p) => p.table === t.name && p.rows > 0).map((p) => sourceLabel(p.source));
    const column = (periodColumns[t.name] ?? []).find((c) => t.columns.includes(c));
    let period: TableFacts['period'] = null;
    if (column) {
      const { rows } = await readRows(db.connection, `SELECT min(substr(${valueSql(t.name, column)}, 1, 7)), max(substr(${valueSql(t.name, column)}, 1, 7)) FROM ${ident(t.name)}`);
      const [from, to] = rows[0] as Array<string | null>;
      if (from && to) period = { from, to };
    }
    out.push({ name: t.name, label: tableDef(t.name)?.label ?? t.name, files: sources.length, sources, rows: t.rows, period });
  }
  return out;
}

async function distinctValues(db: AuditDatabase, load: DuckDBLoad, columns: ReadonlyArray<readonly [string, string]>): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (const [table, column] of columns) {
    if (!load.tables.get(table)?.columns.includes(column)) continue;
    const { rows } = await readRows(db.connection, `SELECT DISTINCT CAST(${ident(column)} AS VARCHAR) FROM ${ident(table)} WHERE ${ident(column)} IS NOT NULL`);
    out.set(`${table}.${column}`, rows.map((r) => r[0] as string));
  }
  return out;
}
