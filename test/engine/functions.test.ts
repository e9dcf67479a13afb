import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as aq from 'arquero';
import { ALLOWED_FUNCTIONS, DOMAIN_FUNCTIONS, DOMAIN_FUNCTION_NAMES } from '../../src/engine/functions/index.js';
import { registerFunctions } from '../../src/engine/arquero/functions.js';
import { SCALAR_FUNCTIONS, signature } from '../../src/plan/functions.js';
import { id_valid } from '../../src/engine/functions/id_valid.js';
import { id_checksum_ok } from '../../src/engine/functions/id_checksum_ok.js';
import { id_birth_date } from '../../src/engine/functions/id_birth_date.js';
import { id_gender } from '../../src/engine/functions/id_gender.js';
import { age_on } from '../../src/engine/functions/age_on.js';
import { months_between } from '../../src/engine/functions/months_between.js';
import { add_months } from '../../src/engine/functions/add_months.js';
import { month_of } from '../../src/engine/functions/month_of.js';
import { year_of } from '../../src/engine/functions/year_of.js';
import { add_days } from '../../src/engine/functions/add_days.js';
import { days_between } from '../../src/engine/functions/days_between.js';
import { first_digit } from '../../src/engine/functions/first_digit.js';
import { first_two_digits } from '../../src/engine/functions/first_two_digits.js';
import { hour_of } from '../../src/engine/functions/hour_of.js';
import { weekday } from '../../src/engine/functions/weekday.js';
import { is_working_time } from '../../src/engine/functions/is_working_time.js';
import { is_round_amount } from '../../src/engine/functions/is_round_amount.js';
import { seq_number } from '../../src/engine/functions/seq_number.js';
import { statutory_retire_age } from '../../src/engine/functions/statutory_retire_age.js';
import { describeExternal, externalJson } from '../external.js';

interface Vector {
  number: string;
  length: number;
  checksum_ok: boolean | null;
  birth_date: string | null;
  gender: 'male' | 'female' | null;
}
const { vectors } = externalJson<{ vectors: Vector[] }>({ vectors: [] }, 'idcard', 'vectors.json');
const today = new Date().toISOString().slice(0, 10);

describeExternal('identity-number functions against the public GB 11643 vectors', () => {
  it.each(vectors.filter((v) => v.length === 18).map((v) => [v.number, v] as const))('%s', (_n, v) => {
    expect(id_checksum_ok(v.number)).toBe(v.checksum_ok);
    expect(id_birth_date(v.number)).toBe(v.birth_date);
    expect(id_gender(v.number)).toBe(v.gender === null ? null : v.gender === 'male' ? '男' : '女');
    const expected = v.checksum_ok === true && v.birth_date !== null && v.birth_date <= today;
    expect(id_valid(v.number)).toBe(expected);
  });

  it('15-digit numbers: birth date and gender, but no check digit and never valid', () => {
    for (const v of vectors.filter((x) => x.length === 15)) {
      expect(id_birth_date(v.number)).toBe(v.birth_date);
      expect(id_gender(v.number)).toBe(v.gender === 'male' ? '男' : '女');
      expect(id_checksum_ok(v.number)).toBeNull();
      expect(id_valid(v.number)).toBe(false);
    }
  });

  it('null in, null out; garbage is not valid', () => {
    for (const fn of [id_valid, id_checksum_ok, id_birth_date, id_gender]) expect(fn(null)).toBeNull();
    expect(id_valid('not an id')).toBe(false);
    expect(id_checksum_ok('not an id')).toBeNull();
    expect(id_birth_date('not an id')).toBeNull();
    expect(id_valid('520323297806058856')).toBe(false); // born in 2978
  });
});

describe('date functions', () => {
  it('age_on counts whole years, a leap-day birthday counting from 1 March', () => {
    expect(age_on('1964-05-20', '2024-05-19')).toBe(59);
    expect(age_on('1964-05-20', '2024-05-20')).toBe(60);
    expect(age_on('2000-02-29', '2023-02-28')).toBe(22);
    expect(age_on('2000-02-29', '2023-03-01')).toBe(23);
    expect(age_on('1964-05-20', '2024-06')).toBe(60);
    expect(age_on('1964-05-20', '2024-05-20 08:00:00')).toBe(60);
    expect(age_on(null, '2024-01-01')).toBeNull();
    expect(age_on('1964-02-30', '2024-01-01')).toBeNull();
  });

  it('months_between ignores days and takes dates or months', () => {
    expect(months_between('2024-01-31', '2024-02-01')).toBe(1);
    expect(months_between('2024-03', '2023-12')).toBe(-3);
    expect(months_between('2020-01-15', '2024-01')).toBe(48);
    expect(months_between('2024-01', 'x')).toBeNull();
  });

  it('add_months keeps months as months and clamps dates to the month end', () => {
    expect(add_months('2024-01', 1)).toBe('2024-02');
    expect(add_months('2024-01', -1)).toBe('2023-12');
    expect(add_months('2024-11', 14)).toBe('2026-01');
    expect(add_months('2024-01-31', 1)).toBe('2024-02-29');
    expect(add_months('2023-01-31', 1)).toBe('2023-02-28');
    expect(add_months('2024-03-15', 0)).toBe('2024-03-15');
    expect(add_months('2024-01', 1.5)).toBeNull();
    expect(add_months(null, 1)).toBeNull();
    expect(add_months('2024-01', null)).toBeNull();
  });

  it('month_of, year_of', () => {
    expect(month_of('2024-01-15')).toBe('2024-01');
    expect(month_of('2024-01-15 23:59:59')).toBe('2024-01');
    expect(month_of('2024-01')).toBe('2024-01');
    expect(month_of('2024-13-01')).toBeNull();
    expect(year_of('2024-01-15')).toBe(2024);
    expect(year_of('1999-12')).toBe(1999);
    expect(year_of('')).toBeNull();
  });

  it('add_days and days_between cross months, years and leap days', () => {
    expect(add_days('2024-02-28', 1)).toBe('2024-02-29');
    expect(add_days('2023-02-28', 1)).toBe('2023-03-01');
    expect(add_days('2024-12-31', 1)).toBe('2025-01-01');
    expect(add_days('2024-03-01', -1)).toBe('2024-02-29');
    expect(add_days('2024-03', 0)).toBe('2024-03-01');
    expect(days_between('2024-01-01', '2024-12-31')).toBe(365);
    expect(days_between('2024-03-01', '2024-02-28')).toBe(-2);
    expect(days_between('2024-01-01 23:00:00', '2024-01-02 01:00:00')).toBe(1);
    expect(days_between('1970-01-01', '2000-01-01')).toBe(10957);
    expect(days_between(null, '2024-01-01')).toBeNull();
  });

  it('hour_of, weekday and is_working_time', () => {
    expect(hour_of('2024-05-06 23:15:00')).toBe(23);
    expect(hour_of('2024-05-06')).toBeNull();
    expect(weekday('2024-05-06')).toBe(1); // a Monday
    expect(weekday('2024-05-12 10:00:00')).toBe(7); // a Sunday
    expect(weekday('1970-01-01')).toBe(4);
    expect(weekday('1969-12-29')).toBe(1);
    expect(is_working_time('2024-05-06 08:59:59', 9, 18)).toBe(false);
    expect(is_working_time('2024-05-06 09:00:00', 9, 18)).toBe(true);
    expect(is_working_time('2024-05-06 17:59:00', 9, 18)).toBe(true);
    expect(is_working_time('2024-05-06 18:00:00', 9, 18)).toBe(false);
    expect(is_working_time('2024-05-11 10:00:00', 9, 18)).toBe(false); // Saturday
    expect(is_working_time('2024-05-06', 9, 18)).toBeNull();
  });
});

describe('number functions', () => {
  it('first digits are the same in fen and yuan, null for zero', () => {
    expect(first_digit(123456)).toBe(1);
    expect(first_digit(1234.56)).toBe(1);
    expect(first_digit(-987)).toBe(9);
    expect(first_digit(0.05)).toBe(5);
    expect(first_digit(0)).toBeNull();
    expect(first_digit(null)).toBeNull();
    expect(first_two_digits(123456)).toBe(12);
    expect(first_two_digits(1234.56)).toBe(12);
    expect(first_two_digits(0.099)).toBe(99);
    expect(first_two_digits(5)).toBe(50);
    expect(first_two_digits(0.1 + 0.2)).toBe(30);
    expect(first_two_digits(0)).toBeNull();
  });

  it('is_round_amount', () => {
    expect(is_round_amount(500000, 100000)).toBe(true);
    expect(is_round_amount(500001, 100000)).toBe(false);
    expect(is_round_amount(0, 100000)).toBe(false);
    expect(is_round_amount(-200000, 100000)).toBe(true);
    expect(is_round_amount(500000, 0)).toBeNull();
    expect(is_round_amount(null, 100)).toBeNull();
  });

  it('seq_number takes the digits after the last non-digit', () => {
    expect(seq_number('PJ2024-000123')).toBe(123);
    expect(seq_number('PJ2024000123')).toBe(2024000123);
    expect(seq_number('000456')).toBe(456);
    expect(seq_number(' A7 ')).toBe(7);
    expect(seq_number('ABC')).toBeNull();
    expect(seq_number('X12345678901234567890')).toBeNull();
    expect(seq_number(null)).toBeNull();
  });

  it('statutory_retire_age', () => {
    expect(statutory_retire_age('男', '110', null)).toBe(60);
    expect(statutory_retire_age('女', '110', '干部')).toBe(55);
    expect(statutory_retire_age('女', '110', '工人')).toBe(50);
    expect(statutory_retire_age('女', null, null)).toBe(50);
    expect(statutory_retire_age('女', '170', null)).toBe(60);
    expect(statutory_retire_age(null, '170', null)).toBe(60);
    expect(statutory_retire_age(null, '110', null)).toBeNull();
  });
});

describe('registration and the whitelist', () => {
  it('registers every domain function with Arquero, idempotently', () => {
    registerFunctions();
    registerFunctions();
    expect(Object.keys(DOMAIN_FUNCTIONS).sort()).toEqual([...DOMAIN_FUNCTION_NAMES].sort());
    const t = aq
      .table({ id: ['11010519491231002X', '11010519491231002Y', null], d: ['2024-01-31', '2024-02-10', null] })
      .derive({ ok: 'op.id_valid(d.id)', next: 'op.add_months(d.d, 1)', m: 'op.month_of(d.d)', v: 'op.is_valid(d.d)', c: "op.coalesce(d.d, 'none')" });
    expect(t.objects()).toEqual([
      { id: '11010519491231002X', d: '2024-01-31', ok: true, next: '2024-02-29', m: '2024-01', v: true, c: '2024-01-31' },
      { id: '11010519491231002Y', d: '2024-02-10', ok: false, next: '2024-03-10', m: '2024-02', v: true, c: '2024-02-10' },
      { id: null, d: null, ok: null, next: null, m: null, v: false, c: 'none' },
    ]);
  });

  it('allows the whitelisted built-ins and domain functions, not regex or date built-ins', () => {
    for (const name of ['abs', 'sum', 'lag', 'includes', 'id_valid', 'statutory_retire_age', 'coalesce']) expect(ALLOWED_FUNCTIONS.has(name)).toBe(true);
    for (const name of ['match', 'replace', 'parse_date', 'now', 'year', 'format_date']) expect(ALLOWED_FUNCTIONS.has(name)).toBe(false);
  });

  it('every allowed function exists once registered', () => {
    registerFunctions();
    const op = aq.op as unknown as Record<string, unknown>;
    for (const name of ALLOWED_FUNCTIONS) expect(typeof op[name], name).toBe('function');
  });

  it('the signatures the validator checks calls against take the arguments the implementations do', () => {
    for (const name of DOMAIN_FUNCTION_NAMES) {
      const sig = signature(name)!;
      expect([sig.min, sig.max], name).toEqual([DOMAIN_FUNCTIONS[name].length, DOMAIN_FUNCTIONS[name].length]);
    }
    registerFunctions();
    const op = aq.op as unknown as Record<string, (...a: unknown[]) => unknown>;
    // Arquero's own scalars: no more arguments than they declare (rest parameters declare none).
    for (const name of SCALAR_FUNCTIONS) {
      const declared = op[name].length;
      if (declared > 0) expect(signature(name)!.max, name).toBe(declared);
    }
  });
});
