/**
 * A join (inner or left) to a sub-table that ends with a rollup on the join's keys: on DuckDB, when the left
 * side is a scan to compute again, only the groups some left row meets are made — the rollup's input rows
 * whose keys a left row holds (compile.ts, metGroups). Each shape finds what Arquero finds, evidence included:
 * null keys on both sides, left rows no group meets, groups no left row meets, keys renamed and of two kinds,
 * several left rows on one group, the groups of a table of a third of the left side's rows; a left side that is not a
 * scan (a rollup), or the groups of a table of less than a quarter of the left side's rows, are joined as they were.
 */
import { describe, expect, it } from 'vitest';
import { ruleSql } from '../../../src/engine/duckdb/executor.js';
import { compiled, rule } from '../helpers.js';
import { expectDuckDBAgrees, onDuckDB } from './agree.js';

const PAYOUTS = [
  'id_number,name,scheme,period,amount,pay_date',
  '11010519491231002X,张三,210,2024-01,300.00,2024-01-05',
  '11010519491231002X,张三,110,2024-01,2000.00,2024-01-10',
  '11010519491231002X,张三,110,2024-01,20.00,2024-01-20',
  '11010519491231002X,张三,210,2024-02,300.00,2024-02-05',
  '11010519491231002X,张三,210,2024-02,5.00,2024-02-25',
  '110105195001010012,李四,210,2024-01,200.00,2024-01-06',
  '110105195001010012,李四,110,2024-02,1800.00,2024-02-06',
  '110105195203150021,王五,110,2024-02,1500.00,2024-02-05',
  ',无名,210,2024-02,70.00,2024-02-07',
  ',无名,110,2024-02,900.00,2024-02-08',
  '11010519550610003X,赵六,210,,400.00,2024-03-06',
  '11010519550610003X,赵六,110,,1600.00,2024-03-06',
  '110105196003150013,王六,110,2024-03,1200.00,2024-03-06',
].join('\n');
const DEATHS = ['id_number,death_date', '11010519491231002X,2024-01-20', '11010519491231002X,2024-01-25', ',2024-01-01'].join('\n');
// Four contribution rows to the payouts' 13: a table of more than a quarter of the left side's rows.
const CONTRIBUTIONS = [
  'id_number,employer_id,scheme,period,paid_amount',
  '11010519491231002X,E1,110,2024-01,500.00',
  '11010519491231002X,E2,110,2024-01,100.00',
  '110105195001010012,E1,110,2024-02,400.00',
  ',E1,110,2024-02,300.00',
].join('\n');
const DATA = { payouts: PAYOUTS, deaths: DEATHS, contributions: CONTRIBUTIONS };

const person = { entity: { kind: 'person' as const, key: 'id_number' } };
const pipeline = (id: string, steps: unknown[]) => compiled(rule(id, { kind: 'pipeline', from: 'payouts', steps } as never, person));
const sub = (steps: unknown[]) => ({ from: 'payouts', steps });
const pensions = (keys: string[], before: unknown[] = []) =>
  sub([{ filter: "d.scheme == '110'" }, ...before, { groupby: keys }, { rollup: { pension: 'op.sum(d.amount)', paid: 'op.count()', last_day: 'op.max(d.pay_date)' } }]);

const RULES = [
  // Unemployment rows and the same person-month's pensions (a null id and a null month on both sides).
  pipeline('INNER-MET', [{ filter: "d.scheme == '210'" }, { join: { with: pensions(['id_number', 'period']), on: ['id_number', 'period'] } }]),
  // A left join keeps the rows no group meets; then rolled up per person (evidence through the join).
  pipeline('LEFT-MET', [
    { filter: "d.scheme == '210'" },
    { join: { with: pensions(['id_number', 'period']), on: ['id_number', 'period'], how: 'left' } },
    { groupby: ['id_number'] },
    { rollup: { months: 'op.distinct(d.period)', pension: 'op.sum(d.pension)', total: 'op.sum(d.amount)' } },
  ]),
  // Keys renamed before the rollup, one of them a month made of a date (text against a month).
  pipeline('RENAMED-MET', [
    { filter: "d.scheme == '210'" },
    { join: { with: pensions(['who', 'paid_month'], [{ rename: { id_number: 'who' } }, { derive: { paid_month: 'op.month_of(d.pay_date)' } }]), on: { id_number: 'who', period: 'paid_month' } } },
  ]),
  // The groups of a table of a third of the left side's rows (UNEMPLOYMENT-WHILE-EMPLOYED's contributions): only those met.
  pipeline('SMALLER-TABLE-MET', [
    { filter: "d.scheme == '210'" },
    { join: { with: { from: 'contributions', steps: [{ groupby: ['id_number', 'period'] }, { rollup: { employer_id: 'op.max(d.employer_id)', contributed: 'op.sum(d.paid_amount)' } }] }, on: ['id_number', 'period'] } },
  ]),
  // The groups of a table of less than a quarter of the left side's rows (the semi join would cost more than it spares): as before.
  pipeline('SMALLER-TABLE', [
    { join: { with: { from: 'deaths', steps: [{ groupby: ['id_number'] }, { rollup: { died: 'op.min(d.death_date)' } }] }, on: 'id_number' } },
    { filter: 'd.period != null' },
  ]),
  // The left side a rollup (not a scan): joined as before.
  pipeline('LEFT-ROLLED-UP', [
    { filter: "d.scheme == '210'" },
    { groupby: ['id_number', 'period'] },
    { rollup: { benefit: 'op.sum(d.amount)' } },
    { join: { with: pensions(['id_number', 'period']), on: ['id_number', 'period'] } },
  ]),
];

describe('joins to the groups of a rollup on their keys on DuckDB', () => {
  it.each(RULES.map((r) => [r.rule.id, r] as const))('%s gives the rows Arquero gives', async (_, r) => {
    await expectDuckDBAgrees(r, DATA);
  });

  it('makes only the groups a left row meets, when the left side is a scan of a table no more than four times as large', async () => {
    const sql = await onDuckDB(DATA, async (dataset) => RULES.map((r) => [r.rule.id, ruleSql(r, dataset).sql.includes(`AS "__L" ON`)]));
    expect(Object.fromEntries(sql)).toEqual({ 'INNER-MET': true, 'LEFT-MET': true, 'RENAMED-MET': true, 'SMALLER-TABLE-MET': true, 'SMALLER-TABLE': false, 'LEFT-ROLLED-UP': false });
  });
});

/**
 * A lookup in a sub-table that ends with a dedupe whose keys hold the lookup's (PAYOUT-BANK-MISMATCH's single
 * transfers): on DuckDB, when the left side's rows are some of a table of at most a quarter of the other's rows, only
 * the rows whose keys a left row meets are deduped (compile.ts, metKeys). The first row of each key is kept as before:
 * several payouts on one key (the dedupe keeps the first), a left key no payout meets, null keys on both sides, a
 * date looked up by its text, a left side after an antijoin, a dedupe on more keys than the lookup's (each of its
 * groups kept or left whole); a dedupe on fewer keys than the lookup's, and a lookup from the larger table, are as
 * they were.
 */
const deaths = (id: string, steps: unknown[]) => compiled(rule(id, { kind: 'pipeline', from: 'deaths', steps } as never, person));
const LOOKUPS = [
  deaths('LOOKUP-MET', [
    { lookup: { with: sub([{ derive: { paid: 'd.amount' } }, { select: ['id_number', 'paid', 'scheme'] }, { dedupe: ['id_number'] }]), on: 'id_number', values: ['paid', 'scheme'] } },
    { filter: 'd.paid != null' },
  ]),
  deaths('LOOKUP-MET-BY-DATE', [
    { antijoin: { with: { from: 'deaths', steps: [{ filter: "d.death_date == '2024-01-01'" }] }, on: 'death_date' } },
    { lookup: { with: sub([{ filter: "d.scheme == '210'" }, { dedupe: ['id_number', 'pay_date'] }]), on: { id_number: 'id_number', death_date: 'pay_date' }, values: ['amount'] } },
    { derive: { seen: 'd.amount != null ? 1 : 0' } },
  ]),
  deaths('LOOKUP-MORE-KEYS', [
    { lookup: { with: sub([{ dedupe: ['id_number', 'scheme'] }]), on: 'id_number', values: ['amount', 'scheme'] } },
  ]),
  deaths('LOOKUP-FEWER-KEYS', [
    { lookup: { with: sub([{ dedupe: ['id_number'] }]), on: { id_number: 'id_number', death_date: 'pay_date' }, values: ['amount'] } },
    { derive: { seen: 'd.amount != null ? 1 : 0' } },
  ]),
  pipeline('LOOKUP-FROM-LARGER', [
    { lookup: { with: { from: 'deaths', steps: [{ dedupe: ['id_number'] }] }, on: 'id_number', values: ['death_date'] } },
    { filter: 'd.death_date != null' },
  ]),
];

describe('lookups in a deduped sub-table on DuckDB', () => {
  it.each(LOOKUPS.map((r) => [r.rule.id, r] as const))('%s gives the rows Arquero gives', async (_, r) => {
    await expectDuckDBAgrees(r, DATA);
  });

  it('dedupes only the rows a left row meets, when the left side is some of a table a quarter as large at most', async () => {
    const sql = await onDuckDB(DATA, async (dataset) => LOOKUPS.map((r) => [r.rule.id, ruleSql(r, dataset).sql.includes(`AS "__L" ON`)]));
    expect(Object.fromEntries(sql)).toEqual({ 'LOOKUP-MET': true, 'LOOKUP-MET-BY-DATE': true, 'LOOKUP-MORE-KEYS': true, 'LOOKUP-FEWER-KEYS': false, 'LOOKUP-FROM-LARGER': false });
  });
});
