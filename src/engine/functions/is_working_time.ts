import { parseMoment } from './dates.js';
import { weekday } from './weekday.js';

/**
 * `op.is_working_time(datetime, start_hour, end_hour)`: Monday to Friday and
 * start_hour ≤ hour < end_hour. Null for a bare date (no time to judge) or
 * missing hours. Public holidays are not known to the tool.
 */
export function is_working_time(value: unknown, startHour: unknown, endHour: unknown): boolean | null {
  const t = parseMoment(value);
  if (!t || typeof startHour !== 'number' || typeof endHour !== 'number') return null;
  const wd = weekday(value)!;
  return wd <= 5 && startHour <= t.h && t.h < endHour;
}
