import { describe, expect, it } from 'vitest';
import { parseDate, parseDatetime, parseMonth, Problem } from '../../../src/data/types/index.js';

const problem = (v: unknown) => {
  expect(v).toBeInstanceOf(Problem);
  return v as Problem;
};

describe('parseDate', () => {
  it.each([
    ['2020-01-05', '2020-01-05'],
    ['2020/1/5', '2020-01-05'],
    ['2020/01/05', '2020-01-05'],
    ['20200105', '2020-01-05'],
    ['2020年1月5日', '2020-01-05'],
    ['2020年01月05日', '2020-01-05'],
    ['2020年1月5', '2020-01-05'],
    ['2020.1.5', '2020-01-05'],
    ['2020-1-5', '2020-01-05'],
    ['2020-01-05 14:03:00', '2020-01-05'],
    ['2020-01-05T14:03', '2020-01-05'],
    ['2020/1/5 9:03:07.0', '2020-01-05'],
    ['20200105140300', '2020-01-05'],
    ['２０２０－０１－０５', '2020-01-05'],
    ['２０２０年１月５日', '2020-01-05'],
    [' \u30002020-01-05\u00a0', '2020-01-05'],
    ['2020-02-29', '2020-02-29'],
    ['2000-02-29', '2000-02-29'],
    ['9999-12-31', '9999-12-31'],
  ])('%j → %s', (raw, want) => expect(parseDate(raw)).toBe(want));

  it.each(['', '   ', '\u3000', '\t'])('blank %j → null', (raw) => expect(parseDate(raw)).toBeNull());

  it.each(['2020-02-30', '2019-02-29', '1900-02-29', '2020-13-01', '2020-00-10', '2020-04-31', '20200230', '2020年2月30日'])(
    'impossible calendar date %j → error',
    (raw) => expect(problem(parseDate(raw))).toMatchObject({ code: 'bad-date', level: 'error', kept: null }),
  );

  it('never guesses an Excel serial', () => {
    const p = problem(parseDate('43835'));
    expect(p.reason).toContain('serial');
    expect(p.reason).toContain('re-export');
    expect(problem(parseDate('43835.25')).reason).toContain('serial');
  });

  it('rejects a month where a day is needed', () => {
    expect(problem(parseDate('2020-01')).reason).toContain('month');
    expect(problem(parseDate('202001')).reason).toContain('month');
  });

  it.each(['abc', '2020', '2020-01-05x', '2020-01/05', '05/01/2020', '2020-01-05 25:00', '2020--01-05', '1.10101E+17', '0000-00-00'])(
    'garbage %j → error',
    (raw) => expect(problem(parseDate(raw)).level).toBe('error'),
  );
});

describe('parseMonth', () => {
  it.each([
    ['202001', '2020-01'],
    ['2020-01', '2020-01'],
    ['2020/1', '2020-01'],
    ['2020.01', '2020-01'],
    ['2020年01月', '2020-01'],
    ['2020年1月', '2020-01'],
    ['2020-01-05', '2020-01'],
    ['2020/1/31', '2020-01'],
    ['20200105', '2020-01'],
    ['2020年1月5日', '2020-01'],
    ['2020-01-05 00:00:00', '2020-01'],
    ['２０２００１', '2020-01'],
    ['２０２０年１月', '2020-01'],
    [' 2020-12 ', '2020-12'],
  ])('%j → %s', (raw, want) => expect(parseMonth(raw)).toBe(want));

  it('blank → null', () => expect(parseMonth(' ')).toBeNull());

  it.each(['202013', '2020-00', '2020-13', '2020-02-30', '2020', '43831', 'Jan 2020', '2020-01 x'])('%j → error', (raw) => {
    expect(problem(parseMonth(raw))).toMatchObject({ code: 'bad-month', level: 'error' });
  });
});

describe('parseDatetime', () => {
  it.each([
    ['2020-01-05 14:03:00', '2020-01-05 14:03:00'],
    ['2020-01-05 14:03', '2020-01-05 14:03:00'],
    ['2020-01-05T14:03:09', '2020-01-05 14:03:09'],
    ['2020/1/5 9:03', '2020-01-05 09:03:00'],
    ['2020-01-05 14:03:00.000', '2020-01-05 14:03:00'],
    ['2020年1月5日 14:03:00', '2020-01-05 14:03:00'],
    ['20200105140300', '2020-01-05 14:03:00'],
    ['20200105 14:03', '2020-01-05 14:03:00'],
    ['2020-01-05', '2020-01-05 00:00:00'],
    ['２０２０－０１－０５　１４：０３：００', '2020-01-05 14:03:00'],
  ])('%j → %s', (raw, want) => expect(parseDatetime(raw)).toBe(want));

  it('blank → null', () => expect(parseDatetime('')).toBeNull());

  it.each(['2020-01-05 24:00:00', '2020-01-05 12:60', '2020-02-30 10:00:00', '2020-01-05 1403', '2020-01', '43835.5', 'now'])(
    '%j → error',
    (raw) => expect(problem(parseDatetime(raw))).toMatchObject({ code: 'bad-datetime', level: 'error' }),
  );
});

describe('every calendar day from 1900 to 2100', () => {
  it('reads in every accepted shape, and the day after the month end is rejected', () => {
    const pad = (n: number) => String(n).padStart(2, '0');
    for (let t = Date.UTC(1900, 0, 1); t <= Date.UTC(2100, 11, 31); t += 86_400_000) {
      const d = new Date(t);
      const y = d.getUTCFullYear();
      const m = d.getUTCMonth() + 1;
      const day = d.getUTCDate();
      const iso = `${y}-${pad(m)}-${pad(day)}`;
      for (const raw of [iso, `${y}/${m}/${day}`, `${y}${pad(m)}${pad(day)}`, `${y}年${m}月${day}日`, `${y}.${m}.${day}`]) {
        if (parseDate(raw) !== iso) expect(parseDate(raw), raw).toBe(iso);
      }
      if (parseMonth(`${y}${pad(m)}`) !== iso.slice(0, 7)) expect(parseMonth(`${y}${pad(m)}`)).toBe(iso.slice(0, 7));
      const next = new Date(t + 86_400_000);
      if (next.getUTCDate() === 1) expect(parseDate(`${y}-${pad(m)}-${pad(day + 1)}`), `${y}-${m}-${day + 1}`).toBeInstanceOf(Problem);
    }
  });
});
