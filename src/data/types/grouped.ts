/** Whole numbers written with thousands separators (`1,234,567`), as money and int values are. */
import { fold } from './chars.js';

/**
 * What the last scanGrouped read: its value, its significant digits (leading zeros not counted) and where it
 * stopped. Module-level, so that the hot path of a million-row load allocates nothing.
 */
export const grouped = { value: 0, digits: 0, end: 0 };

/**
 * Reads ASCII or full-width digits from s[i, end), with optional commas that must group them by three
 * (`1,234` and `12,345,678`, never `12,34`, `1,2345`, `,5` or `1,`), stopping at the first other character.
 * Returns false when the commas do not group by three; otherwise `grouped` holds what was read (no digits at
 * all: `end` = i).
 *
 * @example scanGrouped('1,234.5', 0, 7) // true; grouped = { value: 1234, digits: 4, end: 5 }
 */
export function scanGrouped(s: string, i: number, end: number): boolean {
  let v = 0;
  let digits = 0;
  let group = 0;
  let commas = 0;
  while (i < end) {
    const ch = fold(s.charCodeAt(i));
    if (ch >= 48 && ch <= 57) {
      v = v * 10 + (ch - 48);
      if (v > 0) digits++;
      group++;
    } else if (ch === 44) {
      if (group === 0 || (commas === 0 ? group > 3 : group !== 3)) return false;
      commas++;
      group = 0;
    } else break;
    i++;
  }
  if (commas > 0 && group !== 3) return false;
  grouped.value = v;
  grouped.digits = digits;
  grouped.end = i;
  return true;
}
