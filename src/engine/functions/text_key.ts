/** Whitespace of every kind, and the middle dots written in names of ethnic minorities (阿依古丽·买买提). */
const DROPPED = new Set([...' \t\n\r\f\v\u00a0\u3000\ufeff\u200b·・•‧⋅'].map((c) => c.codePointAt(0)!));
const OPENING = new Set([...'〔［【（〖｛([{'].map((c) => c.codePointAt(0)!));
const CLOSING = new Set([...'〕］】）〗｝)]}'].map((c) => c.codePointAt(0)!));

/**
 * `op.text_key(text)`: the form in which free text is compared across
 * systems, by an explicit character map (so that a SQL executor can mirror it
 * with translate/replace): full-width ASCII (U+FF01–U+FF5E) folded to ASCII,
 * whitespace (including the ideographic space) and middle dots dropped, every
 * kind of bracket written `[` `]`, Latin a–z upper-cased; everything else as
 * written. `'泸人社发（2019） 12号'` and `'泸人社发〔2019〕12号'` give the same
 * key, as do `'阿依古丽·买买提'` and `'阿依古丽买买提'`. Null for null or
 * non-text input.
 */
export function text_key(text: unknown): string | null {
  if (typeof text !== 'string' && typeof text !== 'number') return null;
  let out = '';
  for (const ch of String(text)) {
    let c = ch.codePointAt(0)!;
    if (c >= 0xff01 && c <= 0xff5e) c -= 0xfee0;
    if (DROPPED.has(c)) continue;
    if (OPENING.has(c)) out += '[';
    else if (CLOSING.has(c)) out += ']';
    else if (c >= 0x61 && c <= 0x7a) out += String.fromCharCode(c - 0x20);
    else out += String.fromCodePoint(c);
  }
  return out;
}
