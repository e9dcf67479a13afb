/**
 * One audit's DuckDB, from opening to closing: the locked-down database with
 * limits that fit the machine, the exports loaded into it, its configuration
 * locked, and what the report says of each loaded table.
 */
import { availableParallelism, freemem, totalmem } from 'node:os';
import type { LoadOptions, TableFacts } from '../../data/model.js';
import { sourceLabel } from '../../data/provenance.js';
import { tableDef } from '../../data/tables.js';
import { AuditDatabase, type DatabaseLimits } from './database.js';
import { DuckDBDataset } from './dataset.js';
import { loadIntoDuckDB, type DuckDBLoad, type DuckDBLoadSettings } from './load.js';
import { readRows, valueSql } from './read.js';
import { ident } from './schema.js';

/**
 * DuckDB's share of the machine: 1.25 GiB (so that with Node's own heap and the loading threads an audit of
 * five million payout rows stays within 2 GiB), less on a machine with little memory; every core; at most
 * 50 GiB spilled to disk.
 */
export function defaultLimits(): DatabaseLimits {
  return {
    memoryBytes: Math.max(256 << 20, Math.min(1280 << 20, Math.floor(totalmem() * 0.4), Math.floor(freemem() * 0.8))),
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
  close(): void;
}

/** Opens a database, loads `files` into it and locks it. Closing removes everything it wrote. */
export async function openSession(files: string[], opts: LoadOptions, limits: Partial<DatabaseLimits> = {}, settings: DuckDBLoadSettings = {}): Promise<DuckDBSession> {
  const database = await AuditDatabase.open({ ...defaultLimits(), ...limits });
  try {
    const load = await loadIntoDuckDB(files, opts, database, settings);
    await database.lock();
    const dataset = DuckDBDataset.of(database, load);
    return { database, dataset, load, tableFacts: (p) => tableFacts(database, load, p), close: () => database.close() };
  } catch (err) {
    database.close();
    throw err;
  }
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
