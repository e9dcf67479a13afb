import { dayFromNumber, dayNumber, formatDay, parseDay, toInt } from './dates.js';

/** `op.add_days(date, n)`: the date n days later (earlier for negative n). A month means its first day. Null outside years 1–9999. */
export function add_days(value: unknown, n: unknown): string | null {
  const day = parseDay(value);
  const k = toInt(n);
  if (!day || k === null) return null;
  const out = dayFromNumber(dayNumber(day) + k);
  return out.y < 1 || out.y > 9999 ? null : formatDay(out);
}
