import { describe, expect, it } from 'vitest';
import { findingColumns, placeholders, ruleReads } from '../../src/rules/reads.js';
import type { FindingSpec } from '../../src/rules/model.js';

const finding: FindingSpec = {
  entity: { kind: 'person', key: 'id_number', label: 'name' },
  amount: 'total',
  message: { zh: '{name} 共 {total:money} 元', en: '{name}: {total:money} yuan, operator {operator_id}' },
  pii: { account_holder: 'name' },
};

describe('ruleReads', () => {
  it('adds the canonical columns the finding shows to what the check reads', () => {
    const a = ruleReads({
      check: { kind: 'pipeline', from: 'payouts', steps: [{ filter: 'd.amount > 0' }, { derive: { total: 'd.amount * 2' } }] },
      finding,
    });
    expect(a.tables).toEqual(['payouts']);
    expect(a.inputColumns.payouts).toEqual(['amount', 'id_number', 'name', 'account_holder', 'operator_id']);
  });

  it('adds nothing for computed columns', () => {
    const a = ruleReads({
      check: { kind: 'duplicates', table: 'payouts', key: ['id_number', 'name'], amount: 'amount' },
      finding: { ...finding, amount: 'amount', pii: undefined, message: { zh: '{count}', en: '{count}' } },
    });
    expect(a.inputColumns.payouts.sort()).toEqual(['amount', 'id_number', 'name']);
  });
});

describe('placeholders and findingColumns', () => {
  it('reads {column} and {column:format} with their offsets', () => {
    expect(placeholders('{a} and {b:money}')).toEqual([
      { name: 'a', format: undefined, index: 0, text: '{a}' },
      { name: 'b', format: 'money', index: 8, text: '{b:money}' },
    ]);
    expect(findingColumns(finding)).toEqual(['id_number', 'name', 'total', 'account_holder', 'operator_id']);
  });
});
