import { describe, expect, it } from 'vitest';
import { compileRule, findingColumns } from '../../src/plan/compile.js';
import type { FindingSpec } from '../../src/rules/model.js';

const finding: FindingSpec = {
  entity: { kind: 'person', key: 'id_number', label: 'name' },
  amount: 'total',
  message: { zh: '{name} 共 {total:money} 元', en: '{name}: {total:money} yuan, operator {operator_id}' },
  pii: { account_holder: 'name' },
};

describe('what a compiled rule needs', () => {
  it('adds the canonical columns the finding shows to what the check reads', () => {
    const c = compileRule({
      check: { kind: 'pipeline', from: 'payouts', steps: [{ filter: 'd.amount > 0' }, { derive: { total: 'd.amount * 2' } }] },
      finding,
    });
    expect(c.tables).toEqual(['payouts']);
    expect(c.reads.payouts).toEqual(['amount']);
    expect(c.needs.payouts).toEqual(['amount', 'id_number', 'name', 'account_holder', 'operator_id']);
  });

  it('adds nothing for computed columns', () => {
    const c = compileRule({
      check: { kind: 'duplicates', table: 'payouts', key: ['id_number', 'name'], amount: 'amount' },
      finding: { ...finding, amount: 'amount', pii: undefined, message: { zh: '{count}', en: '{count}' } },
    });
    expect(c.needs.payouts.sort()).toEqual(['amount', 'id_number', 'name']);
  });

  it('lists the columns a finding names', () => {
    expect(findingColumns(finding as unknown as Record<string, unknown>)).toEqual(['id_number', 'name', 'total', 'account_holder', 'operator_id']);
  });
});

describe('how a compiled rule makes findings', () => {
  const rule = (over: Partial<FindingSpec>) =>
    compileRule({
      check: { kind: 'pipeline', from: 'bank_flows', steps: [{ groupby: ['account_no'] }, { rollup: { who: 'op.max(d.counterparty_name)', total: 'op.sum(d.amount)' } }] },
      finding: { entity: { kind: 'account', key: 'account_no', label: 'who' }, amount: 'total', message: { zh: '{account_no} {who} {total:money}', en: '{who}' }, ...over },
    });

  it('knows the kind of every output column, declared or from its lineage', () => {
    expect(rule({}).finding!.kinds).toEqual({ who: 'name' });
    expect(rule({ pii: { total: 'account' } }).finding!.kinds).toEqual({ who: 'name', total: 'account' });
  });

  it('gives each placeholder its value\'s kind; the entity\'s key and label read as the entity', () => {
    const parts = rule({}).finding!.templates.zh.filter((p) => typeof p !== 'string');
    expect(parts).toEqual([
      { column: 'account_no', kind: 'account' },
      { column: 'who', kind: 'name' },
      { column: 'total', format: 'money' },
    ]);
    expect(rule({}).finding!.entity).toEqual({ label: 'name' });
  });

  it('a problem in the finding is a problem of the compiled rule, at its place', () => {
    expect(rule({ amount: 'totl' }).problems).toEqual([
      expect.objectContaining({ stage: 'finding', code: 'unknown-column', path: ['finding', 'amount'], message: '`totl` is not an output column of the check', fix: expect.stringMatching(/did you mean `total`/) }),
    ]);
  });
});

describe('personal data through the plan (lineage)', () => {
  const compiled = (steps: unknown[], from = 'payouts', extra: Partial<FindingSpec> = {}) =>
    compileRule({
      check: { kind: 'pipeline', from, steps },
      finding: { entity: { kind: 'person', key: 'k' }, message: { zh: '{k}', en: '{k}' }, ...extra },
    });

  it('a value as loaded keeps its kind through rollups, renames, lookups and joins; computed ones are marked', () => {
    const c = compiled([
      { rename: { name: 'payee' } },
      { lookup: { with: 'persons', on: 'id_number', values: ['phone'] } },
      { join: { with: { from: 'deaths', steps: [{ rename: { name: 'dead' } }, { select: ['id_number', 'dead'] }] }, on: 'id_number' } },
      { groupby: ['person_id'] },
      {
        rollup: {
          k: 'op.max(d.payee)', card: 'op.max(d.bank_account)', phone: 'op.min(d.phone)', dead: 'op.any(d.dead)', names: 'op.array_agg_distinct(d.payee)',
          spaced: "op.max(op.substring(d.id_number, 0, 9) + ' ' + op.substring(d.id_number, 9, 18))",
          padded: "op.max(op.padstart(op.substring(d.id_number, 0, 6), 6, '0') + op.substring(d.id_number, 6))",
          number: 'op.max(op.parse_int(d.id_number))', both: "op.max(d.payee + '/' + d.bank_account)", n: 'op.count()', len: 'op.max(op.length(d.payee))',
        },
      },
    ]);
    expect(c.problems).toEqual([]);
    expect(c.finding!.kinds).toEqual({ k: 'name', card: 'account', phone: 'phone', dead: 'name', names: 'name', spaced: 'id', padded: 'id', number: 'id', both: 'account' });
    expect(c.finding!.computed.sort()).toEqual(['both', 'number', 'padded', 'spaced']);
  });

  it('a concat gives a column the kinds of the appended tables\' values too', () => {
    const c = compiled(
      [
        { derive: { k: 'd.summary' } },
        { select: ['k'] },
        { concat: [{ from: 'contributions', steps: [{ derive: { k: 'op.substring(d.id_number, 0, 10)' } }, { select: ['k'] }] }] },
      ],
      'bank_flows',
    );
    expect(c.finding!.kinds).toEqual({ k: 'id' });
    expect(c.finding!.computed).toEqual(['k']);
  });

  it('a declared kind can make masking stronger, never weaker', () => {
    const c = compiled([{ derive: { k: 'd.bank_account', note: 'd.item' } }], 'payouts', { pii: { k: 'address', note: 'name' } });
    expect(c.finding!.kinds.k).toBe('account');
    expect(c.finding!.kinds.note).toBe('name');
  });

  it('an amount computed from personal data is a problem: amounts are shown and summed, never masked', () => {
    const c = compiled([{ derive: { k: 'd.name', total: 'op.parse_int(d.id_number)' } }], 'payouts', { amount: 'total' });
    expect(c.problems.map((p) => [p.code, p.path.join('.')])).toEqual([['amount-personal-data', 'finding.amount']]);
  });
});
