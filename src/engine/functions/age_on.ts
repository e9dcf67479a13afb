import { parseDay } from './dates.js';

/** `op.age_on(birth_date, date)`: whole years of age on `date` (a birthday on 29 Feb counts from 1 Mar in common years). */
export function age_on(birthDate: unknown, date: unknown): number | null {
  const b = parseDay(birthDate);
  const d = parseDay(date);
  if (!b || !d) return null;
  const beforeBirthday = d.m < b.m || (d.m === b.m && d.d < b.d);
  return d.y - b.y - (beforeBirthday ? 1 : 0);
}
