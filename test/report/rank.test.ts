import { describe, expect, it } from 'vitest';
import { MoneyLedger } from '../../src/report/money.js';
import { rankEntities } from '../../src/report/rank.js';
import { finding, sampleResult } from './sample.js';

/** Ranking reads the engine's findings as they are. */
const rf = (f: ReturnType<typeof finding>) => f;

describe('rankEntities', () => {
  it('ranks the sample: the critical account first, then by money', () => {
    const e = sampleResult().entities;
    expect(e.map((x) => [x.rank, x.kind, x.key])).toEqual([
      [1, 'account', '6222020200112233445'],
      [2, 'person', '11010519491231002X'],
      [3, 'person', '440524188001010014'],
    ]);
    expect(e[1]).toMatchObject({ findings: 1, score: 8, amount: 600000, amountYuan: '6000.00', maxSeverity: 'high', rules: ['PAID-AFTER-DEATH'] });
  });

  it('adds up one entity across rules, weighting severity, and lists the rules', () => {
    const fs = [
      rf(finding({ fingerprint: '1', ruleId: 'B-RULE', severity: 'low', amount: 100, entity: { kind: 'staff', key: 'S01', label: '王五' } })),
      rf(finding({ fingerprint: '2', ruleId: 'A-RULE', severity: 'medium', amount: null, entity: { kind: 'staff', key: 'S01', label: '王五' } })),
      rf(finding({ fingerprint: '3', ruleId: 'A-RULE', severity: 'high', amount: 5, entity: { kind: 'person', key: 'P1' } })),
      rf(finding({ fingerprint: '4', ruleId: 'C-RULE', severity: 'critical', amount: 5, entity: { kind: 'document', key: 'D1' } })),
    ];
    const e = rankEntities(fs, new MoneyLedger(fs));
    expect(e.map((x) => x.key)).toEqual(['P1', 'S01']); // documents are not ranked; 8 > 2 + 4
    expect(e[1]).toMatchObject({ findings: 2, score: 6, amount: 100, rules: ['A-RULE', 'B-RULE'], maxSeverity: 'medium', label: '王五' });
  });

  it('does not depend on the order of the findings', () => {
    const fs = sampleResult().findings;
    const back = [...fs].reverse();
    expect(rankEntities(back, new MoneyLedger(back))).toEqual(rankEntities(fs, new MoneyLedger(fs)));
  });
});
