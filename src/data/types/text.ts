/** `text` values: trimmed; identifier columns also lose spreadsheet artefacts. */
import { isScientific, trimmedOrNull } from './chars.js';
import { Problem } from './problem.js';

const SCIENTIFIC = new Problem(
  'scientific-notation',
  'looks like a spreadsheet turned it into a number (scientific notation), which loses digits: re-export the column as text',
  'error',
);

/** Types a plain `text` value: trimmed of spaces (ASCII, NBSP, U+3000); blank → null. */
export function parseText(raw: string): string | null {
  return trimmedOrNull(raw);
}

/**
 * Types a text value of an identifier column (account, phone, code, serial number — ColumnDef.identifier):
 * trimmed, a leading spreadsheet apostrophe (`'6228480012345678`) or `="…"` wrapper removed; scientific
 * notation (`6.22848E+18`) → error, since the digits are lost. Digits are otherwise kept exactly as written.
 */
export function parseIdentifier(raw: string): string | null | Problem {
  let t = trimmedOrNull(raw);
  if (t === null) return null;
  const c = t.charCodeAt(0);
  if (c === 39 || c === 0x2018 || c === 0x2019 || c === 0xff07 || c === 96) {
    t = trimmedOrNull(t.slice(1));
    if (t === null) return null;
  } else if (c === 61 && t.length > 3 && t.charCodeAt(1) === 34 && t.charCodeAt(t.length - 1) === 34) {
    t = trimmedOrNull(t.slice(2, -1));
    if (t === null) return null;
  }
  return isScientific(t, 0, t.length) ? SCIENTIFIC : t;
}
