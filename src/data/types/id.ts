/**
 * `id` values: the resident identity number (公民身份号码, GB 11643-1999), validated and normalised so that joins
 * across tables work: upper-case X, spreadsheet apostrophes and spaces removed, 15-digit legacy numbers
 * (GB 11643-1989) upgraded to 18.
 */
import { fold, isScientific, isSpace, skipSpaces, trimEndIndex } from './chars.js';
import { daysInMonth } from './calendar.js';
import { Problem } from './problem.js';
import { todayFrom } from '../../epoch.js';

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK = '10X98765432';
/** Earliest plausible birth year (GB 11643-1999's own example is born in 1880). */
const MIN_BIRTH_YEAR = 1800;
/**
 * Today as YYYYMMDD, UTC: a birth date after it is impossible. Fixed at load so one run judges consistently,
 * and taken from SOURCE_DATE_EPOCH when set, so that reproducible runs judge the same on any day.
 */
export const TODAY = todayFrom(process.env.SOURCE_DATE_EPOCH, new Date());

export { todayFrom };

const SCIENTIFIC = new Problem(
  'scientific-notation',
  'looks like a spreadsheet turned it into a number (scientific notation), which loses the last digits: ' +
    're-export the column as text',
  'error',
);
const BAD_SHAPE = new Problem(
  'id-format',
  'not an identity number: expected 18 characters (17 digits and a digit or X) or a 15-digit legacy number; ' +
    'check the column mapping or correct the value',
  'error',
);

/**
 * The GB 11643-1999 check digit (ISO 7064 MOD 11-2) of the first 17 digits: '0'–'9' or 'X'.
 * @throws Error when `first17` does not start with 17 ASCII digits.
 */
export function idCheckDigit(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const d = first17.charCodeAt(i) - 48;
    if (!(d >= 0 && d <= 9)) throw new Error(`idCheckDigit needs 17 digits, got ${JSON.stringify(first17)}`);
    sum += d * WEIGHTS[i];
  }
  return CHECK[sum % 11];
}

/**
 * Upgrades a 15-digit number (GB 11643-1989: address, YYMMDD, sequence) to 18: insert century '19' after the
 * six-digit address and append the check digit. The birth date is not checked here (see idInfo).
 * @throws Error when `id15` is not 15 ASCII digits.
 */
export function upgradeId15(id15: string): string {
  if (!/^\d{15}$/.test(id15)) throw new Error(`upgradeId15 needs 15 digits, got ${JSON.stringify(id15)}`);
  const first17 = id15.slice(0, 6) + '19' + id15.slice(6);
  return first17 + idCheckDigit(first17);
}

/** y*10000+m*100+d when it is a calendar date, else -1. */
function calendar(y: number, m: number, d: number): number {
  return m >= 1 && m <= 12 && d >= 1 && d <= daysInMonth(y, m) ? y * 10000 + m * 100 + d : -1;
}

function digitsAt(s: string, i: number, n: number): number {
  let v = 0;
  for (let k = i; k < i + n; k++) v = v * 10 + (s.charCodeAt(k) - 48);
  return v;
}

function ymd(v: number): string {
  const y = Math.floor(v / 10000);
  const m = Math.floor(v / 100) % 100;
  const d = v % 100;
  return `${y}-${m < 10 ? '0' : ''}${m}-${d < 10 ? '0' : ''}${d}`;
}

function plausibleBirth(v: number): boolean {
  return v >= MIN_BIRTH_YEAR * 10000 && v <= TODAY;
}

/** 17 digits then a digit or X (upper case)? */
function isShape18(s: string): boolean {
  if (s.length !== 18) return false;
  for (let i = 0; i < 17; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  const c = s.charCodeAt(17);
  return (c >= 48 && c <= 57) || c === 88;
}

function isDigits(s: string, n: number): boolean {
  if (s.length !== n) return false;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/**
 * What an identity number says about itself. Accepts 18 characters (a lower-case x is fine) or 15 digits.
 * - `checksumOk`: the 18th character is the MOD 11-2 check digit (15-digit numbers have none: true).
 * - `birthDate`: 'YYYY-MM-DD' when the embedded date is a calendar date (19YY for 15 digits), else null.
 * - `gender`: from the sequence code (odd 男, even 女), whenever the number is well-formed.
 * - `valid`: well-formed, check digit right, and the birth date real and plausible (1800 to today).
 *   The address code is not checked: no GB/T 2260 table is shipped.
 */
export function idInfo(id: string): { checksumOk: boolean; birthDate: string | null; gender: '男' | '女' | null; valid: boolean } {
  const s = id.length === 18 && id.charCodeAt(17) === 120 ? id.slice(0, 17) + 'X' : id;
  let checksumOk: boolean;
  let birth: number;
  let seq: number;
  if (isShape18(s)) {
    checksumOk = idCheckDigit(s) === s[17];
    birth = calendar(digitsAt(s, 6, 4), digitsAt(s, 10, 2), digitsAt(s, 12, 2));
    seq = s.charCodeAt(16) - 48;
  } else if (isDigits(s, 15)) {
    checksumOk = true;
    birth = calendar(1900 + digitsAt(s, 6, 2), digitsAt(s, 8, 2), digitsAt(s, 10, 2));
    seq = s.charCodeAt(14) - 48;
  } else {
    return { checksumOk: false, birthDate: null, gender: null, valid: false };
  }
  return {
    checksumOk,
    birthDate: birth < 0 ? null : ymd(birth),
    gender: seq % 2 === 1 ? '男' : '女',
    valid: checksumOk && birth >= 0 && plausibleBirth(birth),
  };
}

/** Spreadsheet apostrophes (straight, curly, full-width) that force a number to text. */
function isApostrophe(c: number): boolean {
  return c === 39 || c === 0x2018 || c === 0x2019 || c === 0xff07 || c === 96;
}

/** Removes spreadsheet wrappers and spaces, folds full-width characters, x → X. */
function normaliseIdText(raw: string, i: number, end: number): string {
  if (isApostrophe(raw.charCodeAt(i))) i++;
  else if (raw.charCodeAt(i) === 61 && raw.charCodeAt(i + 1) === 34 && raw.charCodeAt(end - 1) === 34 && end - i > 2) {
    // ="110105…": the CSV trick that keeps a spreadsheet from reformatting the number.
    i += 2;
    end--;
  }
  // Common case: plain digits, perhaps a lower-case x at the end — one slice, not a string built per character.
  let plain = true;
  for (let k = i; k < end; k++) {
    const c = raw.charCodeAt(k);
    if (!((c >= 48 && c <= 57) || ((c === 120 || c === 88) && k === end - 1))) {
      plain = false;
      break;
    }
  }
  if (plain) return raw.charCodeAt(end - 1) === 120 ? raw.slice(i, end - 1) + 'X' : raw.slice(i, end);
  let out = '';
  for (; i < end; i++) {
    let c = fold(raw.charCodeAt(i));
    if (isSpace(c)) continue;
    if (c === 120) c = 88;
    out += String.fromCharCode(c);
  }
  return out;
}

/** The warning for a well-formed 18-character number whose check digit or birth date is wrong. */
function problem18(s: string): Problem | null {
  const expected = idCheckDigit(s);
  const birth = calendar(digitsAt(s, 6, 4), digitsAt(s, 10, 2), digitsAt(s, 12, 2));
  const badBirth = birth < 0 || !plausibleBirth(birth);
  const badCheck = expected !== s[17];
  if (!badCheck && !badBirth) return null;
  // The reason never quotes the birth digits: they are the very part a masked number hides (110105********002X).
  const birthText = `the birth date in it (characters 7–14) is ${birth < 0 ? 'not a real date' : 'impossible'}`;
  if (badCheck) {
    const rounded = s.endsWith('000') ? ' (it ends in 000: a spreadsheet may have rounded it to 15 significant digits)' : '';
    return new Problem(
      'id-checksum',
      `wrong check digit: with these first 17 digits it should end in ${expected}${badBirth ? `, and ${birthText}` : ''}` +
        `${rounded}; kept as written so rules can flag it — correct it in the source system`,
      'warning',
      s,
      { key: 'id-checksum', args: { expected, birth: badBirth ? (birth < 0 ? 'not-real' : 'impossible') : 'ok', rounded: rounded ? 1 : 0 } },
    );
  }
  return new Problem('id-birth-date', `${birthText}; kept as written so rules can flag it — correct it in the source system`, 'warning', s, {
    key: 'id-birth-date',
    args: { birth: birth < 0 ? 'not-real' : 'impossible' },
  });
}

/**
 * Types an `id` value. Returns the normalised 18-character number; a 15-digit number with a real birth date is
 * upgraded to 18. A well-formed number whose check digit or birth date is wrong is kept (normalised) with a
 * warning naming the expected check digit. Scientific notation (`1.10101E+17`) or any other shape → error, null.
 * Blank → null.
 *
 * @example parseId("'11010519491231002x") // '11010519491231002X'
 */
export function parseId(raw: string): string | null | Problem {
  if (raw.length === 18) {
    // Fast path: already normalised and valid → the string itself.
    let sum = 0;
    let i = 0;
    for (; i < 17; i++) {
      const d = raw.charCodeAt(i) - 48;
      if (d < 0 || d > 9) break;
      sum += d * WEIGHTS[i];
    }
    const last = raw.charCodeAt(17);
    const check = CHECK.charCodeAt(sum % 11);
    if (i === 17 && (last === check || (last === 120 && check === 88))) {
      const birth = calendar(digitsAt(raw, 6, 4), digitsAt(raw, 10, 2), digitsAt(raw, 12, 2));
      if (birth >= 0 && plausibleBirth(birth)) return last === check ? raw : raw.slice(0, 17) + 'X';
    }
  }
  const n = raw.length;
  const start = skipSpaces(raw, 0, n);
  if (start === n) return null;
  const end = trimEndIndex(raw, start, n);
  const s = normaliseIdText(raw, start, end);
  if (s.length === 0) return null;
  if (isShape18(s)) return problem18(s) ?? s;
  if (isDigits(s, 15)) {
    const birth = calendar(1900 + digitsAt(s, 6, 2), digitsAt(s, 8, 2), digitsAt(s, 10, 2));
    if (birth >= 0) return upgradeId15(s);
    return new Problem(
      'id-birth-date',
      '15-digit legacy number whose birth date (digits 7–12) is not a real date, so it is not upgraded to 18; ' +
        'kept as written so rules can flag it — correct it in the source system',
      'warning',
      s,
      { key: 'id-birth-date.legacy' },
    );
  }
  if (isScientific(s, 0, s.length)) return SCIENTIFIC;
  return BAD_SHAPE;
}
