/**
 * The domain functions that let rules recognise free text, receipt numbers and
 * working days the way real systems write them.
 */
import { describe, expect, it } from 'vitest';
import * as aq from 'arquero';
import { registerFunctions } from '../../src/engine/arquero/functions.js';
import { text_key } from '../../src/engine/functions/text_key.js';
import { contains_any } from '../../src/engine/functions/contains_any.js';
import { receipt_series } from '../../src/engine/functions/receipt_series.js';
import { receipt_counter } from '../../src/engine/functions/receipt_counter.js';
import { weekdays_between } from '../../src/engine/functions/weekdays_between.js';

describe('text_key', () => {
  it.each([
    ['泸人社发〔2019〕12号', '泸人社发[2019]12号'],
    ['泸人社发（2019） 12号', '泸人社发[2019]12号'],
    ['泸人社发【2019】12号', '泸人社发[2019]12号'],
    ['阿依古丽·买买提', '阿依古丽买买提'],
    ['ＬＩ　Ｗｅｉ', 'LIWEI'],
    [' 基本养老金 ', '基本养老金'],
  ])('%s → %s', (text, key) => expect(text_key(text)).toBe(key));

  it('is null for what is not text', () => {
    expect(text_key(null)).toBeNull();
    expect(text_key(undefined)).toBeNull();
  });
});

describe('contains_any', () => {
  it('recognises items and summaries by the words they contain', () => {
    expect(contains_any('一次性抚恤金', ['丧葬', '抚恤'])).toBe(true);
    expect(contains_any('供养直系亲属生活费', ['供养'])).toBe(true);
    expect(contains_any('批量代发 养老金', ['代发养老金'])).toBe(true);
    expect(contains_any('基本养老金', ['丧葬', '抚恤'])).toBe(false);
  });

  it('is false, never null, for a missing text, and ignores empty words', () => {
    expect(contains_any(null, ['a'])).toBe(false);
    expect(contains_any('', ['a'])).toBe(false);
    expect(contains_any('基本养老金', ['', '  '])).toBe(false);
    expect(contains_any('基本养老金', null)).toBe(false);
  });
});

describe('receipt_series and receipt_counter', () => {
  it.each([
    ['LX01-2024-000123', '2024-03-05', 'LX01-2024-#', 123],
    ['2024000123', '2024-03-05', '2024#', 123],
    ['2023999', '2024-01-02', '2023#', 999],
    ['PJ00010001', '2024-03-05', 'PJ#@2024', 10001],
    ['000123', '2024-03-05', '#@2024', 123],
    ['123', '2024-03-05', '#@2024', 123],
    ['川财(2024) 000123', '2024-03-05', '川财[2024]#', 123],
    ['B0012-7', '2023-12-30', 'B0012-#@2023', 7],
    ['pj000124', '2024-03-05 10:00:00', 'PJ#@2024', 124],
  ])('%s (written %s) is number %s… of its series', (text, date, series, counter) => {
    expect(receipt_series(text, date)).toBe(series);
    expect(receipt_counter(text)).toBe(counter);
  });

  it('is null without digits, and keeps a series without a date', () => {
    expect(receipt_series('作废', '2024-01-01')).toBeNull();
    expect(receipt_counter('作废')).toBeNull();
    expect(receipt_series('PJ000124', null)).toBe('PJ#');
  });
});

describe('weekdays_between', () => {
  it.each([
    ['2024-03-08', '2024-03-11', 1],
    ['2024-01-01', '2024-01-08', 5],
    ['2024-02-09', '2024-02-19', 6],
    ['2024-01-06', '2024-01-07', 0],
    ['2024-03-11', '2024-03-11', 0],
    ['2024-03-11', '2024-03-04', 0],
    ['1969-12-29', '1970-01-05', 5],
  ])('%s → %s: %s', (a, b, n) => expect(weekdays_between(a, b)).toBe(n));

  it('counts by date for datetimes, and is null for what is no date', () => {
    expect(weekdays_between('2024-03-08 16:00:00', '2024-03-11')).toBe(1);
    expect(weekdays_between('x', '2024-03-11')).toBeNull();
  });
});

describe('registered with Arquero', () => {
  it('runs in expressions', () => {
    registerFunctions();
    const t = aq.table({ item: ['一次性抚恤金', '基本养老金'], receipt: ['LX01-2024-000007', '2024000008'] });
    const out = t.derive({
      survivor: "d => op.contains_any(d.item, ['抚恤'])",
      series: "d => op.receipt_series(d.receipt, '2024-01-01')",
      n: 'd => op.receipt_counter(d.receipt)',
    }).objects() as Array<Record<string, unknown>>;
    expect(out.map((r) => [r.survivor, r.series, r.n])).toEqual([[true, 'LX01-2024-#', 7], [false, '2024#', 8]]);
  });
});
