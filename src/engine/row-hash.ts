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
  /** Seed from the table name and column names: the same values under other names digest differently. */
  seed: number;
}

const layouts = new WeakMap<LoadedTable, Layout>();

function layout(table: LoadedTable): Layout {
  let l = layouts.get(table);
  if (!l) {
    const names = Object.keys(table.columns).sort();
    const h = new Digest(0);
    h.text(table.name);
    for (const n of names) h.text(n);
    l = { columns: names.map((n) => table.columns[n]), seed: h.value() };
    layouts.set(table, l);
  }
  return l;
}

class Digest {
  private h1: number;
  private h2: number;
  constructor(seed: number) {
    this.h1 = 0xdeadbeef ^ seed;
    this.h2 = 0x41c6ce57 ^ seed;
  }
  code(ch: number): void {
    this.h1 = Math.imul(this.h1 ^ ch, 2654435761);
    this.h2 = Math.imul(this.h2 ^ ch, 1597334677);
  }
  text(s: string): void {
    this.code(0x1f);
    for (let i = 0; i < s.length; i++) this.code(s.charCodeAt(i));
  }
  value(): number {
    let h1 = Math.imul(this.h1 ^ (this.h1 >>> 16), 2246822507);
    h1 ^= Math.imul(this.h2 ^ (this.h2 >>> 13), 3266489909);
    let h2 = Math.imul(this.h2 ^ (this.h2 >>> 16), 2246822507);
    h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
    return 4294967296 * (2097151 & h2) + (h1 >>> 0);
  }
}

/** Digest of row `index` of `table`: its canonical values, typed so that the number 1 and the text '1' differ. */
export function rowHash(table: LoadedTable, index: number): number {
  const { columns, seed } = layout(table);
  const h = new Digest(seed);
  for (const col of columns) {
    const v = col[index];
    if (v === null || v === undefined) h.code(0x10000);
    else if (typeof v === 'number' && Number.isSafeInteger(v)) {
      // Integers (fen, counts) mix in as two 26-bit halves, no string needed.
      h.code(0x10001);
      h.code(v % 67108864);
      h.code(Math.floor(v / 67108864));
    } else {
      h.code(typeof v === 'number' ? 0x10002 : 0x10003);
      h.text(String(v));
    }
  }
  return h.value();
}
