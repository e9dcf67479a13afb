import { describe, expect, it } from 'vitest';
import type { LoadedTable } from '../../src/data/model.js';
import type { LoadedRule } from '../../src/rules/model.js';
import { benfordExpected } from '../../src/plan/benford.js';
import { run as runRules } from '../engine/helpers.js';
import { finding, rendered, sampleResult } from './sample.js';

// Amounts in fen: S1 has leading digits 1,1,1,2,9 (the 0 has none); S2 has 5,5.
const amounts = [100, 1999, 15000, 250, 9000000, 0, 500, 55];
const operators = ['S1', 'S1', 'S1', 'S1', 'S1', 'S1', 'S2', 'S2'];
const status = ['成功', '成功', '成功', '成功', '成功', '成功', '成功', '退回'];
const payouts: LoadedTable = {
  name: 'payouts',
  rows: amounts.length,
  columns: { amount: amounts, operator_id: operators, status },
  files: ['p.csv'],
  fileIndex: amounts.map(() => 0),
  lines: amounts.map((_, i) => i + 2),
};

const rule: LoadedRule = {
  file: 'rules/money/BENFORD.yaml',
  sha256: 'c'.repeat(64),
  rule: {
    id: 'BENFORD',
    title: { zh: '首位数字', en: 'First digits' },
    description: { zh: '', en: '' },
    category: 'money',
    risk: 'fraud',
    severity: 'low',
    basis: [],
    tags: [],
    params: { ok: { type: 'string', default: '成功', description: { zh: '', en: '' } } },
    check: { kind: 'benford', table: 'payouts', where: 'd.status == $.ok', group: ['operator_id'], value: 'amount', min_n: 1 },
    finding: { entity: { kind: 'staff', key: 'operator_id' }, message: { zh: '', en: '' } },
    tests: [],
  },
};

/** The benford finding as the engine makes it: its digit counts come with it, from the plan's own counting. */
async function benfordRun() {
  const run = await runRules([rule], new Map([['payouts', payouts]]));
  expect(run.skipped).toEqual([]);
  return { ...run, findings: [...run.findings, finding({ fingerprint: 'x', ruleId: 'OTHER', details: { operator_id: 'S1' } })], ran: { ...run.ran, OTHER: 1 } };
}

describe('digit distributions', () => {
  it("come with a benford finding: its group's counts against Benford's shares", async () => {
    const run = await benfordRun();
    const b1 = run.findings.find((f) => f.ruleId === 'BENFORD')!;
    expect(b1.entity.key).toBe('S1');
    expect(b1.details).toEqual({ operator_id: 'S1', n: 5, mad: expect.any(Number), conformity: 'nonconformity' });
    const d = b1.digits!;
    expect(d.test).toBe('first');
    expect(d.n).toBe(5);
    expect(d.bars.map((b) => b.count)).toEqual([3, 1, 0, 0, 0, 0, 0, 0, 1]);
    expect(d.bars[0]).toEqual({ digit: 1, count: 3, observed: 0.6, expected: benfordExpected('first', 1) });
    expect(benfordExpected('first', 1)).toBeCloseTo(0.30103, 5);
  });

  it('other findings have none', async () => {
    expect((await benfordRun()).findings.find((f) => f.ruleId === 'OTHER')!.digits).toBeNull();
  });

  it('are drawn in html and tabled in markdown', async () => {
    const r = sampleResult({ reveal: false, rules: [rule], tables: new Map([['payouts', payouts]]), run: await benfordRun() });
    expect(r.findings.find((f) => f.ruleId === 'BENFORD')!.digits!.n).toBe(5);
    expect(r.findings.find((f) => f.ruleId === 'OTHER')!.digits).toBeNull();
    expect(rendered(r, 'html')).toContain('<svg class="digit-chart"');
    expect(rendered(r, 'md')).toContain('| 1 | 3 | 60.0% | 30.1% |');
  });
});
