import { daysInMonth, formatDay, formatMonth, isMonthString, parseDay, toInt } from './dates.js';

/**
 * `op.add_months(d, n)`: a month plus n months is a month; a date (or the date
 * part of a datetime) plus n months is a date, its day clamped to the end of
 * the target month (2024-01-31 + 1 → 2024-02-29).
 */
export function add_months(value: unknown, n: unknown): string | null {
  const day = parseDay(value);
  const k = toInt(n);
  if (!day || k === null) return null;
  const index = day.y * 12 + (day.m - 1) + k;
  const y = Math.floor(index / 12);
  const m = index - y * 12 + 1;
  // There is no year 0 in the calendar (nor in SQL's DATE).
  if (y < 1 || y > 9999) return null;
  if (isMonthString(value)) return formatMonth(y, m);
  return formatDay({ y, m, d: Math.min(day.d, daysInMonth(y, m)) });
}
