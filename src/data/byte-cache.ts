/**
 * A hash table keyed by byte ranges of the input, so that a repeated raw value
 * (an identity number, a name, a code) is found without creating a string for
 * it: hashing and comparing a few bytes is much cheaper than allocating a
 * string, hashing it again inside a Map and collecting it afterwards.
 *
 * Laid out for the memory system: a slot holds the key's hash, entry number,
 * offset and length side by side, so that a probe touches one cache line, and
 * the key bytes live in one arena.
 */
/** An entry's ints in ByteCache.entries: how many, and which is which. */
const ENTRY = 4;
const START = 0;
const LENGTH = 1;
const NEXT = 2;
const MARK = 3;

export class ByteCache<V> {
  /** Four ints per slot: hash, entry + 1 (0: empty), arena offset, length. */
  private table: Int32Array;
  private mask: number;
  private arena: Uint8Array;
  private arenaView: DataView;
  private used = 0;
  /** The value of each entry, by entry number. */
  readonly values: V[] = [];
  size = 0;
  /**
   * Four ints per entry, side by side (one cache line for what a lookup reads of an entry, where separate
   * arrays took one each): its key's offset in the arena, its length, the entry found after it the last time
   * it was found, or -1, and the mark it was added with (see `mark`). Exports list their rows in an order that repeats (every person once a month, in the same
   * order; each person's bank, account and name along), so the entry after the last one found is usually the
   * next one: checking it costs a comparison of bytes laid out in the order they were added, instead of a hash
   * and a probe at a random place in a table of megabytes (most of the time a typing thread spent per value
   * was waiting on that probe).
   */
  private entries: Int32Array;

  constructor(capacity = 1024) {
    let n = 16;
    while (n < capacity * 2) n <<= 1;
    this.table = new Int32Array(n * 4);
    this.mask = n - 1;
    this.arena = new Uint8Array(capacity * 16);
    this.arenaView = new DataView(this.arena.buffer);
    this.entries = new Int32Array(capacity * ENTRY);
  }

  /**
   * The entry found after entry `last` the last time, if it is buf[s, e) (`view` over `buf`); else -1.
   * `last` < 0: none.
   */
  guess(last: number, view: DataView, buf: Uint8Array, s: number, e: number): number {
    return last < 0 ? -1 : this.is(this.entries[last * ENTRY + NEXT], view, buf, s, e);
  }

  /** `k` if entry `k` is buf[s, e) (`view` over `buf`), else -1 (also for `k` < 0: no entry). */
  is(k: number, view: DataView, buf: Uint8Array, s: number, e: number): number {
    const entries = this.entries;
    if (k < 0 || entries[k * ENTRY + LENGTH] !== e - s || !this.same(view, buf, s, e, entries[k * ENTRY + START])) return -1;
    return k;
  }

  /** Records that entry `k` was found (or added) after entry `last` (< 0: none). */
  follow(last: number, k: number): void {
    if (last >= 0) this.entries[last * ENTRY + NEXT] = k;
  }

  /**
   * A 32-bit hash of buf[s, e); `view` is a DataView over `buf`. Four bytes a
   * step through the view: about half the cost of byte-wise FNV on an 18-digit id.
   */
  static hash(view: DataView, buf: Uint8Array, s: number, e: number): number {
    let h = (e - s) | 0;
    let i = s;
    for (; i + 4 <= e; i += 4) {
      h = Math.imul(h ^ view.getInt32(i, true), 0x9e3779b1);
      h ^= h >>> 15;
    }
    for (; i < e; i++) h = Math.imul(h ^ buf[i], 0x01000193);
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
    return h ^ (h >>> 13);
  }

  /** Entry number of buf[s, e) (`view` over `buf`) with hash `h`, or -1. */
  find(view: DataView, buf: Uint8Array, s: number, e: number, h: number): number {
    const len = e - s;
    const t = this.table;
    const mask = this.mask;
    let i = h & mask;
    for (;;) {
      const o = i << 2;
      const k1 = t[o + 1];
      if (k1 === 0) return -1;
      if (t[o] === h && t[o + 3] === len && this.same(view, buf, s, e, t[o + 2])) return k1 - 1;
      i = (i + 1) & mask;
    }
  }

  private same(view: DataView, buf: Uint8Array, s: number, e: number, p: number): boolean {
    const av = this.arenaView;
    let j = s;
    for (; j + 4 <= e; j += 4, p += 4) if (av.getInt32(p, true) !== view.getInt32(j, true)) return false;
    const arena = this.arena;
    for (; j < e; j++, p++) if (arena[p] !== buf[j]) return false;
    return true;
  }

  /** Is buf[s, e) entry `k`'s key counted up by one (its trailing decimal digits: ZF2023011000009 → ZF2023011000010)? */
  countsOn(k: number, buf: Uint8Array, s: number, e: number): boolean {
    const len = e - s;
    if (this.entries[k * ENTRY + LENGTH] !== len) return false;
    const p = this.entries[k * ENTRY + START];
    const arena = this.arena;
    let i = len - 1;
    while (i >= 0 && arena[p + i] === 57 && buf[s + i] === 48) i--;
    if (i < 0 || arena[p + i] < 48 || arena[p + i] > 56 || buf[s + i] !== arena[p + i] + 1) return false;
    for (let j = 0; j < i; j++) if (arena[p + j] !== buf[s + j]) return false;
    return true;
  }

  /** The mark entry `k` was added with, or last set to: a fact about its value its user wants without reading the value. */
  mark(k: number): number {
    return this.entries[k * ENTRY + MARK];
  }

  setMark(k: number, mark: number): void {
    this.entries[k * ENTRY + MARK] = mark;
  }

  /** Adds buf[s, e) (not present) with hash `h`, its value and its mark (see `mark`). */
  add(buf: Uint8Array, s: number, e: number, h: number, value: V, mark = 0): void {
    if ((this.size + 1) * 2 > this.mask + 1) this.rehash();
    const len = e - s;
    if (this.used + len > this.arena.length) {
      const a = new Uint8Array(Math.max(this.arena.length * 2, this.used + len));
      a.set(this.arena.subarray(0, this.used));
      this.arena = a;
      this.arenaView = new DataView(a.buffer);
    }
    // A loop, not arena.set(buf.subarray(…)): keys are short, and a subarray is an object to allocate.
    const arena = this.arena;
    const start = this.used;
    for (let i = 0; i < len; i++) arena[start + i] = buf[s + i];
    this.used += len;
    this.values.push(value);
    if ((this.size + 1) * ENTRY > this.entries.length) {
      const entries = new Int32Array(this.entries.length * 2);
      entries.set(this.entries);
      this.entries = entries;
    }
    const o = this.size * ENTRY;
    this.entries[o + START] = start;
    this.entries[o + LENGTH] = len;
    this.entries[o + NEXT] = -1;
    this.entries[o + MARK] = mark;
    this.size++;
    this.place(this.table, this.mask, h, this.size, start, len);
  }

  private place(t: Int32Array, mask: number, h: number, k1: number, start: number, len: number): void {
    let i = h & mask;
    while (t[(i << 2) + 1] !== 0) i = (i + 1) & mask;
    const o = i << 2;
    t[o] = h;
    t[o + 1] = k1;
    t[o + 2] = start;
    t[o + 3] = len;
  }

  private rehash(): void {
    const old = this.table;
    const n = (this.mask + 1) * 2;
    const t = new Int32Array(n * 4);
    const mask = n - 1;
    for (let o = 0; o < old.length; o += 4) if (old[o + 1] !== 0) this.place(t, mask, old[o], old[o + 1], old[o + 2], old[o + 3]);
    this.table = t;
    this.mask = mask;
  }
}
