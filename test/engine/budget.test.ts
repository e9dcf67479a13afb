import { describe, expect, it } from 'vitest';
import { BUDGET_DEFAULTS, BudgetExceeded, checkJoin, equiJoinRows, JOIN_FLOOR, ruleBudget } from '../../src/engine/budget.js';
import { estimateHeapBytes } from '../../src/engine/arquero/isolated.js';
import { emptyTable } from '../../src/data/memory-sink.js';

describe('join estimates', () => {
  const left = ['a', 'a', 'b', 'c'];
  const right = ['a', 'b', 'b', 'd'];

  it('count the rows an equi-join outputs, per key, with the unmatched rows an outer join keeps', () => {
    expect(equiJoinRows(left, right, 'inner')).toBe(2 * 1 + 1 * 2);
    expect(equiJoinRows(left, right, 'left')).toBe(4 + 1);
    expect(equiJoinRows(left, right, 'right')).toBe(4 + 1);
    expect(equiJoinRows(left, right, 'full')).toBe(4 + 2);
  });

  it('refuse a join far beyond its inputs, never a small one', () => {
    const budget = { ...BUDGET_DEFAULTS, joinGrowth: 10 };
    expect(() => checkJoin({ left: 100, right: 100, rows: JOIN_FLOOR, exact: true }, budget, 'R', 'check.steps[0]')).not.toThrow();
    expect(() => checkJoin({ left: 100_000, right: 100_000, rows: 2_000_000, exact: true }, budget, 'R', 'check.steps[0]')).not.toThrow();
    let err: unknown;
    try {
      checkJoin({ left: 100_000, right: 100_000, rows: 2_000_001, exact: false }, budget, 'R', 'check.steps[2]');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(BudgetExceeded);
    expect(err).toMatchObject({ limit: 'join_growth', value: 10 });
    expect((err as Error).message).toMatch(/^check\.steps\[2\]: the join of 100,000 and 100,000 rows would test 2,000,001 pairs/);
    expect((err as Error).message).toMatch(/--param R\.budget_join_growth=N/);
  });
});

describe('a rule\'s budget', () => {
  it('is the defaults, then the run\'s, then the rule\'s own params', () => {
    expect(ruleBudget(undefined, undefined)).toEqual(BUDGET_DEFAULTS);
    expect(ruleBudget({ seconds: 60 }, undefined)).toEqual({ ...BUDGET_DEFAULTS, seconds: 60 });
    expect(ruleBudget({ seconds: 60, memoryMb: 512 }, { budget_seconds: 5, grace_months: 2 })).toEqual({ ...BUDGET_DEFAULTS, seconds: 5, memoryMb: 512 });
  });
});

describe('the isolated executor\'s heap', () => {
  it('is estimated from the loaded values', () => {
    const t = { ...emptyTable('deaths', { file: 'x.csv' }), rows: 2, columns: { id_number: ['11010519491231002X', null], name: ['张三', '李四'] } };
    const bytes = estimateHeapBytes([t]);
    expect(bytes).toBeGreaterThan(2 * (24 + 36) + 2 * (24 + 4));
    expect(bytes).toBeLessThan(1000);
  });
});

describe('rules under a budget, in the child process', () => {
  it('find what they find in this process, and a rule over budget is skipped with the limit while the others run', async () => {
    const { loadText } = await import('../../src/data/load.js');
    const { MemoryDataset } = await import('../../src/engine/dataset.js');
    const { runRules } = await import('../../src/engine/run.js');
    const { compileLoaded } = await import('../../src/plan/compile.js');
    const payouts = loadText('payouts', ['person_id,scheme,amount', ...Array.from({ length: 3000 }, (_, i) => `P${i},${i % 2 ? '110' : '120'},100.00`)].join('\n'), 'p.csv').table;
    const dataset = new MemoryDataset(new Map([['payouts', payouts]]));
    const rule = (id: string, steps: unknown[]) =>
      compileLoaded({
        file: `${id}.yaml`, sha256: '',
        rule: { id, title: { zh: id, en: id }, description: { zh: id, en: id }, category: 'money', risk: 'fraud', severity: 'low', basis: [], tags: [], params: {}, tests: [],
          check: { kind: 'pipeline', from: 'payouts', steps }, finding: { entity: { kind: 'person', key: 'person_id' }, message: { zh: 'x', en: 'x' } } },
      } as never);
    const fine = rule('FINE', [{ filter: "d.scheme == '110'" }]);
    const wide = rule('WIDE', [{ join: { with: 'payouts', on: 'scheme' } }, { derive: { person_id: 'd.person_id_1' } }]);
    const inProcess = await runRules([fine], dataset);
    const budgeted = await runRules([fine, wide], dataset, { budget: { joinGrowth: 10 } });
    expect(budgeted.findings.map((f) => f.fingerprint)).toEqual(inProcess.findings.map((f) => f.fingerprint));
    expect(budgeted.skipped).toEqual([expect.objectContaining({ ruleId: 'WIDE', code: 'budget', budget: { limit: 'join_growth', value: 10 } })]);
  });
});
