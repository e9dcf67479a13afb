/**
 * Money counted once (report/money.ts, docs/report.md "How totals are
 * counted"): totals never count an evidence row's money twice, whichever
 * rules cite it; findings whose money was counted together are one case.
 */
import { describe, expect, it } from 'vitest';
import type { EvidenceRow } from '../../src/engine/finding.js';
import { findCases } from '../../src/report/cases.js';
import { MoneyLedger, type MoneyFinding } from '../../src/report/money.js';
import type { Severity } from '../../src/rules/model.js';
import { finding, rendered, sampleResult } from './sample.js';

const bank = (line: number, amount: number, direction = 'out'): EvidenceRow => ({ table: 'bank_flows', file: 'bank.csv', line, values: { amount, direction } });
const pay = (line: number, amount: number): EvidenceRow => ({ table: 'payouts', file: 'payouts.csv', line, values: { amount } });
const person = (line: number): EvidenceRow => ({ table: 'persons', file: 'persons.csv', line, values: { id_number: 'x' } });

let n = 0;
function f(amount: number | null, evidence: EvidenceRow[], severity: Severity = 'high', evidenceCount = evidence.length): MoneyFinding & { ruleId: string } {
  return { fingerprint: `f${String(n++).padStart(3, '0')}`, ruleId: `R${n}`, severity, amount, evidence, evidenceCount };
}
const total = (fs: MoneyFinding[]) => new MoneyLedger(fs).count(fs.keys());

describe('money counted once', () => {
  it('one bank outflow cited by two rules counts once', () => {
    const out = bank(1050, 35000000);
    expect(total([f(35000000, [out]), f(35000000, [out], 'critical')])).toMatchObject({ amount: 35000000, findingsAmount: 70000000 });
  });

  it("a balance not swept, matched against the outflow among its rows, is that outflow's money", () => {
    const rows = [bank(561, 278000, 'in'), bank(562, 804000, 'in'), bank(584, 62000000), bank(594, 94747285)];
    const payingOut = f(62000000, [rows[2]], 'medium');
    const notSwept = f(62000000, rows, 'high'); // a difference, not the sum of its rows
    expect(total([payingOut, notSwept])).toMatchObject({ amount: 62000000, findingsAmount: 124000000 });
  });

  it('rows shared in part count once; the rest of each finding counts', () => {
    const a = f(600, [pay(2, 300), pay(3, 300)]);
    const b = f(700, [pay(3, 300), pay(4, 400)]);
    expect(total([a, b]).amount).toBe(1000);
  });

  it('an excess over a standard is part of its rows: inside a finding that owns the rows, it adds nothing', () => {
    const rows = [pay(2, 3600), pay(3, 3600), pay(4, 3600)];
    const whole = f(10800, rows); // e.g. paid after death: the payouts themselves
    const excess = f(5100, rows, 'medium'); // above standard: part of each
    expect(total([whole, excess]).amount).toBe(10800);
    // On their own rows, findings of parts add up to at most the rows' money.
    expect(total([excess, f(3600, [rows[0]], 'low')]).amount).toBe(5100 + 3600 - Math.min(5100, 3600));
  });

  it('a difference with no rows of its own money, or more than its rows hold, is counted as it stands', () => {
    expect(total([f(86420, [person(2)]), f(500, [pay(9, 500)])]).amount).toBe(86920);
    expect(total([f(1000, [pay(5, 300)])]).amount).toBe(1000);
  });

  it('never below the largest finding, never above the plain sum, never a row twice — on random overlaps', () => {
    let seed = 7;
    const rand = (k: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % k);
    const rows = Array.from({ length: 12 }, (_, i) => (i % 3 === 0 ? bank(i, 1000 * (i + 1)) : pay(i, 100 * (i + 1))));
    for (let trial = 0; trial < 300; trial++) {
      const fs = Array.from({ length: 1 + rand(6) }, () => {
        const ev = rows.filter(() => rand(3) === 0);
        const sum = ev.reduce((s, e) => s + (e.values.amount as number), 0);
        const amount = rand(4) === 0 ? null : rand(2) === 0 ? sum : rand(sum + 2000);
        return f(amount, ev, (['low', 'medium', 'high', 'critical'] as const)[rand(4)]);
      });
      const t = total(fs);
      const amounts = fs.map((x) => x.amount ?? 0);
      expect(t.amount).toBeGreaterThanOrEqual(Math.max(0, ...amounts));
      expect(t.amount).toBeLessThanOrEqual(t.findingsAmount);
      const money = rows.reduce((s, e) => s + (e.values.amount as number), 0);
      const unplaceable = fs.reduce((s, x) => s + Math.max(0, (x.amount ?? 0) - x.evidence.reduce((m, e) => m + (e.values.amount as number), 0)), 0);
      expect(t.amount).toBeLessThanOrEqual(money + unplaceable);
      expect(Object.values(t.bySeverity).reduce((a, b) => a + b, 0)).toBe(t.amount);
    }
  });

  it("does not depend on the findings' order", () => {
    const rows = [pay(2, 300), pay(3, 300), bank(4, 900)];
    const fs = [f(600, rows.slice(0, 2)), f(250, rows, 'critical'), f(900, [rows[2]], 'low'), f(100, [rows[1]])];
    expect(total([...fs].reverse())).toEqual(total(fs));
  });

  it('rows carried without their values (past the evidence shown) are known by place, their money by any finding that shows it', () => {
    const shown = pay(2, 500);
    const bare: EvidenceRow = { table: 'payouts', file: 'payouts.csv', line: 2, values: {} };
    expect(total([f(500, [shown]), f(500, [bare], 'low', 5)]).amount).toBe(500);
  });
});

describe('cases', () => {
  it('link the findings whose money was counted together, largest first; others stand alone', () => {
    const out = bank(1, 35000000);
    const fs = [f(35000000, [out], 'critical'), f(35000000, [out]), f(100, [pay(7, 100)]), f(600, [pay(2, 300), pay(3, 300)]), f(300, [pay(3, 300)], 'low')];
    const { cases, caseOf } = findCases(fs, new MoneyLedger(fs));
    expect(cases.map((c) => [c.id, c.findings, c.amount, c.findingsAmount])).toEqual([
      ['C1', [fs[0].fingerprint, fs[1].fingerprint], 35000000, 70000000],
      ['C2', [fs[3].fingerprint, fs[4].fingerprint], 600, 900],
    ]);
    expect(caseOf).toEqual(['C1', 'C1', null, 'C2', 'C2']);
  });

  it('are shown in every format, and the findings say their case', () => {
    const shared = { table: 'payouts', file: 'in/payouts.csv', line: 4, values: { amount: 300000 } };
    const r = sampleResult({
      reveal: false,
      run: {
        findings: [finding({ fingerprint: 'a', ruleId: 'A', amount: 300000, evidence: [shared], evidenceCount: 1 }), finding({ fingerprint: 'b', ruleId: 'B', amount: 300000, evidence: [shared], evidenceCount: 1, severity: 'medium' })],
        skipped: [],
        ran: { A: 1, B: 1 },
        params: {},
      },
    });
    expect(r.summary.total).toMatchObject({ amount: 300000, findingsAmount: 600000 });
    expect(r.findings.map((x) => x.case)).toEqual(['C1', 'C1']);
    const line = 'C1：2 个疑点，去重后涉及金额 3,000.00 元（各疑点相加 6,000.00 元）';
    expect(rendered(r, 'terminal')).toContain(line);
    expect(rendered(r, 'md')).toContain(line);
    expect(rendered(r, 'html')).toContain(line);
    expect(rendered(r, 'csv')).toMatch(/\r\n关联,,A B,.*,C1,/);
  });
});
