/**
 * A budget per rule: rules that pass `validate` and `test` but would take the
 * machine down on real data (test/cli/hostile/budget: a cross join, a join on
 * a column of few values, a list and a string grown for every row, a condition
 * tested for every pair of rows) are stopped and reported as skipped with the
 * limit they went over, and the rest of the audit completes with its exit
 * status as usual. Budgets are small here to keep the tests fast. Through the
 * real binary, on both engines (DuckDB, the default, and Arquero).
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { fundaudit, ROOT } from './binary.js';

const RUNAWAY = join(ROOT, 'test/cli/hostile/budget');
const RULES = join(ROOT, 'test/cli/rules');
const ROWS = 20_000;

let dir: string;
let exports: string;

/** A config file with these lines; returns its path. */
function config(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

type Skipped = { ruleId: string; reason: string; code: string; budget?: { limit: string; value: number } };

function auditJson(args: string[]) {
  const r = fundaudit(['audit', exports, '--rules', RUNAWAY, '--rules', RULES, '--format', 'json', ...args], { timeout: 180_000 });
  return { ...r, doc: r.stdout ? JSON.parse(r.stdout) : undefined };
}

const skippedOf = (doc: { skipped: Skipped[] }, id: string) => doc.skipped.find((s) => s.ruleId === id);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'fa-budget-'));
  exports = join(dir, 'exports');
  mkdirSync(exports);
  const schemes = ['110', '120', '170'];
  const payouts = ['个人编号,姓名,险种类型,待遇项目,待遇年月,发放金额,发放状态,身份证号码,银行账号,户名'];
  const contributions = ['个人编号,险种类型,费款所属期,实缴金额'];
  for (let i = 0; i < ROWS; i++) {
    payouts.push(`P${i},张三,${schemes[i % 3]},基本养老金,2024-01,${i === 7 ? '90000.00' : '3000.00'},成功,11010519491231002X,6222020200112233445,张三`);
    contributions.push(`P${i},${schemes[i % 3]},2023-12,240.00`);
  }
  writeFileSync(join(exports, 'payouts.csv'), payouts.join('\n') + '\n');
  writeFileSync(join(exports, 'contributions.csv'), contributions.join('\n') + '\n');
});

describe('the runaway rules pass validation and their own tests', () => {
  it('validate and test find nothing wrong with them: only real data shows what they cost', () => {
    expect(fundaudit(['rules', 'validate', RUNAWAY]).code).toBe(0);
    const t = fundaudit(['rules', 'test', RUNAWAY]);
    expect(t.stdout).toMatch(/10 passed, 0 failed/);
  });
});

describe('a rule over its budget is stopped and reported; the others run', () => {
  it.each(['duckdb', 'arquero'])('%s: joins far beyond their inputs are refused before they run; grown values are stopped by the memory budget', (engine) => {
    const r = auditJson(['--engine', engine, '--only', 'RUNAWAY-CROSS-JOIN,RUNAWAY-LOW-KEY-JOIN,RUNAWAY-SPLIT,RUNAWAY-PAD,T-LARGE-PAYOUT', '--fail-on', 'low', '--config', config('small.yaml', 'budget: { memory_mb: 96 }\n')]);
    expect(r.stderr).not.toMatch(/internal error|heap out of memory/i);
    // The audit completes with its usual exit status: T-LARGE-PAYOUT's finding is at or above --fail-on low.
    expect(r.code).toBe(1);
    expect(r.doc.findings.map((f: { ruleId: string }) => f.ruleId)).toEqual(['T-LARGE-PAYOUT']);
    for (const id of ['RUNAWAY-CROSS-JOIN', 'RUNAWAY-LOW-KEY-JOIN']) {
      expect(skippedOf(r.doc, id)).toMatchObject({ code: 'budget', budget: { limit: 'join_growth', value: 100 } });
      expect(skippedOf(r.doc, id)!.reason).toMatch(/refused before it ran/);
    }
    expect(skippedOf(r.doc, 'RUNAWAY-CROSS-JOIN')!.reason).toMatch(/would test 400,000,000 pairs of rows/);
    expect(skippedOf(r.doc, 'RUNAWAY-LOW-KEY-JOIN')!.reason).toMatch(/would output 133,3\d\d,\d{3} rows, more than 100 times its inputs/);
    for (const id of ['RUNAWAY-SPLIT', 'RUNAWAY-PAD']) {
      expect(skippedOf(r.doc, id)).toMatchObject({ code: 'budget', budget: { limit: 'memory_mb', value: 96 } });
      expect(skippedOf(r.doc, id)!.reason).toMatch(/more than 96 MiB beyond the data, its memory budget/);
    }
    expect(r.doc.manifest.rules.filter((x: { status: string }) => x.status === 'skipped')).toHaveLength(4);
  });

  it.each(['duckdb', 'arquero'])('%s: the memory budget alone stops the joins too, when the join growth budget lets them start', (engine) => {
    const r = auditJson(['--engine', engine, '--only', 'RUNAWAY-CROSS-JOIN,RUNAWAY-LOW-KEY-JOIN', '--config', config('joins.yaml', 'budget:\n  memory_mb: 96\n  join_growth: 1000000000\n')]);
    for (const id of ['RUNAWAY-CROSS-JOIN', 'RUNAWAY-LOW-KEY-JOIN']) expect(skippedOf(r.doc, id)).toMatchObject({ code: 'budget', budget: { limit: 'memory_mb' } });
    // Every rule stopped: the report says why for each, and the exit says nothing was checked (a batch job must not read it as clean).
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no rule could run, so nothing was checked — stopped over their budget \(docs\/budgets\.md\): RUNAWAY-CROSS-JOIN, RUNAWAY-LOW-KEY-JOIN/);
  });

  // A condition on text made from both rows of every pair: slow on both engines (a range condition such as
  // a.amount < b.paid_amount is not: DuckDB answers it from sorted rows, and Arquero tests 400 million pairs in well
  // under a second).
  it.each(['duckdb', 'arquero'])('%s: the time budget stops a rule that runs too long, set for every rule or for one', (engine) => {
    const slow = 'RUNAWAY-SLOW-TEXT';
    const all = auditJson(['--engine', engine, '--only', `${slow},T-LARGE-PAYOUT`, '--config', config('time.yaml', 'budget: { seconds: 1 }\n')]);
    expect(skippedOf(all.doc, slow)).toMatchObject({ code: 'budget', budget: { limit: 'seconds', value: 1 } });
    expect(skippedOf(all.doc, slow)!.reason).toMatch(new RegExp(`stopped after 1 s, its time budget; raise it with --param ${slow}\\.budget_seconds=N`));
    expect(all.doc.findings).toHaveLength(1);
    const one = auditJson(['--engine', engine, '--only', `${slow},T-LARGE-PAYOUT`, '--param', `${slow}.budget_seconds=1`]);
    expect(skippedOf(one.doc, slow)).toMatchObject({ code: 'budget', budget: { limit: 'seconds', value: 1 } });
    // What was set is in the manifest, so that the run can be repeated.
    expect(one.doc.manifest.params[slow]).toEqual({ budget_seconds: 1 });
  });

  it('says which rules were stopped in the terminal report', () => {
    const r = fundaudit(['audit', exports, '--rules', RUNAWAY, '--rules', RULES, '--only', 'RUNAWAY-CROSS-JOIN,T-LARGE-PAYOUT', '--lang', 'en']);
    expect(r.code).toBe(0);
    expect(r.stdout.replace(/\n +/g, ' ')).toMatch(/RUNAWAY-CROSS-JOIN: check\.steps\[0\]: the join of 20,000 and 20,000 rows/);
  });

  it('says it in Chinese in a Chinese report, with how to raise the limit', () => {
    const r = fundaudit(['audit', exports, '--rules', RUNAWAY, '--rules', RULES, '--only', 'RUNAWAY-CROSS-JOIN,T-LARGE-PAYOUT', '--lang', 'zh']);
    expect(r.code).toBe(0);
    const text = r.stdout.replace(/\n +/g, '');
    expect(text).toMatch(/RUNAWAY-CROSS-JOIN[:：] ?超出关联膨胀上限（\d+ 倍），已停止/);
    expect(text).toContain('--param RUNAWAY-CROSS-JOIN.budget_join_growth=N');
  });
});

describe('budget settings are checked', () => {
  it.each([
    ['budget: { seconds: 0 }\n', /:1:20: budget seconds must be a whole number from 1/],
    ['budget: { memory: 100 }\n', /:1:11: unknown key "memory" under budget/],
    ['budget: 60\n', /:1:9: "budget" must be a mapping of seconds, memory_mb, join_growth/],
  ])('the config file: %j', (text, message) => {
    const r = fundaudit(['audit', exports, '--rules', RULES, '--config', config(`bad-${Math.random().toString(36).slice(2)}.yaml`, text)]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it('--param: a budget param has a type and bounds like any param', () => {
    let r = fundaudit(['audit', exports, '--rules', RULES, '--param', 'T-LARGE-PAYOUT.budget_memory_mb=lots']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--param T-LARGE-PAYOUT\.budget_memory_mb must be a whole number/);
    r = fundaudit(['audit', exports, '--rules', RULES, '--param', 'T-LARGE-PAYOUT.budget_seconds=0']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/budget_seconds must be a whole number from 1/);
  });

  it('a rule may not declare a budget param of its own', () => {
    const folder = join(dir, 'declares', 'money');
    mkdirSync(folder, { recursive: true });
    writeFileSync(
      join(folder, 'DECLARES-BUDGET.yaml'),
      `id: DECLARES-BUDGET
title: { zh: 测试, en: test }
description: { zh: 测试, en: test }
category: money
risk: fraud
severity: low
basis: [test]
params:
  budget_seconds: { type: int, default: 5, description: { zh: 测试, en: test } }
check: { kind: pipeline, from: payouts, steps: [{ filter: d.amount > 0 }] }
finding: { entity: { kind: person, key: person_id }, message: { zh: x, en: x } }
tests:
  - { name: a, tables: { payouts: "person_id,amount\\nP1,1" }, expect: { count: 1 } }
  - { name: b, tables: { payouts: "person_id,amount\\n" }, expect: { none: true } }
`,
    );
    const r = fundaudit(['rules', 'validate', join(dir, 'declares')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/DECLARES-BUDGET\.yaml:9:3 +reserved-name +`budget_seconds` is every rule's own budget param/);
  });
});
