/** The byte-keyed cache of the column typers (byte-cache.ts): what it finds, and what it tells of its keys. */
import { describe, expect, it } from 'vitest';
import { ByteCache } from '../../src/data/byte-cache.js';

const bytes = (s: string) => Buffer.from(s, 'utf8');

describe('ByteCache', () => {
  it('finds the values of the keys added, and tells a key that counts one up from an entry', () => {
    const cache = new ByteCache<string>(4);
    const keys = ['ZF0999', 'A9', '19', '099', 'x1', '朱飞', 'ZF1009'];
    for (const k of keys) {
      const b = bytes(k);
      const view = new DataView(b.buffer, b.byteOffset, b.length);
      const h = ByteCache.hash(view, b, 0, b.length);
      expect(cache.find(view, b, 0, b.length, h)).toBe(-1);
      cache.add(b, 0, b.length, h, k);
    }
    keys.forEach((k, e) => {
      const b = bytes(`,${k},`);
      const view = new DataView(b.buffer, b.byteOffset, b.length);
      expect(cache.values[cache.find(view, b, 1, b.length - 1, ByteCache.hash(view, b, 1, b.length - 1))]).toBe(k);
      expect(cache.is(e, view, b, 1, b.length - 1)).toBe(e);
    });
    const counts = (e: number, next: string) => cache.countsOn(e, bytes(next), 0, bytes(next).length);
    expect(counts(0, 'ZF1000')).toBe(true);
    expect(counts(0, 'ZF0998')).toBe(false);
    expect(counts(0, 'ZF01000')).toBe(false);
    expect(counts(0, 'ZG0999')).toBe(false);
    expect(counts(1, 'B0')).toBe(false);
    expect(counts(1, 'A10')).toBe(false);
    expect(counts(2, '20')).toBe(true);
    expect(counts(3, '100')).toBe(true);
    expect(counts(4, 'x3')).toBe(false);
    expect(counts(4, 'x2')).toBe(true);
    expect(counts(5, '朱飞')).toBe(false);
    expect(counts(6, 'ZF1010')).toBe(true);
    expect(counts(6, 'ZF1000')).toBe(false);
  });
});
