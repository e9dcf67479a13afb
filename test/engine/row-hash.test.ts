/**
 * A row digests alike whichever way it is held: as a row of an in-memory
 * table (rowHash) or handed over as values by a loader's sink (RowDigester,
 * which the DuckDB load's __digest comes from) — for every kind of value,
 * nulls left out.
 */
import { describe, expect, it } from 'vitest';
import type { LoadedTable, Value } from '../../src/data/model.js';
import { RowDigester, rowHash } from '../../src/engine/row-hash.js';

describe('row digests', () => {
  it('are the same from a table and from a sink, for integers, fractions, text, nulls and missing values', () => {
    const columns: Record<string, Value[]> = {
      amount: [150085, -1, 0, 2 ** 53 - 1, -(2 ** 52) - 7, null, 1.5, 123456789012],
      name: ['朱飞', '', 'a "b", c', '𠀀 surrogate', null, 'x', '0', 'ZF2023011000001'],
      period: ['2023-01', '2023-01', null, '2024-12', '2023-02', '2023-03', null, '2023-01'],
      pay_date: ['2023-01-10', null, null, null, null, null, null, '2023-01-10'],
    };
    const rows = columns.amount.length;
    const table = { name: 'payouts', rows, columns, files: ['p.csv'], fileIndex: new Int32Array(rows), lines: new Int32Array(rows) } as unknown as LoadedTable;
    // The sink's columns in another order than the table's: the digest sorts them by name.
    const names = ['period', 'name', 'pay_date', 'amount'];
    const digester = new RowDigester('payouts', names);
    const seen = new Set<number>();
    for (let i = 0; i < rows; i++) {
      const d = digester.digest(names.map((n) => columns[n][i]));
      expect(d, `row ${i}`).toBe(rowHash(table, i));
      seen.add(d);
    }
    expect(seen.size).toBe(rows);
  });
});

describe('row digests stay the same numbers', () => {
  it('for the same values, whatever the code computing them: fingerprints are shown to users and kept between runs', () => {
    // Pinned from the digest as first shipped (fingerprints of findings already reported are made of them).
    const columns: Record<string, Value[]> = {
      amount: [150085, -1, 0, 2 ** 53 - 1, -(2 ** 52) - 7, null, 1.5, 123456789012, -150085, 1e21],
      name: ['朱飞', '', 'a "b", c', '𠀀 surrogate', null, 'x', '0', 'ZF2023011000001', 'é\u0000', 'NaN'],
      period: ['2023-01', '2023-01', null, '2024-12', '2023-02', '2023-03', null, '2023-01', '2023-01', '2023-01'],
      pay_date: ['2023-01-10', null, null, null, null, null, null, '2023-01-10', null, null],
    };
    const names = ['period', 'name', 'pay_date', 'amount'];
    const digester = new RowDigester('payouts', names);
    const digests = columns.amount.map((_, i) => digester.digest(names.map((n) => columns[n][i])));
    expect(digests).toEqual([7639092839218840, 2578645816439141, 1055888202497203, 5763482166889047, 4619019190664103, 3062431803798389, 4407813141098190, 881483011392389, 1711255804991562, 8058440034805392]);
  });
});
