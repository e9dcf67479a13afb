import { describe, expect, it } from 'vitest';
import { testRules } from '../../src/engine/tester.js';
import type { CompiledRule } from '../../src/plan/compile.js';
import type { TestCase } from '../../src/rules/model.js';
import { compiled, rule } from './helpers.js';

const PAYOUTS = `id_number,name,item,period,amount,status
11010519491231002X,张三,基本养老金,2024-01,3000.00,成功
11010519491231002X,张三,基本养老金,2024-01,3000.00,成功`;

function dupRule(tests: TestCase[]): CompiledRule {
  return compiled(rule(
    'DUPLICATE-PAYOUT',
    { kind: 'duplicates', table: 'payouts', where: "d.status == '成功'", key: ['id_number', 'item', 'period'], amount: 'amount', min_count: '$.min_count' },
    { entity: { kind: 'person', key: 'id_number' }, amount: 'amount', period: 'period', message: { zh: '{count} 次', en: '{count} times' } },
    { tests, params: { min_count: { type: 'int', default: 2, description: { zh: '', en: '' } } } },
  ));
}

const fires: TestCase = { name: 'paid twice', tables: { payouts: PAYOUTS }, expect: { count: 1, entities: ['11010519491231002X'], amount: '6000.00' } };

describe('rules test', () => {
  it('passes cases whose findings match', async () => {
    const report = await testRules([dupRule([fires, { name: 'three needed', params: { min_count: 3 }, tables: { payouts: PAYOUTS }, expect: { none: true } }])]);
    expect(report.results.map((r) => [r.case, r.passed, r.failures])).toEqual([
      ['paid twice', true, []],
      ['three needed', true, []],
    ]);
    expect([report.passed, report.failed]).toEqual([2, 0]);
  });

  it('says what was expected and what was found', async () => {
    const report = await testRules([dupRule([{ name: 'wrong', tables: { payouts: PAYOUTS }, expect: { count: 2, entities: ['440524188001010014'], amount: '3000' } }, { name: 'none', tables: { payouts: PAYOUTS }, expect: { none: true } }])]);
    expect(report.results[0].failures).toEqual([
      'expected count 2, found 1',
      'expected entities 440524188001010014 among the findings, found 11010519491231002X',
      'expected amount 3000.00 yuan in total, found 6000.00',
    ]);
    expect(report.results[0].found.findings).toEqual([{ entity: '11010519491231002X', period: '2024-01', amount: '6000.00', message: '2 times' }]);
    expect(report.results[1].failures).toEqual(['expected no findings, found 1']);
    expect(report.failed).toBe(2);
  });

  it('hints when an expected identity number is not written as loaded', async () => {
    const report = await testRules([dupRule([{ ...fires, expect: { count: 1, entities: ['11010519491231002x'] } }])]);
    expect(report.results[0].failures).toEqual([
      'expected entities 11010519491231002x among the findings, found 11010519491231002X',
      'entity keys are compared as loaded: write 11010519491231002X, not 11010519491231002x',
    ]);
  });

  it('rejects bad cases even when the validator let them through', async () => {
    const report = await testRules([
      dupRule([
        fires,
        { ...fires },
        { name: 'both', tables: { payouts: PAYOUTS }, expect: { none: true, count: 1 } },
        { name: 'nothing', tables: { payouts: PAYOUTS }, expect: {} },
      ]),
    ]);
    expect(report.results.map((r) => r.failures)).toEqual([
      [],
      ['duplicate case name "paid twice": each case of a rule needs its own name'],
      ['expect has none: true together with count: a case either finds nothing or says what it finds'],
      ['expect says nothing: write none: true, or count / entities / amount'],
    ]);
  });

  it('fails a case whose CSV has a data error or an unknown header', async () => {
    const badAmount = PAYOUTS.replace('3000.00,成功\n', '3千,成功\n');
    const badHeader = PAYOUTS.replace('status', 'statsu');
    const report = await testRules([dupRule([{ ...fires, name: 'bad amount', tables: { payouts: badAmount } }, { ...fires, name: 'bad header', tables: { payouts: badHeader } }])]);
    const [amount, header] = report.results;
    expect(amount.passed).toBe(false);
    expect(amount.failures[0]).toMatch(/^table payouts line 2, column amount: .*\(value "3千"\)$/);
    expect(amount.issues.some((i) => i.level === 'error' && i.file === 'rules/test/DUPLICATE-PAYOUT.yaml#bad amount/payouts')).toBe(true);
    expect(header.failures).toContain('table payouts: header "statsu" is not a column of payouts (nor an alias of one); fix the spelling');
  });

  it('reports a rule that could not run, and bad case params', async () => {
    const report = await testRules([
      dupRule([
        { name: 'no status column', tables: { payouts: 'id_number,item,period,amount\n11010519491231002X,基本养老金,2024-01,1.00' }, expect: { none: true } },
        { ...fires, name: 'bad param', params: { min_count: 'two' } },
        { ...fires, name: 'unknown table', tables: { payout: PAYOUTS } },
      ]),
    ]);
    expect(report.results[0].failures).toEqual(['the rule did not run (missing-column): needs column payouts.status (发放状态), which the loaded files lack']);
    expect(report.results[1].failures[0]).toMatch(/^the case's params: param DUPLICATE-PAYOUT\.min_count must be a whole number/);
    expect(report.results[2].failures[0]).toMatch(/^table payout: unknown table "payout"/);
  });

  it('a rule without cases is a problem', async () => {
    const report = await testRules([dupRule([])]);
    expect(report.problems).toEqual([{ ruleId: 'DUPLICATE-PAYOUT', file: 'rules/test/DUPLICATE-PAYOUT.yaml', message: 'has no test cases: add one case that must fire and one that must not' }]);
  });
});
