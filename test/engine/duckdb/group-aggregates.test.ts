/**
 * Aggregates over each group in a derive or filter (a value of the row's group beside each row): on DuckDB one
 * GROUP BY of the step's input joined back on the group keys rather than a window over each partition. Every
 * shape gives the findings and evidence rows the reference executor gives: null keys are a group, no groups is
 * one group of every row, window functions beside the aggregates still see the rows in order.
 */
import { describe, expect, it } from 'vitest';
import { DuckDBExecutor, ruleSql } from '../../../src/engine/duckdb/executor.js';
import { runRules } from '../../../src/engine/run.js';
import { compiled, rule } from '../helpers.js';
import { expectDuckDBAgrees, month, onDuckDB, person, SMALL_PAYOUTS as PAYOUTS } from './agree.js';

const DATA = { payouts: PAYOUTS };

const pipeline = (id: string, steps: unknown[], finding: object) => compiled(rule(id, { kind: 'pipeline', from: 'payouts', steps } as never, finding));

const RULES = [
  // First and last month per person beside each row (NO-CERTIFICATION's shape); the rows without an id are a group.
  pipeline('SPAN-PER-PERSON', [{ groupby: ['id_number'] }, { derive: { first: 'op.min(d.period)', last: 'op.max(d.period)', n: 'op.count()' } }, { ungroup: true }, { filter: 'd.first != d.last' }], person),
  // Over every row (no groups): the latest month of the data.
  pipeline('DATA-LAST', [{ derive: { data_last: 'op.max(d.period)' } }, { filter: 'd.period == d.data_last' }], month),
  // A filter on an aggregate of the row's group; groups on two keys, one of them null for some rows.
  pipeline('SEVERAL-IN-MONTH', [{ groupby: ['period', 'name'] }, { filter: 'op.count() > 1 || op.sum(d.amount) >= 40000' }], month),
  // Aggregates that read the rows' order (a mean adds in row order), and a window function beside them.
  pipeline(
    'MEAN-AND-RANK',
    [{ groupby: ['id_number'] }, { derive: { avg: 'op.mean(d.amount)', share: 'd.amount / op.sum(d.amount)', k: 'op.row_number()', distinct: 'op.distinct(d.period)' } }, { filter: 'd.k == 1 && d.avg > 0' }],
    person,
  ),
  // An aggregate inside a row's own arithmetic, and the same aggregate twice.
  pipeline('ABOVE-OWN-MEAN', [{ groupby: ['period'] }, { derive: { over: 'd.amount - op.max(d.amount) / 2', top: 'op.max(d.amount)' } }, { filter: 'd.over > 0 && d.amount == d.top' }], month),
];

describe('aggregates over groups in a derive or filter on DuckDB', () => {
  it.each(RULES.map((r) => [r.rule.id, r] as const))('%s gives the rows Arquero gives', async (_, r) => {
    await expectDuckDBAgrees(r, DATA);
  });

  it('finds the rows without an id as one group (null keys equal)', async () => {
    const duckdb = await onDuckDB(DATA, (dataset) => runRules([RULES[0]], dataset, { executor: new DuckDBExecutor() }));
    // 无名 (no id) paid in 2024-02 and 2024-03: a span, each of its two rows found; 王五 and 11010519550610003X one month each: none.
    expect(duckdb.findings.map((f) => f.entity.key).sort()).toEqual(['', '', '11010519491231002X', '11010519491231002X', '11010519491231002X', '110105195001010012', '110105195001010012']);
  });

  it('computes them by grouping the rows, not by a window over each partition', async () => {
    const sql = await onDuckDB(DATA, async (dataset) => RULES.map((r) => ruleSql(r, dataset).sql));
    for (const text of sql) expect(text).not.toMatch(/\b(?:min|max|count|sum)\([^)]*\)[^,]*OVER \(/);
  });
});
