/**
 * The suppressions file: its loader and its published JSON Schema agree on
 * what is a valid file, errors point at file:line:col, and entries match,
 * expire and go unmatched as docs/suppressions.md says.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { inForce, matches, readSuppressions } from '../../src/report/suppressions.js';
import { finding, rendered, sampleResult } from './sample.js';

const schema = JSON.parse(readFileSync(resolve(import.meta.dirname, '../../docs/suppressions.schema.json'), 'utf8'));
const validate = new Ajv({ allErrors: true }).compile(schema);
const dir = mkdtempSync(join(tmpdir(), 'fa-supp-'));
let n = 0;
const file = (text: string) => {
  const f = join(dir, `s${n++}.yaml`);
  writeFileSync(f, text);
  return f;
};
const entry = (lines: string[]) => ['suppressions:', ...lines.map((l, i) => (i === 0 ? `  - ${l}` : `    ${l}`)), ''].join('\n');
const OK = ['reason: 遗属待遇', 'approver: 王审计', 'expires: 2025-06-30'];

describe('suppressions file: loader and schema agree', () => {
  const good: Record<string, string> = {
    'by fingerprint': entry(['fingerprint: 0123456789abcdef', ...OK]),
    'by rule and entity, narrowed by period': entry(['rule: OFF-HOURS-PAYOUT', 'entity: S002', 'period: 2024-05', ...OK]),
    'an entity that looks like a number': entry(['rule: R', 'entity: 000123', ...OK]),
    empty: '',
    'no entries': 'suppressions:\n',
  };
  const bad: Record<string, [string, RegExp]> = {
    'an unknown key': [entry(['fingerprint: 0123456789abcdef', 'owner: x', ...OK]), /:3:5: unknown key "owner" in a suppression/],
    'no reason': [entry(['fingerprint: 0123456789abcdef', 'approver: 王审计', 'expires: 2025-06-30']), /:2:5: the suppression on line 2 has no reason/],
    'no expiry': [entry(['fingerprint: 0123456789abcdef', 'reason: x', 'approver: y']), /has no expires/],
    'an expiry that is no date': [entry(['fingerprint: 0123456789abcdef', 'reason: x', 'approver: y', 'expires: next year']), /expires "next year" is not a date/],
    'a fingerprint that is none': [entry(['fingerprint: abc', ...OK]), /fingerprint "abc" is not a finding's fingerprint/],
    'a rule without an entity': [entry(['rule: R', ...OK]), /names no finding/],
    'an unknown top-level key': ['suppression:\n  - fingerprint: 0123456789abcdef\n', /:1:1: unknown key "suppression"; the file has one key, suppressions/],
    'a map instead of a list': ['suppressions:\n  fingerprint: 0123456789abcdef\n', /suppressions must be a list of entries/],
  };

  for (const [name, text] of Object.entries(good)) {
    it(`accepts ${name}`, () => {
      expect(() => readSuppressions(file(text))).not.toThrow();
      expect(validate(parse(text) ?? null), JSON.stringify(validate.errors)).toBe(true);
    });
  }
  for (const [name, [text, message]] of Object.entries(bad)) {
    it(`refuses ${name}, at file:line:col, with the fix`, () => {
      const f = file(text);
      expect(() => readSuppressions(f)).toThrow(message);
      try {
        readSuppressions(f);
      } catch (err) {
        expect((err as { fix?: string }).fix).toBeTruthy();
        expect((err as Error).message.startsWith(`${f}:`)).toBe(true);
      }
      expect(validate(parse(text)), name).toBe(false);
    });
  }

  it('a YAML error names its place', () => {
    expect(() => readSuppressions(file('suppressions:\n  - reason: [x\n'))).toThrow(/s\d+\.yaml:\d+:\d+: /);
    expect(() => readSuppressions(join(dir, 'nope.yaml'))).toThrow(/cannot read suppressions/);
  });
});

describe('matching', () => {
  const f = finding({ fingerprint: 'aaaaaaaaaaaaaaaa', ruleId: 'R', entity: { kind: 'staff', key: 'S002' }, period: '2024-05' });
  const base = { line: 1, reason: 'r', approver: 'a', expires: '2025-01-01' };

  it('by fingerprint, or by rule and entity and, when given, period', () => {
    expect(matches({ ...base, fingerprint: 'aaaaaaaaaaaaaaaa' }, f)).toBe(true);
    expect(matches({ ...base, fingerprint: 'bbbbbbbbbbbbbbbb' }, f)).toBe(false);
    expect(matches({ ...base, rule: 'R', entity: 'S002' }, f)).toBe(true);
    expect(matches({ ...base, rule: 'R', entity: 'S002', period: '2024-05' }, f)).toBe(true);
    expect(matches({ ...base, rule: 'R', entity: 'S002', period: '2024-06' }, f)).toBe(false);
    expect(matches({ ...base, rule: 'Q', entity: 'S002' }, f)).toBe(false);
  });

  it('an entry holds through its expiry day, in the report\'s local day', () => {
    expect(inForce([base], '2025-01-01').active).toHaveLength(1);
    expect(inForce([base], '2025-01-02').expired).toHaveLength(1);
    // 2024-12-31 16:30 UTC is already 2025-01-01 in Shanghai: still in force that day, expired the next.
    const r = (iso: string) =>
      sampleResult({ reveal: false, now: new Date(iso), suppressions: { file: 's.yaml', entries: [{ ...base, fingerprint: 'fp-death-zhang', expires: '2024-12-31' }] } }).suppressions!;
    expect(r('2024-12-31T15:30:00Z').suppressed).toHaveLength(1);
    expect(r('2024-12-31T16:30:00Z').expired).toHaveLength(1);
  });

  it('suppressed findings are out of the findings, the totals and --fail-on, and in every format', () => {
    const r = sampleResult({ reveal: false, suppressions: { file: 's.yaml', entries: [{ ...base, reason: '家属已退回', expires: '2099-01-01', fingerprint: 'fp-death-zhang' }] } });
    expect(r.findings.map((x) => x.fingerprint)).not.toContain('fp-death-zhang');
    expect(r.summary.total).toMatchObject({ count: 2, amount: 12346 });
    expect(r.run.withFindings).toBe(2);
    for (const format of ['terminal', 'md', 'html', 'csv', 'json'] as const) expect(rendered(r, format), format).toContain('家属已退回');
    expect(JSON.parse(rendered(r, 'sarif')).runs[0].results.find((x: { suppressions?: unknown[] }) => x.suppressions)).toBeTruthy();
    expect(rendered(r, 'terminal')).toContain('已接受的疑点（抑制） (1)');
  });
});
