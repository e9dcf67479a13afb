/**
 * `--format sarif` of `audit` and of `rules validate`, validated against the
 * official SARIF 2.1.0 schema (a fixture: see fixtures/README.md; no network).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { artifactUri } from '../../src/report/sarif-log.js';
import { finding, FINDINGS, rendered, RUN, sampleResult } from './sample.js';

const ROOT = resolve(import.meta.dirname, '../..');
const schema = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures/sarif-schema-2.1.0.json'), 'utf8'));

/** The schema's formats, as RFC 3986 and RFC 3339 define them (ajv-formats is not a dependency). */
function validator() {
  const ajv = new Ajv({ allErrors: true, strict: false });
  const reference = (s: string) => /^[\x21-\x7e]*$/.test(s) && !/%(?![0-9A-Fa-f]{2})/.test(s) && !/[<>"{}|\\^`]/.test(s);
  ajv.addFormat('uri-reference', reference);
  ajv.addFormat('uri', (s: string) => reference(s) && /^[A-Za-z][A-Za-z0-9+.-]*:/.test(s));
  ajv.addFormat('date-time', (s: string) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(s));
  return ajv.compile(schema);
}
const validate = validator();
const problems = (doc: unknown) => (validate(doc) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`));

describe('SARIF 2.1.0', () => {
  it('the schema itself catches a log that breaks it', () => {
    expect(problems({ version: '2.1.0', runs: [{ tool: { driver: { name: 'x' } }, results: [{ message: { text: 'm' }, level: 'severe' }] }] })).not.toEqual([]);
    expect(problems({ version: '2.1.0', runs: [] })).toEqual([]);
  });

  it('audit: findings, suppressed and resolved findings, rules not run — valid', async () => {
    const { readBaseline } = await import('../../src/report/baseline.js');
    const prev = sampleResult({ reveal: false });
    prev.findings.push({ ...prev.findings[0], fingerprint: 'fp-gone' });
    const dir = mkdtempSync(join(tmpdir(), 'fa-sarif-'));
    writeFileSync(join(dir, 'prev.json'), rendered(prev, 'json'));
    const r = sampleResult(
      {
        reveal: false,
        run: {
          ...RUN,
          findings: [
            ...FINDINGS,
            finding({ fingerprint: 'fp-sheet', ruleId: 'R', evidence: [{ table: 'payouts', file: 'in/发放 2024.xlsx', sheet: '一月', line: 4, values: { amount: 1 } }], evidenceCount: 1 }),
          ],
        },
        suppressions: { file: 's.yaml', entries: [{ line: 2, fingerprint: 'fp-death-ouyang', reason: '遗属待遇', approver: '王', expires: '2099-01-01' }] },
      },
      await readBaseline(join(dir, 'prev.json')),
    );
    const doc = JSON.parse(rendered(r, 'sarif'));
    expect(problems(doc)).toEqual([]);
    const results = doc.runs[0].results;
    expect(results.find((x: { partialFingerprints: Record<string, string> }) => x.partialFingerprints['fundaudit/v1'] === 'fp-death-ouyang').suppressions[0]).toMatchObject({ kind: 'external', justification: '遗属待遇', properties: { approver: '王' } });
    expect(results.find((x: { baselineState: string }) => x.baselineState === 'absent').partialFingerprints['fundaudit/v1']).toBe('fp-gone');
    expect(doc.runs[0].invocations[0].toolExecutionNotifications[0]).toMatchObject({ level: 'warning', descriptor: { id: 'PAID-WHILE-IMPRISONED' } });
    expect(results.find((x: { ruleId: string }) => x.ruleId === 'R').locations[0].physicalLocation).toEqual({ artifactLocation: { uri: 'in/%E5%8F%91%E6%94%BE%202024.xlsx' }, region: { startLine: 4 } });
  });

  it('audit of a run without findings — valid', () => {
    expect(problems(JSON.parse(rendered(sampleResult({ run: { findings: [], skipped: [], ran: {}, params: {} } }), 'sarif')))).toEqual([]);
  });

  it('file paths become URI references', () => {
    expect(artifactUri('exports/发放明细 (1).csv')).toBe('exports/%E5%8F%91%E6%94%BE%E6%98%8E%E7%BB%86%20%281%29.csv');
    expect(artifactUri('C:\\data\\a.csv')).toBe('file:///C:/data/a.csv');
    expect(artifactUri('/tmp/a#b.csv')).toBe('/tmp/a%23b.csv');
  });

  it('the real binary: audit --format sarif and rules validate --format sarif — valid', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fa-sarif-cli-'));
    const bad = join(dir, 'rules', 'people');
    mkdirSync(bad, { recursive: true });
    writeFileSync(join(bad, 'BROKEN.yaml'), 'id: BROKEN\ntitle: [unclosed\ncategory: people\n');
    const v = spawnSync(process.execPath, [join(ROOT, 'bin/fundaudit'), 'rules', 'validate', join(dir, 'rules'), '--format', 'sarif'], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    expect(v.status).toBe(1);
    const log = JSON.parse(v.stdout);
    expect(problems(log)).toEqual([]);
    expect(log.runs[0].results[0]).toMatchObject({ ruleId: 'yaml-syntax', level: 'error', locations: [{ physicalLocation: { region: { startLine: 2, startColumn: 8 } } }] });

    const a = spawnSync(process.execPath, [join(ROOT, 'bin/fundaudit'), 'audit', join(ROOT, 'fixtures/demo'), '--only', 'PAID-AFTER-DEATH,EXPENSE-OUTFLOW-TO-NON-BENEFICIARY', '--format', 'sarif'], {
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
    });
    expect(a.status).toBe(0);
    const audit = JSON.parse(a.stdout);
    expect(problems(audit)).toEqual([]);
    expect(audit.runs[0].results.length).toBeGreaterThan(0);
  }, 60_000);
});
