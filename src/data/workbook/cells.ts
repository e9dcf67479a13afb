/**
 * A cell's stored value as the text the value parsers read (src/data/types):
 * numbers as the digits Excel shows (15 significant digits, never more than
 * the double holds), date-formatted numbers as ISO dates, booleans, errors.
 */
import { PAD2 } from '../types/chars.js';

/** Built-in number formats that show a date or time (ECMA-376 §18.8.30, and the CJK locales' 27–36, 50–58). */
const BUILTIN_DATE = new Set([14, 15, 16, 17, 18, 19, 20, 21, 22, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 45, 46, 47, 50, 51, 52, 53, 54, 55, 56, 57, 58]);

/** Does a number format show a date or time? Quoted text, escapes and [..] sections (colours, locales) are ignored. */
export function isDateFormat(id: number, code: string | undefined): boolean {
  if (code === undefined) return BUILTIN_DATE.has(id);
  const bare = code
    .replace(/"[^"]*"/g, '')
    .replace(/\\./g, '')
    .replace(/\[[^\]]*\]/g, '')
    .replace(/_.|\*./g, '');
  // The first section only (positive numbers); General and plain number formats hold none of these letters.
  const first = bare.split(';')[0];
  return /[ymdhs年月日]/i.test(first) && !/^general$/i.test(first.trim());
}

/** Days from 1970-01-01 to the workbook's day 0: 1899-12-30 (1900 system, past its phantom 1900-02-29) or 1904-01-01. */
const EPOCH_1900 = -25569;
const EPOCH_1904 = -24107;

/**
 * A date serial as `YYYY-MM-DD`, or `YYYY-MM-DD HH:MM:SS` when it has a time of day (rounded to the second),
 * or null when it is no date a workbook can hold (negative, or past 9999).
 */
export function serialToDate(serial: number, date1904: boolean): string | null {
  if (!Number.isFinite(serial) || serial < 0 || serial > 2958465) return null;
  let days = Math.floor(serial);
  let secs = Math.round((serial - days) * 86400);
  if (secs === 86400) {
    days++;
    secs = 0;
  }
  // Serials 1–59 are January and February 1900, counted from 1899-12-31 in the 1900 system (the phantom 29th is 60).
  const epochDays = date1904 ? EPOCH_1904 + days : days < 61 ? EPOCH_1900 + days + 1 : EPOCH_1900 + days;
  if (!date1904 && days === 60) return null;
  const d = new Date(epochDays * 86400000);
  const ymd = `${d.getUTCFullYear()}-${PAD2[d.getUTCMonth() + 1]}-${PAD2[d.getUTCDate()]}`;
  if (secs === 0) return ymd;
  return `${ymd} ${PAD2[Math.floor(secs / 3600)]}:${PAD2[Math.floor(secs / 60) % 60]}:${PAD2[secs % 60]}`;
}

/**
 * A stored number (`<v>` text) as Excel shows it in General format: at most 15 significant digits, so that a
 * value stored as 1234.5599999999999 reads 1234.56. Numbers of 1e15 and more, and tiny ones, are left as
 * stored (in scientific notation there), so that the parsers report rather than guess them.
 */
export function numberText(raw: string): string {
  const x = Number(raw);
  if (!Number.isFinite(x) || raw.trim() === '') return raw;
  const abs = Math.abs(x);
  if (abs >= 1e15 || (abs !== 0 && abs < 1e-9)) return raw;
  if (Number.isInteger(x)) return String(x);
  let s = x.toPrecision(15);
  if (s.includes('e')) return raw;
  if (s.includes('.')) s = s.replace(/0+$/, '').replace(/\.$/, '');
  return s;
}
