/** A text that is a plain decimal number (what SQL reads alike): no hex, binary, octal, separators or Infinity. */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * The significant digits of |x| as a string ('12345' for 123.45 yuan or
 * 12345 fen), or null for 0, null or non-numbers. Uses the shortest decimal
 * form, so float noise such as 0.1 + 0.2 does not invent digits beyond it.
 * A text counts when it is a plain decimal number ('123.45', ' 1e3 ').
 */
export function significantDigits(x: unknown): string | null {
  const n = typeof x === 'number' ? x : typeof x === 'string' && DECIMAL.test(x.trim()) ? Number(x) : NaN;
  if (!Number.isFinite(n) || n === 0) return null;
  const abs = Math.abs(n);
  // Fen are integers: their decimal text is already the digits (and far cheaper than toExponential).
  if (Number.isSafeInteger(abs)) return String(abs);
  const [mantissa] = abs.toExponential().split('e');
  return mantissa.replace('.', '');
}
