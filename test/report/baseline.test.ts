import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readBaseline } from '../../src/report/baseline.js';
import { formatJson } from '../../src/report/formatters/json.js';
import { sampleResult } from './sample.js';

describe('baseline', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fa-baseline-'));

  it('marks findings in a previous json report known, the others new, and counts new ones', () => {
    const prev = sampleResult({ reveal: false });
    prev.findings = prev.findings.filter((f) => f.fingerprint !== 'fp-death-ouyang');
    prev.findings.push({ ...prev.findings[0], fingerprint: 'fp-gone' });
    const file = join(dir, 'prev.json');
    writeFileSync(file, formatJson(prev));
    const r = sampleResult({}, readBaseline(file));
    expect(Object.fromEntries(r.findings.map((f) => [f.fingerprint, f.baseline]))).toEqual({
      'fp-shared-account': 'known',
      'fp-death-zhang': 'known',
      'fp-death-ouyang': 'new',
    });
    expect(r.baseline).toEqual({ file, fingerprints: 3, known: 2, new: 1, gone: 1 });
    expect(r.summary.total).toMatchObject({ count: 3, newCount: 1 });
    expect(r.summary.cells.find((c) => c.risk === 'fraud' && c.category === 'people')).toMatchObject({ count: 2, newCount: 1 });
  });

  it('without a baseline, every status is null and every finding counts as new', () => {
    const r = sampleResult();
    expect(r.findings.every((f) => f.baseline === null)).toBe(true);
    expect(r.summary.total.newCount).toBe(3);
    expect(r.baseline).toBeNull();
  });

  it('rejects a missing file or one that is not a json report, saying what to give', () => {
    expect(() => readBaseline(join(dir, 'nope.json'))).toThrow(/cannot read baseline/);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"findings": 3}');
    expect(() => readBaseline(bad)).toThrow(/no "findings" list/);
    writeFileSync(bad, 'not json');
    expect(() => readBaseline(bad)).toThrow(/is not JSON/);
  });
});
