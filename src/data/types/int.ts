/** `int` values (缴费月数) → integer. */
import { fold, isScientific, skipSpaces, trimEndIndex } from './chars.js';
import { Problem } from './problem.js';
import { grouped, scanGrouped } from './grouped.js';

const BAD_INT = new Problem('bad-int', 'not a whole number: write it as digits, like 180 or 1,200', 'error');
const FRACTION = new Problem('bad-int', 'has a fraction, but this column holds whole numbers: correct the value', 'error', null, { key: 'bad-int.fraction' });
const SCIENTIFIC = new Problem(
  'scientific-notation',
  'looks like a spreadsheet turned it into scientific notation, which loses digits: re-export the column as whole numbers',
  'error',
);

/**
 * Types an `int` value: digits with an optional sign and thousands separators (grouped by three), full-width
 * digits. A fraction of zeros (`12.0`, as spreadsheets write counts) is exact and accepted; any other fraction,
 * scientific notation or text → Problem. Blank → null.
 *
 * @example parseInteger('1,200') // 1200
 */
export function parseInteger(raw: string): number | null | Problem {
  const n = raw.length;
  let i = skipSpaces(raw, 0, n);
  if (i === n) return null;
  const end = trimEndIndex(raw, i, n);
  let ch = fold(raw.charCodeAt(i));
  let negative = false;
  if (ch === 45 || ch === 43 || ch === 0x2212) {
    negative = ch !== 43;
    i++;
  }
  const start = i;
  if (!scanGrouped(raw, i, end)) return BAD_INT;
  const v = grouped.value;
  const digits = grouped.digits;
  i = grouped.end;
  if (i === start) return isScientific(raw, start, end) ? SCIENTIFIC : BAD_INT;
  if (i < end) ch = fold(raw.charCodeAt(i));
  if (i < end && ch === 46) {
    i++;
    while (i < end && fold(raw.charCodeAt(i)) === 48) i++;
    if (i < end && (ch = fold(raw.charCodeAt(i))) >= 49 && ch <= 57) return FRACTION;
  }
  if (i < end) return isScientific(raw, start, end) ? SCIENTIFIC : BAD_INT;
  if (digits > 15) return BAD_INT;
  return negative && v !== 0 ? -v : v;
}
