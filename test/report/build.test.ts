import { describe, expect, it } from 'vitest';
import { reportTime } from '../../src/report/build.js';
import { sampleResult } from './sample.js';

describe('buildResult', () => {
  const r = sampleResult();

  it('summarises the inputs: tables, rows, period covered, data issues', () => {
    expect(r.inputs.tables.map((t) => [t.name, t.rows])).toEqual([
      ['deaths', 1],
      ['payouts', 3],
    ]);
    expect(r.inputs.rows).toBe(4);
    expect(r.inputs.rowsRejected).toBe(1);
    expect(r.inputs.period).toEqual({ from: '2023-11', to: '2024-02' });
    expect(r.inputs.dataIssues).toBe(2);
  });

  it('sorts findings most severe first, then by rule and money at risk', () => {
    expect(r.findings.map((f) => f.fingerprint)).toEqual(['fp-shared-account', 'fp-death-zhang', 'fp-death-ouyang']);
    expect(r.findings[1].amountYuan).toBe('6000.00');
    expect(r.findings[1].message.zh).toContain('共 6,000.00 元');
  });

  it('sorts data issues by file and line', () => {
    expect(r.dataIssues.issues.map((i) => i.line)).toEqual([5, 6]);
    expect(r.dataIssues).toMatchObject({ total: 2, errors: 1, warnings: 1 });
  });

  it('carries the manifest: files with hashes and rows, rules with hashes, params', () => {
    expect(r.manifest.files.map((f) => f.path)).toEqual(['in/deaths.csv', 'in/payouts.csv']);
    expect(r.manifest.files[1]).toMatchObject({ sha256: 'a'.repeat(64), rowsRead: 4, rowsLoaded: 3, rowsRejected: 1 });
    expect(r.manifest.rules.map((x) => [x.id, x.status, x.findings])).toEqual([
      ['PAID-AFTER-DEATH', 'ran', 2],
      ['PAID-WHILE-IMPRISONED', 'skipped', 0],
      ['SHARED-PAYEE-ACCOUNT', 'ran', 1],
    ]);
    expect(r.manifest.params['PAID-AFTER-DEATH']).toEqual({ grace_months: 0, survivor_items: ['丧葬补助金'] });
    expect(r.run).toEqual({ rules: 3, ran: 2, skipped: 1, failed: 0, withFindings: 2 });
  });

  it('takes its time from SOURCE_DATE_EPOCH when set', () => {
    expect(reportTime({ SOURCE_DATE_EPOCH: '1700000000' }).toISOString()).toBe('2023-11-14T22:13:20.000Z');
    const now = new Date(Date.UTC(2020, 0, 1));
    expect(reportTime({}, () => now)).toBe(now);
    expect(reportTime({ SOURCE_DATE_EPOCH: '' }, () => now)).toBe(now);
    expect(() => reportTime({ SOURCE_DATE_EPOCH: 'garbage' })).toThrow(/SOURCE_DATE_EPOCH=garbage is not a number/);
    expect(() => reportTime({ SOURCE_DATE_EPOCH: '99999999999999999' })).toThrow(/SOURCE_DATE_EPOCH/);
  });
});
