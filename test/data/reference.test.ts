/**
 * Reference tables: the shipped holiday calendar is added when a rule needs
 * it, a user's calendar wins for its own dates, and contribution_limits is
 * empty unless the user supplies it.
 */
import { describe, expect, it } from 'vitest';
import { loadText } from '../../src/data/load.js';
import { addReferenceTables } from '../../src/data/reference.js';
import type { FileReport, LoadedTable } from '../../src/data/model.js';

const row = (t: LoadedTable, col: string, value: string) => {
  const values = Array.from(t.columns[col]);
  return values.indexOf(value);
};

describe('addReferenceTables', () => {
  it('adds the shipped calendar, with its source and file, and reports it for the manifest', () => {
    const tables = new Map<string, LoadedTable>();
    const files = addReferenceTables(tables, ['payouts', 'calendar']);
    expect(files.map((f) => f.path)).toEqual(['<fundaudit>/reference/calendar.csv']);
    expect(files[0].sha256).toMatch(/^[0-9a-f]{64}$/);
    const cal = tables.get('calendar')!;
    expect(cal.rows).toBeGreaterThan(300);
    // 2024's Spring Festival: 10–17 February off, Sunday 4 and Sunday 18 February working days.
    expect(cal.columns.kind[row(cal, 'date', '2024-02-14')]).toBe('holiday');
    expect(cal.columns.kind[row(cal, 'date', '2024-02-18')]).toBe('workday');
    expect(String(cal.columns.source[row(cal, 'date', '2024-02-18')])).toContain('国务院办公厅关于2024年部分节假日安排的通知');
    // 2026 (notice of 4 November 2025): Spring Festival 15–23 February, Saturdays 14 and 28 February working days.
    expect(cal.columns.kind[row(cal, 'date', '2026-02-23')]).toBe('holiday');
    expect(cal.columns.kind[row(cal, 'date', '2026-02-28')]).toBe('workday');
    expect(cal.columns.kind[row(cal, 'date', '2026-10-10')]).toBe('workday');
    expect(cal.files[cal.fileIndex[0]]).toBe('<fundaudit>/reference/calendar.csv');
  });

  it('lets a user calendar win for its dates and fills in the rest, even without optional columns', () => {
    const own = loadText('calendar', '日期,休班类型\n2024-02-18,放假\n2027-01-01,放假\n', 'my-calendar.csv').table;
    const tables = new Map([['calendar', own]]);
    addReferenceTables(tables, ['calendar']);
    const cal = tables.get('calendar')!;
    expect(cal.columns.kind[row(cal, 'date', '2024-02-18')]).toBe('holiday');
    expect(cal.columns.kind[row(cal, 'date', '2027-01-01')]).toBe('holiday');
    expect(cal.columns.kind[row(cal, 'date', '2024-02-04')]).toBe('workday');
    expect(Array.from(cal.columns.date).filter((d) => d === '2024-02-18')).toHaveLength(1);
    expect(cal.columns.source).toBeDefined();
  });

  it('gives an empty contribution_limits with every column when none is supplied, and nothing for tables not needed', () => {
    const tables = new Map<string, LoadedTable>();
    expect(addReferenceTables(tables, ['contribution_limits'])).toEqual([]);
    const limits = tables.get('contribution_limits')!;
    expect(limits.rows).toBe(0);
    expect(Object.keys(limits.columns).sort()).toEqual(['ceiling', 'floor', 'region', 'source', 'year']);
    expect(tables.has('calendar')).toBe(false);
  });

  it('keeps the user\'s contribution limits, adding the columns the file left out', () => {
    const own = loadText('contribution_limits', '缴费年度,缴费基数下限,缴费基数上限\n2024,4246.20,21231.00\n', 'limits.csv').table;
    const tables = new Map([['contribution_limits', own]]);
    addReferenceTables(tables, ['contribution_limits']);
    const limits = tables.get('contribution_limits')!;
    expect(limits.rows).toBe(1);
    expect(limits.columns.floor[0]).toBe(424620);
    expect(limits.columns.region[0]).toBeNull();
  });

  describe('years the calendar does not know', () => {
    const input = (table: string, from: string, to: string, path = `${table}.csv`): FileReport =>
      ({ path, table, rowsLoaded: 10, issues: [], profile: { from, to, region: null } }) as unknown as FileReport;

    it('warns on a copy of the shipped report when contributions run into a year after the calendar, naming the year and the fix', () => {
      const tables = new Map<string, LoadedTable>();
      const [report] = addReferenceTables(tables, ['calendar', 'contributions'], [input('contributions', '2026-01', '2027-03')]);
      expect(report.issues).toHaveLength(1);
      const issue = report.issues[0];
      expect(issue).toMatchObject({ file: '<fundaudit>/reference/calendar.csv', line: 0, level: 'warning', code: 'calendar-years' });
      expect(issue.reason).toContain('2015–2026');
      expect(issue.reason).toContain('no arrangements for 2027, which contributions reaches (up to 2027-03)');
      expect(issue.reason).toContain('--table calendar=FILE');
      // The shipped report is cached: the next audit, within the calendar, gets it clean.
      const [again] = addReferenceTables(new Map(), ['calendar'], [input('contributions', '2025-01', '2026-12')]);
      expect(again.issues).toEqual([]);
    });

    it('says nothing for dates the calendar is not read for (a death in 2003), for data within it, or for periods before it (back-payment)', () => {
      const [report] = addReferenceTables(new Map(), ['calendar'], [input('deaths', '2003-05', '2026-11'), input('payouts', '2015-01', '2026-12'), input('contributions', '2010-01', '2025-06')]);
      expect(report.issues).toEqual([]);
    });

    it("puts the warning on the user's own calendar file, and counts the years it adds as known", () => {
      const mine = loadText('calendar', '日期,休班类型\n2027-01-01,放假\n', 'my-calendar.csv');
      const tables = new Map([['calendar', mine.table]]);
      const inputs = [mine.report, input('bank_flows', '2026-06', '2029-02')];
      const [shipped] = addReferenceTables(tables, ['calendar'], inputs);
      expect(shipped.issues).toEqual([]);
      expect(mine.report.issues.map((i) => i.code)).toEqual(['calendar-years']);
      expect(mine.report.issues[0].file).toBe('my-calendar.csv');
      expect(mine.report.issues[0].reason).toContain('covers 2015–2027 but has no arrangements for 2028, 2029, which bank_flows reaches (up to 2029-02)');
    });
  });
});
