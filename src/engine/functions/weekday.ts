import { dayNumber, parseDay } from './dates.js';

/** `op.weekday(date or datetime)`: ISO weekday, 1 = Monday … 7 = Sunday. */
export function weekday(value: unknown): number | null {
  const day = parseDay(value);
  if (!day) return null;
  // 1970-01-01 was a Thursday (ISO 4).
  return ((((dayNumber(day) + 3) % 7) + 7) % 7) + 1;
}
