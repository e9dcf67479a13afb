/**
 * `op.seq_number(text)`: the run of digits after the last non-digit of a code,
 * as a number: 'PJ2024-000123' → 123, 'PJ2024000123' → 2024000123 (the whole
 * run: the rule cannot tell a year prefix from the counter, and gaps come out
 * the same either way). All-digit text gives its value. Null when the code does
 * not end in digits or the number is too long to be exact.
 */
export function seq_number(text: unknown): number | null {
  if (typeof text === 'number') return Number.isSafeInteger(text) && text >= 0 ? text : null;
  if (typeof text !== 'string') return null;
  const m = /(\d+)$/.exec(text.trim());
  if (!m) return null;
  const n = Number(m[1]);
  return Number.isSafeInteger(n) ? n : null;
}
