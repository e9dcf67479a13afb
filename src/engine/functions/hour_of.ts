import { parseMoment } from './dates.js';

/** `op.hour_of(datetime)`: the hour 0–23; null for a bare date (it has no time of day). */
export function hour_of(value: unknown): number | null {
  return parseMoment(value)?.h ?? null;
}
