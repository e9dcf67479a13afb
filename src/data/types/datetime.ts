/** `datetime` values (经办时间, 复核时间) → 'YYYY-MM-DD HH:MM:SS'. */
import { PAD2, skipSpaces, trimEndIndex } from './chars.js';
import { digits2, digits4, isCalendarDate, scanTime, scanYmd, scanned } from './calendar.js';
import { dateShapeProblem, ymdString } from './date.js';
import { Problem } from './problem.js';

const BAD_DATETIME = new Problem(
  'bad-datetime',
  'not a date and time: write it as 2020-01-05 14:03:00 (or 2020-01-05T14:03, 2020/1/5 14:03, 20200105140300)',
  'error',
);
const NOT_CALENDAR = new Problem(
  'bad-datetime',
  'not a real date or time (day, month, hour or minute out of range): correct it in the source system',
  'error',
  null,
  { key: 'bad-datetime.calendar' },
);

/**
 * Types a `datetime` value: any date parseDate accepts, optionally followed by `T` or spaces and `H:MM`, `H:MM:SS`
 * or `H:MM:SS.fff` (fraction dropped), or compact `YYYYMMDDHHMMSS`. A date alone means 00:00:00. Blank → null.
 *
 * @example parseDatetime('2020/1/5 9:03') // '2020-01-05 09:03:00'
 */
export function parseDatetime(raw: string): string | null | Problem {
  const n = raw.length;
  if (n === 19 && raw.charCodeAt(4) === 45 && raw.charCodeAt(7) === 45 && raw.charCodeAt(10) === 32) {
    // Already canonical: return the string itself.
    const y = digits4(raw, 0);
    const m = digits2(raw, 5);
    const d = digits2(raw, 8);
    const h = digits2(raw, 11);
    const mi = digits2(raw, 14);
    const s = digits2(raw, 17);
    if (y >= 0 && m >= 0 && d >= 0 && h >= 0 && mi >= 0 && s >= 0 && raw.charCodeAt(13) === 58 && raw.charCodeAt(16) === 58) {
      return isCalendarDate(y, m, d) && h <= 23 && mi <= 59 && s <= 59 ? raw : NOT_CALENDAR;
    }
  }
  const i = skipSpaces(raw, 0, n);
  if (i === n) return null;
  const end = trimEndIndex(raw, i, n);
  const v = scanYmd(raw, i, end);
  if (v < 0) return dateShapeProblem(raw, i, end, BAD_DATETIME);
  if (!isCalendarDate(Math.floor(v / 10000), Math.floor(v / 100) % 100, v % 100)) {
    return v % 100 === 0 ? BAD_DATETIME : NOT_CALENDAR;
  }
  let t = 0;
  if (scanned.end < end) {
    t = scanTime(raw, scanned.end, end, scanned.compact);
    if (t < 0) return BAD_DATETIME;
  }
  return ymdString(v) + ' ' + PAD2[Math.floor(t / 10000)] + ':' + PAD2[Math.floor(t / 100) % 100] + ':' + PAD2[t % 100];
}
