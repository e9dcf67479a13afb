import { formatMonth, parseDay } from './dates.js';

/** `op.month_of(date)`: 'YYYY-MM' of a date, datetime or month. */
export function month_of(value: unknown): string | null {
  const day = parseDay(value);
  return day ? formatMonth(day.y, day.m) : null;
}
