/** `enum` values: codes or labels (险种 110 / 企业职工基本养老保险) → the canonical value of the column's code list. */
import type { ColumnDef } from '../tables.js';
import { fold, trimmedOrNull } from './chars.js';
import { Problem, type Parser } from './problem.js';

/** Key for matching a code: trimmed, full-width folded, Latin lower-cased, inner spaces dropped. */
export function codeKey(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    let c = fold(text.charCodeAt(i));
    if (c === 32 || c === 9 || c === 0x3000 || c === 0xa0) continue;
    if (c >= 65 && c <= 90) c += 32;
    out += String.fromCharCode(c);
  }
  return out;
}

const COMBINED_SEPARATORS = /[\s\u3000\-–—:：|｜/()（）[\]【】]+/;

/** Unknown values seen per column are remembered up to this many, so that repeats reuse one Problem. */
const UNKNOWN_CACHE = 1000;

/**
 * A parser for an `enum` column: a value or alias of the column's codes (matched after trimming and folding
 * full-width characters, case-insensitively) → the canonical value. An unknown value is kept trimmed, as written,
 * with an `unknown-code` warning that lists the known values. Blank → null.
 */
export function enumParser(col: ColumnDef): Parser {
  const byRaw = new Map<string, string>();
  const byKey = new Map<string, string>();
  for (const code of col.codes ?? []) {
    for (const spelling of [code.value, ...code.aliases]) {
      byRaw.set(spelling, code.value);
      byKey.set(codeKey(spelling), code.value);
    }
  }
  const known = (col.codes ?? [])
    .map((code) => (code.aliases.length > 0 && /^[0-9]+$/.test(code.value) ? `${code.value} ${code.aliases[0]}` : code.value))
    .join(', ');
  // The Chinese report names each code by its Chinese spelling, where it has one.
  const knownZh = (col.codes ?? [])
    .map((code) => {
      const isHan = (a: string) => /\p{Script=Han}/u.test(a);
      const han = isHan(code.value) ? code.value : code.aliases.find(isHan);
      return /^[0-9]+$/.test(code.value) && han ? `${code.value} ${han}` : (han ?? code.value);
    })
    .join('、');
  const msg = { key: 'unknown-code', args: { label: col.label, column: col.name, known, knownZh } };
  const reason =
    `not a known ${col.label} (${col.name}) code; known: ${known}. ` +
    'Kept as written, but rules comparing this column will not match it: correct the value or ask for the code list to be extended';
  const unknown = new Map<string, Problem>();
  const lookup = (part: string) => byRaw.get(part) ?? byKey.get(codeKey(part));
  // Code and label written together (110-企业职工基本养老保险, 企业职工基本养老保险(110), 1:男): accepted only
  // when every part is a spelling of the same value.
  const combined = (t: string): string | undefined => {
    const parts = t.split(COMBINED_SEPARATORS).filter((x) => x !== '');
    if (parts.length < 2) return undefined;
    const first = lookup(parts[0]);
    return first !== undefined && parts.every((part) => lookup(part) === first) ? first : undefined;
  };
  return (raw: string) => {
    const exact = byRaw.get(raw);
    if (exact !== undefined) return exact;
    const t = trimmedOrNull(raw);
    if (t === null) return null;
    const hit = byRaw.get(t) ?? byKey.get(codeKey(t)) ?? combined(t);
    if (hit !== undefined) return hit;
    let p = unknown.get(t);
    if (p === undefined) {
      p = new Problem('unknown-code', reason, 'warning', t, msg);
      if (unknown.size < UNKNOWN_CACHE) unknown.set(t, p);
    }
    return p;
  };
}
