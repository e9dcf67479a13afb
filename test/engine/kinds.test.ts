import { describe, expect, it } from 'vitest';
import { compileCheck } from '../../src/plan/check.js';
import { benfordMad, conformity } from '../../src/plan/benford.js';
import { first_digit } from '../../src/engine/functions/first_digit.js';
import type { Relation } from '../../src/plan/model.js';
import type { Check } from '../../src/rules/model.js';
import type { LoadedTable } from '../../src/data/model.js';
import { runCheck, tables } from './helpers.js';

/** A kind's output rows through the reference executor, each with its evidence as `__<table>: [row indexes]`. */
function run(check: Check, data: Map<string, LoadedTable>, params = {}) {
  return runCheck(check, data, params);
}

/** Every step of a compiled kind, nested ones too, is one of the plan's verbs, and the plan is plain data. */
function verbsOnly(rel: Relation | undefined): void {
  const verbs = ['filter', 'derive', 'select', 'rename', 'join', 'semijoin', 'antijoin', 'lookup', 'groupby', 'ungroup', 'rollup', 'count', 'dedupe', 'orderby', 'concat'];
  expect(rel).toBeDefined();
  expect(JSON.parse(JSON.stringify(rel))).toEqual(rel);
  for (const s of rel!.steps) {
    expect(verbs).toContain(s.verb);
    if ('with' in s) verbsOnly(s.with);
    if (s.verb === 'concat') s.tables.forEach(verbsOnly);
  }
}

/** The problems compiling a check finds (a kind that cannot compile is one, at its field). */
const problemsOf = (check: Check) => compileCheck(check).problems;

const payouts = tables({
  payouts: `payout_id,id_number,name,item,period,amount,status,bank_account,operator_id
    P1,11010519491231002X,张三,基本养老金,2024-01,3000.00,成功,6222001,OP1
    P2,11010519491231002X,张三,基本养老金,2024-01,3000.00,成功,6222001,OP1
    P3,11010519491231002X,张三,基本养老金,2024-01,3000.00,退回,6222001,OP1
    P4,440524188001010014,李四,基本养老金,2024-01,2500.50,成功,6222001,OP2
    P5,110102199101010078,王五,基本养老金,2024-01,2800.00,成功,6222001,OP2
    P6,120110198012010073,赵六,基本养老金,2024-01,2900.00,成功,6222999,OP2
    P7,120110199212010072,钱七,基本养老金,2024-01,31000.00,成功,6222888,OP2`,
});

describe('duplicates', () => {
  const check: Check = { kind: 'duplicates', table: 'payouts', where: "d.status == '成功'", key: ['id_number', 'item', 'period'], amount: 'amount', min_count: '$.min' };
  it('one row per repeated key with count, amount and the rows as provenance', async () => {
    expect(await run(check, payouts, { min: 2 })).toEqual([
      { id_number: '11010519491231002X', item: '基本养老金', period: '2024-01', count: 2, amount: 600000, __payouts: [0, 1] },
    ]);
    expect(await run(check, payouts, { min: 3 })).toEqual([]);
  });
  it('compiles to verbs only', () => verbsOnly(compileCheck(check).relation));
  it('rejects a bad min_count', async () => {
    expect(problemsOf({ ...check, min_count: 'two' } as Check)).toEqual([
      expect.objectContaining({ code: 'check', path: ['check', 'min_count'], message: expect.stringMatching(/check\.min_count must be a number or a parameter reference/) }),
    ]);
  });
});

describe('shared_attribute', () => {
  const check: Check = { kind: 'shared_attribute', table: 'payouts', where: "d.status == '成功'", attribute: 'bank_account', entity: 'id_number', amount: 'amount', min_entities: 3 };
  it('one row per value shared by enough distinct entities', async () => {
    expect(await run(check, payouts)).toEqual([{ bank_account: '6222001', entities: 3, rows: 4, amount: 1130050, __payouts: [0, 1, 3, 4] }]);
    expect(await run({ ...check, min_entities: 4 }, payouts)).toEqual([]);
  });
  it('compiles to verbs only', () => verbsOnly(compileCheck(check).relation));
});

describe('outliers', () => {
  it('ratio to the group median', async () => {
    const check: Check = { kind: 'outliers', table: 'payouts', where: "d.status == '成功'", group: ['item'], value: 'd.amount', method: 'ratio', threshold: 5, min_n: 3 };
    const out = await run(check, payouts);
    expect(out.map((r) => [r.payout_id, r.value, r.n, r.median, r.mad, r.score, r.__payouts])).toEqual([['P7', 3100000, 6, 295000, 10000, 3100000 / 295000, [6]]]);
    verbsOnly(compileCheck(check).relation);
  });
  it('robust z with MAD: 0.6745 (x − median) / MAD', async () => {
    const check: Check = { kind: 'outliers', table: 'payouts', where: "d.status == '成功'", value: 'd.amount', threshold: '$.z' };
    const out = await run(check, payouts, { z: 3.5 });
    // values 300000 ×2, 250050, 280000, 290000, 3100000 → median 295000; |dev| 5000,5000,44950,15000,5000,2805000 → MAD 10000
    expect(out.map((r) => [r.payout_id, r.median, r.mad, r.score])).toEqual([['P7', 295000, 10000, (0.6745 * (3100000 - 295000)) / 10000]]);
  });
  it('falls back to the mean absolute deviation when MAD is 0', async () => {
    const data = tables({
      payouts: `payout_id,item,amount
        A,x,100.00
        B,x,100.00
        C,x,100.00
        D,x,100.00
        E,x,100.00
        F,x,900.00`,
    });
    const out = await run({ kind: 'outliers', table: 'payouts', value: 'd.amount', threshold: 3.5 }, data);
    // median 10000, MAD 0, mean |dev| = 80000/6
    expect(out.map((r) => [r.payout_id, r.mad, r.score])).toEqual([['F', 0, 80000 / (1.253314 * (80000 / 6))]]);
  });
  it('skips groups smaller than min_n', async () => {
    expect(await run({ kind: 'outliers', table: 'payouts', value: 'd.amount', method: 'ratio', threshold: 5, min_n: 10 }, payouts)).toEqual([]);
  });
});

describe('sequence_gaps', () => {
  const data = tables({
    contributions: `record_id,receipt_no,operator_id,paid_amount
      R1,PJ-0001,OP1,10.00
      R2,PJ-0002,OP1,10.00
      R3,PJ-0005,OP1,10.00
      R4,PJ-0006,OP1,10.00
      R5,PJ-0010,OP1,10.00
      R6,PJ-0001,OP2,10.00
      R7,PJ-0003,OP2,10.00
      R8,PJ-0003,OP2,10.00
      R9,,OP2,10.00`,
  });
  const check: Check = { kind: 'sequence_gaps', table: 'contributions', group: ['operator_id'], number: 'op.seq_number(d.receipt_no)' };
  it('one row per gap, evidence the two rows bounding it', async () => {
    const out = (await run(check, data)).map((r) => ({ ...r, prov: r.__contributions }) as Record<string, any>);
    // Gaps come in the order of the rows that bound them (a join's order); compared by operator and number.
    const rows = out.map((r) => [r.operator_id, r.gap_from, r.gap_to, r.missing, r.prov]).sort((a, b) => String(a[0]).localeCompare(String(b[0])) || a[1] - b[1]);
    expect(rows).toEqual([
      ['OP1', 3, 4, 2, [2, 1]],
      ['OP1', 7, 9, 3, [4, 3]],
      ['OP2', 2, 2, 1, [6, 5]],
    ]);
  });
  it('min_gap filters small gaps', async () => {
    expect((await run({ ...check, min_gap: 3 }, data)).map((r) => [r.gap_from, r.gap_to])).toEqual([[7, 9]]);
  });
  it('without groups the whole table is one sequence', async () => {
    expect((await run({ kind: 'sequence_gaps', table: 'contributions', where: "d.operator_id == 'OP1'", number: 'op.seq_number(d.receipt_no)' }, data)).map((r) => r.missing)).toEqual([2, 3]);
  });
  it('compiles to verbs only', () => verbsOnly(compileCheck(check).relation));
});

describe('reconcile', () => {
  const data = tables({
    contributions: `record_id,received_date,paid_amount
      C1,2024-01-05,100.00
      C2,2024-01-20,50.25
      C3,2024-02-03,200.00
      C4,2024-04-01,10.00`,
    bank_flows: `txn_id,txn_date,account_type,direction,amount
      B1,2024-01-31,收入户,收,150.25
      B2,2024-02-28,收入户,收,150.00
      B3,2024-03-31,收入户,收,80.00
      B4,2024-03-31,支出户,付,999.00`,
  });
  const check: Check = {
    kind: 'reconcile',
    left: { table: 'contributions', key: { month: 'op.month_of(d.received_date)' }, value: 'd.paid_amount' },
    right: { table: 'bank_flows', where: "d.account_type == '收入户' && d.direction == 'in'", key: { month: 'op.month_of(d.txn_date)' }, value: 'd.amount' },
    tolerance: '$.tolerance',
  };
  it('full outer join of the totals, one-sided keys included', async () => {
    const out = await run(check, data, { tolerance: 0 });
    expect(out.map(({ __contributions, __bank_flows, ...r }) => r)).toEqual([
      { month: '2024-02', left_total: 20000, right_total: 15000, diff: 5000, abs_diff: 5000, left_rows: 1, right_rows: 1 },
      { month: '2024-04', left_total: 1000, right_total: 0, diff: 1000, abs_diff: 1000, left_rows: 1, right_rows: 0 },
      // Deposits with no receipts behind them: the money at risk is still positive.
      { month: '2024-03', left_total: 0, right_total: 8000, diff: -8000, abs_diff: 8000, left_rows: 0, right_rows: 1 },
    ]);
    expect(out[0].__contributions).toEqual([2]);
    expect(out[0].__bank_flows).toEqual([1]);
  });
  it('tolerance and one_sided: false', async () => {
    expect((await run(check, data, { tolerance: 5000 })).map((r) => r.month)).toEqual(['2024-03']);
    expect((await run({ ...check, one_sided: false }, data, { tolerance: 0 })).map((r) => r.month)).toEqual(['2024-02']);
  });
  it('both sides must define the same keys', async () => {
    expect(problemsOf({ ...check, right: { ...(check as any).right, key: { period: 'd.txn_date' } } } as Check)).toEqual([
      expect.objectContaining({ code: 'check', path: ['check', 'right', 'key'], message: expect.stringMatching(/same key columns/) }),
    ]);
  });
  it('compiles to verbs only', () => verbsOnly(compileCheck(check).relation));
});

describe('benford', () => {
  // Operator A: Benford-like amounts; operator B: everything starting with 4 or 5.
  const rows: string[] = ['payout_id,operator_id,amount'];
  let id = 0;
  const benfordLike = [1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 4, 4, 5, 5, 6, 7, 8, 9];
  for (let r = 0; r < 10; r++) for (const d of benfordLike) rows.push(`P${++id},A,${d}${(r * 7) % 10}${r}.00`);
  for (let r = 0; r < 100; r++) rows.push(`P${++id},B,${r % 3 === 0 ? 5 : 4}${r % 10}9.00`);
  rows.push(`P${++id},B,0.00`);
  const data = tables({ payouts: rows.join('\n') });
  const amounts = data.get('payouts')!.columns.amount as number[];
  const ops = data.get('payouts')!.columns.operator_id as string[];

  function expected(op: string) {
    const counts = new Map<number, number>();
    amounts.forEach((a, i) => {
      const d = first_digit(a);
      if (ops[i] === op && d !== null) counts.set(d, (counts.get(d) ?? 0) + 1);
    });
    const mad = benfordMad('first', counts);
    return { n: [...counts.values()].reduce((x, y) => x + y, 0), mad, conformity: conformity('first', mad) };
  }

  const check: Check = { kind: 'benford', table: 'payouts', group: ['operator_id'], value: 'amount', min_n: '$.min_n', flag_at: 'acceptable' };

  it("per group: n, Nigrini's MAD over all nine bins and its label", async () => {
    const out = await run(check, data, { min_n: 50 });
    const a = expected('A');
    const b = expected('B');
    expect(b.conformity).toBe('nonconformity');
    const byOp = Object.fromEntries(out.map((r) => [r.operator_id, r]));
    expect(byOp.B.n).toBe(100);
    expect(byOp.B.mad).toBeCloseTo(b.mad, 12);
    expect(byOp.B.conformity).toBe('nonconformity');
    // every amount counted is evidence
    expect(byOp.B.__payouts.length).toBe(100);
    if (a.conformity === 'close') expect(byOp.A).toBeUndefined();
    else {
      expect(byOp.A.mad).toBeCloseTo(a.mad, 12);
      expect(byOp.A.conformity).toBe(a.conformity);
    }
  });

  it('flag_at nonconformity (default) and min_n', async () => {
    const out = await run({ ...check, flag_at: undefined }, data, { min_n: 50 });
    expect(out.map((r) => r.operator_id)).toEqual(['B']);
    expect(await run(check, data, { min_n: 1000 })).toEqual([]);
  });

  it('first_two digits use 90 bins', async () => {
    const out = await run({ ...check, digits: 'first_two', flag_at: 'acceptable' }, data, { min_n: 50 });
    const counts = new Map<number, number>();
    amounts.forEach((a, i) => {
      if (ops[i] !== 'B' || a === 0) return;
      const d = Number(String(a).slice(0, 2));
      counts.set(d, (counts.get(d) ?? 0) + 1);
    });
    const b = out.find((r) => r.operator_id === 'B')!;
    expect(b.mad).toBeCloseTo(benfordMad('first_two', counts), 12);
  });

  it('rejects an unknown flag_at', async () => {
    expect(problemsOf({ ...check, flag_at: 'bad' } as Check)).toEqual([expect.objectContaining({ code: 'check', message: expect.stringMatching(/flag_at must be acceptable, marginal or nonconformity/) })]);
  });
  it('compiles to verbs only', () => verbsOnly(compileCheck(check).relation));
});

describe('pipeline checks and errors', () => {
  it('a pipeline check compiles to one plan step per verb, its expression parsed', () => {
    const rel = compileCheck({ kind: 'pipeline', from: 'payouts', steps: [{ filter: 'd.amount > 0' }] }).relation!;
    expect(rel.from).toBe('payouts');
    expect(rel.steps.map((s) => [s.verb, s.path])).toEqual([['filter', ['check', 'steps', 0]]]);
    expect(rel.steps[0]).toMatchObject({ where: { type: 'binary', op: '>', left: { type: 'column', side: 'd', name: 'amount' }, right: { type: 'literal', value: 0 } } });
  });
  it('an unknown kind is a compile problem at check.kind', () => {
    const c = compileCheck({ kind: 'nope' } as unknown as Check);
    expect(c.relation).toBeUndefined();
    expect(c.problems).toEqual([expect.objectContaining({ code: 'check', path: ['check', 'kind'] })]);
  });
});
