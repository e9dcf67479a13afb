/** `date` values: the shapes of DESIGN.md §3 → 'YYYY-MM-DD'. */
import { PAD2, fold, isScientific, skipSpaces, trimEndIndex } from './chars.js';
import { digits2, digits4, isCalendarDate, scanTime, scanYmd, scanned } from './calendar.js';
import { Problem } from './problem.js';

const SHAPES = '2020-01-05, 2020/1/5, 2020.1.5, 20200105 or 2020年1月5日';

const BAD_DATE = new Problem('bad-date', `not a date: write it as ${SHAPES}`, 'error');
const NOT_CALENDAR = new Problem(
  'bad-date',
  'not a real calendar date (day or month out of range, e.g. 30 February): correct the date in the source system',
  'error',
  null,
  { key: 'bad-date.calendar' },
);
const MONTH_ONLY = new Problem('bad-date', `is a month, not a day: this column needs a full date (${SHAPES})`, 'error', null, { key: 'bad-date.month-only' });
/** Serial-number problems, one per code (bad-date, bad-month, bad-datetime). */
const SERIAL = new Map<string, Problem>();
function serial(code: string): Problem {
  let p = SERIAL.get(code);
  if (!p) {
    p = new Problem(
      code,
      'looks like a spreadsheet date serial number; it is not converted, since the guess could be wrong: ' +
        're-export the column formatted as a date (2020-01-05)',
      'error',
      null,
      { key: 'date-serial' },
    );
    SERIAL.set(code, p);
  }
  return p;
}
const SCIENTIFIC = new Problem(
  'scientific-notation',
  'looks like a spreadsheet turned it into a number (scientific notation): re-export the column as text or dates',
  'error',
);

/** 'YYYY-' strings by year, filled on demand: number-to-string conversion is the costliest step of a parse. */
const YEAR_PREFIX: string[] = new Array<string>(10000).fill('');

/**
 * Canonical date strings already built, by packed date: a column holds few distinct dates, so repeats cost a
 * lookup instead of a concatenation, and share one string in memory. Bounded for columns of unique dates.
 */
const DATES = new Map<number, string>();
const DATES_LIMIT = 1 << 16;

/** 'YYYY-MM-DD' for a packed y*10000+m*100+d. */
export function ymdString(v: number): string {
  let s = DATES.get(v);
  if (s !== undefined) return s;
  const y = Math.floor(v / 10000);
  let prefix = YEAR_PREFIX[y];
  if (prefix === '') prefix = YEAR_PREFIX[y] = y + '-';
  s = prefix + PAD2[Math.floor(v / 100) % 100] + '-' + PAD2[v % 100];
  if (DATES.size < DATES_LIMIT) DATES.set(v, s);
  return s;
}

/**
 * The Problem for text that has no date shape at s[i, end): a bare number is called out as a spreadsheet serial
 * or scientific notation rather than guessed.
 */
export function dateShapeProblem(s: string, i: number, end: number, generic: Problem): Problem {
  if (isScientific(s, i, end)) return SCIENTIFIC;
  let j = i;
  while (j < end) {
    const c = fold(s.charCodeAt(j));
    if (c < 48 || c > 57) break;
    j++;
  }
  // Spreadsheet serials of dates since 1927 have five digits (10000 = 1927-05-18).
  if (j === end && end - i === 5) return serial(generic.code);
  if (j < end && fold(s.charCodeAt(j)) === 46 && end - i <= 12) {
    // 43835.5: a serial with a time fraction.
    let k = j + 1;
    while (k < end && fold(s.charCodeAt(k)) >= 48 && fold(s.charCodeAt(k)) <= 57) k++;
    if (k === end && j - i === 5) return serial(generic.code);
  }
  return generic;
}

/**
 * Types a `date` value: `2020-01-05`, `2020/1/5`, `2020.1.5`, `20200105`, `2020年1月5日`, full-width digits, and any
 * of these followed by a time (dropped). Blank → null. Anything else, an impossible date (2020-02-30) or a bare
 * spreadsheet serial (43835) → Problem, never guessed.
 *
 * @example parseDate('2020/1/5') // '2020-01-05'
 */
export function parseDate(raw: string): string | null | Problem {
  const n = raw.length;
  if (n === 10 && raw.charCodeAt(4) === 45 && raw.charCodeAt(7) === 45) {
    // Already canonical: return the string itself, no allocation.
    const y = digits4(raw, 0);
    const m = digits2(raw, 5);
    const d = digits2(raw, 8);
    if (y >= 0 && m >= 0 && d >= 0) return isCalendarDate(y, m, d) ? raw : NOT_CALENDAR;
  }
  const i = skipSpaces(raw, 0, n);
  if (i === n) return null;
  const end = trimEndIndex(raw, i, n);
  const v = scanYmd(raw, i, end);
  if (v < 0) return dateShapeProblem(raw, i, end, BAD_DATE);
  const d = v % 100;
  if (scanned.end < end && scanTime(raw, scanned.end, end, scanned.compact) < 0) return BAD_DATE;
  // Day 0 is how scanYmd reports a month-only shape (202001, 2020-01, 2020年1月).
  if (!isCalendarDate(Math.floor(v / 10000), Math.floor(v / 100) % 100, d)) return d === 0 ? MONTH_ONLY : NOT_CALENDAR;
  return ymdString(v);
}
