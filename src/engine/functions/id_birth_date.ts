import { idInfo } from '../../data/types/id.js';
import { formatDay, parseDay } from './dates.js';

/**
 * `op.id_birth_date(id)`: the birth date 'YYYY-MM-DD' an identity number implies, or null when it has none
 * (or it falls in year 0, which no calendar has).
 */
export function id_birth_date(id: unknown): string | null {
  if (typeof id !== 'string') return null;
  const birth = idInfo(id.toUpperCase()).birthDate;
  // idInfo writes a year before 1000 without leading zeros ('999-01-01'); a date is 'YYYY-MM-DD' everywhere else.
  const day = birth ? parseDay(birth.padStart(10, '0')) : null;
  return day ? formatDay(day) : null;
}
