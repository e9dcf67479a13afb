/** `month` values (费款所属期, 待遇年月) → 'YYYY-MM'. */
import { PAD2, skipSpaces, trimEndIndex } from './chars.js';
import { digits2, digits4, isCalendarDate, scanTime, scanYmd, scanned } from './calendar.js';
import { dateShapeProblem } from './date.js';
import { Problem } from './problem.js';

const BAD_MONTH = new Problem('bad-month', 'not a month: write it as 202001, 2020-01, 2020/1 or 2020年01月', 'error');
const NOT_CALENDAR = new Problem(
  'bad-month',
  'not a real month or date (month outside 1–12 or day out of range): correct it in the source system',
  'error',
  null,
  { key: 'bad-month.calendar' },
);

/**
 * Types a `month` value: `202001`, `2020-01`, `2020/1`, `2020.1`, `2020年01月`, `2020年1月`, or a full date (any
 * shape parseDate accepts, its month is taken). Blank → null; anything else → Problem.
 *
 * @example parseMonth('2020年1月') // '2020-01'
 */
export function parseMonth(raw: string): string | null | Problem {
  const n = raw.length;
  if (n === 7 && raw.charCodeAt(4) === 45) {
    const y = digits4(raw, 0);
    const m = digits2(raw, 5);
    if (y >= 0 && m >= 0) return y >= 1000 && m >= 1 && m <= 12 ? raw : NOT_CALENDAR;
  }
  const i = skipSpaces(raw, 0, n);
  if (i === n) return null;
  const end = trimEndIndex(raw, i, n);
  const v = scanYmd(raw, i, end);
  if (v < 0) return dateShapeProblem(raw, i, end, BAD_MONTH);
  const y = Math.floor(v / 10000);
  const m = Math.floor(v / 100) % 100;
  const d = v % 100;
  if (d === 0 ? y < 1000 || m < 1 || m > 12 : !isCalendarDate(y, m, d)) return NOT_CALENDAR;
  if (scanned.end < end && (d === 0 || scanTime(raw, scanned.end, end, scanned.compact) < 0)) return BAD_MONTH;
  const key = y * 100 + m;
  let out = MONTHS.get(key);
  if (out === undefined) {
    out = y + '-' + PAD2[m];
    if (MONTHS.size < MONTHS_LIMIT) MONTHS.set(key, out);
  }
  return out;
}

/** Canonical month strings already built (see DATES in date.ts): repeats share one string. */
const MONTHS = new Map<number, string>();
const MONTHS_LIMIT = 1 << 14;
