/**
 * Calendar arithmetic on the tool's ISO strings ('YYYY-MM-DD', 'YYYY-MM',
 * 'YYYY-MM-DD HH:MM:SS'), shared by the date-related domain functions.
 *
 * Pure integer arithmetic on the civil calendar: no Date objects, so no time
 * zone or DST can shift a day, and the same code is easy to mirror in SQL.
 */

import { epochDay } from '../../data/types/calendar.js';

export interface Day {
  y: number;
  m: number;
  d: number;
}

export interface Moment extends Day {
  h: number;
  mi: number;
  s: number;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MONTH = /^(\d{4})-(\d{2})$/;
const DATETIME = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?$/;

export function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

export function daysInMonth(y: number, m: number): number {
  return m === 2 ? (isLeap(y) ? 29 : 28) : [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1];
}

/** A calendar date of years 1–9999 (there is no year 0, nor is there in SQL's DATE). */
function realDay(y: number, m: number, d: number): Day | null {
  if (y < 1 || m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m)) return null;
  return { y, m, d };
}

/** A date, datetime (its date part) or month (its first day); null for anything else. */
export function parseDay(v: unknown): Day | null {
  if (typeof v !== 'string') return null;
  let g = DATE.exec(v) ?? DATETIME.exec(v);
  if (g) return realDay(+g[1], +g[2], +g[3]);
  g = MONTH.exec(v);
  if (g) return realDay(+g[1], +g[2], 1);
  return null;
}

/** A datetime; null for a bare date or month (they carry no time of day). */
export function parseMoment(v: unknown): Moment | null {
  if (typeof v !== 'string') return null;
  const g = DATETIME.exec(v);
  if (!g) return null;
  const day = realDay(+g[1], +g[2], +g[3]);
  const h = +g[4];
  const mi = +g[5];
  const s = g[6] === undefined ? 0 : +g[6];
  if (!day || h > 23 || mi > 59 || s > 59) return null;
  return { ...day, h, mi, s };
}

/** True when `v` is a month string 'YYYY-MM' (not a date). */
export function isMonthString(v: unknown): boolean {
  return typeof v === 'string' && MONTH.test(v) && parseDay(v) !== null;
}

/** Days since 1970-01-01 (proleptic Gregorian), after H. Hinnant's days_from_civil. */
export function dayNumber({ y, m, d }: Day): number {
  return epochDay(y, m, d);
}

/** Inverse of dayNumber. */
export function dayFromNumber(z: number): Day {
  const zz = z + 719468;
  const era = Math.floor(zz / 146097);
  const doe = zz - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return { y: yoe + era * 400 + (m <= 2 ? 1 : 0), m, d };
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

export function formatDay({ y, m, d }: Day): string {
  return `${pad(y, 4)}-${pad(m)}-${pad(d)}`;
}

export function formatMonth(y: number, m: number): string {
  return `${pad(y, 4)}-${pad(m)}`;
}

/** An integer argument (a count of days or months), or null. */
export function toInt(v: unknown): number | null {
  if (typeof v === 'number') return Number.isInteger(v) ? v : null;
  if (typeof v === 'string' && /^-?\d+$/.test(v.trim())) return Number(v.trim());
  return null;
}
