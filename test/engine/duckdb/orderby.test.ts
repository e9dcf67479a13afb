/**
 * An orderby on DuckDB numbers its rows late (compile.ts, `Current.sorted`): window functions order by its keys and
 * the order before it, and the rows are numbered where a step first reads the order otherwise (a join, a dedupe, a
 * rollup, aggregates over groups, a derive writing over a key, a select dropping one) or at the end of the
 * relation, after the filters. Each shape gives Arquero's rows in Arquero's order, with the same evidence: windows
 * after descending and ascending keys with ties and blanks, orderbys stacked, a key renamed and then dropped, a
 * key written over, aggregates over groups beside a window, a join, a dedupe and a rollup's lists after them; ranks
 * after a key is renamed. Arquero keeps an orderby's order where a later step reads it, as docs/rules.md says.
 */
import { describe, expect, it } from 'vitest';
import { MemoryDataset } from '../../../src/engine/dataset.js';
import { ArqueroExecutor } from '../../../src/engine/arquero/executor.js';
import { DuckDBExecutor, ruleSql } from '../../../src/engine/duckdb/executor.js';
import { compiled, rule, tables } from '../helpers.js';
import { onDuckDB } from './agree.js';

// Rows out of order on every key: ties on amount and on period, a blank period and a blank amount, a person of one row.
const PAYOUTS = [
  'id_number,name,period,amount,pay_date',
  '11010519491231002X,张三,2024-03,300.00,2024-03-05',
  '110105195001010012,李四,2024-02,200.00,2024-02-06',
  '11010519491231002X,张三,2024-01,300.00,2024-01-20',
  '11010519491231002X,张三,,50.00,2024-01-02',
  '110105195001010012,李四,2024-01,200.00,2024-01-06',
  '11010519491231002X,张三,2024-01,20.00,2024-01-05',
  '110105195203150021,王五,2024-02,,2024-02-05',
  '110105195001010012,李四,2024-03,10.00,2024-03-06',
  '11010519491231002X,张三,2024-02,300.00,2024-02-05',
].join('\n');
const DATA = { payouts: PAYOUTS };

const pipeline = (id: string, steps: unknown[]) => compiled(rule(id, { kind: 'pipeline', from: 'payouts', steps } as never, { entity: { kind: 'person', key: 'id_number' } }));

const RULES = [
  // Windows over each person's months, latest first, then a filter and a join: numbered at the join, after the filter.
  pipeline('WINDOWS-THEN-JOIN', [
    { groupby: ['id_number'] },
    { orderby: ['-period', 'amount'] },
    { derive: { prev: 'op.lag(d.amount, 1)', next: 'op.lead(d.period, 1)', n: 'op.row_number()', rk: 'op.rank()', first: 'op.first_value(d.pay_date)' } },
    { ungroup: true },
    { filter: 'd.n > 1' },
    { join: { with: { from: 'payouts', steps: [{ groupby: ['id_number'] }, { rollup: { months: 'op.count()' } }] }, on: 'id_number' } },
  ]),
  // A key renamed (windows follow it), then dropped by a select: numbered before the select, then deduped.
  pipeline('RENAMED', [
    { orderby: ['-amount'] },
    { rename: { amount: 'paid' } },
    { groupby: ['id_number'] },
    { derive: { prev: 'op.lag(d.paid, 1)' } },
    { ungroup: true },
    { select: ['id_number', 'period', 'prev'] },
    { dedupe: ['id_number'] },
  ]),
  // A key written over: numbered before the derive; the window after it is in the orderby's order.
  pipeline('WRITTEN-OVER', [{ orderby: ['pay_date'] }, { derive: { pay_date: 'op.add_days(d.pay_date, 1)' } }, { derive: { prev: 'op.lag(d.pay_date, 1)', n: 'op.row_number()' } }]),
  // Aggregates over groups beside a window (the rows numbered first), then a rollup's lists in the order.
  pipeline('AGGREGATES-AND-LISTS', [
    { groupby: ['id_number'] },
    { orderby: ['-pay_date'] },
    { derive: { total: 'op.sum(d.amount)', prev: 'op.lag(d.period, 1)' } },
    { rollup: { periods: 'op.array_agg(d.period)', prevs: 'op.array_agg(d.prev)', first: 'op.any(d.pay_date)', total: 'op.max(d.total)' } },
  ]),
];

describe('an orderby numbered late on DuckDB', () => {
  it.each(RULES.map((r) => [r.rule.id, r] as const))('%s gives the rows Arquero gives, in its order, with its evidence', async (_, r) => {
    const arquero = await new ArqueroExecutor().run(r, {}, new MemoryDataset(tables(DATA)));
    const duckdb = await onDuckDB(DATA, (dataset) => new DuckDBExecutor().run(r, {}, dataset));
    expect(arquero.rows.length).toBeGreaterThan(1);
    const rows = (x: typeof arquero) => x.rows.map((row, i) => ({ row, evidence: x.evidence[i] }));
    expect(rows(duckdb)).toEqual(rows(arquero));
  });

  it('two orderbys in a row order as one by both keys, the later first (stable: ties keep the earlier order)', async () => {
    const derive = { derive: { n: 'op.row_number()', prev: 'op.lag(d.pay_date, 1)' } };
    const stacked = pipeline('STACKED', [{ orderby: ['amount'] }, { orderby: ['period'] }, derive, { filter: 'd.n != 3' }]);
    const both = pipeline('BOTH', [{ orderby: ['period', 'amount'] }, derive, { filter: 'd.n != 3' }]);
    const arquero = await new ArqueroExecutor().run(both, {}, new MemoryDataset(tables(DATA)));
    const stackedArquero = await new ArqueroExecutor().run(stacked, {}, new MemoryDataset(tables(DATA)));
    const duckdb = await onDuckDB(DATA, (dataset) => new DuckDBExecutor().run(stacked, {}, dataset));
    expect(arquero.rows.length).toBeGreaterThan(1);
    expect(duckdb.rows).toEqual(arquero.rows);
    expect(duckdb.evidence).toEqual(arquero.evidence);
    // Arquero's own orderby broke the ties of the second by table order, not by the first orderby.
    expect(stackedArquero.rows).toEqual(arquero.rows);
    expect(stackedArquero.evidence).toEqual(arquero.evidence);
  });

  // What reads the order after an orderby, on both engines, against the order docs/rules.md gives, written out.
  const both = async (r: ReturnType<typeof pipeline>) => {
    const arquero = await new ArqueroExecutor().run(r, {}, new MemoryDataset(tables(DATA)));
    const duckdb = await onDuckDB(DATA, (dataset) => new DuckDBExecutor().run(r, {}, dataset));
    expect(duckdb.rows).toEqual(arquero.rows);
    expect(duckdb.evidence).toEqual(arquero.evidence);
    return arquero.rows;
  };

  it("a rollup lists its groups by their first row in the orderby's order, grouped before or after it", async () => {
    const periods = { rollup: { periods: 'op.array_agg(d.period)' } };
    const before = await both(pipeline('GROUPED-BEFORE', [{ groupby: ['id_number'] }, { orderby: ['amount'] }, periods]));
    const after = await both(pipeline('GROUPED-AFTER', [{ orderby: ['amount'] }, { groupby: ['id_number'] }, periods]));
    // Ascending amount, blanks first: 王五 (blank), 李四 (10.00), 张三 (20.00); in table order 张三 would come first.
    const expected = [
      { id_number: '110105195203150021', periods: ['2024-02'] },
      { id_number: '110105195001010012', periods: ['2024-03', '2024-02', '2024-01'] },
      { id_number: '11010519491231002X', periods: ['2024-01', '2024-03', '2024-01', '2024-02'] },
    ];
    expect(before).toEqual(expected);
    expect(after).toEqual(expected);
  });

  it("a lookup takes the last matching row in the other table's orderby order", async () => {
    const rows = await both(
      pipeline('LOOKUP-ORDERED', [
        { dedupe: ['id_number'] },
        { select: ['id_number'] },
        { lookup: { with: { from: 'payouts', steps: [{ orderby: ['-amount'] }] }, on: 'id_number', values: ['pay_date'] } },
      ]),
    );
    // Descending amount puts blanks last: 张三's last row is the 20.00 of 2024-01-05 (in table order, 2024-02-05).
    expect(rows).toEqual([
      { id_number: '11010519491231002X', pay_date: '2024-01-05' },
      { id_number: '110105195001010012', pay_date: '2024-03-06' },
      { id_number: '110105195203150021', pay_date: '2024-02-05' },
    ]);
  });

  it("concat appends each table's rows in its orderby order", async () => {
    const rows = await both(
      pipeline('CONCAT-ORDERED', [
        { filter: "d.name == '李四'" },
        { orderby: ['period'] },
        { concat: [{ from: 'payouts', steps: [{ filter: "d.name != '李四'" }, { orderby: ['-pay_date'] }] }] },
        { select: ['name', 'pay_date'] },
      ]),
    );
    expect(rows.map((r) => `${r.name} ${r.pay_date}`)).toEqual([
      '李四 2024-01-06',
      '李四 2024-02-06',
      '李四 2024-03-06',
      '张三 2024-03-05',
      '王五 2024-02-05', // a tie on 2024-02-05: table order
      '张三 2024-02-05',
      '张三 2024-01-20',
      '张三 2024-01-05',
      '张三 2024-01-02',
    ]);
  });

  it('ranks by the orderby keys after they are renamed', async () => {
    const rows = await both(
      pipeline('RANK-RENAMED', [
        { groupby: ['id_number'] },
        { orderby: ['-amount'] },
        { rename: { amount: 'paid' } },
        { derive: { rk: 'op.rank()', dr: 'op.dense_rank()' } },
        { ungroup: true },
        { filter: "d.name == '张三'" },
        { select: ['paid', 'pay_date', 'rk', 'dr'] },
      ]),
    );
    // 张三's amounts descending: three 300.00 rank 1 (ties), then 50.00 rank 4 (dense 2), 20.00 rank 5 (3).
    expect(rows.map((r) => `${r.pay_date} ${r.rk} ${r.dr}`)).toEqual(['2024-03-05 1 1', '2024-01-20 1 1', '2024-02-05 1 1', '2024-01-02 4 2', '2024-01-05 5 3']);
  });

  // Each step an orderby's keys survive (the validator refuses a rank after any other: src/plan/flow.ts, orderAfter).
  const RANKS = { derive: { rk: 'op.rank()', dr: 'op.dense_rank()', cd: 'op.cume_dist()' } };
  it.each([
    ['a filter', [{ orderby: ['period'] }, { filter: 'd.amount > 1500' }, RANKS]],
    ['a select keeping the key', [{ orderby: ['period'] }, { select: ['period', 'id_number', 'pay_date'] }, RANKS]],
    ['a groupby after the orderby', [{ orderby: ['period'] }, { groupby: ['id_number'] }, RANKS]],
    ['an ungroup', [{ groupby: ['id_number'] }, { orderby: ['-period'] }, { ungroup: true }, RANKS]],
    ['a semijoin', [{ orderby: ['period'] }, { semijoin: { with: 'payouts', on: 'pay_date' } }, RANKS]],
    ['an antijoin', [{ orderby: ['period'] }, { antijoin: { with: { from: 'payouts', steps: [{ filter: 'd.amount > 25000' }] }, on: 'pay_date' } }, RANKS]],
    ['a lookup', [{ orderby: ['period'] }, { lookup: { with: { from: 'payouts', steps: [{ groupby: ['id_number'] }, { rollup: { mx: 'op.max(d.amount)' } }] }, on: 'id_number', values: ['mx'] } }, RANKS]],
    ['a derive writing over a key in the same step', [{ orderby: ['amount'] }, { derive: { amount: '0 - d.amount', rk: 'op.rank()', cd: 'op.cume_dist()' } }]],
    ['nothing, in a filter', [{ orderby: ['period'] }, { filter: 'op.cume_dist() > 0.5 && op.rank() > 1' }]],
  ] as const)('ranks rows, ties at the first row included, alike on both engines after %s', async (_, steps) => {
    const rows = await both(pipeline('RANKED', steps as never));
    expect(rows.length).toBeGreaterThan(1);
  });

  it('gives the first row of a partition the share of its peers (Arquero own cume_dist gave it 1/n)', async () => {
    const rows = await both(pipeline('CUME', [{ orderby: ['-amount'] }, { derive: { cd: 'op.cume_dist()', rk: 'op.rank()' } }, { select: ['amount', 'cd', 'rk'] }]));
    // Amounts descending: three of 300.00 first (each 3/9, the first one too), two of 200.00, then one each, the blank last.
    expect(rows.map((r) => `${r.amount} ${r.rk} ${Math.round(Number(r.cd) * 9)}/9`)).toEqual([
      '30000 1 3/9', '30000 1 3/9', '30000 1 3/9', '20000 4 5/9', '20000 4 5/9', '5000 6 6/9', '2000 7 7/9', '1000 8 8/9', 'null 9 9/9',
    ]);
  });

  it('numbers the rows after the filter, not before the windows', async () => {
    const sql = await onDuckDB(DATA, async (dataset) => ruleSql(RULES[0], dataset).sql);
    // One numbering, of the filter's rows; the windows order by the orderby's keys.
    expect(sql.match(/row_number\(\) OVER \(ORDER BY/g)).toHaveLength(1);
    expect(sql).toContain('OVER (PARTITION BY "id_number" ORDER BY "period" DESC NULLS LAST, "amount" ASC NULLS FIRST, "__o") AS "prev"');
    expect(sql).toMatch(/row_number\(\) OVER \(ORDER BY "period" DESC NULLS LAST, "amount" ASC NULLS FIRST, "__o"\) AS "__o" FROM s\d+\n\)/);
  });

  it('keeps the order a BIGINT of row numbers until a join multiplies it, then a HUGEINT', async () => {
    const joined = pipeline('JOINED', [{ orderby: ['period'] }, { derive: { n: 'op.row_number()' } }, { join: { with: 'payouts', on: 'id_number' } }, { join: { with: 'payouts', on: 'id_number' } }]);
    const sql = await onDuckDB(DATA, async (dataset) => ruleSql(joined, dataset).sql);
    expect(sql).toContain('"__row" AS "__o" FROM "payouts"');
    expect(sql).not.toMatch(/AS HUGEINT\) AS "__o"/);
    // Each join's order, the left row's times the right side's largest plus the right row's: in HUGEINT from the first.
    expect(sql.match(/CAST\(l\."__o" AS HUGEINT\) \* \(\(SELECT coalesce\(max\("__o"\), 0\) FROM s\d+\) \+ 2\)/g)).toHaveLength(2);
    expect(await both(joined)).toHaveLength(5 * 5 * 5 + 3 * 3 * 3 + 1);
  });
});
