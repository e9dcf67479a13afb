/** Test helpers for rules run on both engines over small tables: a DuckDB of a test's own, and the check that DuckDB finds what Arquero finds. */
import { expect } from 'vitest';
import { MemoryDataset } from '../../../src/engine/dataset.js';
import { DuckDBExecutor } from '../../../src/engine/duckdb/executor.js';
import { AuditDatabase } from '../../../src/engine/duckdb/database.js';
import { DuckDBDataset } from '../../../src/engine/duckdb/dataset.js';
import { loadTablesIntoDuckDB } from '../../../src/engine/duckdb/load.js';
import { compareRuns, everyEvidenceRow, type RunResult } from '../../../src/engine/finding.js';
import { runRules } from '../../../src/engine/run.js';
import type { CompiledRule } from '../../../src/plan/compile.js';
import { tables } from '../helpers.js';

/** `run` on a DuckDB of its own holding the tables given as `{ table: csv }` (closed after). */
export async function onDuckDB<T>(data: Record<string, string>, run: (dataset: DuckDBDataset) => Promise<T>): Promise<T> {
  const db = await AuditDatabase.open({ memoryBytes: 256 << 20, threads: 1, maxTempBytes: 64 << 20 });
  try {
    return await run(DuckDBDataset.of(db, await loadTablesIntoDuckDB(tables(data), db)));
  } finally {
    db.close();
  }
}

/** Each finding's evidence rows, by file and line, sorted. */
export const evidenceRows = (r: RunResult) => r.findings.map((f) => [f.ruleId, f.entity.key, f.period, [...everyEvidenceRow(f)].map((e) => `${e.file}:${e.line}`).sort()]);

/** The rule finds something on Arquero (its findings resting on rows), and DuckDB gives the same findings and evidence rows. */
export async function expectDuckDBAgrees(r: CompiledRule, data: Record<string, string>): Promise<void> {
  const arquero = await runRules([r], new MemoryDataset(tables(data)));
  const duckdb = await onDuckDB(data, (dataset) => runRules([r], dataset, { executor: new DuckDBExecutor() }));
  expect(arquero.skipped).toEqual([]);
  // Not a vacuous agreement: the rule finds, and its findings rest on rows.
  expect(arquero.findings.length).toBeGreaterThan(0);
  expect(arquero.findings.every((f) => f.evidenceCount > 0)).toBe(true);
  expect(duckdb.skipped).toEqual([]);
  expect(compareRuns({ name: 'Arquero', findings: arquero.findings }, { name: 'DuckDB', findings: duckdb.findings })).toEqual([]);
  expect(evidenceRows(duckdb)).toEqual(evidenceRows(arquero));
}

/**
 * Payouts where every group shape shows: a person paid twice in one month, a person without a name, a name
 * without an identity number over two months, a person of one row.
 */
export const SMALL_PAYOUTS = [
  'id_number,name,period,amount,pay_date',
  '11010519491231002X,张三,2024-01,300.00,2024-01-05',
  '11010519491231002X,张三,2024-01,20.00,2024-01-20',
  '11010519491231002X,张三,2024-02,300.00,2024-02-05',
  '110105195001010012,,2024-01,200.00,2024-01-06',
  '110105195001010012,,2024-02,200.00,2024-02-06',
  '110105195203150021,王五,2024-02,50.00,2024-02-05',
  ',无名,2024-02,70.00,2024-02-07',
  ',无名,2024-03,80.00,2024-03-07',
  '11010519550610003X,,2024-03,400.00,2024-03-06',
].join('\n');

/** A finding spec's entity: the person by identity number, or the month. */
export const person = { entity: { kind: 'person', key: 'id_number' } };
export const month = { entity: { kind: 'period', key: 'period' } };
