/**
 * Between DuckDB rules the heap's garbage is collected when it grew by much (engine/duckdb/heap.ts): the
 * garbage of one rule's findings would otherwise sit beside the next rule's DuckDB pool and make the peak.
 */
import { describe, expect, it } from 'vitest';
import { releaseHeap } from '../../../src/engine/duckdb/heap.js';

const MIB = 1 << 20;

/** Leaves about `mib` MiB of garbage in the heap (objects, as a rule's rows are). */
function garbage(mib: number): number {
  let kept: Array<{ row: number; line: number }> | null = [];
  for (let i = 0; i < (mib * MIB) / 40; i++) kept.push({ row: i, line: i + 1 });
  const n = kept.length;
  kept = null;
  return n;
}

describe('releaseHeap', () => {
  it('collects after the heap grew past the threshold, and not before', () => {
    releaseHeap(0);
    expect(releaseHeap(64 * MIB)).toBe(false);
    expect(garbage(160)).toBeGreaterThan(0);
    const before = process.memoryUsage().heapUsed;
    expect(releaseHeap(64 * MIB)).toBe(true);
    expect(before - process.memoryUsage().heapUsed).toBeGreaterThan(64 * MIB);
    // Nothing grew since: no second collection.
    expect(releaseHeap(64 * MIB)).toBe(false);
  });

  it('exposes no gc function to the program', () => {
    releaseHeap(0);
    expect((globalThis as { gc?: unknown }).gc).toBeUndefined();
  });
});
