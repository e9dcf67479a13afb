/**
 * Evidence rows read back from DuckDB by their position in the physical table: whatever order the loader put
 * the rows in (two workers, files read as two parts, checkpoints between batches), a row number gives that
 * row's place, digest and values — the in-memory load's — for a few rows, a few hundred (looked up a chunk at a
 * time), a thousand spread thin (one list of positions) and many (one scan filtered by a bitmap). (Worker
 * threads run the built loader: `npm run build` before this file alone.)
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { loadPaths } from '../../../src/data/load.js';
import type { LoadedTable } from '../../../src/data/model.js';
import { placeOf } from '../../../src/data/provenance.js';
import { rowHash } from '../../../src/engine/row-hash.js';
import { AuditDatabase } from '../../../src/engine/duckdb/database.js';
import { DuckDBDataset } from '../../../src/engine/duckdb/dataset.js';
import { loadIntoDuckDB } from '../../../src/engine/duckdb/load.js';
import { dataTableName, ident } from '../../../src/engine/duckdb/schema.js';

const DEMO = join(import.meta.dirname, '../../../fixtures/demo');
const tmp = mkdtempSync(join(tmpdir(), 'fundaudit-duckdb-dataset-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A payouts file of `rows` rows, `tag` in each name so that files differ. */
function payouts(name: string, rows: number, tag: string): string {
  const header = '公民身份号码,姓名,待遇年月,发放金额,发放日期\n';
  const line = (i: number) => `1101051949123${String(i % 10000).padStart(4, '0')}1,${tag}${i},2024-0${(i % 9) + 1},${i % 5000}.${i % 100},2024-01-${String((i % 28) + 1).padStart(2, '0')}\n`;
  const p = join(tmp, name);
  writeFileSync(p, header + Array.from({ length: rows }, (_, i) => line(i)).join(''));
  return p;
}

let open: AuditDatabase[] = [];
afterEach(() => {
  for (const db of open) db.close();
  open = [];
});

async function loaded(): Promise<{ memory: Map<string, LoadedTable>; db: AuditDatabase; dataset: DuckDBDataset }> {
  // A small payouts file first, then a large one: the large one is loaded first, as two parts at once, whose
  // batches (16,384 rows) arrive interleaved; a checkpoint every 1,000 rows. Row numbers follow the paths.
  const paths = [DEMO, payouts('a-payouts.csv', 50, '甲'), payouts('b-payouts.csv', 80_000, '乙')];
  const memory = (await loadPaths(paths, {})).tables;
  // The large file is loaded first, so its rows come before the small files' in the physical table whatever the
  // timing. Whether its two parts' batches also interleave depends on the threads' timing (on a busy machine one
  // worker may finish before the other starts): load again, a few times at most, for the harder case.
  for (let attempt = 1; ; attempt++) {
    const db = await AuditDatabase.open({ memoryBytes: 512 << 20, threads: 2, maxTempBytes: 1 << 30 });
    open.push(db);
    const load = await loadIntoDuckDB(paths, {}, db, { workers: 2, splitBytes: 1 << 20, checkpointRows: 1000 });
    expect(load.split).toBeGreaterThan(0);
    if ((await interleaved(db)) || attempt === 5) return { memory, db, dataset: DuckDBDataset.of(db, load) };
  }
}

/** Whether some part's rows are not together in the physical payouts table: more switches between parts than parts. */
async function interleaved(db: AuditDatabase): Promise<boolean> {
  const phys = ident(dataTableName('payouts'));
  const [[switches, parts]] = (
    await db.connection.runAndReadAll(`SELECT count(*) FILTER (WHERE __src <> prev), count(DISTINCT __src) FROM (SELECT __src, lag(__src) OVER (ORDER BY rowid) AS prev FROM ${phys})`)
  ).getRows();
  return Number(switches) > Number(parts) - 1;
}

/**
 * Whether the physical payouts table holds some row before one that comes earlier in the table's row order: the
 * view's `__row` (row numbers follow the paths) read along the physical rows, a row and its view row matched on
 * part and line. The large file, last in the paths, is loaded first, so this holds whatever the threads' timing.
 * (The parts' own numbers, `__src`, follow the order parts began in, not the paths: they are in order whenever
 * the large file's two parts happen not to interleave, so they cannot show this.)
 */
async function outOfOrder(db: AuditDatabase): Promise<boolean> {
  const phys = ident(dataTableName('payouts'));
  const [[back]] = (
    await db.connection.runAndReadAll(
      `SELECT count(*) FROM (SELECT v.__row, lag(v.__row) OVER (ORDER BY p.rowid) AS prev FROM ${phys} p JOIN ${ident('payouts')} v USING (__src, __line)) WHERE __row < prev`,
    )
  ).getRows();
  return Number(back) > 0;
}

/** Every `step`-th row of a table from `from` on, `count` of them (wrapping round). */
function sample(rows: number, count: number, step: number, from = 0): number[] {
  return Array.from({ length: Math.min(count, rows) }, (_, k) => (from + k * step) % rows);
}

function expectRow(dataset: DuckDBDataset, name: string, table: LoadedTable, row: number, withValues: boolean): void {
  const want = placeOf(table, row);
  const got = dataset.place(name, row);
  const same = got.file === want.file && got.line === want.line && got.sheet === want.sheet && dataset.digest(name, row) === rowHash(table, row);
  if (!same) expect({ ...got, digest: dataset.digest(name, row) }, `${name} row ${row}`).toEqual({ ...want, digest: rowHash(table, row) });
  if (!withValues) return;
  const values = dataset.values(name, row);
  const wantValues = Object.fromEntries(Object.keys(table.columns).map((c) => [c, table.columns[c][row] ?? null]));
  if (JSON.stringify(values) !== JSON.stringify(wantValues)) expect(values, `${name} row ${row} values`).toEqual(wantValues);
}

describe('evidence rows read back by position', () => {
  it('gives each row its own place, digest and values, however the load ordered the rows', async () => {
    const { memory, db, dataset } = await loaded();
    const table = memory.get('payouts')!;
    // The physical table's rows are not in row-number order (else this test would show little); most runs, the
    // large file's two parts interleave in it too.
    expect(await outOfOrder(db), 'the physical rows are in row order').toBe(true);
    // 1: values read at once; 300: by position, a chunk at a time; 1,000 of 80,000: one list of positions;
    // 5,000: one scan filtered by a bitmap; all of a table's rows.
    for (const count of [1, 30, 300, 1000, 5000, table.rows]) {
      const rows = sample(table.rows, count, 7919, count);
      const persons = sample(memory.get('persons')!.rows, Math.min(count, 40), 13);
      await dataset.prepare([[{ table: 'payouts', rows }], [{ table: 'persons', rows: persons }, { table: 'payouts', rows: rows.slice(0, 3) }]]);
      const shown = rows.slice(0, 120);
      await dataset.prepareValues([...shown.map((row) => ({ table: 'payouts', row })), ...persons.map((row) => ({ table: 'persons', row }))]);
      const visible = new Set(shown);
      for (const row of rows) expectRow(dataset, 'payouts', table, row, visible.has(row));
      for (const row of persons) expectRow(dataset, 'persons', memory.get('persons')!, row, true);
    }
  });

  it('says which row was not prepared, and refuses a row the table does not have', async () => {
    const { memory, dataset } = await loaded();
    const rows = memory.get('payouts')!.rows;
    expect(rows).toBeGreaterThan(80_000);
    await dataset.prepare([[{ table: 'payouts', rows: [0, 1] }]]);
    expect(() => dataset.place('payouts', 2)).toThrow(/row 2 of payouts was not prepared/);
    await expect(dataset.prepare([[{ table: 'payouts', rows: [rows] }]])).rejects.toThrow(`row ${rows} of payouts is not in the table`);
  });
});
