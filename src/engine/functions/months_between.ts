import { parseDay } from './dates.js';

/** `op.months_between(a, b)`: calendar months from a to b, (yb*12+mb) − (ya*12+ma); days are ignored. Dates, datetimes or months. */
export function months_between(a: unknown, b: unknown): number | null {
  const x = parseDay(a);
  const y = parseDay(b);
  if (!x || !y) return null;
  return y.y * 12 + y.m - (x.y * 12 + x.m);
}
