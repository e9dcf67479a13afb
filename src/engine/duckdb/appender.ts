/**
 * The DuckDB side of loading: takes the messages of batch writers
 * (batch.ts) — parts begun, batches, parts ended or dropped — and appends the
 * rows to each canonical table's physical table, a data chunk (2048 rows) at
 * a time: one memcpy per column from the batch's image (the long strings
 * pointing into the batch's heap or the part's dictionary, both put into
 * DuckDB's memory first), and the provenance columns.
 *
 * Each table is created on the first part that loads into it, with every
 * canonical column of its definition (a part lacking one gives nulls), and
 * keeps which columns some part really had: those are the table's columns, as
 * for the in-memory tables.
 */
import duckdb from '@duckdb/node-bindings';
import { BIGINT, BLOB, DATE, DuckDBDataChunk, INTEGER, TIMESTAMP, VARCHAR, type DuckDBAppender, type DuckDBConnection, type DuckDBType } from '@duckdb/node-api';
import type { Source } from '../../data/provenance.js';
import { tableDef, type ColumnType } from '../../data/tables.js';
import { batchLayout, DICTIONARY_MARK, TWO_32, VECTOR, WIDTH, type Batch, type BatchLayout, type Encoding, type PartMessage } from './batch.js';
import { dataTableName, ident, PROVENANCE_COLUMNS, SQL_TYPES, type SqlType } from './schema.js';


const DUCKDB_TYPES: Readonly<Record<SqlType, DuckDBType>> = { VARCHAR, BIGINT, DATE, TIMESTAMP, INTEGER };

const ENCODING_OF_SQL: Readonly<Record<SqlType, Encoding | null>> = { VARCHAR: 'str', BIGINT: 'i64', DATE: 'date', TIMESTAMP: 'ts', INTEGER: null };

/** A part (file, or sheet) as appended: where it came from and how many rows it gave. */
export interface AppendedPart {
  /** Its producer and the producer's number for it (`producer:part`). */
  key: string;
  /** Its index in `sources`, the value of its rows' `__src`. */
  src: number;
  table: string;
  source: Source;
  /** Index of its file among the files loaded, and its place among the file's parts (sheets). */
  file: number;
  order: number;
  /** Columns of the canonical table it had, in its own order. */
  columns: string[];
  rows: number;
  /** Still being loaded. */
  open: boolean;
}

interface TableState {
  name: string;
  appender: DuckDBAppender;
  chunk: DuckDBDataChunk;
  /** Canonical columns, in the definition's order: the physical table's first columns. */
  columns: string[];
  types: SqlType[];
  /** Rows appended and not yet dropped. */
  rows: number;
}

interface PartState {
  part: AppendedPart;
  table: TableState;
  layout: BatchLayout;
  /** Table column index of each of the part's columns. */
  target: number[];
  /** Table columns the part lacks. */
  missing: number[];
  /** Per column of the part, its dictionary of long strings (batch.ts) as DuckDB holds them, made on first use. */
  dictionaries: Array<LongDictionary | null>;
}

/**
 * A part's dictionary of one column's long strings, each put into DuckDB's memory once: a vector that is
 * never reset holds them, and a row's string is its 16-byte string_t (length, prefix, pointer into that
 * vector's heap) written into the batch's image before the one memcpy. The appender copies a string's bytes
 * when it appends a chunk, so the pointers need only live as long as the part.
 */
class LongDictionary {
  private readonly chunk = DuckDBDataChunk.create([VARCHAR]);
  private readonly vector = duckdb.data_chunk_get_vector(this.chunk.chunk, 0);
  /** The string_t of each string, by its number: 16 bytes, as 4 ints. */
  refs = new Int32Array(4 * 1024);

  add(id: number, s: string): void {
    duckdb.vector_assign_string_element(this.vector, 0, s);
    if (4 * id + 4 > this.refs.length) {
      const bigger = new Int32Array(Math.max(this.refs.length * 2, 4 * id + 4));
      bigger.set(this.refs);
      this.refs = bigger;
    }
    this.refs.set(new Int32Array(duckdb.vector_get_data(this.vector, 16).slice(0, 16).buffer), 4 * id);
  }
}

/** Appends the rows of batch writers' parts; one per load. */
export class TableAppender {
  /** Parts by producer and the producer's part number. */
  private readonly open = new Map<string, PartState>();
  /** Every part begun, by `src`. */
  readonly parts: AppendedPart[] = [];
  /** Parts dropped (their rows are deleted by `finish`). */
  private readonly dropped: AppendedPart[] = [];
  /** Rows appended since the counter was last reset (the loader checkpoints by it). */
  pending = 0;
  private readonly src = new Int32Array(VECTOR);
  private readonly n = new Int32Array(VECTOR);
  private readonly noneValid = new ArrayBuffer(VECTOR / 8);
  /**
   * Holds a batch's heap of long strings (batch.ts) in DuckDB's memory while its chunks are appended: one
   * BLOB value (no UTF-8 check; the bytes came from strings), reset for the next batch. The appender copies
   * the strings' bytes when it appends a chunk, so the heap need only live as long as the batch.
   */
  private readonly heapChunk = DuckDBDataChunk.create([BLOB]);
  private readonly heapVector = duckdb.data_chunk_get_vector(this.heapChunk.chunk, 0);
  /**
   * A shared slot's image (batch.ts's SlotBuffers) copied, before it is read: DuckDB's copy into a vector takes
   * an ArrayBuffer only, and the long strings' references are made here, never in the worker's slot. Made once
   * (and larger when a batch needs more): its pages are never new.
   */
  private staging = new ArrayBuffer(0);

  private constructor(
    private readonly connection: DuckDBConnection,
    private readonly tables: Map<string, TableState>,
    /** `__src` of the first part: a load added to a database that holds others numbers its parts after theirs. */
    private readonly srcBase: number,
  ) {}

  /**
   * Creates the physical table of each canonical table named (all its columns, then the provenance ones),
   * and an appender for each: from then on every message is handled synchronously, as the loader's sink
   * calls come.
   */
  static async create(connection: DuckDBConnection, names: readonly string[], srcBase = 0): Promise<TableAppender> {
    const tables = new Map<string, TableState>();
    for (const name of names) {
      const def = tableDef(name);
      if (!def) throw new Error(`unknown table ${name}`);
      const columns = def.columns.map((c) => c.name);
      const types = def.columns.map((c) => SQL_TYPES[c.type]);
      const all = [...columns.map((c, k) => ({ name: c, type: types[k] })), ...PROVENANCE_COLUMNS];
      await connection.run(`CREATE TABLE ${ident(dataTableName(name))} (${all.map((c) => `${ident(c.name)} ${c.type}`).join(', ')})`);
      const appender = await connection.createAppender(dataTableName(name));
      const chunk = DuckDBDataChunk.create(all.map((c) => DUCKDB_TYPES[c.type]));
      tables.set(name, { name, appender, chunk, columns, types, rows: 0 });
    }
    return new TableAppender(connection, tables, srcBase);
  }

  /** Handles one message of producer `producer` (messages of one producer in the order it sent them). */
  handle(producer: number, m: PartMessage): void {
    const key = `${producer}:${m.part}`;
    if (m.type === 'begin') {
      const table = this.tables.get(m.table);
      if (!table) throw new Error(`table ${m.table} was not asked for`);
      const part: AppendedPart = { key, src: this.srcBase + this.parts.length, table: m.table, source: m.source, file: m.file, order: m.order, columns: m.columns.map((c) => c.name), rows: 0, open: true };
      this.parts.push(part);
      const target = m.columns.map((c) => {
        const k = table.columns.indexOf(c.name);
        if (k < 0 || SQL_TYPES[c.type as ColumnType] !== table.types[k]) throw new Error(`column ${m.table}.${c.name} (${c.type}) is not in the table`);
        return k;
      });
      const missing = table.columns.map((_, k) => k).filter((k) => !target.includes(k));
      const layout = batchLayout(m.columns.map((c) => ENCODING_OF_SQL[SQL_TYPES[c.type as ColumnType]]!), 0);
      this.open.set(key, { part, table, layout, target, missing, dictionaries: m.columns.map(() => null) });
      return;
    }
    const state = this.open.get(key);
    if (!state) throw new Error(`no part ${key} begun`);
    if (m.type === 'batch') {
      this.append(state, m);
      return;
    }
    this.open.delete(key);
    state.part.open = false;
    if (m.type === 'discard') {
      // A streamed file that must be read again whole: its rows so far are dropped.
      state.table.rows -= state.part.rows;
      this.dropped.push(state.part);
    } else if (m.rows !== state.part.rows) {
      throw new Error(`part ${state.part.source.file} ended with ${m.rows} rows, ${state.part.rows} appended`);
    }
  }

  private append(state: PartState, batch: Batch): void {
    const { table, target, missing } = state;
    const layout = batchLayout(state.layout.encodings, batch.capacity);
    const raw = table.chunk.chunk;
    const buffer = this.image(batch.buffer, layout.bytes);
    const canonical = table.columns.length;
    // Long strings (batch.ts) are marked in the image: those of a dictionary get their string_t from it, those
    // in the heap a pointer into it, before the image is copied.
    const image = new Int32Array(buffer);
    const words = new Uint32Array(buffer);
    let lo = 0;
    let hi = 0;
    if (batch.heapBytes > 0) {
      // The heap into DuckDB's memory; each long string's offset in it becomes a pointer (little-endian 64 bits).
      duckdb.data_chunk_reset(this.heapChunk.chunk);
      duckdb.vector_assign_string_element_len(this.heapVector, 0, new Uint8Array(batch.heap, 0, batch.heapBytes));
      const ref = new Uint32Array(duckdb.vector_get_data(this.heapVector, 16).slice(0, 16).buffer);
      lo = ref[2];
      hi = ref[3];
    }
    batch.long.forEach((long, c) => {
      if (!long || long.dictionaryRows + long.heapRows === 0) return;
      let refs: Int32Array | null = null;
      if (long.dictionaryRows > 0) {
        const dictionary = (state.dictionaries[c] ??= new LongDictionary());
        long.fresh.forEach((s, k) => dictionary.add(long.first + k, s));
        refs = dictionary.refs;
      }
      const data = layout.data[c] >> 2;
      const end = data + 4 * batch.rows;
      for (let at = data; at < end; at += 4) {
        const length = words[at];
        if (length <= 12) continue;
        if (length === DICTIONARY_MARK) {
          const r = 4 * words[at + 1];
          image[at] = refs![r];
          image[at + 1] = refs![r + 1];
          image[at + 2] = refs![r + 2];
          image[at + 3] = refs![r + 3];
        } else {
          const sum = words[at + 2] + lo;
          words[at + 2] = sum;
          words[at + 3] = hi + (sum >= TWO_32 ? 1 : 0);
        }
      }
    });
    for (let from = 0; from < batch.rows; from += VECTOR) {
      const count = Math.min(VECTOR, batch.rows - from);
      duckdb.data_chunk_reset(raw);
      for (let c = 0; c < target.length; c++) {
        const vector = duckdb.data_chunk_get_vector(raw, target[c]);
        const width = WIDTH[layout.encodings[c]];
        duckdb.copy_data_to_vector(vector, 0, buffer, layout.data[c] + from * width, count * width);
        if (batch.nulls[c]) {
          duckdb.vector_ensure_validity_writable(vector);
          duckdb.copy_data_to_vector_validity(vector, 0, buffer, layout.validity[c] + from / 8, VECTOR / 8);
        }
      }
      for (const k of missing) {
        const vector = duckdb.data_chunk_get_vector(raw, k);
        duckdb.vector_ensure_validity_writable(vector);
        duckdb.copy_data_to_vector_validity(vector, 0, this.noneValid, 0, VECTOR / 8);
      }
      const first = batch.first + from;
      this.src.fill(state.part.src, 0, count);
      for (let i = 0; i < count; i++) this.n[i] = first + i;
      duckdb.copy_data_to_vector(duckdb.data_chunk_get_vector(raw, canonical), 0, this.src.buffer, 0, 4 * count);
      duckdb.copy_data_to_vector(duckdb.data_chunk_get_vector(raw, canonical + 1), 0, buffer, layout.lines + 4 * from, 4 * count);
      duckdb.copy_data_to_vector(duckdb.data_chunk_get_vector(raw, canonical + 2), 0, this.n.buffer, 0, 4 * count);
      duckdb.copy_data_to_vector(duckdb.data_chunk_get_vector(raw, canonical + 3), 0, buffer, layout.digests + 8 * from, 8 * count);
      duckdb.data_chunk_set_size(raw, count);
      table.appender.appendDataChunk(table.chunk);
    }
    state.part.rows += batch.rows;
    table.rows += batch.rows;
    this.pending += batch.rows;
  }

  /** The image `buffer` as an ArrayBuffer: itself, or its first `bytes` copied into the staging buffer. */
  private image(buffer: ArrayBufferLike, bytes: number): ArrayBuffer {
    if (buffer instanceof ArrayBuffer) return buffer;
    if (this.staging.byteLength < bytes) this.staging = new ArrayBuffer(bytes);
    new Uint8Array(this.staging, 0, bytes).set(new Uint8Array(buffer, 0, bytes));
    return this.staging;
  }

  /**
   * Drops a part already ended (the second part of a file whose split did not hold, split.ts): its rows are
   * deleted by `finish`.
   */
  drop(key: string): void {
    const part = this.parts.find((p) => p.key === key && !p.open && !this.dropped.includes(p));
    if (!part) throw new Error(`no ended part ${key} to drop`);
    this.tables.get(part.table)!.rows -= part.rows;
    this.dropped.push(part);
  }

  /** Flushes every table's appender: what was appended is then in the database. */
  flush(): void {
    for (const t of this.tables.values()) t.appender.flushSync();
  }

  /**
   * Closes the appenders, deletes the rows of dropped parts, and drops the physical tables no part loaded
   * into. Returns the parts kept (every part begun and not dropped), by `src`.
   */
  async finish(): Promise<AppendedPart[]> {
    for (const t of this.tables.values()) t.appender.closeSync();
    for (const p of this.dropped) await this.connection.run(`DELETE FROM ${ident(dataTableName(p.table))} WHERE __src = ${p.src}`);
    const kept = this.parts.filter((p) => !this.dropped.includes(p));
    for (const name of this.tables.keys()) {
      if (!kept.some((p) => p.table === name)) await this.connection.run(`DROP TABLE ${ident(dataTableName(name))}`);
    }
    return kept;
  }
}
