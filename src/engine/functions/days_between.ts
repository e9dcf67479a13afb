import { dayNumber, parseDay } from './dates.js';

/**
 * `op.days_between(a, b)`: b − a in calendar days. Datetimes count by their
 * date (23:00 to 01:00 the next day is 1 day), so that the result is always a
 * whole number an auditor can check on a calendar.
 */
export function days_between(a: unknown, b: unknown): number | null {
  const x = parseDay(a);
  const y = parseDay(b);
  if (!x || !y) return null;
  return dayNumber(y) - dayNumber(x);
}
