import { describe, expect, it } from 'vitest';
import type { LoadedTable } from '../../src/data/model.js';
import type { RunResult } from '../../src/engine/finding.js';
import type { LoadedRule } from '../../src/rules/model.js';
import { digitDistributions } from '../../src/report/digits.js';
import { benfordExpected } from '../../src/plan/benford.js';
import { formatHtml } from '../../src/report/formatters/html.js';
import { formatMarkdown } from '../../src/report/formatters/markdown.js';
import { maskResult } from '../../src/report/mask.js';
import { finding, sampleResult } from './sample.js';

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

const run: RunResult = {
  findings: [
    finding({ fingerprint: 'b1', ruleId: 'BENFORD', category: 'money', severity: 'low', entity: { kind: 'staff', key: 'S1' }, amount: null, details: { operator_id: 'S1', n: 5 } }),
    finding({ fingerprint: 'x', ruleId: 'OTHER', details: { operator_id: 'S1' } }),
  ],
  skipped: [],
  ran: { BENFORD: 1, OTHER: 1 },
  params: { BENFORD: { ok: '成功' } },
};

describe('digitDistributions', () => {
  it("counts the rule's own source rows of the finding's group, against Benford's shares", () => {
    const d = digitDistributions([rule], new Map([['payouts', payouts]]), run);
    expect([...d.keys()]).toEqual(['b1']);
    const b1 = d.get('b1')!;
    expect(b1.test).toBe('first');
    expect(b1.n).toBe(5);
    expect(b1.bars.map((b) => b.count)).toEqual([3, 1, 0, 0, 0, 0, 0, 0, 1]);
    expect(b1.bars[0]).toEqual({ digit: 1, count: 3, observed: 0.6, expected: benfordExpected('first', 1) });
    expect(benfordExpected('first', 1)).toBeCloseTo(0.30103, 5);
  });

  it('leaves a finding without a chart when the counting cannot run', () => {
    expect(digitDistributions([rule], new Map(), run).size).toBe(0);
  });

  it('is drawn in html and tabled in markdown', () => {
    const r = maskResult(sampleResult({ rules: [rule], tables: new Map([['payouts', payouts]]), run }));
    expect(r.findings.find((f) => f.ruleId === 'BENFORD')!.digits!.n).toBe(5);
    expect(r.findings.find((f) => f.ruleId === 'OTHER')!.digits).toBeNull();
    expect(formatHtml(r)).toContain('<svg class="digit-chart"');
    expect(formatMarkdown(r)).toContain('| 1 | 3 | 60.0% | 30.1% |');
  });
});
