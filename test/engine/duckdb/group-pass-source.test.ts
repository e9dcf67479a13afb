/**
 * A derive or filter with aggregates over groups (or over all rows) whose rows are a rollup's groups, one for one,
 * with only row values, groupings and selects since: on DuckDB its aggregates are computed from the rollup's CTE
 * when they read only columns that still hold the rollup's values (compile.ts, groupsOf), not from the step's
 * input, which a second read would make DuckDB hold whole (NO-CERTIFICATION's person-months). Each shape finds
 * what Arquero finds, evidence included: two passes in a row (per person, then over all), a column written over
 * before the aggregate reads it, a column selected away, a value computed ahead (a let), a filter's pass, null
 * keys and null values.
 */
import { describe, expect, it } from 'vitest';
import { ruleSql } from '../../../src/engine/duckdb/executor.js';
import { compiled, rule } from '../helpers.js';
import { expectDuckDBAgrees, onDuckDB, SMALL_PAYOUTS } from './agree.js';

const DATA = {
  payouts: [SMALL_PAYOUTS, '11010519491231002X,张三,2024-03,310.00,2024-03-05', '110105195001010012,,2024-03,,2024-03-06'].join('\n'),
};
const person = { entity: { kind: 'person' as const, key: 'id_number' } };
const pipeline = (id: string, steps: unknown[]) => compiled(rule(id, { kind: 'pipeline', from: 'payouts', steps } as never, person));
const months = [{ groupby: ['id_number', 'period'] }, { rollup: { name: 'op.max(d.name)', amount: 'op.sum(d.amount)', paid_on: 'op.max(d.pay_date)' } }];

const RULES = [
  // NO-CERTIFICATION's shape: first and last month per person, then the data's last month over all, then a filter.
  pipeline('TWO-PASSES', [
    ...months,
    { groupby: ['id_number'] },
    { derive: { first: 'op.min(d.period)', last: 'op.max(d.period)' } },
    { ungroup: true },
    { derive: { data_last: 'op.max(d.period)', total: 'op.sum(d.amount)' } },
    { filter: 'd.period > d.first || d.last < d.data_last' },
  ]),
  // The aggregate reads a column written over since the rollup: read from the step's input.
  pipeline('WRITTEN-OVER', [
    ...months,
    { derive: { amount: 'd.amount * 2' } },
    { groupby: ['id_number'] },
    { derive: { most: 'op.max(d.amount)' } },
    { filter: 'd.amount == d.most' },
  ]),
  // A select keeps the columns the pass reads; the filter's own pass reads the rollup.
  pipeline('SELECTED', [
    ...months,
    { select: ['id_number', 'period', 'amount'] },
    { groupby: ['id_number'] },
    { filter: 'd.amount == op.max(d.amount)' },
  ]),
  // The pass reads a value computed ahead of the step (a month's date): read from the step's input.
  pipeline('COMPUTED-AHEAD', [
    ...months,
    { derive: { since: 'op.months_between(d.period, d.paid_on)' } },
    { groupby: ['id_number'] },
    { derive: { latest: "op.max(op.month_of(d.paid_on) + '-x')" } },
    { filter: "d.latest != null && d.amount > 0" },
  ]),
];

describe('aggregates over a rollup\'s groups, computed from the rollup on DuckDB', () => {
  it.each(RULES.map((r) => [r.rule.id, r] as const))('%s gives the rows Arquero gives', async (_, r) => {
    await expectDuckDBAgrees(r, DATA);
  });

  it('reads the rollup only when the pass reads columns that still hold its values', async () => {
    const reads = await onDuckDB(DATA, async (dataset) =>
      RULES.map((r) => {
        const { ctes } = ruleSql(r, dataset);
        // The rollup's CTE (the first GROUP BY "id_number", "period"), and how many passes aggregate it directly.
        const rollup = ctes.find((c) => c.body.includes('GROUP BY "id_number", "period"'))!.name;
        return [r.rule.id, ctes.filter((c) => c.body.includes('"__x0"') && c.body.includes(`FROM ${rollup}`) && !c.body.includes('JOIN')).length];
      }),
    );
    expect(Object.fromEntries(reads)).toEqual({ 'TWO-PASSES': 2, 'WRITTEN-OVER': 0, SELECTED: 1, 'COMPUTED-AHEAD': 0 });
  });
});
