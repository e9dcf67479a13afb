/**
 * A rule's budget on DuckDB (engine/budget.ts, docs/budgets.md): a join that
 * would grow far beyond its inputs is refused before it runs — sized as the
 * Arquero executor sizes it — a rule past its time is interrupted, a padded
 * text past what the memory budget allows and a rule that needs more than
 * DuckDB may hold are stopped, one that gives too many rows too; each is
 * reported as skipped (code `budget` with the limit, for the budget), while
 * the other rules run and find.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditDatabase } from '../../../src/engine/duckdb/database.js';
import type { DuckDBDataset } from '../../../src/engine/duckdb/dataset.js';
import { DuckDBExecutor, textMax } from '../../../src/engine/duckdb/executor.js';
import { loadTablesIntoDuckDB } from '../../../src/engine/duckdb/load.js';
import { DuckDBDataset as Dataset } from '../../../src/engine/duckdb/dataset.js';
import { ArqueroExecutor } from '../../../src/engine/arquero/executor.js';
import { MemoryDataset } from '../../../src/engine/dataset.js';
import { BUDGET_DEFAULTS } from '../../../src/engine/budget.js';
import { runRules } from '../../../src/engine/run.js';
import { compareRuns } from '../../../src/engine/finding.js';
import { compiled, rule, tables } from '../helpers.js';

let db: AuditDatabase;
let dataset: DuckDBDataset;
let roomy: AuditDatabase;
let roomyData: DuckDBDataset;

const PAYOUTS = `id_number,name,period,amount\n${Array.from({ length: 3000 }, (_, i) => `11010519491231002X,张三,2024-${String((i % 12) + 1).padStart(2, '0')},${i + 1}.00`).join('\n')}`;

/** 3,000 payouts in a database that may use `memoryBytes`. */
async function payouts(memoryBytes: number): Promise<[AuditDatabase, DuckDBDataset]> {
  const d = await AuditDatabase.open({ memoryBytes, threads: 1, maxTempBytes: 64 << 20 });
  const load = await loadTablesIntoDuckDB(tables({ payouts: PAYOUTS }), d);
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
// A join on a key every row shares: 9 million rows out of 6,000.
const sameName = compiled(
  rule('SAME-NAME', {
    kind: 'pipeline',
    from: 'payouts',
    steps: [{ join: { with: 'payouts', on: 'name' } }, { rollup: { n: 'op.count()' } }],
  } as never, { entity: { kind: 'period', key: 'n' } }),
);
// A join on the month: 750,000 rows out of 6,000, within the rows any join may have.
const sameMonth = compiled(
  rule('SAME-MONTH', {
    kind: 'pipeline',
    from: 'payouts',
    steps: [{ join: { with: 'payouts', on: 'period' } }, { groupby: ['period'] }, { count: {} }],
  } as never, { entity: { kind: 'period', key: 'period' } }),
);
// Rows unique on the key until a derive writes over it: every payout meets every other (9 million rows).
const keyOverwritten = compiled(
  rule('KEY-OVERWRITTEN', {
    kind: 'pipeline',
    from: 'payouts',
    steps: [
      { derive: { amount: '1' } },
      { join: { with: { from: 'payouts', steps: [{ dedupe: ['amount'] }, { derive: { amount: '1' } }] }, on: 'amount' } },
      { rollup: { n: 'op.count()' } },
    ],
  } as never, { entity: { kind: 'period', key: 'n' } }),
);
// One row per month (a rollup): each payout meets one, whatever the budget's growth.
const monthTotals = compiled(
  rule('MONTH-TOTALS', {
    kind: 'pipeline',
    from: 'payouts',
    steps: [
      { join: { with: { from: 'payouts', steps: [{ groupby: ['period'] }, { rollup: { total: 'op.sum(d.amount)' } }] }, on: 'period' } },
      { groupby: ['period'] },
      { rollup: { n: 'op.count()' } },
    ],
  } as never, { entity: { kind: 'period', key: 'period' } }),
);
// The same joins on a right input a dedupe made (one row per amount: every payout), which a sizing query would
// compute again: the rule's query sizes it itself when its tables are large (here: always, smallInput 0).
const deduped = { from: 'payouts', steps: [{ dedupe: ['amount'] }] };
const dedupedCross = compiled(
  rule('DEDUPED-CROSS', {
    kind: 'pipeline',
    from: 'payouts',
    steps: [{ join: { with: deduped, where: '(a, b) => op.upper(a.name + b.period) != op.lower(b.name + a.period)' } }, { rollup: { n: 'op.count()' } }],
  } as never, { entity: { kind: 'period', key: 'n' } }),
);
const dedupedName = compiled(
  rule('DEDUPED-NAME', { kind: 'pipeline', from: 'payouts', steps: [{ join: { with: deduped, on: 'name' } }, { rollup: { n: 'op.count()' } }] } as never, { entity: { kind: 'period', key: 'n' } }),
);
// 250 rows of each month on the right, past the growth of 100: sized whole, 750,000 rows are allowed.
const dedupedMonth = compiled(
  rule('DEDUPED-MONTH', { kind: 'pipeline', from: 'payouts', steps: [{ join: { with: deduped, on: 'period' } }, { groupby: ['period'] }, { count: {} }] } as never, { entity: { kind: 'period', key: 'period' } }),
);
// Two joins past the budget, the first sized in the query, the second by a query of its own: the first is refused.
const twoJoins = compiled(
  rule('TWO-JOINS', {
    kind: 'pipeline',
    from: 'payouts',
    steps: [{ join: { with: deduped, on: 'name' } }, { join: { with: 'payouts', on: 'name' } }, { rollup: { n: 'op.count()' } }],
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
// Ten million characters for every row.
const padded = compiled(
  rule('PADDED', { kind: 'pipeline', from: 'payouts', steps: [{ derive: { k: "op.padstart(d.name, 1e7, 'ab')" } }, { filter: 'd.k != null' }] } as never, { entity: { kind: 'person', key: 'k' } }),
);
// Padding as rules use it: a code to six digits.
const sixDigits = compiled(
  rule('SIX', { kind: 'pipeline', from: 'payouts', steps: [{ derive: { code: "op.padstart('' + d.amount, 6, '0')" } }, { filter: "d.code == '000100'" }] } as never),
);

const executor = new DuckDBExecutor();
const skipped = (run: Awaited<ReturnType<typeof runRules>>) => run.skipped.map((s) => [s.ruleId, s.code, s.budget]);

describe('a rule over its budget on DuckDB', () => {
  it('is refused before its join runs when the join would grow far past its inputs, sized as Arquero sizes it', async () => {
    const duck = await runRules([crossJoin, sameName, perMonth], dataset, { executor, budget: {} });
    expect(skipped(duck)).toEqual([
      ['CROSS', 'budget', { limit: 'join_growth', value: 100 }],
      ['SAME-NAME', 'budget', { limit: 'join_growth', value: 100 }],
    ]);
    const reasons = Object.fromEntries(duck.skipped.map((s) => [s.ruleId, s.reason]));
    expect(reasons.CROSS).toMatch(/^check\.steps\[0\]: the join of 3,000 and 3,000 rows would test 9,000,000 pairs of rows .* refused before it ran/);
    expect(reasons['SAME-NAME']).toMatch(/^check\.steps\[0\]: the join of 3,000 and 3,000 rows would output 9,000,000 rows, more than 100 times its inputs/);
    expect(duck.ran['PER-MONTH']).toBe(12);
    // The reference executor refuses the same joins with the same words.
    const arquero = await runRules([crossJoin, sameName, perMonth], new MemoryDataset(tables({ payouts: PAYOUTS })), { executor: new ArqueroExecutor(), budget: {} });
    expect(arquero.skipped).toEqual(duck.skipped);
  });

  it('sizes a join whose input was unique on the key only before a step wrote over it, and refuses it as Arquero does', async () => {
    const duck = await runRules([keyOverwritten, monthTotals], dataset, { executor, budget: { joinGrowth: 1 } });
    expect(skipped(duck)).toEqual([['KEY-OVERWRITTEN', 'budget', { limit: 'join_growth', value: 1 }]]);
    expect(duck.skipped[0].reason).toMatch(/the join of 3,000 and 3,000 rows would output 9,000,000 rows/);
    expect(duck.findings.map((f) => f.details.n)).toEqual(Array.from({ length: 12 }, () => 250));
    const arquero = await runRules([keyOverwritten, monthTotals], new MemoryDataset(tables({ payouts: PAYOUTS })), { executor: new ArqueroExecutor(), budget: { joinGrowth: 1 } });
    expect(arquero.skipped).toEqual(duck.skipped);
    expect(arquero.findings.map((f) => f.fingerprint)).toEqual(duck.findings.map((f) => f.fingerprint));
  });

  it('runs a join the budget allows, and finds what it finds without a budget', async () => {
    const withBudget = await runRules([sameMonth], dataset, { executor, budget: {} });
    const without = await runRules([sameMonth], dataset, { executor });
    expect(withBudget.skipped).toEqual([]);
    expect(withBudget.findings.map((f) => f.details.count)).toEqual(Array.from({ length: 12 }, () => 250 * 250));
    expect(withBudget.findings.map((f) => f.fingerprint)).toEqual(without.findings.map((f) => f.fingerprint));
  });

  it('is refused by the sizing inside its query when its join input is computed, with the words and the join Arquero names', async () => {
    const inQuery = new DuckDBExecutor({ smallInput: 0 });
    const rules = [dedupedCross, dedupedName, twoJoins, dedupedMonth, perMonth];
    const duck = await runRules(rules, dataset, { executor: inQuery, budget: {} });
    expect(skipped(duck)).toEqual(['DEDUPED-CROSS', 'DEDUPED-NAME', 'TWO-JOINS'].map((id) => [id, 'budget', { limit: 'join_growth', value: 100 }]));
    const reasons = Object.fromEntries(duck.skipped.map((s) => [s.ruleId, s.reason]));
    expect(reasons['DEDUPED-CROSS']).toMatch(/^check\.steps\[0\]: the join of 3,000 and 3,000 rows would test 9,000,000 pairs of rows .* refused before it ran/);
    expect(reasons['DEDUPED-NAME']).toMatch(/^check\.steps\[0\]: the join of 3,000 and 3,000 rows would output 9,000,000 rows, more than 100 times its inputs/);
    expect(reasons['TWO-JOINS']).toMatch(/^check\.steps\[0\]: /);
    const arquero = await runRules(rules, new MemoryDataset(tables({ payouts: PAYOUTS })), { executor: new ArqueroExecutor(), budget: {} });
    expect(arquero.skipped).toEqual(duck.skipped);
    // A guard that fired on a join the budget allows: sized whole, the join runs, and finds what it finds without a budget.
    expect(duck.findings.filter((f) => f.ruleId === 'DEDUPED-MONTH').map((f) => f.details.count)).toEqual(Array.from({ length: 12 }, () => 250 * 250));
    expect(compareRuns({ name: 'Arquero', findings: arquero.findings }, { name: 'DuckDB', findings: duck.findings })).toEqual([]);
    const without = await runRules([dedupedMonth], dataset, { executor });
    expect(duck.findings.filter((f) => f.ruleId === 'DEDUPED-MONTH').map((f) => f.fingerprint)).toEqual(without.findings.map((f) => f.fingerprint));
  });

  it('is interrupted past its time, reported as skipped with the limit, and the others still run', async () => {
    const run = await runRules([crossJoin, perMonth], roomyData, { executor, budget: { seconds: 1, joinGrowth: 1e9 } });
    expect(skipped(run)).toEqual([['CROSS', 'budget', { limit: 'seconds', value: 1 }]]);
    expect(run.skipped[0].reason).toMatch(/stopped after 1 s, its time budget; raise it with --param CROSS\.budget_seconds=N/);
    expect(run.ran['PER-MONTH']).toBe(12);
    expect(run.findings.filter((f) => f.ruleId === 'PER-MONTH')).toHaveLength(12);
  });

  it('is stopped when it pads a text past what its memory budget allows, before DuckDB makes a batch of them', async () => {
    const run = await runRules([padded, sixDigits, perMonth], dataset, { executor, budget: { memoryMb: 96 } });
    expect(skipped(run)).toEqual([['PADDED', 'budget', { limit: 'memory_mb', value: 96 }]]);
    expect(run.skipped[0].reason).toMatch(/more than 96 MiB beyond the data, its memory budget \(a text padded to 10,000,000 characters on every row\)/);
    expect(run.ran.SIX).toBe(1);
    expect(run.ran['PER-MONTH']).toBe(12);
    // The bound grows with the budget: the default budget pads to tens of thousands of characters.
    expect(textMax({ ...BUDGET_DEFAULTS, memoryMb: 96 }, 2)).toBeLessThan(10_000);
    expect(textMax(BUDGET_DEFAULTS, 2)).toBeGreaterThan(50_000);
    // Without a budget (rules test), padding is DuckDB's own affair.
    expect((await runRules([sixDigits], dataset, { executor })).ran.SIX).toBe(1);
  });

  it('is stopped when it needs more memory than DuckDB may hold, and the database goes on working', async () => {
    const run = await runRules([greedy, perMonth], dataset, { executor, budget: { seconds: 60, joinGrowth: 1e9 } });
    // DuckDB's limit is the run's, not the rule's budget: the reason names the run's setting and its value.
    expect(skipped(run)).toEqual([['GREEDY', 'budget', { limit: 'duckdb_memory', value: db.memoryMb }]]);
    expect(run.skipped[0].reason).toMatch(/DuckDB could not hold what the rule needs within its memory limit for the run, \d+ MiB/);
    expect(run.skipped[0].reason).toMatch(/--duckdb-memory N \(MiB; this run had \d+\), or duckdb_memory: N in the config file/);
    expect(run.skipped[0].reason).not.toMatch(/budget_memory_mb/);
    expect(run.ran['PER-MONTH']).toBe(12);
    // Without a budget, the same is an error of the rule.
    const unbudgeted = await runRules([greedy], dataset, { executor });
    expect(unbudgeted.skipped.map((s) => [s.code, s.reason])).toEqual([['error', expect.stringMatching(/needs more memory than DuckDB may use, \d+ MiB, even spilling/)]]);
  });

  it('is stopped when it gives more rows than the executor takes', async () => {
    const run = await runRules([everyRow, perMonth], dataset, { executor: new DuckDBExecutor({ maxRows: 100 }), budget: {} });
    expect(run.skipped.map((s) => s.ruleId)).toEqual(['EVERY-ROW']);
    expect(run.skipped[0].reason).toMatch(/more than 100 rows/);
    expect(run.ran['PER-MONTH']).toBe(12);
  });
});
