/**
 * Evidence rows beyond those shown with their values (`--evidence N`) are
 * carried by their place alone, as lists of lines per file (Finding.places).
 * A report must not tell the difference: every format lists every row, as it
 * would were each row a full evidence row with empty values; masking scans
 * their file names; money counting sees the same rows.
 */
import { describe, expect, it } from 'vitest';
import { everyEvidenceRow, type EvidencePlaces, type EvidenceRow, type Finding } from '../../src/engine/finding.js';
import { findCases } from '../../src/report/cases.js';
import { knownValues } from '../../src/report/known.js';
import { MoneyLedger } from '../../src/report/money.js';
import { REPORT_FORMATS } from '../../src/report/model.js';
import { FINDINGS, ID_ZHANG, RUN, finding, rendered, sampleResult } from './sample.js';
import type { LoadedTable } from '../../src/data/model.js';

/** A file named after a person: its name is personal data wherever the report shows it. */
const NAMED_FILE = 'in/张三的发放表.csv';

const shown: EvidenceRow[] = [
  { table: 'payouts', file: 'in/payouts.csv', line: 3, values: { id_number: ID_ZHANG, name: '张三', amount: 300000, period: '2024-02' } },
  { table: 'payouts', file: 'in/payouts.csv', line: 4, values: { id_number: ID_ZHANG, name: '张三', amount: 300000, period: '2024-03' } },
];
const places: EvidencePlaces[] = [
  { table: 'payouts', file: 'in/payouts.csv', lines: [5, 6, 9, 12] },
  { table: 'payouts', file: NAMED_FILE, lines: [2, 3, 4] },
  { table: 'payouts', file: 'in/book.xlsx', sheet: '2024', lines: [7, 8] },
];

/** The same finding, every row a full evidence row (empty values beyond those shown): what `places` stands for. */
function expanded(f: Finding): Finding {
  const { places: _places, ...rest } = f;
  return { ...rest, evidence: [...everyEvidenceRow(f)].map((e) => ({ ...e, values: { ...e.values } })) };
}

const compact = finding({
  fingerprint: 'fp-many-rows',
  ruleId: 'PAID-AFTER-DEATH',
  amount: 900000,
  pii: { 'entity.key': 'id', 'entity.label': 'name', id_number: 'id', name: 'name' },
  message: { zh: '{name} 死亡后仍发放 {total:money} 元', en: '{name} paid {total:money} yuan after death' },
  details: { name: '张三', total: 900000 },
  evidence: shown,
  places,
  evidenceCount: 11,
});

const persons: LoadedTable = { name: 'persons', rows: 1, columns: { name: ['张三'] }, files: ['in/persons.csv'], fileIndex: [0], lines: [2] };
const known = knownValues(new Map([['persons', persons]]));

const result = (f: Finding, reveal: boolean) => sampleResult({ run: { ...RUN, findings: [...FINDINGS, f] }, reveal, known });

describe('evidence rows carried by their place', () => {
  it('list every row, in order, in the order evidence is listed', () => {
    const rows = [...everyEvidenceRow(compact)];
    expect(rows).toHaveLength(compact.evidenceCount);
    expect(rows.map((e) => `${e.file}${e.sheet ? '!' + e.sheet : ''}:${e.line}`)).toEqual([
      'in/payouts.csv:3',
      'in/payouts.csv:4',
      'in/payouts.csv:5',
      'in/payouts.csv:6',
      'in/payouts.csv:9',
      'in/payouts.csv:12',
      `${NAMED_FILE}:2`,
      `${NAMED_FILE}:3`,
      `${NAMED_FILE}:4`,
      'in/book.xlsx!2024:7',
      'in/book.xlsx!2024:8',
    ]);
    expect(rows.slice(2).every((e) => Object.keys(e.values).length === 0)).toBe(true);
  });

  for (const reveal of [false, true]) {
    it(`give every format the same bytes as full evidence rows would (${reveal ? 'revealed' : 'masked'})`, () => {
      const a = result(compact, reveal);
      const b = result(expanded(compact), reveal);
      for (const format of REPORT_FORMATS) expect(rendered(a, format), format).toBe(rendered(b, format));
    });
  }

  it('list every place in the json report, its values empty, and no `places` key', () => {
    const json = JSON.parse(rendered(result(compact, true), 'json'));
    const f = json.findings.find((x: { fingerprint: string }) => x.fingerprint === 'fp-many-rows');
    expect(f.places).toBeUndefined();
    expect(f.evidenceCount).toBe(11);
    expect(f.evidence).toHaveLength(11);
    expect(f.evidence[2]).toEqual({ table: 'payouts', file: 'in/payouts.csv', line: 5, values: {} });
    expect(f.evidence[10]).toEqual({ table: 'payouts', file: 'in/book.xlsx', sheet: '2024', line: 8, values: {} });
  });

  it('are masked: a file named after a person is shown masked in every format, the lines kept', () => {
    const masked = result(compact, false);
    for (const format of REPORT_FORMATS) {
      const text = rendered(masked, format);
      expect(text, format).not.toContain('张三的发放表');
    }
    const f = masked.findings.find((x) => x.fingerprint === 'fp-many-rows')!;
    expect(f.places!.map((p) => p.lines)).toEqual(places.map((p) => p.lines));
    expect(f.places![1].file).not.toBe(NAMED_FILE);
    // The engine's finding is left as it was.
    expect(compact.places![1].file).toBe(NAMED_FILE);
    expect(f.evidence.every((e) => e.values.name !== '张三' && e.values.id_number !== ID_ZHANG)).toBe(true);
  });

  it('count money as full evidence rows would: a row another finding shows with its money is that money, and links the two', () => {
    const a = finding({ fingerprint: 'fp-a', ruleId: 'A', amount: 500, evidence: [{ table: 'payouts', file: 'p.csv', line: 10, values: { amount: 500 } }], evidenceCount: 1 });
    // Its amount is not the sum of its rows: matched against money counted on them.
    const b = finding({
      fingerprint: 'fp-b',
      ruleId: 'B',
      severity: 'medium',
      amount: 500,
      evidence: [{ table: 'payouts', file: 'p.csv', line: 2, values: { amount: 7 } }],
      places: [{ table: 'payouts', file: 'p.csv', lines: [3, 10, 11] }, { table: 'persons', file: 'persons.csv', lines: [4] }],
      evidenceCount: 5,
    });
    for (const list of [
      [a, b],
      [a, expanded(b)],
    ]) {
      const ledger = new MoneyLedger(list);
      expect(ledger.count(list.keys())).toEqual({ amount: 500, findingsAmount: 1000, bySeverity: { critical: 0, high: 500, medium: 0, low: 0, info: 0 } });
      const links: number[][] = [];
      ledger.count(list.keys(), (x, y) => links.push([x, y]));
      expect(links).toEqual([[0, 1]]);
    }
    const cases = (list: Finding[]) => findCases(list, new MoneyLedger(list)).cases;
    expect(cases([a, b])).toEqual(cases([a, expanded(b)]));
  });
});
