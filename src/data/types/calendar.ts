/**
 * Scanning of the date and time shapes found in fund exports, shared by the date, month, datetime and id parsers.
 * Works on char codes (full-width digits and punctuation folded on the fly) and returns packed integers, so a
 * well-formed value costs no allocation until the canonical string is built.
 */
import { fold, isSpace } from './chars.js';

/** Where the last scanYmd stopped, and whether its date was compact digits (then a time may follow directly). */
export const scanned = { end: 0, compact: false };

const NIAN = 0x5e74; // 年
const YUE = 0x6708; // 月
const RI = 0x65e5; // 日
const HAO = 0x53f7; // 号

/** Days in month m (1–12) of year y, Gregorian. */
export function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

/** Is y-m-d a real calendar date with a four-digit year (1000–9999)? */
export function isCalendarDate(y: number, m: number, d: number): boolean {
  return y >= 1000 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 && d <= daysInMonth(y, m);
}

/** Days since 1970-01-01 of the calendar date y-m-d (proleptic Gregorian, after H. Hinnant's days_from_civil; earlier dates are negative). */
export function epochDay(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** Value of the ASCII digit at s[i], or -1. */
function digitAt(s: string, i: number): number {
  const c = s.charCodeAt(i) - 48;
  return c >= 0 && c <= 9 ? c : -1;
}

/** Two ASCII digits at s[i], or -1. */
export function digits2(s: string, i: number): number {
  const a = digitAt(s, i);
  const b = digitAt(s, i + 1);
  return a < 0 || b < 0 ? -1 : a * 10 + b;
}

/** Four ASCII digits at s[i], or -1. */
export function digits4(s: string, i: number): number {
  const a = digits2(s, i);
  const b = digits2(s, i + 2);
  return a < 0 || b < 0 ? -1 : a * 100 + b;
}

/** Folded digit value of s[i] (full-width allowed), or -1. */
function foldedDigit(s: string, i: number): number {
  const c = fold(s.charCodeAt(i)) - 48;
  return c >= 0 && c <= 9 ? c : -1;
}

/**
 * Scans a date at s[i, end): `YYYY-M-D`, `YYYY/M/D`, `YYYY.M.D`, `YYYY年M月D日`, `YYYYMMDD`, and the month-only
 * shapes `YYYY-M`, `YYYY/M`, `YYYY.M`, `YYYY年M月`, `YYYYMM` (day 0). A 14-digit run is `YYYYMMDDHHMMSS`: the date
 * is returned and `scanned.end` points at the time digits.
 *
 * Returns y*10000 + m*100 + d, NOT yet checked against the calendar, and sets `scanned`; -1 when the text has
 * none of these shapes. Whatever follows the date (a time, garbage) is left to the caller.
 */
export function scanYmd(s: string, i: number, end: number): number {
  let j = i;
  let v = 0;
  let c: number;
  while (j < end && j - i < 15 && (c = foldedDigit(s, j)) >= 0) {
    v = v * 10 + c;
    j++;
  }
  const run = j - i;
  scanned.compact = false;
  if (j < end && foldedDigit(s, j) >= 0) return -1;
  if (run === 8) {
    scanned.end = j;
    scanned.compact = true;
    return v;
  }
  if (run === 14) {
    scanned.end = i + 8;
    scanned.compact = true;
    return Math.floor(v / 1_000_000);
  }
  if (run === 6) {
    scanned.end = j;
    return v * 100;
  }
  if (run !== 4 || j >= end) return -1;
  const y = v;
  const sep = fold(s.charCodeAt(j));
  if (sep !== 45 && sep !== 47 && sep !== 46 && sep !== NIAN) return -1;
  j++;
  // Month: one or two digits.
  let m = foldedDigit(s, j);
  if (m < 0) return -1;
  j++;
  c = foldedDigit(s, j);
  if (c >= 0) {
    m = m * 10 + c;
    j++;
    if (foldedDigit(s, j) >= 0) return -1;
  }
  let hasDay: boolean;
  if (sep === NIAN) {
    if (s.charCodeAt(j) !== YUE) return -1;
    j++;
    hasDay = foldedDigit(s, j) >= 0;
  } else {
    hasDay = j < end && fold(s.charCodeAt(j)) === sep;
    if (hasDay) j++;
  }
  let d = 0;
  if (hasDay) {
    d = foldedDigit(s, j);
    if (d < 0) return -1;
    j++;
    c = foldedDigit(s, j);
    if (c >= 0) {
      d = d * 10 + c;
      j++;
      if (foldedDigit(s, j) >= 0) return -1;
    }
    if (sep === NIAN && j < end && (s.charCodeAt(j) === RI || s.charCodeAt(j) === HAO)) j++;
  }
  scanned.end = j;
  return y * 10000 + m * 100 + d;
}

/**
 * Scans the time that may follow a date, from s[i] to `end` (trailing spaces already trimmed): a space or `T`,
 * then `H:MM`, `H:MM:SS` or `H:MM:SS.fff` (fraction dropped); after compact date digits, `HHMMSS` directly.
 * Returns h*10000 + mi*100 + sec, or -1 when it is not a valid time that runs to `end`.
 */
export function scanTime(s: string, i: number, end: number, compact: boolean): number {
  if (compact && foldedDigit(s, i) >= 0) {
    if (end - i !== 6) return -1;
    const h = foldedDigit(s, i) * 10 + foldedDigit(s, i + 1);
    const mi = foldedDigit(s, i + 2) * 10 + foldedDigit(s, i + 3);
    const sec = foldedDigit(s, i + 4) * 10 + foldedDigit(s, i + 5);
    return validTime(h, mi, sec);
  }
  const t = fold(s.charCodeAt(i));
  if (t === 84 || t === 116) i++;
  else if (isSpace(t)) while (i < end && isSpace(s.charCodeAt(i))) i++;
  else return -1;
  let h = foldedDigit(s, i);
  if (h < 0) return -1;
  i++;
  let c = foldedDigit(s, i);
  if (c >= 0) {
    h = h * 10 + c;
    i++;
  }
  if (fold(s.charCodeAt(i)) !== 58) return -1;
  const mi = twoFolded(s, i + 1);
  if (mi < 0) return -1;
  i += 3;
  let sec = 0;
  if (i < end && fold(s.charCodeAt(i)) === 58) {
    sec = twoFolded(s, i + 1);
    if (sec < 0) return -1;
    i += 3;
    if (i < end && fold(s.charCodeAt(i)) === 46) {
      i++;
      const fracStart = i;
      while (i < end && foldedDigit(s, i) >= 0) i++;
      if (i === fracStart) return -1;
    }
  }
  return i === end ? validTime(h, mi, sec) : -1;
}

function twoFolded(s: string, i: number): number {
  const a = foldedDigit(s, i);
  const b = foldedDigit(s, i + 1);
  return a < 0 || b < 0 ? -1 : a * 10 + b;
}

function validTime(h: number, mi: number, sec: number): number {
  return h >= 0 && h <= 23 && mi >= 0 && mi <= 59 && sec >= 0 && sec <= 59 ? h * 10000 + mi * 100 + sec : -1;
}
