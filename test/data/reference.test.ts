/**
 * Reference tables: the shipped holiday calendar is added when a rule needs
 * it, a user's calendar wins for its own dates, and contribution_limits is
 * empty unless the user supplies it.
 */
import { describe, expect, it } from 'vitest';
import { loadText } from '../../src/data/load.js';
import { addReferenceTables } from '../../src/data/reference.js';
import type { LoadedTable } from '../../src/data/model.js';

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
});
