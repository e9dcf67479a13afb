import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SCHEMA_VERSION } from '../../src/report/model.js';
import { readBaseline } from '../../src/report/baseline.js';
import { validate } from './json-schema.js';
import { finding, FINDINGS, rendered, RUN, sampleResult } from './sample.js';

const schema = JSON.parse(readFileSync(resolve(import.meta.dirname, '../../docs/report-schema.json'), 'utf8'));

describe('docs/report-schema.json', () => {
  it('documents the current schema version', () => {
    expect(schema.properties.schemaVersion.const).toBe(SCHEMA_VERSION);
  });

  it('describes the json format, masked and revealed', () => {
    expect(validate(schema, JSON.parse(rendered(sampleResult({ reveal: false }), 'json')))).toEqual([]);
    expect(validate(schema, JSON.parse(rendered(sampleResult(), 'json')))).toEqual([]);
  });

  it('describes a report with a baseline', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'fa-schema-')), 'prev.json');
    writeFileSync(file, rendered(sampleResult(), 'json'));
    expect(validate(schema, JSON.parse(rendered(sampleResult({}, await readBaseline(file)), 'json')))).toEqual([]);
  });

  it('describes a report with suppressions, cases and resolved findings', async () => {
    const prev = sampleResult();
    prev.findings.push({ ...prev.findings[0], fingerprint: 'fp-gone' });
    const file = join(mkdtempSync(join(tmpdir(), 'fa-schema-')), 'prev.json');
    writeFileSync(file, rendered(prev, 'json'));
    const r = sampleResult(
      {
        reveal: false,
        // A second rule citing one of Zhang's payout rows: the two are one case.
        run: {
          ...RUN,
          findings: [
            ...FINDINGS,
            finding({ fingerprint: 'fp-dup', ruleId: 'DUPLICATE-PAYOUT', amount: 300000, evidence: [{ table: 'payouts', file: 'in/payouts.csv', line: 4, values: { amount: 300000 } }], evidenceCount: 1 }),
          ],
        },
        suppressions: {
          file: 'accepted.yaml',
          entries: [
            { line: 2, fingerprint: 'fp-death-ouyang', reason: '遗属待遇', approver: '王审计', expires: '2099-12-31' },
            { line: 6, rule: 'PAID-AFTER-DEATH', entity: '11010519491231002X', reason: '已追回', approver: '王审计', expires: '2020-01-01' },
            { line: 10, fingerprint: '0123456789abcdef', reason: '—', approver: '王审计', expires: '2099-12-31' },
          ],
        },
      },
      await readBaseline(file),
    );
    expect(r.suppressions!.suppressed).toHaveLength(1);
    expect(r.cases.length).toBeGreaterThan(0);
    expect(validate(schema, JSON.parse(rendered(r, 'json')))).toEqual([]);
  });

  it('catches a result that does not follow it', () => {
    const doc = JSON.parse(rendered(sampleResult(), 'json'));
    doc.findings[0].severity = 'urgent';
    delete doc.inputs.rows;
    doc.extra = 1;
    expect(validate(schema, doc).sort()).toEqual([
      '$.findings[0].severity: "urgent" not in enum',
      '$.inputs: missing rows',
      '$: unexpected key extra',
    ]);
  });
});
