/**
 * Validation of checks beyond the one-problem-per-file fixtures: the kinds,
 * joins, the finding spec, params and tests. Each case edits the valid rule
 * of test/rules/broken/money/VALID-RULE.yaml and asserts the problems found.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRuleFiles } from '../../src/rules/load.js';

const VALID = readFileSync(join(import.meta.dirname, 'broken/money/VALID-RULE.yaml'), 'utf8');
const dir = mkdtempSync(join(tmpdir(), 'fundaudit-validate-'));
mkdirSync(join(dir, 'money'));
let n = 0;

/**
 * Write VALID-RULE with replacements under a fresh id; return its problems as `line:col code message`.
 * The kinds read other tables and columns than VALID-RULE's tests hold, so the test-missing-* problems
 * are left out here unless asked for (see the last test).
 */
async function problemsOf(...edits: [string, string][]): Promise<string[]> {
  return (await allProblemsOf(...edits)).filter((p) => !/ test-missing-(table|column) /.test(p));
}

async function allProblemsOf(...edits: [string, string][]): Promise<string[]> {
  const id = `CASE-${++n}`;
  let text = VALID.replace('id: VALID-RULE', `id: ${id}`);
  for (const [from, to] of edits) {
    if (!text.includes(from)) throw new Error(`fixture text not found: ${from}`);
    text = text.replace(from, to);
  }
  const file = join(dir, 'money', `${id}.yaml`);
  writeFileSync(file, text);
  const { problems } = await loadRuleFiles([file]);
  return problems.map((p) => `${p.line}:${p.col} ${p.code} ${p.message}`);
}

const CHECK = `check:
  kind: pipeline
  from: payouts
  steps:
    - filter: d.amount > $.min_amount
`;
const withCheck = (check: string): [string, string] => [CHECK, check];
const FINDING_PERIOD: [string, string] = ['  period: period\n', ''];

describe('validation of the check kinds', () => {
  it('reconcile: columns inside each side, and keys that differ between sides', async () => {
    const check = (leftKey: string, rightKey: string, rightWhere: string) => `check:
  kind: reconcile
  left: { table: payouts, key: { ${leftKey} }, value: d.amount, where: d.amount > $.min_amount }
  right: { table: bank_flows, key: { ${rightKey} }, value: d.amount, where: ${rightWhere} }
`;
    const finding: [string, string][] = [
      ['  entity: { kind: person, key: id_number, label: name }', '  entity: { kind: period, key: month }'],
      ['  amount: amount', '  amount: diff'],
      FINDING_PERIOD,
      ['zh: "{name} 领取 {amount:money} 元"', 'zh: "{month} 相差 {diff:money} 元"'],
      ['en: "{name} was paid {amount:money} yuan"', 'en: "{month}: {diff:money} yuan apart"'],
    ];
    expect(await problemsOf(withCheck(check('month: op.month_of(d.pay_dat)', 'month: op.month_of(d.txn_date)', "d.direction == 'out'")), ...finding)).toEqual([
      '16:55 unknown-column unknown column `pay_dat` in the check\'s table',
    ]);
    expect(await problemsOf(withCheck(check('month: op.month_of(d.pay_date)', 'mon: op.month_of(d.txn_date)', "d.direction == 'out'")), ...finding)).toEqual([
      expect.stringMatching(/^17:36 check check.left.key and check.right.key must define the same key columns/),
    ]);
    expect(await problemsOf(withCheck(check('month: op.month_of(d.pay_date)', 'month: op.month_of(d.txn_date)', "d.direction == 'out'")), ...finding)).toEqual([]);
  });

  it('benford: value as a column or an expression', async () => {
    const check = (value: string) => `check:
  kind: benford
  table: payouts
  where: d.amount > $.min_amount
  group: [operator_id]
  value: ${value}
`;
    const finding: [string, string][] = [
      ['  entity: { kind: person, key: id_number, label: name }', '  entity: { kind: staff, key: operator_id }'],
      ['  amount: amount\n', ''],
      FINDING_PERIOD,
      ['zh: "{name} 领取 {amount:money} 元"', 'zh: "{operator_id} {mad}"'],
      ['en: "{name} was paid {amount:money} yuan"', 'en: "{operator_id} {conformity}"'],
    ];
    expect(await problemsOf(withCheck(check('amount')), ...finding)).toEqual([]);
    expect(await problemsOf(withCheck(check('op.abs(d.amount)')), ...finding)).toEqual([]);
    expect(await problemsOf(withCheck(check('amont')), ...finding)).toEqual(['19:10 unknown-column unknown column `amont` in the check\'s table']);
    expect(await problemsOf(withCheck(check('op.abs(d.amont)')), ...finding)).toEqual(['19:19 unknown-column unknown column `amont` in the check\'s table']);
    // The arrow form too: the kind puts the parsed expression into op.first_digit(…), never its text.
    expect(await problemsOf(withCheck(check('"(d) => d.amount / 100"')), ...finding)).toEqual([]);
    // A problem in the value itself is reported once, at the value.
    expect(await problemsOf(withCheck(check('op.abs(this.x)')), ...finding)).toEqual(['19:17 expression-not-allowed `this` is not allowed']);
  });

  it('shared_attribute and sequence_gaps fields, and a nested table', async () => {
    const finding: [string, string][] = [
      ['  entity: { kind: person, key: id_number, label: name }', '  entity: { kind: account, key: bank_account }'],
      ['  amount: amount\n', ''],
      FINDING_PERIOD,
      ['zh: "{name} 领取 {amount:money} 元"', 'zh: "{bank_account} {entities}"'],
      ['en: "{name} was paid {amount:money} yuan"', 'en: "{bank_account} {entities}"'],
    ];
    expect(
      await problemsOf(
        withCheck(`check:
  kind: shared_attribute
  table: { from: payouts, steps: [ { filter: d.amount > $.min_amount }, { select: [bank_account, id_number] } ] }
  attribute: bank_account
  entity: id_numbr
  amount: amount # summed
`),
        ...finding,
      ),
    ).toEqual([
      '18:11 unknown-column unknown column `id_numbr` in the check\'s table',
      '19:11 unknown-column unknown column `amount` in the check\'s table',
    ]);
    expect(
      await problemsOf(
        withCheck(`check:
  kind: sequence_gaps
  table: contributions
  where: d.paid_amount > $.min_amount
  group: [operator]
  number: op.seq_number(d.receipt)
`),
        ['  entity: { kind: person, key: id_number, label: name }', '  entity: { kind: staff, key: gap_from }'],
        ['  amount: amount\n', ''],
        FINDING_PERIOD,
        ['zh: "{name} 领取 {amount:money} 元"', 'zh: "{gap_from}-{gap_to}"'],
        ['en: "{name} was paid {amount:money} yuan"', 'en: "{missing}"'],
      ),
    ).toEqual([
      '18:11 unknown-column unknown column `operator` in the check\'s table',
      '19:27 unknown-column unknown column `receipt` in the check\'s table',
    ]);
  });

  it('outliers: the value expression, the group, and a threshold param', async () => {
    const check = (value: string, threshold: string) => `check:
  kind: outliers
  table: payouts
  where: d.amount > $.min_amount
  group: [item]
  value: ${value}
  threshold: ${threshold}
`;
    const finding: [string, string][] = [
      ['zh: "{name} 领取 {amount:money} 元"', 'zh: "{name} 领取 {amount:money} 元，中位数 {median:money}"'],
      ['en: "{name} was paid {amount:money} yuan"', 'en: "{name} was paid {amount:money} yuan (score {score})"'],
    ];
    expect(await problemsOf(withCheck(check('d.amount', '5')), ...finding)).toEqual([]);
    expect(await problemsOf(withCheck(check('amount', '$.factor')), ...finding)).toEqual([
      '19:10 expression-not-allowed unknown name `amount`',
      '20:16 undeclared-param param `factor` is used but not declared',
    ]);
  });
});

describe('validation of joins and the finding', () => {
  it('checks a. against the left table and b. against the right', async () => {
    expect(
      await problemsOf(
        withCheck(`check:
  kind: pipeline
  from: payouts
  steps:
    - filter: d.amount > $.min_amount
    - semijoin: { with: prisoners, where: "(a, b) => a.id_number == b.id_number && a.pay_date >= b.sentence_begin" }
`),
      ),
    ).toEqual(['19:100 unknown-column unknown column `sentence_begin` in the joined table (b)']);
  });

  it('checks both sides of an on map', async () => {
    expect(
      await problemsOf(
        withCheck(`check:
  kind: pipeline
  from: payouts
  steps:
    - filter: d.amount > $.min_amount
    - semijoin: { with: staff, on: { operator: staff_no } }
`),
      ),
    ).toEqual([
      '19:38 unknown-column unknown column `operator` on the left side of the join',
      '19:48 unknown-column unknown column `staff_no` in the joined table',
    ]);
  });

  it('wants new column names to be snake_case identifiers', async () => {
    expect(
      await problemsOf(['    - filter: d.amount > $.min_amount\n', "    - filter: d.amount > $.min_amount\n    - derive: { '金额 x': d.amount * 2 }\n    - rename: { name: 'full name' }\n"]),
    ).toEqual([
      '19:17 schema the name `金额 x` is not allowed here',
      '20:23 schema `check.steps[2].rename.name` `full name` does not have the expected form',
      // The rename took `name` away from the finding, which still shows it.
      '22:50 unknown-column `name` is not an output column of the check',
      '26:11 unknown-column `name` is not an output column of the check',
      '27:11 unknown-column `name` is not an output column of the check',
    ]);
  });

  it('checks the pii columns and the message formats', async () => {
    expect(
      await problemsOf(['  period: period\n', '  period: period\n  pii: { holder: name }\n'], ['{amount:money} 元', '{amount:yuan} 元']),
    ).toEqual([
      '23:10 unknown-column `holder` is not an output column of the check',
      '25:28 message-placeholder unknown format `yuan` in `{amount:yuan}`',
    ]);
  });
});

describe('validation of params and tests', () => {
  it('checks test param overrides against the declarations', async () => {
    expect(
      await problemsOf(['  - name: small payout is quiet\n', '  - name: small payout is quiet\n    params: { min_amount: ten, max: 1 }\n']),
    ).toEqual([
      '34:27 param-type test value of `min_amount` must be an amount in yuan with at most two decimals, got "ten"',
      '34:32 undeclared-param test sets param `max`, which the rule does not declare',
    ]);
  });

  it('does not take names from the object prototype for declared params', async () => {
    expect(await problemsOf(['- filter: d.amount > $.min_amount', '- filter: d.amount > $.min_amount && $.toString'])).toEqual([
      '18:44 undeclared-param param `toString` is used but not declared',
    ]);
  });

  it('wants list params to hold text', async () => {
    expect(
      await problemsOf([
        '    description: { zh: 阈值, en: Threshold }\n',
        "    description: { zh: 阈值, en: Threshold }\n  schemes:\n    type: list\n    default: [110, '120']\n    description: { zh: 险种, en: Schemes }\n",
      ], ['- filter: d.amount > $.min_amount', '- filter: d.amount > $.min_amount && op.includes($.schemes, d.scheme)']),
    ).toEqual(['16:14 param-type default of `schemes` must be a list of text, but holds non-text items']);
  });

  it('accepts header aliases in test tables, and count: 0 as a quiet case', async () => {
    expect(
      await problemsOf(
        ['        id_number,name,period,amount\n        11010519491231002X,张三,2024-01,20000.00', '        身份证号,姓名,待遇年月,发放金额（元）\n        11010519491231002X,张三,2024-01,20000.00'],
        ['expect: { none: true }', 'expect: { count: 0 }'],
      ),
    ).toEqual([]);
  });

  it('wants a case that must fire', async () => {
    expect(await problemsOf(['expect: { count: 1 }', 'expect: { none: true }'])).toEqual(['27:3 no-firing-test no test case expects a finding']);
  });

  it('counts the columns the finding shows among those a test must hold', async () => {
    expect(await allProblemsOf(['id_number,name,period,amount\n        11010519491231002X,张三,2024-01,100.00', 'id_number,period,amount\n        11010519491231002X,2024-01,100.00'])).toEqual([
      '36:9 test-missing-column the payouts table of this test lacks `name`, which the rule reads: it would be skipped and find nothing',
    ]);
  });

  it('wants each test to hold every table and column the check reads', async () => {
    const joined: [string, string] = withCheck(`check:
  kind: pipeline
  from: payouts
  steps:
    - filter: d.amount > $.min_amount && d.status == '成功'
    - semijoin: { with: deaths, on: id_number }
`);
    expect(await allProblemsOf(joined, ['      payouts: |\n        id_number,name,period,amount\n        11010519491231002X,张三,2024-01,20000.00', '      payouts: |\n        id_number,name,period,amount,status\n        11010519491231002X,张三,2024-01,20000.00,成功\n      deaths: |\n        id_number,death_date\n        11010519491231002X,2023-12-01'])).toEqual([
      '38:5 test-missing-table this test has no `deaths` table, which the rule reads: it would be skipped and find nothing',
      '40:9 test-missing-column the payouts table of this test lacks `status`, which the rule reads: it would be skipped and find nothing',
    ]);
  });
});
