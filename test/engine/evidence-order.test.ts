/**
 * A finding's evidence rows in evidence order — by file (and sheet), line, then table; rows alike in all three in
 * the order the executor met them; each row once — whether the source answers one row at a time (the in-memory
 * dataset) or a table's rows at once (DuckDB's), and however many rows there are.
 */
import { describe, expect, it } from 'vitest';
import type { EvidenceRef, RowPlace, RowSource } from '../../src/engine/executor.js';
import { buildFindings, type BulkRowSource, type RowPlaces } from '../../src/engine/findings.js';
import { everyEvidenceRow, type Finding } from '../../src/engine/finding.js';
import { compiled, rule } from './helpers.js';

const dup = compiled(rule('DUP', { kind: 'duplicates', table: 'payouts', key: ['id_number', 'period'], amount: 'amount' }));

/** A deterministic pseudo-random sequence (mulberry32). */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PARTS: Array<{ file: string; sheet?: string }> = [{ file: 'b.csv' }, { file: 'a.csv' }, { file: 'book.xlsx', sheet: '2024' }, { file: 'book.xlsx', sheet: '2023' }, { file: 'a.csv' }];

/**
 * Places of rows of two tables: lines drawn from `lines` per part, so that with few lines distinct rows share a
 * place; or (lines 0) each row of a table on a line of its own.
 */
function placesFor(rows: number, lines: number, next: () => number): Map<string, RowPlace[]> {
  const out = new Map<string, RowPlace[]>();
  for (const table of ['payouts', 'persons']) {
    out.set(
      table,
      Array.from({ length: rows }, (_, r) => {
        const p = PARTS[Math.floor(next() * PARTS.length)];
        const line = lines === 0 ? 2 + ((r * 7919) % 100_003) : 2 + Math.floor(next() * lines);
        return p.sheet === undefined ? { file: p.file, line } : { file: p.file, sheet: p.sheet, line };
      }),
    );
  }
  return out;
}

function rowSource(places: Map<string, RowPlace[]>): RowSource {
  return { place: (t, r) => places.get(t)![r], values: (t, r) => ({ payout_id: `${t}${r}` }), digest: (t, r) => r * 7 + t.length };
}

/** The same rows, given a table's rows at once with their parts as indexes (parts of one file repeat, as a split file's do). */
function bulkSource(places: Map<string, RowPlace[]>): BulkRowSource {
  const one = rowSource(places);
  return {
    ...one,
    placesOf(table: string, rows: ArrayLike<number>): RowPlaces {
      const n = rows.length;
      const out = { parts: PARTS, part: new Int32Array(n), line: new Int32Array(n), digest: new Float64Array(n) };
      for (let k = 0; k < n; k++) {
        const p = places.get(table)![rows[k]];
        // The last part repeats the second (a.csv): rows of either are one file's.
        out.part[k] = PARTS.findIndex((x, i) => x.file === p.file && x.sheet === p.sheet && (i !== 1 || rows[k] % 2 === 0));
        out.line[k] = p.line;
        out.digest[k] = one.digest(table, rows[k]);
      }
      return out;
    },
  };
}

/** Evidence order as the rule states it, one row at a time: what either source must give. */
function expected(refs: EvidenceRef[], places: Map<string, RowPlace[]>): string[] {
  const seen = new Map<string, Set<number>>();
  const rows: Array<{ table: string; place: RowPlace }> = [];
  for (const { table, rows: list } of refs) {
    const s = seen.get(table) ?? new Set<number>();
    seen.set(table, s);
    for (const r of list) {
      if (s.has(r)) continue;
      s.add(r);
      rows.push({ table, place: places.get(table)![r] });
    }
  }
  const source = (p: RowPlace) => `${p.file}\u0000${p.sheet ?? ''}`;
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  // A stable sort: rows alike stay in the order met.
  const sorted = rows.map((r, i) => ({ ...r, i })).sort((a, b) => cmp(source(a.place), source(b.place)) || a.place.line - b.place.line || cmp(a.table, b.table) || a.i - b.i);
  return sorted.map((r) => `${r.table}@${r.place.file}${r.place.sheet ? '!' + r.place.sheet : ''}:${r.place.line}`);
}

const listed = (f: Finding) => [...everyEvidenceRow(f)].map((e) => `${e.table}@${e.file}${e.sheet ? '!' + e.sheet : ''}:${e.line}`);

describe('evidence order', () => {
  for (const { rows, refs, lines } of [
    { rows: 40, refs: 60, lines: 0 },
    { rows: 40, refs: 60, lines: 3 },
    { rows: 5000, refs: 21000, lines: 0 },
    { rows: 5000, refs: 21000, lines: 50 },
  ]) {
    it(`is the same, row by row or a table at once (${refs} references to ${rows} rows a table, ${lines ? `lines drawn from ${lines}` : 'a line each'})`, async () => {
      const next = random(rows + lines);
      const places = placesFor(rows, lines, next);
      // Two slots of payouts (a self-join) and one of persons, rows repeating within and across slots.
      const pick = () => Array.from({ length: refs / 3 }, () => Math.floor(next() * rows));
      const evidence: EvidenceRef[] = [
        { table: 'payouts', rows: pick() },
        { table: 'persons', rows: pick() },
        { table: 'payouts', rows: pick() },
      ];
      const want = expected(evidence, places);
      const result = { columns: ['id_number', 'period', 'count', 'amount'], rows: [{ id_number: 'X', period: '2024-01', count: 1, amount: 1 }], evidence: [evidence] };
      for (const limit of [0, 3, 50, Infinity]) {
        const [a] = await buildFindings(dup, result, rowSource(places), { evidence: limit });
        const [b] = await buildFindings(dup, result, bulkSource(places), { evidence: limit });
        expect(listed(a)).toEqual(want);
        expect(b).toEqual(a);
        expect(a.evidenceCount).toBe(want.length);
        expect(a.evidence).toHaveLength(Math.min(limit, want.length));
        // The rows shown are the first ones, with their own values.
        for (const e of a.evidence) expect(places.get(e.table)![Number(String(e.values.payout_id).slice(e.table.length))]).toMatchObject({ file: e.file, line: e.line });
      }
    });
  }
});
