/** Whitespace of every kind, and the middle dots written in names of ethnic minorities (阿依古丽·买买提). */
const DROPPED = /[\s\u00a0\u3000\ufeff\u200b·・•‧⋅]+/g;
const OPENING = /[〔［【（〖｛(\[{]/g;
const CLOSING = /[〕］】）〗｝)\]}]/g;

/**
 * `op.text_key(text)`: the form in which free text is compared across
 * systems: NFKC (full-width letters and digits folded), whitespace and middle
 * dots dropped, every kind of bracket written `[` `]`, Latin upper-cased.
 * `'泸人社发（2019） 12号'` and `'泸人社发〔2019〕12号'` give the same key, as do
 * `'阿依古丽·买买提'` and `'阿依古丽买买提'`. Null for null or non-text input.
 */
export function text_key(text: unknown): string | null {
  if (typeof text !== 'string' && typeof text !== 'number') return null;
  return String(text).normalize('NFKC').replace(DROPPED, '').replace(OPENING, '[').replace(CLOSING, ']').toUpperCase();
}
