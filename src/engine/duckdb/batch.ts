/**
 * Typed rows on their way into DuckDB, a batch at a time.
 *
 * BatchWriter is the loader's sink (data/sink.ts) on the side that types
 * rows — a worker thread, or the main thread for small loads. It writes each
 * row's values straight into the byte images DuckDB's vectors hold: BIGINT as
 * 64-bit integers, DATE as days, TIMESTAMP as microseconds, and a VARCHAR of
 * up to 12 bytes as DuckDB's inline 16-byte string (length, then the bytes,
 * zero-padded; the C API's duckdb_string_t). A longer string that repeats (a
 * bank's name, a benefit item) travels as a number in the part's dictionary of
 * them, each string sent and put into DuckDB once; the others as UTF-8 bytes
 * in the batch's heap, their string_t holding the offset there. The appender
 * on the DuckDB side (appender.ts) puts the heap into DuckDB's memory in one
 * call, turns the offsets into pointers, and copies each image into a vector
 * with one memcpy per column and chunk. Each row's line and digest (row-hash.ts,
 * the same digest as the in-memory tables, computed as the row is written)
 * travel with it.
 *
 * A batch is one buffer (a loading worker's shared slot, SlotBuffers, or an
 * ArrayBuffer transferred, never copied, between threads) with this layout
 * for `capacity` rows and the part's columns c = 0 … k−1: the data of each
 * column (width × capacity bytes), then the validity bits of each column
 * (capacity / 8 bytes, DuckDB's layout: bit i set = row i valid),
 * then the lines (Int32) and digests (int64) of the rows; and its heap, a
 * second buffer.
 */
import type { Value } from '../../data/model.js';
import type { Source } from '../../data/provenance.js';
import type { RowSink } from '../../data/sink.js';
import type { ColumnDef, ColumnType } from '../../data/tables.js';
import { epochDay } from '../../data/types/calendar.js';
import { dayFromNumber, dayNumber } from '../functions/dates.js';
import { digestOf, digestPlan, DIGEST_START1, DIGEST_START2, INT_TAG, LANE1, LANE2, NUMBER_TAG, TEXT_START, TEXT_TAG } from '../row-hash.js';

/** How a column's values are written: the vector type's layout. */
export type Encoding = 'i64' | 'date' | 'ts' | 'str';

const ENCODINGS: Readonly<Record<ColumnType, Encoding>> = {
  text: 'str',
  id: 'str',
  enum: 'str',
  month: 'str',
  money: 'i64',
  int: 'i64',
  date: 'date',
  datetime: 'ts',
};

export const WIDTH: Readonly<Record<Encoding, number>> = { i64: 8, date: 4, ts: 8, str: 16 };

/** Encodings as small numbers, for the writer's switch. */
const STR = 0;
const I64 = 1;
const DATE = 2;
const TS = 3;
const ENCODING_CODES: Readonly<Record<Encoding, number>> = { str: STR, i64: I64, date: DATE, ts: TS };

/** DuckDB's vector size: the rows of one data chunk. */
export const VECTOR = 2048;

/** Rows per batch: eight chunks, so that a message between threads carries enough work to be worth its cost. */
export const BATCH_ROWS = 8 * VECTOR;

/** Where each section of a batch starts, for `capacity` rows of columns with these encodings. */
export interface BatchLayout {
  capacity: number;
  encodings: Encoding[];
  data: number[];
  validity: number[];
  lines: number;
  digests: number;
  bytes: number;
}

export function batchLayout(encodings: Encoding[], capacity: number): BatchLayout {
  let at = 0;
  const data = encodings.map((e) => {
    const o = at;
    at += WIDTH[e] * capacity;
    return o;
  });
  const validity = encodings.map(() => {
    const o = at;
    at += capacity / 8;
    return o;
  });
  const lines = at;
  at += 4 * capacity;
  const digests = at;
  at += 8 * capacity;
  return { capacity, encodings, data, validity, lines, digests, bytes: at };
}

/** What a producer of batches says, in order, for each part it loads. */
export type PartMessage =
  | { type: 'begin'; part: number; file: number; order: number; table: string; source: Source; columns: Array<Pick<ColumnDef, 'name' | 'type'>> }
  | Batch
  | { type: 'end'; part: number; rows: number }
  | { type: 'discard'; part: number };

export interface Batch {
  type: 'batch';
  part: number;
  /** Index within the part of the batch's first row. */
  first: number;
  rows: number;
  /** Rows the buffer has room for (its layout). */
  capacity: number;
  /** The image (an ArrayBuffer transferred, or a shared slot's SharedArrayBuffer, then at least the layout's bytes). */
  buffer: ArrayBufferLike;
  /** The shared slot (SlotBuffers) of `buffer` and `heap`, to free once the batch is appended. */
  slot?: number;
  /**
   * Per column: does any row of the batch hold null (else its validity need not be copied)? Validity bits
   * past `rows` are set, and mean nothing.
   */
  nulls: boolean[];
  /** Per string column, its values longer than 12 bytes. */
  long: Array<LongStrings | null>;
  /**
   * The UTF-8 bytes of the long strings not in a dictionary, one after the other: such a string's 16 bytes in
   * the image are DuckDB's string_t (length, first 4 bytes) with its offset in the heap where the pointer goes,
   * which the appender turns into a pointer once the whole heap is in DuckDB's memory — one call a batch
   * instead of one a string (three a row of payouts: the main thread's largest cost after DuckDB's own).
   */
  heap: ArrayBufferLike;
  heapBytes: number;
}

/**
 * A column's strings longer than 12 bytes in one batch, marked in the image itself (no list of rows to
 * build, send and read back): a string in the part's dictionary has DICTIONARY_MARK as its length and its
 * number in the dictionary as the next four bytes; any other length over 12 is a string whose UTF-8 bytes
 * are in the batch's heap (see Batch.heap). Here: how many of each (none: nothing to look for), and the
 * strings added to the dictionary by this batch (numbered from `first` on).
 */
export interface LongStrings {
  dictionaryRows: number;
  heapRows: number;
  first: number;
  fresh: string[];
}

/** In a long string's 16 bytes, in place of its length: its number in the part's dictionary follows. */
export const DICTIONARY_MARK = 0xffffffff;

/**
 * A column's long strings get a dictionary while it holds at most this many: a few names repeated row after
 * row (benefit items, banks, policy documents). Looking up strings that repeat less (identity numbers, bank
 * accounts) costs the typing thread about what it saves the appending one.
 */
const DICTIONARY_SIZE = 256;

/** The bytes of a row given without them (BatchWriter.row). */
const NO_BYTES = new Uint8Array(0);

/** 2^32: the high word of a 64-bit little-endian integer counts these. */
export const TWO_32 = 4294967296;

/** The smallest heap of long strings a batch starts with (it grows as needed). */
const HEAP_MIN = 64 << 10;
const MICROS_PER_SECOND = 1_000_000;

/** Days whose text a writer keeps for datetimes given as numbers (a power of two), and a day number no date has. */
const TS_DAY_SLOTS = 1024;
const NO_DAY = -(2 ** 31);

/** The place among its file's parts of the second part of a file read as two (after every sheet a file may have). */
export const TAIL_ORDER = 1 << 30;

/** Who a part is: its number (unique per producer), its file's index and its place among the file's parts. */
export interface PartId {
  part: number;
  file: number;
  order: number;
}

/**
 * Where a batch writer gets the buffers of its batches: new ones, or (a worker thread, load-worker.ts) the
 * shared slots of a SlotBuffers, used again once the main thread has appended their batch.
 */
export interface Buffers {
  /** A buffer of at least `bytes` bytes, the first `bytes` of them zero, for a batch's image: it begins a batch. */
  image(bytes: number): ArrayBufferLike;
  /**
   * A buffer of at least `bytes` bytes (its contents anything), for the heap of long strings of the batch begun;
   * asked again with more bytes when the heap must grow (the writer copies what it holds).
   */
  heap(bytes: number): ArrayBufferLike;
  /** The shared slot of the batch begun, which the thread that appends it frees (SlotBuffers); undefined: none. */
  readonly slot?: number | undefined;
  /** Takes back the buffers of the batch begun and never sent (the one begun when the part's last batch went). */
  unused?(): void;
}

/** Buffers made new for every batch (transferred to the thread that appends them). */
export const NEW_BUFFERS: Buffers = { image: (bytes) => new ArrayBuffer(bytes), heap: (bytes) => new ArrayBuffer(bytes) };

/**
 * Slots of batch buffers shared between a loading worker and the main thread (SharedArrayBuffers), which never
 * move and are used again: a batch is written into a free slot, posted with the slot's number, and the main
 * thread frees the slot once it has appended the batch (`release`). A new ArrayBuffer a batch, transferred
 * there and back (or transferred back to be used again), made every buffer that arrived in a thread count as
 * new external memory there, and V8 collected for it: a loading worker's GC at a million payout rows was
 * 0.6-0.67 s, about a dozen of it full collections of a 16 MiB heap (node --trace-gc), and a new buffer's pages
 * are zeroed and faulted in as they are first written (about 7 µs a page fault on the 2-core VM).
 *
 * `state` (a SharedArrayBuffer of one Int32 a slot): state[k] is 1 while slot k's batch is written or in
 * flight, 0 when free. The lowest free slot is taken, so that only as many slots are ever made (and their pages
 * touched) as batches are in flight at most: the loader has more slots than batches may be in flight
 * (load.ts), and should none be free all the same, a batch gets new buffers, transferred as before.
 * A slot's buffers are made at the first batch that needs them, and made again larger when a batch needs more
 * (another table's layout, a heap of more long strings).
 */
export class SlotBuffers implements Buffers {
  private readonly images: SharedArrayBuffer[] = [];
  private readonly heaps: SharedArrayBuffer[] = [];
  /** The slot of the batch begun; -1: none (new buffers). */
  private current = -1;

  constructor(private readonly state: Int32Array) {}

  /** The state of `slots` slots, all free, to share with the thread that frees them. */
  static state(slots: number): Int32Array {
    return new Int32Array(new SharedArrayBuffer(4 * slots));
  }

  /** Frees slot `slot` of `state`: its batch was appended. */
  static release(state: Int32Array, slot: number): void {
    Atomics.store(state, slot, 0);
  }

  get slot(): number | undefined {
    return this.current < 0 ? undefined : this.current;
  }

  image(bytes: number): ArrayBufferLike {
    const k = this.take();
    this.current = k;
    if (k < 0) return new ArrayBuffer(bytes);
    let b = this.images[k];
    if (b === undefined || b.byteLength < bytes) {
      b = this.images[k] = new SharedArrayBuffer(bytes);
    } else {
      // As 8-byte words: V8 fills a shared buffer element by element, 1.8 ms for 5 MB as bytes, 0.2 as doubles.
      const words = bytes >> 3;
      new Float64Array(b, 0, words).fill(0);
      new Uint8Array(b, 8 * words, bytes - 8 * words).fill(0);
    }
    return b;
  }

  heap(bytes: number): ArrayBufferLike {
    const k = this.current;
    if (k < 0) return new ArrayBuffer(bytes);
    let b = this.heaps[k];
    if (b === undefined || b.byteLength < bytes) b = this.heaps[k] = new SharedArrayBuffer(bytes);
    return b;
  }

  unused(): void {
    if (this.current >= 0) SlotBuffers.release(this.state, this.current);
    this.current = -1;
  }

  /** The lowest free slot, marked taken, or -1. */
  private take(): number {
    const state = this.state;
    for (let k = 0; k < state.length; k++) {
      if (Atomics.compareExchange(state, k, 0, 1) === 0) return k;
    }
    return -1;
  }
}

/** The loader's sink that writes batches. `send` takes every message in order; `id` names the part begun. */
export class BatchWriter implements RowSink {
  /** Canonical datetimes come as numbers (RowSink.epochDatetimes): putEpochSeconds. */
  readonly epochDatetimes = true;
  private part = -1;
  private layout!: BatchLayout;
  private columns = 0;
  /** The row digest's plan (row-hash.ts): columns in the order they are mixed in, their names' digests, the seed. */
  private order!: number[];
  private names!: number[];
  private seed = 0;
  private buffer!: ArrayBufferLike;
  private u8!: Uint8Array;
  private u32!: Uint32Array;
  private i32!: Int32Array;
  private view!: DataView;
  private nulls: boolean[] = [];
  /** Per column, in the digest's order (k): its index, encoding (ENCODING_CODES), data and validity offsets. */
  private kColumn!: Int32Array;
  private kEncoding!: Int32Array;
  private kData!: Int32Array;
  private kValidity!: Int32Array;
  /** Per column: long strings of the batch in the dictionary, in the heap; the dictionary's strings new in it. */
  private dictionaryRows!: Int32Array;
  private heapRows!: Int32Array;
  private fresh_: string[][] = [];
  private firstIds!: Int32Array;
  /** Per column: the last long string looked up in its dictionary, and its number (a value that repeats row after row). */
  private lastLong: Array<string | null> = [];
  private lastId!: Int32Array;
  /** Per string column, the part's dictionary of long strings (null: too many distinct ones). */
  private dictionaries: Array<Map<string, number> | null> = [];
  /** Rows in the current batch, and in the part before it. */
  private n = 0;
  private first = 0;
  private readonly days = new Map<string, number>();
  /** `from` and `to` of a row given without bytes (`row`): no value is its bytes. */
  private noSpans = new Int32Array(0);
  /**
   * The text 'YYYY-MM-DD HH:MM:SS' of datetimes given as numbers (putEpochSeconds), as char codes, in a table
   * indexed by the day number's low bits: tsDays[k] is the day whose date is at tsCodes[19k, 19k + 10), the time
   * after it written there for each value.
   */
  private readonly tsDays = new Int32Array(TS_DAY_SLOTS).fill(NO_DAY);
  private readonly tsCodes = new Int32Array(TS_DAY_SLOTS * 19);
  private heap!: ArrayBufferLike;
  private heapU8!: Uint8Array;
  private heapBytes = 0;
  /** The heap's size for the next batch: what the last one needed, so that a part's batches rarely grow it. */
  private heapSize = HEAP_MIN;
  private static readonly encoder = new TextEncoder();
  private static readonly scratch = new Uint8Array(12 * 3);

  constructor(
    private readonly send: (message: PartMessage, transfer?: ArrayBuffer[]) => void,
    private readonly id: () => PartId,
    private readonly buffers: Buffers = NEW_BUFFERS,
  ) {}

  /** The number of the part begun, or null before `begin`. */
  get partNumber(): number | null {
    return this.part < 0 ? null : this.part;
  }

  begin(table: string, source: Source, columns: readonly ColumnDef[]): void {
    const id = this.id();
    this.part = id.part;
    this.columns = columns.length;
    this.layout = batchLayout(columns.map((c) => ENCODINGS[c.type]), BATCH_ROWS);
    ({ order: this.order, names: this.names, seed: this.seed } = digestPlan(table, columns.map((c) => c.name)));
    const L = this.layout;
    this.kColumn = Int32Array.from(this.order);
    this.kEncoding = Int32Array.from(this.order, (c) => ENCODING_CODES[L.encodings[c]]);
    this.kData = Int32Array.from(this.order, (c) => L.data[c]);
    this.kValidity = Int32Array.from(this.order, (c) => L.validity[c]);
    this.dictionaries = columns.map((c) => (ENCODINGS[c.type] === 'str' ? new Map() : null));
    this.dictionaryRows = new Int32Array(columns.length);
    this.heapRows = new Int32Array(columns.length);
    this.firstIds = new Int32Array(columns.length);
    this.lastLong = columns.map(() => null);
    this.lastId = new Int32Array(columns.length);
    this.noSpans = new Int32Array(columns.length).fill(-1);
    this.first = 0;
    this.send({ type: 'begin', part: id.part, file: id.file, order: id.order, table, source, columns: columns.map((c) => ({ name: c.name, type: c.type })) });
    this.fresh();
  }

  private fresh(): void {
    this.buffer = this.buffers.image(this.layout.bytes);
    this.u8 = new Uint8Array(this.buffer);
    this.u32 = new Uint32Array(this.buffer);
    this.i32 = new Int32Array(this.buffer);
    this.view = new DataView(this.buffer);
    this.nulls = new Array<boolean>(this.columns).fill(false);
    // Every row valid until a null says otherwise: one fill a batch, not a read and write of a byte a value.
    if (this.columns > 0) this.u8.fill(0xff, this.layout.validity[0], this.layout.lines);
    this.dictionaryRows.fill(0);
    this.heapRows.fill(0);
    this.fresh_ = this.layout.encodings.map(() => []);
    this.dictionaries.forEach((d, c) => (this.firstIds[c] = d?.size ?? 0));
    this.heap = this.buffers.heap(this.heapSize);
    this.heapU8 = new Uint8Array(this.heap);
    this.heapBytes = 0;
    this.n = 0;
  }

  /**
   * Writes the row into the batch and its digest (row-hash.ts's, the same number as RowDigester gives) along:
   * columns in the digest's order, each string read once to be both encoded and digested (digesting apart
   * read every character a second time, a quarter of a loading worker's time).
   */
  row(values: readonly Value[], line: number): void {
    this.write(values, line, NO_BYTES, this.noSpans, this.noSpans);
  }

  /**
   * `row`, with the record's bytes (RowSink.rowBytes): a string value that is its field's bytes as they are is
   * copied from them and digested as it is decoded, not read back from the string and encoded again.
   */
  rowBytes(values: readonly Value[], line: number, buf: Uint8Array, from: Int32Array, to: Int32Array): void {
    this.write(values, line, buf, from, to);
  }

  private write(values: readonly Value[], line: number, buf: Uint8Array, from: Int32Array, to: Int32Array): void {
    const i = this.n;
    const L = this.layout;
    const columns = this.kColumn;
    const encodings = this.kEncoding;
    const data = this.kData;
    const names = this.names;
    lane1 = DIGEST_START1 ^ this.seed;
    lane2 = DIGEST_START2 ^ this.seed;
    for (let k = 0; k < columns.length; k++) {
      const c = columns[k];
      const v = values[c];
      if (v === null || v === undefined) {
        this.nulls[c] = true;
        this.u8[this.kValidity[k] + (i >> 3)] &= ~(1 << (i & 7));
        continue;
      }
      mixCode(names[k]);
      const at = data[k];
      switch (encodings[k]) {
        case STR: {
          mixCode(TEXT_TAG);
          const f = from[c];
          if (f >= 0) this.putBytes(c, at + 16 * i, buf, f, to[c], v as string);
          else this.putString(c, at + 16 * i, v as string);
          break;
        }
        case I64:
          mixNumber(v as number);
          this.putInt64(at + 8 * i, v as number);
          break;
        case DATE:
          mixCode(TEXT_TAG);
          if (from[c] >= 0) {
            this.i32[(at >> 2) + i] = dayOfBytes(buf, from[c]);
          } else {
            hashText(v as string);
            this.i32[(at >> 2) + i] = this.dayOf(v as string);
          }
          break;
        default:
          mixCode(TEXT_TAG);
          if (typeof v === 'number') {
            this.putEpochSeconds(at + 8 * i, v);
          } else {
            hashText(v as string);
            this.putTimestamp(at + 8 * i, v as string);
          }
          break;
      }
    }
    this.i32[(L.lines >> 2) + i] = line;
    this.putInt64(L.digests + 8 * i, digestOf(lane1, lane2));
    if (++this.n === L.capacity) this.flush();
  }

  end(): void {
    if (this.n > 0) this.flush();
    this.giveBack();
    this.send({ type: 'end', part: this.part, rows: this.first });
  }

  discard(): void {
    this.giveBack();
    this.send({ type: 'discard', part: this.part });
  }

  /** Gives back the buffers begun for a next batch that will not come. */
  private giveBack(): void {
    if (this.buffer) this.buffers.unused?.();
    this.buffer = undefined!;
  }

  private flush(): void {
    const batch: Batch = {
      type: 'batch',
      part: this.part,
      first: this.first,
      rows: this.n,
      capacity: this.layout.capacity,
      buffer: this.buffer,
      nulls: this.nulls,
      long: this.layout.encodings.map((e, c) =>
        e === 'str' ? { dictionaryRows: this.dictionaryRows[c], heapRows: this.heapRows[c], first: this.firstIds[c], fresh: this.fresh_[c] } : null,
      ),
      heap: this.heap,
      heapBytes: this.heapBytes,
    };
    const slot = this.buffers.slot;
    if (slot !== undefined) batch.slot = slot;
    this.first += this.n;
    this.heapSize = Math.max(HEAP_MIN, this.heapBytes + (this.heapBytes >> 3));
    // A shared slot's buffers are not transferred (they stay where they are, in both threads).
    this.send(batch, slot === undefined ? [this.buffer as ArrayBuffer, this.heap as ArrayBuffer] : undefined);
    this.fresh();
  }

  /** A string of up to 12 UTF-8 bytes inline (DuckDB's string_t); a longer one on the side. */
  private putString(c: number, at: number, s: string): void {
    const n = s.length;
    if (n <= 12) {
      const w = utf8Into(s, n, this.u8, at + 4, 12);
      if (w >= 0) {
        this.u32[at >> 2] = w;
        return;
      }
      hashText(s, n);
      if (w === SURROGATE) {
        // Left to the encoder (a lone surrogate becomes U+FFFD, as DuckDB's own conversion of a string does).
        const scratch = BatchWriter.scratch;
        const r = BatchWriter.encoder.encodeInto(s, scratch);
        if (r.written <= 12) {
          this.u8.set(scratch.subarray(0, r.written), at + 4);
          this.u32[at >> 2] = r.written;
          return;
        }
      }
      // What utf8Into wrote of it: four words, not a fill (a call that cost more than the rest of the string).
      const w0 = at >> 2;
      this.u32[w0 + 1] = 0;
      this.u32[w0 + 2] = 0;
      this.u32[w0 + 3] = 0;
      this.putLong(c, at, s, n, false);
      return;
    }
    this.putLong(c, at, s, n, true);
  }

  /**
   * The string `s` whose UTF-8 bytes are buf[from, to), as putString writes it: copied from the bytes, and
   * digested as they are decoded. A column with a dictionary of long strings looks them up by the string.
   */
  private putBytes(c: number, at: number, buf: Uint8Array, from: number, to: number, s: string): void {
    const bytes = to - from;
    if (bytes <= 12) {
      copyDigesting(buf, from, to, this.u8, at + 4);
      this.u32[at >> 2] = bytes;
      return;
    }
    if (this.dictionaries[c]) {
      this.putLong(c, at, s, s.length, true);
      return;
    }
    this.heapRows[c]++;
    this.room(bytes);
    const start = this.heapBytes;
    copyDigesting(buf, from, to, this.heapU8, start);
    this.heapBytes = start + bytes;
    this.heapRef(at, start, bytes);
  }

  /** A string of more than 12 bytes: its number in the column's dictionary, or into the heap; `digest`: not yet digested. */
  private putLong(c: number, at: number, s: string, n: number, digest: boolean): void {
    const dictionary = this.dictionaries[c];
    if (dictionary) {
      let id: number;
      if (s === this.lastLong[c]) {
        id = this.lastId[c];
      } else {
        let found = dictionary.get(s);
        if (found === undefined) {
          found = dictionary.size;
          dictionary.set(s, found);
          this.fresh_[c].push(s);
        }
        id = found;
        this.lastLong[c] = s;
        this.lastId[c] = id;
      }
      this.u32[at >> 2] = DICTIONARY_MARK;
      this.u32[(at >> 2) + 1] = id;
      this.dictionaryRows[c]++;
      if (dictionary.size > DICTIONARY_SIZE) {
        this.dictionaries[c] = null;
        this.lastLong[c] = null;
      }
      if (digest) hashText(s, n);
      return;
    }
    this.heapRows[c]++;
    this.putHeap(at, s, n, digest);
  }

  /** A long string's UTF-8 bytes into the heap, and its string_t into the image: length, prefix, heap offset. */
  private putHeap(at: number, s: string, n: number, digest: boolean): void {
    // Room for the worst case: three bytes per UTF-16 unit.
    this.room(3 * n);
    const heap = this.heapU8;
    const from = this.heapBytes;
    let bytes = digest ? utf8Into(s, n, heap, from, heap.length - from) : utf8Only(s, n, heap, from);
    if (bytes < 0) {
      if (digest) hashText(s, n);
      bytes = BatchWriter.encoder.encodeInto(s, heap.subarray(from)).written;
    }
    this.heapBytes = from + bytes;
    this.heapRef(at, from, bytes);
  }

  /** Makes room in the heap for `bytes` more bytes. */
  private room(bytes: number): void {
    if (this.heapBytes + bytes <= this.heap.byteLength) return;
    const bigger = this.buffers.heap(Math.max(2 * this.heap.byteLength, this.heapBytes + bytes));
    const u8 = new Uint8Array(bigger);
    u8.set(this.heapU8.subarray(0, this.heapBytes));
    this.heap = bigger;
    this.heapU8 = u8;
  }

  /** The string_t at `at` of a long string of `bytes` bytes at `from` in the heap: length, prefix, heap offset. */
  private heapRef(at: number, from: number, bytes: number): void {
    const heap = this.heapU8;
    const u8 = this.u8;
    this.u32[at >> 2] = bytes;
    u8[at + 4] = heap[from];
    u8[at + 5] = heap[from + 1];
    u8[at + 6] = heap[from + 2];
    u8[at + 7] = heap[from + 3];
    this.u32[(at >> 2) + 2] = from;
    this.u32[(at >> 2) + 3] = 0;
  }

  /** A safe integer as little-endian two's-complement int64. */
  private putInt64(at: number, v: number): void {
    const hi = Math.floor(v / TWO_32);
    this.u32[at >> 2] = v - hi * TWO_32;
    this.u32[(at >> 2) + 1] = hi;
  }

  /** Days since 1970-01-01 of a 'YYYY-MM-DD' date (each distinct date worked out once). */
  private dayOf(s: string): number {
    let d = this.days.get(s);
    if (d === undefined) {
      d = dayNumber({ y: digits(s, 0, 4), m: digits(s, 5, 2), d: digits(s, 8, 2) });
      if (this.days.size < 100_000) this.days.set(s, d);
    }
    return d;
  }

  /**
   * A canonical datetime given as its seconds since 1970-01-01 00:00:00 (RowSink.epochDatetimes): digested as
   * its text 'YYYY-MM-DD HH:MM:SS' would be, written as microseconds, as putTimestamp does with the text.
   */
  private putEpochSeconds(at: number, seconds: number): void {
    const day = Math.floor(seconds / 86400);
    const tod = seconds - day * 86400;
    const k = day & (TS_DAY_SLOTS - 1);
    const codes = this.tsCodes;
    const o = 19 * k;
    if (this.tsDays[k] !== day) {
      const { y, m, d } = dayFromNumber(day);
      this.tsDays[k] = day;
      codes[o] = 48 + Math.floor(y / 1000);
      codes[o + 1] = 48 + (Math.floor(y / 100) % 10);
      codes[o + 2] = 48 + (Math.floor(y / 10) % 10);
      codes[o + 3] = 48 + (y % 10);
      codes[o + 4] = 45;
      codes[o + 5] = 48 + Math.floor(m / 10);
      codes[o + 6] = 48 + (m % 10);
      codes[o + 7] = 45;
      codes[o + 8] = 48 + Math.floor(d / 10);
      codes[o + 9] = 48 + (d % 10);
      codes[o + 10] = 32;
      codes[o + 13] = 58;
      codes[o + 16] = 58;
    }
    const h = Math.floor(tod / 3600);
    const mi = Math.floor(tod / 60) % 60;
    const sec = tod % 60;
    codes[o + 11] = 48 + Math.floor(h / 10);
    codes[o + 12] = 48 + (h % 10);
    codes[o + 14] = 48 + Math.floor(mi / 10);
    codes[o + 15] = 48 + (mi % 10);
    codes[o + 17] = 48 + Math.floor(sec / 10);
    codes[o + 18] = 48 + (sec % 10);
    hashCodes(codes, o, o + 19);
    const micros = seconds * MICROS_PER_SECOND;
    if (Number.isSafeInteger(micros)) this.putInt64(at, micros);
    else this.view.setBigInt64(at, BigInt(seconds) * BigInt(MICROS_PER_SECOND), true);
  }

  /** Microseconds since 1970-01-01 00:00:00 of a 'YYYY-MM-DD HH:MM:SS' datetime. */
  private putTimestamp(at: number, s: string): void {
    const day = dayNumber({ y: digits(s, 0, 4), m: digits(s, 5, 2), d: digits(s, 8, 2) });
    const seconds = day * 86400 + digits(s, 11, 2) * 3600 + digits(s, 14, 2) * 60 + digits(s, 17, 2);
    const micros = seconds * MICROS_PER_SECOND;
    if (Number.isSafeInteger(micros)) this.putInt64(at, micros);
    // Years before 1685 or after 2254 (a typo, kept as typed): exact in 64 bits, not in a double.
    else this.view.setBigInt64(at, BigInt(seconds) * BigInt(MICROS_PER_SECOND), true);
  }
}

/**
 * The row digest's two lanes (row-hash.ts) while a row is written: module state, so that the functions that
 * read a string for the batch digest it in the same pass, in locals, and leave the lanes here.
 */
let lane1 = 0;
let lane2 = 0;

function mixCode(code: number): void {
  lane1 = Math.imul(lane1 ^ code, LANE1);
  lane2 = Math.imul(lane2 ^ code, LANE2);
}

/** A number, as row-hash.ts's mix: an integer as two 26-bit halves, another number as its text. */
function mixNumber(v: number): void {
  if (Number.isSafeInteger(v)) {
    mixCode(INT_TAG);
    mixCode(v % 67108864);
    mixCode(Math.floor(v / 67108864));
  } else {
    mixCode(NUMBER_TAG);
    hashText(String(v));
  }
}

/**
 * String.prototype.charCodeAt, called as `charCodeAt.call(s, k)` on the values of a row, never as
 * `s.charCodeAt(k)`: a row's strings come in many of V8's string shapes (one- and two-byte, internalized,
 * sliced, cons), so a call site that reads them sees more shapes than its inline cache keeps, and looked up
 * the method `charCodeAt` in V8's megamorphic cache at every character (and `s.length` in a loop's test):
 * 8-13 ns a character instead of 2-3, 13% of a loading worker's CPU (about half its batch writing). Through
 * `.call` the callee is one known function (no lookup on the string); each string's length is read once.
 */
const charCodeAt = String.prototype.charCodeAt;

/** Digests a text (its marker, then its `n` UTF-16 units) into the lanes. */
function hashText(s: string, n = s.length): void {
  let h1 = Math.imul(lane1 ^ TEXT_START, LANE1);
  let h2 = Math.imul(lane2 ^ TEXT_START, LANE2);
  for (let k = 0; k < n; k++) {
    const ch = charCodeAt.call(s, k);
    h1 = Math.imul(h1 ^ ch, LANE1);
    h2 = Math.imul(h2 ^ ch, LANE2);
  }
  lane1 = h1;
  lane2 = h2;
}

/** hashText of the text whose UTF-16 units are codes[from, to) (ASCII bytes, or char codes). */
function hashCodes(codes: Uint8Array | Int32Array, from: number, to: number): void {
  let h1 = Math.imul(lane1 ^ TEXT_START, LANE1);
  let h2 = Math.imul(lane2 ^ TEXT_START, LANE2);
  for (let k = from; k < to; k++) {
    h1 = Math.imul(h1 ^ codes[k], LANE1);
    h2 = Math.imul(h2 ^ codes[k], LANE2);
  }
  lane1 = h1;
  lane2 = h2;
}

/** utf8Into's answer for a string holding a surrogate (a character past U+FFFF, or a lone one): left to the TextEncoder. */
const SURROGATE = -2;

/**
 * The UTF-8 bytes of `s` (of `n` UTF-16 units) into u8 from `at`, at most `room` of them, digested (hashText) in the same pass:
 * their count, or -1 when they do not fit, or SURROGATE — then nothing was digested. In JS rather than by a
 * TextEncoder: a call to it costs more than encoding a name of a few characters (two such a payout row).
 */
function utf8Into(s: string, n: number, u8: Uint8Array, at: number, room: number): number {
  let h1 = Math.imul(lane1 ^ TEXT_START, LANE1);
  let h2 = Math.imul(lane2 ^ TEXT_START, LANE2);
  let p = at;
  const end = at + room;
  for (let k = 0; k < n; k++) {
    const ch = charCodeAt.call(s, k);
    h1 = Math.imul(h1 ^ ch, LANE1);
    h2 = Math.imul(h2 ^ ch, LANE2);
    if (ch < 0x80) {
      if (p >= end) return -1;
      u8[p++] = ch;
    } else if (ch < 0x800) {
      if (p + 2 > end) return -1;
      u8[p++] = 0xc0 | (ch >> 6);
      u8[p++] = 0x80 | (ch & 0x3f);
    } else if (ch < 0xd800 || ch > 0xdfff) {
      if (p + 3 > end) return -1;
      u8[p++] = 0xe0 | (ch >> 12);
      u8[p++] = 0x80 | ((ch >> 6) & 0x3f);
      u8[p++] = 0x80 | (ch & 0x3f);
    } else {
      return SURROGATE;
    }
  }
  lane1 = h1;
  lane2 = h2;
  return p - at;
}

/**
 * Copies the valid UTF-8 bytes src[from, to) to dst from `at`, digesting (hashText) the UTF-16 units they decode
 * to in the same pass: a character past U+FFFF as its two surrogates, as a string holds it.
 */
function copyDigesting(src: Uint8Array, from: number, to: number, dst: Uint8Array, at: number): void {
  let h1 = Math.imul(lane1 ^ TEXT_START, LANE1);
  let h2 = Math.imul(lane2 ^ TEXT_START, LANE2);
  let p = at;
  let i = from;
  while (i < to) {
    const b = src[i];
    dst[p++] = b;
    let ch: number;
    if (b < 0x80) {
      ch = b;
      i++;
    } else if (b < 0xe0) {
      const b1 = src[i + 1];
      dst[p++] = b1;
      ch = ((b & 0x1f) << 6) | (b1 & 0x3f);
      i += 2;
    } else if (b < 0xf0) {
      const b1 = src[i + 1];
      const b2 = src[i + 2];
      dst[p++] = b1;
      dst[p++] = b2;
      ch = ((b & 0x0f) << 12) | ((b1 & 0x3f) << 6) | (b2 & 0x3f);
      i += 3;
    } else {
      const b1 = src[i + 1];
      const b2 = src[i + 2];
      const b3 = src[i + 3];
      dst[p++] = b1;
      dst[p++] = b2;
      dst[p++] = b3;
      const cp = (((b & 0x07) << 18) | ((b1 & 0x3f) << 12) | ((b2 & 0x3f) << 6) | (b3 & 0x3f)) - 0x10000;
      const high = 0xd800 | (cp >> 10);
      h1 = Math.imul(h1 ^ high, LANE1);
      h2 = Math.imul(h2 ^ high, LANE2);
      ch = 0xdc00 | (cp & 0x3ff);
      i += 4;
    }
    h1 = Math.imul(h1 ^ ch, LANE1);
    h2 = Math.imul(h2 ^ ch, LANE2);
  }
  lane1 = h1;
  lane2 = h2;
}

/**
 * Days since 1970-01-01 of the date 'YYYY-MM-DD' whose ASCII bytes are buf[at, at + 10) (a date value that is
 * its bytes), digested as its text in the same pass.
 */
function dayOfBytes(buf: Uint8Array, at: number): number {
  hashCodes(buf, at, at + 10);
  const y = (buf[at] - 48) * 1000 + (buf[at + 1] - 48) * 100 + (buf[at + 2] - 48) * 10 + (buf[at + 3] - 48);
  return epochDay(y, (buf[at + 5] - 48) * 10 + (buf[at + 6] - 48), (buf[at + 8] - 48) * 10 + (buf[at + 9] - 48));
}

/** utf8Into without digesting (the string was digested already), into a heap with room for it: the count, or SURROGATE. */
function utf8Only(s: string, n: number, u8: Uint8Array, at: number): number {
  let p = at;
  for (let k = 0; k < n; k++) {
    const ch = charCodeAt.call(s, k);
    if (ch < 0x80) {
      u8[p++] = ch;
    } else if (ch < 0x800) {
      u8[p++] = 0xc0 | (ch >> 6);
      u8[p++] = 0x80 | (ch & 0x3f);
    } else if (ch < 0xd800 || ch > 0xdfff) {
      u8[p++] = 0xe0 | (ch >> 12);
      u8[p++] = 0x80 | ((ch >> 6) & 0x3f);
      u8[p++] = 0x80 | (ch & 0x3f);
    } else {
      return SURROGATE;
    }
  }
  return p - at;
}

function digits(s: string, at: number, count: number): number {
  let v = 0;
  for (let k = 0; k < count; k++) v = v * 10 + (charCodeAt.call(s, at + k) - 48);
  return v;
}
