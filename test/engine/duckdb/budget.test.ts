/**
 * A rule's budget on DuckDB: a rule that runs past its time is interrupted,
 * one that gives more rows than its budget is stopped before they are all
 * read, one that needs more memory than DuckDB may use fails — each reported
 * as skipped with the reason, while the other rules run and find.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditDatabase } from '../../../src/engine/duckdb/database.js';
import type { DuckDBDataset } from '../../../src/engine/duckdb/dataset.js';
import { DuckDBExecutor } from '../../../src/engine/duckdb/executor.js';
import { loadTablesIntoDuckDB } from '../../../src/engine/duckdb/load.js';
import { DuckDBDataset as Dataset } from '../../../src/engine/duckdb/dataset.js';
import { runRules } from '../../../src/engine/run.js';
import { compiled, rule, tables } from '../helpers.js';

let db: AuditDatabase;
let dataset: DuckDBDataset;
let roomy: AuditDatabase;
let roomyData: DuckDBDataset;

/** 3,000 payouts in a database that may use `memoryBytes`. */
async function payouts(memoryBytes: number): Promise<[AuditDatabase, DuckDBDataset]> {
  const rows = Array.from({ length: 3000 }, (_, i) => `11010519491231002X,张三,2024-${String((i % 12) + 1).padStart(2, '0')},${i + 1}.00`).join('\n');
  const d = await AuditDatabase.open({ memoryBytes, threads: 1, maxTempBytes: 64 << 20 });
  const load = await loadTablesIntoDuckDB(tables({ payouts: `id_number,name,period,amount\n${rows}` }), d);
  await d.lock();
  return [d, Dataset.of(d, load)];
}

beforeAll(async () => {
  [db, dataset] = await payouts(64 << 20);
  // Room enough that only time stops the slow rule.
  [roomy, roomyData] = await payouts(1 << 30);
});
afterAll(() => {
  db?.close();
  roomy?.close();
});

// Every payout paired with every other (9 million pairs), and the pairs compared by text: slow.
const crossJoin = compiled(
  rule('CROSS', {
    kind: 'pipeline',
    from: 'payouts',
    steps: [{ join: { with: { from: 'payouts' }, where: '(a, b) => op.upper(a.name + b.period) != op.lower(b.name + a.period)' } }, { rollup: { n: 'op.count()' } }],
  } as never, { entity: { kind: 'period', key: 'n' } }),
);
const everyRow = compiled(rule('EVERY-ROW', { kind: 'pipeline', from: 'payouts', steps: [{ filter: 'd.amount > 0' }] } as never));
const perMonth = compiled(
  rule('PER-MONTH', { kind: 'pipeline', from: 'payouts', steps: [{ groupby: ['period'] }, { rollup: { total: 'op.sum(d.amount)' } }] } as never, { entity: { kind: 'period', key: 'period' } }),
);
// A list of every pair's text per row: more than 64 MiB.
const greedy = compiled(
  rule('GREEDY', {
    kind: 'pipeline',
    from: 'payouts',
    steps: [{ join: { with: { from: 'payouts' }, where: '(a, b) => a.period == b.period' } }, { groupby: ['id_number_1'] }, { rollup: { all: 'op.array_agg(d.name_1 + d.name_2 + d.period_1 + d.period_2)' } }],
  } as never, { entity: { kind: 'person', key: 'id_number_1' } }),
);

describe('a rule over its budget on DuckDB', () => {
  it('is interrupted past its time, reported as skipped with the reason, and the others still run', async () => {
    const run = await runRules([crossJoin, perMonth], roomyData, { executor: new DuckDBExecutor({ seconds: 1 }) });
    expect(run.skipped.map((s) => [s.ruleId, s.code])).toEqual([['CROSS', 'error']]);
    expect(run.skipped[0].reason).toMatch(/time budget of 1 s and was stopped/);
    expect(run.ran['PER-MONTH']).toBe(12);
    expect(run.findings.filter((f) => f.ruleId === 'PER-MONTH')).toHaveLength(12);
  });

  it('is stopped when it gives more rows than its budget', async () => {
    const run = await runRules([everyRow, perMonth], dataset, { executor: new DuckDBExecutor({ rows: 100 }) });
    expect(run.skipped.map((s) => s.ruleId)).toEqual(['EVERY-ROW']);
    expect(run.skipped[0].reason).toMatch(/more than 100 rows/);
    expect(run.ran['PER-MONTH']).toBe(12);
  });

  it('fails when it needs more memory than DuckDB may use, and the database goes on working', async () => {
    const run = await runRules([greedy, perMonth], dataset, { executor: new DuckDBExecutor({ seconds: 60 }) });
    expect(run.skipped.map((s) => s.ruleId)).toEqual(['GREEDY']);
    expect(run.skipped[0].reason).toMatch(/more memory than DuckDB may use/);
    expect(run.ran['PER-MONTH']).toBe(12);
  });
});
