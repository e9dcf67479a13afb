/**
 * Semijoins, antijoins and lookups of a sub-table that ends with a dedupe: on DuckDB a dedupe whose keys hold the
 * join's keys is not computed for a semijoin or antijoin (the same keys exist either way), and a lookup of rows
 * unique on its keys takes the one row of each key without ranking them. Each shape finds what Arquero finds;
 * a dedupe on other keys, which changes which keys exist, is still computed.
 */
import { describe, expect, it } from 'vitest';
import { ruleSql } from '../../../src/engine/duckdb/executor.js';
import { compiled, rule } from '../helpers.js';
import { expectDuckDBAgrees, onDuckDB } from './agree.js';

const PAYOUTS = [
  'id_number,name,period,amount,pay_date,bank_account',
  '11010519491231002X,张三,2024-01,300.00,2024-01-05,6222001',
  '11010519491231002X,张三,2024-02,300.00,2024-02-05,6222001',
  '110105195001010012,张三,2024-01,200.00,2024-01-06,6222002',
  '110105195001010012,李四,2024-02,200.00,2024-02-06,6222002',
  '110105195203150021,王五,2024-02,50.00,2024-02-05,',
  ',无名,2024-02,70.00,2024-02-07,6222003',
  ',无名,2024-03,80.00,2024-03-07,6222003',
  '11010519550610003X,,2024-03,400.00,2024-03-06,6222004',
].join('\n');
const DATA = { payouts: PAYOUTS };

const person = { entity: { kind: 'person' as const, key: 'id_number' } };
const pipeline = (id: string, steps: unknown[]) => compiled(rule(id, { kind: 'pipeline', from: 'payouts', steps } as never, person));
const sub = (steps: unknown[]) => ({ from: 'payouts', steps });

const RULES = [
  // The accounts paid in February, deduped on the antijoin's keys (null accounts and ids on both sides).
  pipeline('ANTI-SAME-KEYS', [{ antijoin: { with: sub([{ filter: "d.period == '2024-02'" }, { select: ['id_number', 'bank_account'] }, { dedupe: ['id_number', 'bank_account'] }]), on: ['id_number', 'bank_account'] } }]),
  // A semijoin on one key of a dedupe on two, renamed on the way.
  pipeline('SEMI-FEWER-KEYS', [{ semijoin: { with: sub([{ filter: 'd.amount >= 300' }, { rename: { bank_account: 'account' } }, { dedupe: ['account', 'period'] }]), on: { bank_account: 'account' } } }]),
  // A dedupe of every column, then one on the key: both go.
  pipeline('SEMI-ALL-COLUMNS', [{ semijoin: { with: sub([{ select: ['id_number', 'period'] }, { dedupe: [] }, { dedupe: ['id_number'] }]), on: 'id_number' } }]),
  // A dedupe on the name keeps one id per name: which ids exist depends on it, so it stays.
  pipeline('ANTI-OTHER-KEYS', [{ antijoin: { with: sub([{ dedupe: ['name'] }]), on: 'id_number' } }]),
  // A lookup of rows deduped on its keys, and of a rollup's groups: one row per key, the evidence that row's.
  pipeline('LOOKUP-UNIQUE', [
    { lookup: { with: sub([{ filter: 'd.bank_account != null' }, { dedupe: ['bank_account'] }, { rename: { id_number: 'first_payee' } }]), on: 'bank_account', values: ['first_payee'] } },
    { lookup: { with: sub([{ groupby: ['bank_account'] }, { rollup: { paid: 'op.sum(d.amount)' } }]), on: 'bank_account', values: ['paid'] } },
    { filter: 'd.first_payee != d.id_number || d.paid > 50000' },
  ]),
];

describe('semijoins, antijoins and lookups of deduped sub-tables on DuckDB', () => {
  it.each(RULES.map((r) => [r.rule.id, r] as const))('%s gives the rows Arquero gives', async (_, r) => {
    await expectDuckDBAgrees(r, DATA);
  });

  it('computes a dedupe only where it decides which keys exist', async () => {
    const sql = await onDuckDB(DATA, async (dataset) => RULES.map((r) => [r.rule.id, (ruleSql(r, dataset).sql.match(/row_number\(\)/g) ?? []).length]));
    // LOOKUP-UNIQUE: its first lookup's dedupe, and no ranking of the rows each lookup reads.
    expect(Object.fromEntries(sql)).toEqual({ 'ANTI-SAME-KEYS': 0, 'SEMI-FEWER-KEYS': 0, 'SEMI-ALL-COLUMNS': 0, 'ANTI-OTHER-KEYS': 1, 'LOOKUP-UNIQUE': 1 });
  });
});
