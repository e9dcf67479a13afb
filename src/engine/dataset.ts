/**
 * The loaded tables as a dataset: tables and columns held in memory (the
 * loader's LoadedTable), the rows the evidence of findings points at, and
 * their digests.
 */
import { placeOf } from '../data/provenance.js';
import type { LoadedTable, Value } from '../data/model.js';
import type { Dataset, RowPlace } from './executor.js';
import { rowHash } from './row-hash.js';

export class MemoryDataset implements Dataset {
  constructor(readonly tables: ReadonlyMap<string, LoadedTable>) {}

  /** The loaded table, for an in-memory executor; throws for a table that is not loaded. */
  table(name: string): LoadedTable {
    const t = this.tables.get(name);
    if (!t) throw new Error(`table ${name} is not loaded`);
    return t;
  }

  hasTable(table: string): boolean {
    return this.tables.has(table);
  }

  hasColumn(table: string, column: string): boolean {
    const t = this.tables.get(table);
    return t !== undefined && Object.hasOwn(t.columns, column);
  }

  place(table: string, row: number): RowPlace {
    const t = this.table(table);
    return placeOf(t, row);
  }

  values(table: string, row: number): Record<string, Value> {
    const values: Record<string, Value> = {};
    for (const [c, arr] of Object.entries(this.table(table).columns)) values[c] = arr[row] ?? null;
    return values;
  }

  digest(table: string, row: number): number {
    return rowHash(this.table(table), row);
  }

}
