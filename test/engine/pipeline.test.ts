import { describe, expect, it } from 'vitest';
import type { Step } from '../../src/rules/model.js';
import { runCheck, tables } from './helpers.js';

const data = tables({
  payouts: `id_number,name,item,period,amount,status
    11010519491231002X,张三,基本养老金,2024-01,3000.00,成功
    11010519491231002X,张三,基本养老金,2024-02,3000.00,成功
    11010519491231002X,张三,丧葬补助金,2024-02,5000.00,成功
    440524188001010014,李四,基本养老金,2024-01,2500.50,退回
    110102199101010078,王五,基本养老金,2024-01,1000.00,成功`,
  deaths: `id_number,name,death_date
    11010519491231002X,张三,2024-01-15
    412723199010050012,赵六,2023-05-01`,
});

/** The rows of a pipeline, each with its evidence as `__<table>: [row indexes]`. */
function run(steps: Step[], from = 'payouts', params = {}) {
  return runCheck({ kind: 'pipeline', from, steps }, data, params);
}

describe('verbs', () => {
  it('filter with params, carrying provenance', async () => {
    expect(await run([{ filter: 'd.amount >= $.min && d.status == "成功"' }, { select: ['name', 'amount'] }], 'payouts', { min: 300000 })).toEqual([
      { name: '张三', amount: 300000, __payouts: [0] },
      { name: '张三', amount: 300000, __payouts: [1] },
      { name: '张三', amount: 500000, __payouts: [2] },
    ]);
  });

  it('derive with domain functions; select keeps provenance; rename', async () => {
    expect((await run([{ derive: { next: 'op.add_months(d.period, 1)' } }, { select: ['period', 'next'] }, { rename: { next: 'following' } }])).slice(0, 2)).toEqual([
      { period: '2024-01', following: '2024-02', __payouts: [0] },
      { period: '2024-02', following: '2024-03', __payouts: [1] },
    ]);
  });

  it('join on a key keeps both provenance columns', async () => {
    expect(await run([{ select: ['id_number', 'period'] }, { join: { with: { from: 'deaths', steps: [{ select: ['id_number', 'death_date'] }] }, on: 'id_number' } }])).toEqual([
      { id_number: '11010519491231002X', period: '2024-01', __payouts: [0], death_date: '2024-01-15', __deaths: [0] },
      { id_number: '11010519491231002X', period: '2024-02', __payouts: [1], death_date: '2024-01-15', __deaths: [0] },
      { id_number: '11010519491231002X', period: '2024-02', __payouts: [2], death_date: '2024-01-15', __deaths: [0] },
    ]);
  });

  it('left join, and key maps with different names', async () => {
    const out = await run([
      { filter: "d.item == '基本养老金' && d.period == '2024-01'" },
      { select: ['id_number'] },
      { join: { with: { from: 'deaths', steps: [{ rename: { id_number: 'dead_id' } }, { select: ['dead_id', 'death_date'] }] }, on: { id_number: 'dead_id' }, how: 'left' } },
    ]);
    expect(out.map((r) => [r.id_number, r.dead_id, r.death_date])).toEqual([
      ['11010519491231002X', '11010519491231002X', '2024-01-15'],
      ['440524188001010014', null, null],
      ['110102199101010078', null, null],
    ]);
  });

  it('join with a where predicate suffixes clashing names', async () => {
    const out = await run([
      { select: ['id_number', 'name', 'period'] },
      { join: { with: 'deaths', where: '(a, b) => a.id_number == b.id_number && a.period > op.month_of(b.death_date)' } },
    ]);
    expect(out).toEqual([
      { id_number_1: '11010519491231002X', name_1: '张三', period: '2024-02', __payouts: [1], id_number_2: '11010519491231002X', name_2: '张三', death_date: '2024-01-15', __deaths: [0] },
      { id_number_1: '11010519491231002X', name_1: '张三', period: '2024-02', __payouts: [2], id_number_2: '11010519491231002X', name_2: '张三', death_date: '2024-01-15', __deaths: [0] },
    ]);
  });

  it("a join's output names are the plan's, whichever columns the files have", async () => {
    // The deaths file has no name column: the plan still names the payouts' name name_1, as validate said it would.
    const noNames = tables({
      payouts: 'id_number,name,period\n11010519491231002X,张三,2024-02',
      deaths: 'id_number,death_date\n11010519491231002X,2024-01-15',
    });
    const out = await runCheck({ kind: 'pipeline', from: 'payouts', steps: [{ join: { with: 'deaths', where: '(a, b) => a.id_number == b.id_number' } }] }, noNames);
    expect(out).toEqual([{ id_number_1: '11010519491231002X', name_1: '张三', period: '2024-02', id_number_2: '11010519491231002X', death_date: '2024-01-15', __payouts: [0], __deaths: [0] }]);
  });

  it('a join says how rows match: without on or where it does not compile', async () => {
    await expect(run([{ select: ['id_number', 'name', 'period'] }, { join: { with: { from: 'deaths', steps: [{ select: ['id_number', 'name', 'death_date'] }] } } }])).rejects.toThrow(
      /check\.steps\[1\]\.join: join needs `on` or `where`/,
    );
  });

  it('semijoin and antijoin keep the left rows only', async () => {
    expect(await run([{ semijoin: { with: 'deaths', on: 'id_number' } }, { select: ['period'] }])).toEqual([
      { period: '2024-01', __payouts: [0] },
      { period: '2024-02', __payouts: [1] },
      { period: '2024-02', __payouts: [2] },
    ]);
    expect(await run([{ antijoin: { with: 'deaths', where: '(a, b) => a.id_number == b.id_number' } }, { select: ['name'] }])).toEqual([
      { name: '李四', __payouts: [3] },
      { name: '王五', __payouts: [4] },
    ]);
  });

  it('lookup adds values and the looked-up row as evidence', async () => {
    expect((await run([{ lookup: { with: 'deaths', on: 'id_number', values: ['death_date'] } }, { select: ['name', 'death_date'] }])).slice(2, 4)).toEqual([
      { name: '张三', death_date: '2024-01-15', __payouts: [2], __deaths: [0] },
      { name: '李四', death_date: null, __payouts: [3] },
    ]);
  });

  it('groupby and rollup aggregate provenance; money sums are exact fen', async () => {
    expect(await run([{ groupby: ['name'] }, { rollup: { total: 'op.sum(d.amount)', n: 'op.count()' } }])).toEqual([
      { name: '张三', total: 1100000, n: 3, __payouts: [0, 1, 2] },
      { name: '李四', total: 250050, n: 1, __payouts: [3] },
      { name: '王五', total: 100000, n: 1, __payouts: [4] },
    ]);
  });

  it('count, with and without as', async () => {
    expect(await run([{ groupby: ['status'] }, { count: {} }])).toEqual([
      { status: '成功', count: 4, __payouts: [0, 1, 2, 4] },
      { status: '退回', count: 1, __payouts: [3] },
    ]);
    expect(await run([{ count: { as: 'rows' } }])).toEqual([{ rows: 5, __payouts: [0, 1, 2, 3, 4] }]);
  });

  it('ungroup, derive over groups (window), orderby descending', async () => {
    const out = await run([
      { groupby: ['name'] },
      { derive: { share: 'd.amount / op.sum(d.amount)' } },
      { ungroup: true },
      { filter: 'd.share < 1' },
      { orderby: ['-amount', 'period'] },
      { select: ['amount', 'period'] },
    ]);
    expect(out).toEqual([
      { amount: 500000, period: '2024-02', __payouts: [2] },
      { amount: 300000, period: '2024-01', __payouts: [0] },
      { amount: 300000, period: '2024-02', __payouts: [1] },
    ]);
  });

  it('dedupe keeps the first row of each key', async () => {
    expect(await run([{ dedupe: ['id_number'] }, { select: ['name', 'period'] }])).toEqual([
      { name: '张三', period: '2024-01', __payouts: [0] },
      { name: '李四', period: '2024-01', __payouts: [3] },
      { name: '王五', period: '2024-01', __payouts: [4] },
    ]);
  });

  it('concat stacks tables; each row keeps its own provenance', async () => {
    const out = await run([{ select: ['id_number'] }, { concat: [{ from: 'deaths', steps: [{ select: ['id_number'] }] }] }]);
    expect(out.length).toBe(7);
    expect(out[5]).toEqual({ id_number: '11010519491231002X', __deaths: [0] });
    expect(out[0]).toEqual({ id_number: '11010519491231002X', __payouts: [0] });
  });

  it('a step that cannot compile, or fails as it runs, is named', async () => {
    const bad: Step[] = [{ filter: 'd.amount > 0' }, { join: { with: 'deaths', on: 'id_number', where: '(a, b) => true' } }];
    await expect(run(bad)).rejects.toThrow(/check\.steps\[1\]\.join\.where: join takes either `on` or `where`, not both/);
    await expect(run([{ join: { with: { from: 'deaths', steps: [{ filter: 'op.nope(d.x)' }] }, on: 'id_number' } }])).rejects.toThrow(
      /check\.steps\[0\]\.join\.with\.steps\[0\]\.filter: op\.nope is not an allowed function/,
    );
    await expect(run([], 'prisoners')).rejects.toThrow(/table prisoners is not loaded/);
    await expect(run([{ derive: { __payouts: '0' } }])).rejects.toThrow(/check\.steps\[0\]\.derive\.__payouts: `__payouts` is a reserved name/);
    await expect(run([{ rename: { name: '__x' } }])).rejects.toThrow(/reserved/);
  });
});
