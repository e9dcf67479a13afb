/**
 * Loaded data in the tool's DuckDB, as a dataset (engine/executor.ts): which
 * tables and columns there are, and — fetched once per rule, before its
 * findings are built — the places and digests of every row its findings rest
 * on, and the values of the rows they show.
 *
 * Rows are read back by their position in the physical table (`rowid`), not
 * by `__row`: the view computes `__row`, so a filter on it reads every column
 * of every row (0.5 s a rule at five million payout rows, for 16 rows), while
 * a short list of positions lets DuckDB read only the vectors holding them.
 * Positions hold while the data is only read: nothing writes to the tables
 * once they are loaded and locked.
 */
import { BIGINT, BLOB, blobValue, type DuckDBType, type DuckDBValue, type DuckDBVector } from '@duckdb/node-api';
import type { Value } from '../../data/model.js';
import type { Source } from '../../data/provenance.js';
import type { Dataset, EvidenceRef, RowPlace } from '../executor.js';
import type { RowPlaces } from '../findings.js';
import type { AuditDatabase } from './database.js';
import type { DuckDBLoad, DuckDBTable } from './load.js';
import { plainValue, valueSql } from './read.js';
import { dataTableName, ident } from './schema.js';

/** The rows of one table a rule's evidence names, by physical position (ascending), with what was read of them. */
interface Fetched {
  rowids: Float64Array;
  src: Int32Array;
  line: Int32Array;
  digest: Float64Array;
  values: Array<Record<string, Value> | undefined>;
}

/**
 * Many rows are looked up by position in one query, from a list param of their positions, as long as they are at
 * most this many and at least one in DENSE of the stretch of the table they lie in: past either, a bitmap of the
 * stretch (bit k: the row at its first position plus k) filters one scan of it. A list costs DuckDB ~3 µs a row
 * (more past ~100,000: 2.5 s for 950,000), a bitmap ~0.06 µs a row of the stretch (0.3-0.4 s for five million).
 */
const LIST_ROWS = 100_000;
const DENSE = 50;

/**
 * Rows looked up by position per query: DuckDB pushes a join's build side of at most this many values into the
 * table scan as an IN filter (its `dynamic_or_filter_threshold`, 50), which skips every vector of 2,048 rows
 * holding none of them; a larger list only bounds the scan by its least and greatest position.
 */
const POINT_CHUNK = 50;

/**
 * Up to this many rows of a table are looked up by position, POINT_CHUNK at a time, each lookup reading only
 * the vectors that hold the rows; past it one scan of the whole table costs less. At five million payout rows
 * (all columns; two cores, busy): 16 rows 0.04 s against 0.52 s for a scan, 200 rows 0.25 s against 0.46 s,
 * 1,000 rows 0.51-0.81 s against 0.50 s.
 */
const POINT_ROWS = 400;

/**
 * Up to this many rows of a table (the first chunk) are read with their values at once: then the findings show
 * them all (unless a finding shows fewer), and one lookup costs less than two.
 */
const VALUES_AT_ONCE = POINT_CHUNK;

/**
 * A column's values repeat when it has at most a quarter as many distinct values as rows: then a costly value
 * of it is computed once per distinct value and looked up (compile.ts, Lets), which pays from a few rows a value.
 */
const REPEATS = 4;

/**
 * Where a table's rows lie in its physical table (schema.ts): runs of rows whose position (DuckDB's `rowid`)
 * follows their row number, one per stretch of a part appended at once. A row's position is what DuckDB finds
 * rows by cheaply: a filter on `__row`, computed by the table's view, makes it read every row of every column.
 */
class Positions {
  private constructor(
    /** The first row number of each run, ascending. */
    private readonly first: Float64Array,
    /** Its position. */
    private readonly start: Float64Array,
    /** Its length. */
    private readonly length: Float64Array,
  ) {}

  /**
   * Measures the runs: a part's rows keep their order in the physical table (`__n` and the position grow
   * together), so the rows of one part whose `__n` minus position is the same are one run; a row's number is
   * its part's first row number plus `__n` (load.ts's view). Two scans of narrow columns, once per table a run.
   */
  static async of(db: AuditDatabase, table: string): Promise<Positions> {
    const c = db.connection;
    const firstRows = new Map<number, number>();
    for (const [src, row] of (await c.runAndReadAll(`SELECT __src, min(__row) FROM ${ident(table)} GROUP BY __src`)).getRows()) firstRows.set(Number(src), Number(row));
    const runs = (
      await c.runAndReadAll(`SELECT __src, min(__n), max(__n), count(*), min(rowid) FROM ${ident(dataTableName(table))} GROUP BY __src, CAST(__n AS BIGINT) - rowid`)
    ).getRows().map((r) => r.map(Number));
    const least = new Map<number, number>();
    for (const [src, lo] of runs) least.set(src, Math.min(lo, least.get(src) ?? Infinity));
    const out = runs.map(([src, lo, hi, count, start]) => {
      // One position per row and the run's __n without gaps: else rows would be found at the wrong place.
      if (count !== hi - lo + 1 || !firstRows.has(src)) throw new Error(`the rows of ${table} are not where their numbers say (part ${src}, __n ${lo}..${hi}, ${count} rows)`);
      return { first: firstRows.get(src)! - least.get(src)! + lo, start, length: count };
    });
    out.sort((a, b) => a.first - b.first);
    return new Positions(Float64Array.from(out, (r) => r.first), Float64Array.from(out, (r) => r.start), Float64Array.from(out, (r) => r.length));
  }

  /** The position of row `row`, or -1 when the table has no such row. */
  of(row: number): number {
    const k = lastAtMost(this.first, row);
    if (k < 0 || row - this.first[k] >= this.length[k]) return -1;
    return this.start[k] + (row - this.first[k]);
  }
}

/** The index of the last item of ascending `a` that is at most `x` (-1 when none is). */
function lastAtMost(a: Float64Array, x: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid] <= x) lo = mid + 1;
    else hi = mid - 1;
  }
  return hi;
}

export class DuckDBDataset implements Dataset {
  private readonly rows = new Map<string, Fetched>();
  /** The row looked up last, and where it is. */
  private last: { table: string; row: number; f: Fetched; i: number } | undefined;
  /** Where each table's rows lie, measured the first time its rows are read back. */
  private readonly positions = new Map<string, Positions>();
  /** Columns measured so far (`measure`), by `table.column`: their table's rows and their distinct values (about). */
  private readonly repeating = new Map<string, { rows: number; distinct: number }>();

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

  /** A loaded table's rows (for the compiler). */
  tableRows(table: string): number | undefined {
    return this.tables.get(table)?.rows;
  }

  /**
   * Do a column's values repeat, each on `times` rows or more on average (REPEATS: few distinct values for its
   * rows)? Undefined until `measure` measured it.
   */
  repeats(table: string, column: string, times = REPEATS): boolean | undefined {
    const m = this.repeating.get(`${table}.${column}`);
    return m && m.distinct * times <= m.rows;
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
      names.forEach((c, k) => this.repeating.set(`${table}.${c}`, { rows, distinct: distinct[k] }));
    }
  }

  /**
   * Places and digests of every row the evidence names (the previous rule's rows are dropped), and the values of
   * a table's rows too when there are few of them.
   */
  async prepare(evidence: EvidenceRef[][]): Promise<void> {
    this.rows.clear();
    this.last = undefined;
    // The positions of each table's rows, in one array (a Set of hundreds of thousands costs more than a sort):
    // sorted, and each kept once.
    const counts = new Map<string, number>();
    for (const refs of evidence) for (const { table, rows } of refs) counts.set(table, (counts.get(table) ?? 0) + rows.length);
    for (const [table, count] of counts) {
      const positions = await this.positionsOf(table);
      const all = new Float64Array(count);
      let k = 0;
      for (const refs of evidence) {
        for (const ref of refs) {
          if (ref.table !== table) continue;
          for (const row of ref.rows) {
            const at = positions.of(row);
            if (at < 0) throw new Error(`row ${row} of ${table} is not in the table`);
            all[k++] = at;
          }
        }
      }
      const rowids = distinct(all.sort());
      const n = rowids.length;
      const f: Fetched = { rowids, src: new Int32Array(n), line: new Int32Array(n), digest: new Float64Array(n), values: new Array(n) };
      this.rows.set(table, f);
      const withValues = n <= VALUES_AT_ONCE;
      const columns = withValues ? this.tables.get(table)!.columns : [];
      await this.read(table, rowids, ['__src', '__line', '__digest', ...columns.map((c) => valueSql(table, c))], (i, cells, r) => {
        f.src[i] = Number(cells[0].getItem(r));
        f.line[i] = Number(cells[1].getItem(r));
        f.digest[i] = Number(cells[2].getItem(r));
        if (withValues) f.values[i] = valuesOf(columns, cells, r, 3);
      });
    }
  }

  /** The values of the rows the findings show (after `prepare`). */
  async prepareValues(rows: Array<{ table: string; row: number }>): Promise<void> {
    const byTable = new Map<string, Set<number>>();
    for (const { table, row } of rows) {
      const f = this.rows.get(table);
      const i = f ? this.indexOf(table, f, row) : -1;
      if (i < 0 || f!.values[i]) continue;
      let set = byTable.get(table);
      if (!set) byTable.set(table, (set = new Set()));
      set.add(f!.rowids[i]);
    }
    for (const [table, set] of byTable) {
      const columns = this.tables.get(table)!.columns;
      const f = this.rows.get(table)!;
      const rowids = Float64Array.from(set).sort();
      await this.read(table, rowids, columns.map((c) => valueSql(table, c)), (_, cells, r, rowid) => {
        f.values[lastAtMost(f.rowids, rowid)] = valuesOf(columns, cells, r, 0);
      });
    }
  }

  private async positionsOf(table: string): Promise<Positions> {
    let p = this.positions.get(table);
    if (!p) this.positions.set(table, (p = await Positions.of(this.db, table)));
    return p;
  }

  /**
   * Reads `select` of the rows at `rowids` (ascending, distinct) of a table's physical table and hands each row
   * to `take` with its index in `rowids` (its cells: `cells[k].getItem(r)`, k in `select`'s order): few rows by
   * position, a chunk at a time (each lookup reads the vectors that hold its rows); more from a list of their
   * positions in one query; many, or a good share of the rows they lie among, in one scan filtered by a bitmap.
   */
  private async read(table: string, rowids: Float64Array, select: string[], take: (i: number, cells: DuckDBVector[], r: number, rowid: number) => void): Promise<void> {
    const from = `SELECT rowid, ${select.join(', ')} FROM ${ident(dataTableName(table))}`;
    const n = rowids.length;
    if (n === 0) return;
    const span = rowids[n - 1] - rowids[0] + 1;
    if (n > POINT_ROWS && (n > LIST_ROWS || n * DENSE >= span)) {
      const lo = rowids[0];
      const bits = new Uint8Array(Math.ceil(span / 8));
      for (let k = 0; k < n; k++) {
        const b = rowids[k] - lo;
        bits[Math.floor(b / 8)] |= 0x80 >> b % 8;
      }
      // Bit k of the bitmap (most significant first in each byte) is the row at position lo + k; the CASE keeps
      // get_bit to the rows of the stretch, whichever of the two tests DuckDB makes first.
      const sql = `${from} WHERE rowid BETWEEN $lo AND $hi AND CASE WHEN rowid BETWEEN $lo AND $hi THEN get_bit(CAST($bits AS BIT), CAST(rowid - $lo AS INTEGER)) = 1 ELSE false END`;
      await this.readPart(table, sql, { lo: BigInt(lo), hi: BigInt(rowids[n - 1]), bits: blobValue(bits) }, { lo: BIGINT, hi: BIGINT, bits: BLOB }, rowids, 0, take);
      return;
    }
    const step = n <= POINT_ROWS ? POINT_CHUNK : LIST_ROWS;
    const sql = `${from} WHERE rowid IN (SELECT unnest(CAST($rows AS BIGINT[])))`;
    for (let i = 0; i < n; i += step) {
      const part = rowids.subarray(i, i + step);
      await this.readPart(table, sql, { rows: listOf(part) }, undefined, part, i, take);
    }
  }

  /** Runs one read of `part` (the rows at `offset`… of a read's positions), checking it gives each row once. */
  private async readPart(
    table: string,
    sql: string,
    values: Record<string, DuckDBValue>,
    types: Record<string, DuckDBType> | undefined,
    part: Float64Array,
    offset: number,
    take: (i: number, cells: DuckDBVector[], r: number, rowid: number) => void,
  ): Promise<void> {
    const result = await this.db.connection.stream(sql, values, types);
    let found = 0;
    // The rows come in position order, as a scan meets them: the next one is looked for first.
    let next = 0;
    for (;;) {
      const chunk = await result.fetchChunk();
      if (!chunk || chunk.rowCount === 0) break;
      const positions = chunk.getColumnVector(0);
      const cells = Array.from({ length: chunk.columnCount - 1 }, (_, k) => chunk.getColumnVector(k + 1));
      for (let r = 0; r < chunk.rowCount; r++) {
        const rowid = Number(positions.getItem(r));
        const k = part[next] === rowid ? next : lastAtMost(part, rowid);
        if (k < 0 || part[k] !== rowid) throw new Error(`${table}: read back a row at ${rowid}, which was not asked for`);
        take(offset + k, cells, r, rowid);
        next = k + 1;
        found++;
      }
    }
    if (found !== part.length) throw new Error(`${table}: ${part.length} rows asked for, ${found} read back`);
  }

  private indexOf(table: string, f: Fetched, row: number): number {
    const at = this.positions.get(table)?.of(row) ?? -1;
    if (at < 0) return -1;
    const i = lastAtMost(f.rowids, at);
    return i >= 0 && f.rowids[i] === at ? i : -1;
  }

  private fetched(table: string, row: number): { f: Fetched; i: number } {
    // Findings ask for a row's digest, then its place: the second finds it here.
    const last = this.last;
    if (last && last.table === table && last.row === row && this.rows.get(table) === last.f) return last;
    const f = this.rows.get(table);
    const i = f ? this.indexOf(table, f, row) : -1;
    if (i < 0) throw new Error(`row ${row} of ${table} was not prepared`);
    this.last = { table, row, f: f!, i };
    return this.last;
  }

  /**
   * The places and digests of many rows of a table at once (after `prepare`): for a finding resting on hundreds
   * of thousands of rows, a few numbers each rather than an object.
   */
  placesOf(table: string, rows: ArrayLike<number>): RowPlaces {
    const f = this.rows.get(table);
    const positions = this.positions.get(table);
    const n = rows.length;
    const out: RowPlaces = { parts: this.sources, part: new Int32Array(n), line: new Int32Array(n), digest: new Float64Array(n) };
    for (let k = 0; k < n; k++) {
      const at = positions?.of(rows[k]) ?? -1;
      const i = at < 0 || !f ? -1 : lastAtMost(f.rowids, at);
      if (i < 0 || f!.rowids[i] !== at) throw new Error(`row ${rows[k]} of ${table} was not prepared`);
      out.part[k] = f!.src[i];
      out.line[k] = f!.line[i];
      out.digest[k] = f!.digest[i];
    }
    return out;
  }

  place(table: string, row: number): RowPlace {
    const { f, i } = this.fetched(table, row);
    const s = this.sources[f.src[i]];
    return s.sheet === undefined ? { file: s.file, line: f.line[i] } : { file: s.file, sheet: s.sheet, line: f.line[i] };
  }

  values(table: string, row: number): Record<string, Value> {
    const { f, i } = this.fetched(table, row);
    const values = f.values[i];
    if (!values) throw new Error(`the values of row ${row} of ${table} were not prepared`);
    return values;
  }

  digest(table: string, row: number): number {
    const { f, i } = this.fetched(table, row);
    return f.digest[i];
  }
}

/** A row's values as the in-memory table holds them, from its cells `from`… of a read (row `r` of a chunk). */
function valuesOf(columns: string[], cells: DuckDBVector[], r: number, from: number): Record<string, Value> {
  const values: Record<string, Value> = {};
  columns.forEach((c, k) => (values[c] = plainValue(cells[from + k].getItem(r)) as Value));
  return values;
}

/** The distinct values of ascending `a`, in place (a view of its start). */
function distinct(a: Float64Array): Float64Array {
  let n = 0;
  for (let k = 0; k < a.length; k++) if (n === 0 || a[k] !== a[n - 1]) a[n++] = a[k];
  return a.subarray(0, n);
}

/** A list of positions as a bound value (text of the list, cast in SQL: no literal is built from data). */
function listOf(rows: Float64Array): string {
  return `[${rows.join(',')}]`;
}
