import { significantDigits } from './significant.js';

/** `op.first_two_digits(x)`: first two significant digits 10–99 of |x| (5 → 50, as 5.0); null for 0. */
export function first_two_digits(x: unknown): number | null {
  const s = significantDigits(x);
  return s === null ? null : Number((s + '0').slice(0, 2));
}
