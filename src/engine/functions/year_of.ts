import { parseDay } from './dates.js';

/** `op.year_of(date or month)`: the year as a number. */
export function year_of(value: unknown): number | null {
  return parseDay(value)?.y ?? null;
}
