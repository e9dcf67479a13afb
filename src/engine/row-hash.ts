/**
 * A fast 53-bit digest of a source row's canonical values (after cyrb53,
 * public domain, by bryc), for fingerprints. A finding may rest on a million
 * rows (a digit test per operator); digesting each row's values in place,
 * without building strings, and sorting the numbers keeps its fingerprint
 * independent of row order at a small cost.
 */
import type { LoadedTable } from '../data/model.js';

interface Layout {
  /** Columns sorted by name, so that a file's column order does not matter. */
  columns: ArrayLike<unknown>[];
  /** A digest of each column's name, mixed in before its value: the same values under other names digest differently. */
  names: number[];
  /** Seed from the table name. */
  seed: number;
}

const layouts = new WeakMap<LoadedTable, Layout>();

function textDigest(s: string): number {
  const h = new Digest(0);
  h.text(s);
  return h.value();
}

function layout(table: LoadedTable): Layout {
  let l = layouts.get(table);
  if (!l) {
    const names = Object.keys(table.columns).sort();
    l = { columns: names.map((n) => table.columns[n]), names: names.map((n) => textDigest(n) >>> 0), seed: textDigest(table.name) };
    layouts.set(table, l);
  }
  return l;
}

class Digest {
  private h1: number;
  private h2: number;
  constructor(seed: number) {
    this.h1 = DIGEST_START1 ^ seed;
    this.h2 = DIGEST_START2 ^ seed;
  }
  code(ch: number): void {
    this.h1 = Math.imul(this.h1 ^ ch, LANE1);
    this.h2 = Math.imul(this.h2 ^ ch, LANE2);
  }
  text(s: string): void {
    // The two lanes in locals, not fields, through the loop: each code then waits on the last one's multiply
    // alone, not on a store and a load too (a row's digest took a loading worker a sixth of its time).
    let h1 = Math.imul(this.h1 ^ TEXT_START, LANE1);
    let h2 = Math.imul(this.h2 ^ TEXT_START, LANE2);
    for (let i = 0; i < s.length; i++) {
      const ch = s.charCodeAt(i);
      h1 = Math.imul(h1 ^ ch, LANE1);
      h2 = Math.imul(h2 ^ ch, LANE2);
    }
    this.h1 = h1;
    this.h2 = h2;
  }
  value(): number {
    return digestOf(this.h1, this.h2);
  }
}

/**
 * Digest of row `index` of `table`: its canonical non-null values with their
 * column names, typed so that the number 1 and the text '1' differ. Nulls are
 * left out, so that a column the row's file lacks digests like one it has
 * blank: the loader gives a file without a column nulls when another file of
 * the same table has it, and that must not change the row's fingerprint.
 */
export function rowHash(table: LoadedTable, index: number): number {
  const { columns, names, seed } = layout(table);
  const h = new Digest(seed);
  for (let c = 0; c < columns.length; c++) mix(h, names[c], columns[c][index]);
  return h.value();
}

/**
 * The same digest as rowHash for rows handed over one at a time as value
 * arrays (a loader's sink): `values[k]` is the value of column `names[k]` of
 * table `table`. A row digests alike whichever way it is held.
 */
export class RowDigester {
  /** Positions in `values`, in the order of the column names sorted. */
  private readonly order: number[];
  private readonly names: number[];
  private readonly seed: number;

  constructor(table: string, names: readonly string[]) {
    ({ order: this.order, names: this.names, seed: this.seed } = digestPlan(table, names));
  }

  digest(values: ArrayLike<unknown>): number {
    const h = new Digest(this.seed);
    for (let c = 0; c < this.order.length; c++) mix(h, this.names[c], values[this.order[c]]);
    return h.value();
  }
}

/**
 * What RowDigester works from, for a sink that digests rows along with other work (the DuckDB batch writer
 * reads each string once, to encode and digest it): the positions of the columns in the order they are mixed
 * in (by name), the digests of their names in that order, and the table's seed. Such a sink mixes in, per
 * non-null value in that order, the name's digest, then as `mix` does; it starts the lanes at DIGEST_START1/2
 * ^ seed, multiplies lane 1 by LANE1 and lane 2 by LANE2 after each xor, and ends with digestOf(h1, h2).
 */
export function digestPlan(table: string, names: readonly string[]): { order: number[]; names: number[]; seed: number } {
  const order = names.map((_, k) => k).sort((a, b) => (names[a] < names[b] ? -1 : names[a] > names[b] ? 1 : 0));
  return { order, names: order.map((k) => textDigest(names[k]) >>> 0), seed: textDigest(table) };
}

export const DIGEST_START1 = 0xdeadbeef;
export const DIGEST_START2 = 0x41c6ce57;
export const LANE1 = 2654435761;
export const LANE2 = 1597334677;
/** Type tags: an integer (two 26-bit halves follow), another number, a text (then TEXT_START and its UTF-16 units). */
export const INT_TAG = 0x10001;
export const NUMBER_TAG = 0x10002;
export const TEXT_TAG = 0x10003;
export const TEXT_START = 0x1f;

/** The digest of the two lanes as they end: 53 bits of both, mixed (cyrb53's finish). */
export function digestOf(a: number, b: number): number {
  let h1 = Math.imul(a ^ (a >>> 16), 2246822507);
  h1 ^= Math.imul(b ^ (b >>> 13), 3266489909);
  let h2 = Math.imul(b ^ (b >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/** Mixes one column's value (after its name's digest) into `h`; nulls leave no trace. */
function mix(h: Digest, name: number, v: unknown): void {
  if (v === null || v === undefined) return;
  h.code(name);
  if (typeof v === 'number' && Number.isSafeInteger(v)) {
    // Integers (fen, counts) mix in as two 26-bit halves, no string needed.
    h.code(INT_TAG);
    h.code(v % 67108864);
    h.code(Math.floor(v / 67108864));
  } else {
    h.code(typeof v === 'number' ? NUMBER_TAG : TEXT_TAG);
    h.text(String(v));
  }
}
