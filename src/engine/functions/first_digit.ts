import { significantDigits } from './significant.js';

/** `op.first_digit(x)`: first significant digit 1–9 of |x| (fen or yuan give the same digit); null for 0. */
export function first_digit(x: unknown): number | null {
  const s = significantDigits(x);
  return s === null ? null : Number(s[0]);
}
