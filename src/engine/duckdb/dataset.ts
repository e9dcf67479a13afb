/**
 * Loaded data in the tool's DuckDB, as a dataset (engine/executor.ts): which
 * tables and columns there are, and — fetched once per rule, before its
 * findings are built — the places and digests of every row its findings rest
 * on, and the values of the rows they show.
 */
import type { Value } from '../../data/model.js';
import type { Source } from '../../data/provenance.js';
import type { Dataset, EvidenceRef, RowPlace } from '../executor.js';
import type { AuditDatabase } from './database.js';
import type { DuckDBLoad, DuckDBTable } from './load.js';
import { plainValue, valueSql } from './read.js';
import { ident } from './schema.js';

interface Fetched {
  src: number;
  line: number;
  digest: number;
  values?: Record<string, Value>;
}

/** Rows fetched per query: a list param of row numbers, read back in one go. */
const FETCH = 500_000;

/**
 * A column's values repeat when it has at most a quarter as many distinct values as rows: then a costly value
 * of it is computed once per distinct value and looked up (compile.ts, Lets), which pays from a few rows a value.
 */
const REPEATS = 4;

export class DuckDBDataset implements Dataset {
  private readonly rows = new Map<string, Map<number, Fetched>>();
  /** Columns measured so far (`measure`), by `table.column`: do their values repeat? */
  private readonly repeating = new Map<string, boolean>();

  constructor(
    readonly db: AuditDatabase,
    readonly tables: ReadonlyMap<string, DuckDBTable>,
    readonly sources: readonly Source[],
  ) {}

  static of(db: AuditDatabase, load: Pick<DuckDBLoad, 'tables' | 'sources'>): DuckDBDataset {
    return new DuckDBDataset(db, load.tables, load.sources);
  }

  hasTable(table: string): boolean {
    return this.tables.has(table);
  }

  hasColumn(table: string, column: string): boolean {
    return this.tables.get(table)?.columns.includes(column) ?? false;
  }

  /** The columns of a loaded table, in the order the in-memory table has them (for the compiler). */
  columns(table: string): string[] | undefined {
    return this.tables.get(table)?.columns;
  }

  /** Do a column's values repeat (few distinct values for its rows)? Undefined until `measure` measured it. */
  repeats(table: string, column: string): boolean | undefined {
    return this.repeating.get(`${table}.${column}`);
  }

  /**
   * Measures how the values of some columns repeat (approximately: an estimate of the distinct values, which
   * only decides how a rule's query computes, never what it finds). One scan per table, each column once a run.
   */
  async measure(columns: ReadonlyArray<{ table: string; column: string }>): Promise<void> {
    const byTable = new Map<string, Set<string>>();
    for (const { table, column } of columns) {
      if (this.repeating.has(`${table}.${column}`) || !this.hasColumn(table, column)) continue;
      let set = byTable.get(table);
      if (!set) byTable.set(table, (set = new Set()));
      set.add(column);
    }
    for (const [table, set] of byTable) {
      const names = [...set];
      const reader = await this.db.connection.runAndReadAll(`SELECT count(*), ${names.map((c) => `approx_count_distinct(${ident(c)})`).join(', ')} FROM ${ident(table)}`);
      const [rows, ...distinct] = reader.getRows()[0].map(Number);
      names.forEach((c, k) => this.repeating.set(`${table}.${c}`, distinct[k] * REPEATS <= rows));
    }
  }

  /** Places and digests of every row the evidence names (the previous rule's rows are dropped). */
  async prepare(evidence: EvidenceRef[][]): Promise<void> {
    this.rows.clear();
    const wanted = new Map<string, Set<number>>();
    for (const refs of evidence) {
      for (const { table, rows } of refs) {
        let set = wanted.get(table);
        if (!set) wanted.set(table, (set = new Set()));
        for (const r of rows) set.add(r);
      }
    }
    for (const [table, set] of wanted) {
      const map = new Map<number, Fetched>();
      this.rows.set(table, map);
      const all = [...set];
      for (let i = 0; i < all.length; i += FETCH) {
        const reader = await this.db.connection.runAndReadAll(
          `SELECT __row, __src, __line, __digest FROM ${ident(table)} WHERE __row IN (SELECT unnest(CAST($rows AS BIGINT[])))`,
          { rows: listOf(all.slice(i, i + FETCH)) },
        );
        for (const [row, src, line, digest] of reader.getRows()) {
          map.set(Number(row), { src: Number(src), line: Number(line), digest: Number(digest) });
        }
      }
    }
  }

  /** The values of the rows the findings show (after `prepare`). */
  async prepareValues(rows: Array<{ table: string; row: number }>): Promise<void> {
    const byTable = new Map<string, number[]>();
    for (const { table, row } of rows) {
      const f = this.rows.get(table)?.get(row);
      if (!f || f.values) continue;
      let list = byTable.get(table);
      if (!list) byTable.set(table, (list = []));
      list.push(row);
    }
    for (const [table, list] of byTable) {
      const columns = this.tables.get(table)!.columns;
      const map = this.rows.get(table)!;
      for (let i = 0; i < list.length; i += FETCH) {
        const reader = await this.db.connection.runAndReadAll(
          `SELECT __row, ${columns.map((c) => valueSql(table, c)).join(', ')} FROM ${ident(table)} WHERE __row IN (SELECT unnest(CAST($rows AS BIGINT[])))`,
          { rows: listOf(list.slice(i, i + FETCH)) },
        );
        for (const r of reader.getRows()) {
          const values: Record<string, Value> = {};
          columns.forEach((c, k) => (values[c] = plainValue(r[k + 1]) as Value));
          map.get(Number(r[0]))!.values = values;
        }
      }
    }
  }

  private fetched(table: string, row: number): Fetched {
    const f = this.rows.get(table)?.get(row);
    if (!f) throw new Error(`row ${row} of ${table} was not prepared`);
    return f;
  }

  place(table: string, row: number): RowPlace {
    const f = this.fetched(table, row);
    const s = this.sources[f.src];
    return s.sheet === undefined ? { file: s.file, line: f.line } : { file: s.file, sheet: s.sheet, line: f.line };
  }

  values(table: string, row: number): Record<string, Value> {
    const f = this.fetched(table, row);
    if (!f.values) throw new Error(`the values of row ${row} of ${table} were not prepared`);
    return f.values;
  }

  digest(table: string, row: number): number {
    return this.fetched(table, row).digest;
  }
}

/** A list of row numbers as a bound value (text of the list, cast in SQL: no literal is built from data). */
function listOf(rows: number[]): string {
  return `[${rows.join(',')}]`;
}
