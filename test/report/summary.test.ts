import { describe, expect, it } from 'vitest';
import { sampleResult } from './sample.js';

describe('summary', () => {
  const s = sampleResult().summary;

  it('has every category × risk cell, with counts and exact money in fen', () => {
    expect(s.cells).toHaveLength(15);
    const fraud = s.cells.find((c) => c.category === 'people' && c.risk === 'fraud')!;
    expect(fraud).toMatchObject({ count: 2, newCount: 2, amount: 612345, amountYuan: '6123.45' });
    const emb = s.cells.find((c) => c.category === 'money' && c.risk === 'embezzlement')!;
    expect(emb).toMatchObject({ count: 1, amount: 1, amountYuan: '0.01' });
    expect(s.cells.find((c) => c.category === 'documents' && c.risk === 'diversion')).toMatchObject({ count: 0, amount: 0 });
  });

  it('totals by category, risk and severity', () => {
    expect(s.total).toMatchObject({ count: 3, amount: 612346, amountYuan: '6123.46' });
    expect(s.byCategory.find((c) => c.category === 'people')!.count).toBe(2);
    expect(s.byRisk.find((c) => c.risk === 'embezzlement')!.amount).toBe(1);
    expect(s.bySeverity.map((x) => [x.severity, x.count])).toEqual([
      ['critical', 1],
      ['high', 2],
      ['medium', 0],
      ['low', 0],
      ['info', 0],
    ]);
  });
});
