import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readBaseline } from '../../src/report/baseline.js';
import { rendered, sampleResult } from './sample.js';

describe('baseline', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fa-baseline-'));

  it('marks findings of a previous json report persisting, the others new, and lists the ones resolved', async () => {
    const prev = sampleResult({ reveal: false });
    prev.findings = prev.findings.filter((f) => f.fingerprint !== 'fp-death-ouyang');
    prev.findings.push({ ...prev.findings[0], fingerprint: 'fp-gone', period: '2023-12', amount: 123456, amountYuan: '1234.56' });
    const file = join(dir, 'prev.json');
    writeFileSync(file, rendered(prev, 'json'));
    const r = sampleResult({}, await readBaseline(file));
    expect(Object.fromEntries(r.findings.map((f) => [f.fingerprint, f.baseline]))).toEqual({
      'fp-shared-account': 'persisting',
      'fp-death-zhang': 'persisting',
      'fp-death-ouyang': 'new',
    });
    expect(r.baseline).toMatchObject({ file, fingerprints: 3, persisting: 2, new: 1 });
    // A resolved finding is shown as the baseline reported it: rule, entity, period, amount.
    expect(r.baseline!.resolved).toEqual([
      {
        fingerprint: 'fp-gone',
        ruleId: 'SHARED-PAYEE-ACCOUNT',
        severity: 'critical',
        title: { zh: '多人共用收款账户', en: 'Several beneficiaries paid into one account' },
        entity: { kind: 'account', key: '****3445' },
        period: '2023-12',
        amount: 123456,
        amountYuan: '1234.56',
      },
    ]);
    expect(r.summary.total).toMatchObject({ count: 3, newCount: 1 });
    expect(r.summary.cells.find((c) => c.risk === 'fraud' && c.category === 'people')).toMatchObject({ count: 2, newCount: 1 });
  });

  it('masks resolved findings of a baseline written with --reveal, unless this run reveals too', async () => {
    const prev = sampleResult({ reveal: true });
    // Someone no longer in the data: only the baseline knows their name and identity number.
    prev.findings.push({ ...prev.findings[0], fingerprint: 'fp-gone-person', entity: { kind: 'person', key: '110105196502150037', label: '李四光' } });
    prev.findings.push({ ...prev.findings[0], fingerprint: 'fp-gone-account', entity: { kind: 'account', key: '6222020200998877665', label: '王五' } });
    const file = join(dir, 'revealed.json');
    writeFileSync(file, rendered(prev, 'json'));
    const masked = sampleResult({ reveal: false }, await readBaseline(file));
    const gone = (r: typeof masked, fp: string) => r.baseline!.resolved.find((f) => f.fingerprint === fp)!.entity;
    expect(gone(masked, 'fp-gone-person')).toEqual({ kind: 'person', key: '110105********0037', label: '李**' });
    expect(gone(masked, 'fp-gone-account')).toEqual({ kind: 'account', key: '****7665', label: '王*' });
    for (const format of ['json', 'terminal', 'md', 'html', 'csv', 'sarif'] as const) {
      const text = rendered(masked, format);
      for (const raw of ['李四光', '110105196502150037', '6222020200998877665', '王五']) expect(text, format).not.toContain(raw);
    }
    const revealed = sampleResult({ reveal: true }, await readBaseline(file));
    expect(gone(revealed, 'fp-gone-person')).toEqual({ kind: 'person', key: '110105196502150037', label: '李四光' });
  });

  it('lists new, persisting and resolved findings in every format', async () => {
    const prev = sampleResult({ reveal: false });
    prev.findings = [prev.findings[0], { ...prev.findings[0], fingerprint: 'fp-gone', period: '2023-12' }];
    const file = join(dir, 'prev2.json');
    writeFileSync(file, rendered(prev, 'json'));
    const r = sampleResult({ reveal: false }, await readBaseline(file));
    const line = `基线 ${file}：新增 2，持续存在 1，已解决 1`;
    expect(rendered(r, 'terminal')).toContain('已解决的疑点（基线中有、本次未再发现） (1)');
    expect(rendered(r, 'terminal')).toContain('新增 (2)');
    expect(rendered(r, 'md')).toContain(line);
    expect(rendered(r, 'md')).toMatch(/### 已解决的疑点.*\n\n.*\n.*\n\| 严重 \| SHARED-PAYEE-ACCOUNT \| 账户 \\\*\\\*\\\*\\\*3445 \| 2023-12 \| 0\.01 \| fp-gone \|/);
    expect(rendered(r, 'html')).toContain('<code>fp-gone</code>');
    expect(rendered(r, 'csv')).toMatch(/\r\n已解决,fp-gone,SHARED-PAYEE-ACCOUNT,,,严重,/);
    const sarif = JSON.parse(rendered(r, 'sarif')).runs[0].results;
    expect(sarif.map((x: { partialFingerprints: Record<string, string>; baselineState: string }) => [x.partialFingerprints['fundaudit/v1'], x.baselineState])).toEqual([
      ['fp-shared-account', 'unchanged'],
      ['fp-death-zhang', 'new'],
      ['fp-death-ouyang', 'new'],
      ['fp-gone', 'absent'],
    ]);
  });

  it('reads a report too large for one string, element by element', async () => {
    const prev = sampleResult({ reveal: false });
    const file = join(dir, 'prev3.json');
    writeFileSync(file, rendered(prev, 'json'));
    const whole = await readBaseline(file);
    // The same reader that takes over past 256 MiB, on a small file.
    const { readLargeReportForTest } = await import('../../src/report/baseline.js');
    const parts = await readLargeReportForTest(file);
    expect([...parts.keys()].sort()).toEqual([...whole.findings.keys()].sort());
    expect(parts.get('fp-death-zhang')).toEqual(whole.findings.get('fp-death-zhang'));
  });

  it('without a baseline, every status is null and every finding counts as new', () => {
    const r = sampleResult();
    expect(r.findings.every((f) => f.baseline === null)).toBe(true);
    expect(r.summary.total.newCount).toBe(3);
    expect(r.baseline).toBeNull();
  });

  it('rejects a missing file or one that is not a json report, saying what to give', async () => {
    await expect(readBaseline(join(dir, 'nope.json'))).rejects.toThrow(/cannot read baseline/);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"findings": 3}');
    await expect(readBaseline(bad)).rejects.toThrow(/no "findings" list/);
    writeFileSync(bad, 'not json');
    await expect(readBaseline(bad)).rejects.toThrow(/is not JSON/);
  });
});
