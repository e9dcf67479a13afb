/**
 * Personal data in free text: identity numbers (18 or 15 digits, a final x
 * or X, spaces or dashes inside), mobile and landline phone numbers, bank
 * card numbers (16 to 19 digits, in groups of four or not), the personal
 * accounts and the names of people that the run's own data holds. Free text
 * is anything whose column says nothing about what it holds: a bank
 * statement's 摘要, a policy reference, a data issue's reason, an unmapped
 * header, a file name. Each piece found is masked as its kind is everywhere
 * else (mask.ts), so that a value reads the same in a column and in a sentence.
 */
import { maskAccount, maskIdDigits, maskName, maskPhone } from './maskers.js';

/** What the run's data says about who is who (see known.ts). */
export interface KnownValues {
  /** Names of people (persons, staff, payees, the dead, prisoners), at least two characters, no organisations. */
  names: ReadonlySet<string>;
  /** Lengths of the names in `names`, longest first, for the scan. */
  nameLengths: readonly number[];
  /** Bank accounts of people (payees, persons, staff), digits only. */
  accounts: ReadonlySet<string>;
  /** The fund's own accounts (bank_flows.account_no): an organisation's, shown whole everywhere. */
  open: ReadonlySet<string>;
}

export const NOTHING_KNOWN: KnownValues = { names: new Set(), nameLengths: [], accounts: new Set(), open: new Set() };

const isDate = (y: number, m: number, d: number) => m >= 1 && m <= 12 && d >= 1 && d <= new Date(Date.UTC(y, m, 0)).getUTCDate();

/**
 * True for the digits of a resident identity number: 18 (the last may be X)
 * or 15 digits, a region code that does not start with 0, and a birth date
 * that exists. The check digit is not required: a mistyped number is still
 * somebody's.
 */
export function looksLikeId(digits: string): boolean {
  if (/^[1-9]\d{16}[\dXx]$/.test(digits)) {
    const y = +digits.slice(6, 10);
    return y >= 1880 && y <= 2100 && isDate(y, +digits.slice(10, 12), +digits.slice(12, 14));
  }
  if (/^[1-9]\d{14}$/.test(digits)) return isDate(1900 + +digits.slice(6, 8), +digits.slice(8, 10), +digits.slice(10, 12));
  return false;
}

/** A mobile number (with or without +86) or a landline with its area code. */
function looksLikePhone(digits: string): boolean {
  return /^(?:86)?1[3-9]\d{9}$/.test(digits) || /^0[1-9]\d{1,2}\d{7,8}$/.test(digits);
}

/**
 * What a run of digits is, from its digits and how they were grouped, with its
 * mask; undefined when it is none of these (a date, an amount, a serial number).
 */
function classify(text: string, groups: string[], known: KnownValues): string | undefined {
  const digits = groups.join('');
  if (known.open.has(digits)) return text;
  if (looksLikeId(digits)) return maskIdDigits(text);
  if (known.accounts.has(digits)) return maskAccount(digits);
  // A card number is written whole or in groups of four (the last may be shorter).
  const cardGrouping = groups.length === 1 || groups.slice(0, -1).every((g) => g.length === 4);
  if (/^[1-9]\d{15,18}$/.test(digits) && cardGrouping) return maskAccount(digits);
  if (looksLikePhone(digits)) return digits.length === 13 ? '86' + maskPhone(digits.slice(2)) : maskPhone(text.replace(/[\s-]/g, ''));
  return undefined;
}

// Digits (and a final X) that may be split by single spaces or dashes, not part of a longer number. Letters
// around them do not matter: `sfz110101199001011234` holds an identity number as much as `身份证110…` does.
const DIGIT_RUN = /(?<!\d)\+?\d(?:[ -]?\d)*(?:[ -]?[Xx](?![A-Za-z]))?(?!\d)/g;

/**
 * Masks one run of digits: the longest stretch of its groups that is personal
 * data wins, left to right, so that a date written before a phone number
 * (`2024-01-15 13812345678`) does not hide it, nor take it for a card.
 */
function maskRun(run: string, known: KnownValues): string {
  const plus = run.startsWith('+') ? '+' : '';
  const body = plus ? run.slice(1) : run;
  const parts = body.split(/([ -])/);
  const groups = parts.filter((_, i) => i % 2 === 0);
  const seps = parts.filter((_, i) => i % 2 === 1);
  const out: string[] = [];
  let i = 0;
  while (i < groups.length) {
    let hit: { j: number; masked: string } | undefined;
    for (let j = groups.length - 1; j >= i && !hit; j--) {
      const span = groups.slice(i, j + 1);
      const text = span.map((g, k) => (k === 0 ? g : seps[i + k - 1] + g)).join('');
      const masked = classify(text, span, known);
      if (masked !== undefined) hit = { j, masked };
    }
    if (i > 0) out.push(seps[i - 1]);
    if (hit) {
      out.push(hit.masked);
      i = hit.j + 1;
    } else {
      out.push(groups[i]);
      i++;
    }
  }
  return plus + out.join('');
}

const NAME_START = /[\p{L}]/u;

/** Masks the known names of people in `text`, the longest name first at each place. */
function maskNames(text: string, known: KnownValues): string {
  if (known.names.size === 0) return text;
  let out = '';
  let i = 0;
  while (i < text.length) {
    let hit = 0;
    if (NAME_START.test(text[i])) {
      for (const len of known.nameLengths) {
        if (i + len <= text.length && known.names.has(text.slice(i, i + len))) {
          hit = len;
          break;
        }
      }
    }
    if (hit > 0) {
      out += maskName(text.slice(i, i + hit));
      i += hit;
    } else {
      out += text[i];
      i++;
    }
  }
  return out;
}

/**
 * Free text with the personal data in it masked: identity numbers, phone and
 * card numbers, known accounts (the fund's own stay whole) and known names.
 */
export function scanText(text: string, known: KnownValues = NOTHING_KNOWN): string {
  if (text === '') return text;
  const digitsMasked = /\d/.test(text) ? text.replace(DIGIT_RUN, (run) => maskRun(run, known)) : text;
  return maskNames(digitsMasked, known);
}
