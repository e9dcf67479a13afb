/**
 * Character-level helpers shared by the value parsers. They work on char codes and indices so that the common
 * path of a million-row load allocates nothing but the typed value itself.
 */

/** ASCII whitespace, NBSP, the ideographic space U+3000, BOM and the other Unicode spaces exports carry. */
export function isSpace(ch: number): boolean {
  return (
    ch === 32 ||
    (ch >= 9 && ch <= 13) ||
    (ch > 127 && (ch === 0x3000 || ch === 0xa0 || ch === 0xfeff || (ch >= 0x2000 && ch <= 0x200b) || ch === 0x202f || ch === 0x205f))
  );
}

/** Full-width ASCII variants (U+FF01–FF5E: ０-９, Ａ-Ｚ, ．，－（）…) folded to ASCII; other codes unchanged. */
export function fold(ch: number): number {
  return ch >= 0xff01 && ch <= 0xff5e ? ch - 0xfee0 : ch;
}

/** Index of the first non-space character at or after `i`, or `end`. */
export function skipSpaces(s: string, i: number, end: number): number {
  while (i < end && isSpace(s.charCodeAt(i))) i++;
  return i;
}

/** One past the last non-space character before `end`, or `start`. */
export function trimEndIndex(s: string, start: number, end: number): number {
  while (end > start && isSpace(s.charCodeAt(end - 1))) end--;
  return end;
}

/** The value trimmed of spaces (the same string when nothing to trim), or null when blank. */
export function trimmedOrNull(raw: string): string | null {
  const n = raw.length;
  if (n === 0) return null;
  const first = raw.charCodeAt(0);
  const last = raw.charCodeAt(n - 1);
  // Fast path: nothing to trim. Printable ASCII, and CJK text, never count as space.
  if (first > 32 && last > 32 && (first < 128 || !isSpace(first)) && (last < 128 || !isSpace(last))) return raw;
  const start = skipSpaces(raw, 0, n);
  if (start === n) return null;
  return raw.slice(start, trimEndIndex(raw, start, n));
}

/** Is s[start, end) a number in scientific notation, as a spreadsheet writes it (`1.10101E+17`, `6.2e-05`)? */
export function isScientific(s: string, start: number, end: number): boolean {
  let i = start;
  let ch = fold(s.charCodeAt(i));
  if (ch === 43 || ch === 45) ch = fold(s.charCodeAt(++i));
  let digits = 0;
  while (i < end && (ch = fold(s.charCodeAt(i))) >= 48 && ch <= 57) {
    i++;
    digits++;
  }
  if (digits === 0) return false;
  if (i < end && ch === 46) {
    i++;
    while (i < end && (ch = fold(s.charCodeAt(i))) >= 48 && ch <= 57) i++;
  }
  if (i >= end || (ch !== 69 && ch !== 101)) return false;
  i++;
  ch = fold(s.charCodeAt(i));
  if (ch === 43 || ch === 45) i++;
  const expStart = i;
  while (i < end && (ch = fold(s.charCodeAt(i))) >= 48 && ch <= 57) i++;
  return i === end && i > expStart;
}

/** '00'…'99', so that building 'YYYY-MM-DD' needs no padding logic. */
export const PAD2: readonly string[] = Array.from({ length: 100 }, (_, i) => (i < 10 ? '0' : '') + i);
