import { splitReceipt } from './receipt_parts.js';

/**
 * `op.receipt_counter(receipt_no)`: the counter of a receipt number within
 * its series (see `receipt_series`): the last run of digits as a number, less
 * a year that leads it: `'LX01-2024-000123'` → 123, `'2024000123'` → 123,
 * `'PJ00010001'` → 10001, `'000123'` and `'123'` (a spreadsheet dropped the
 * zeros) → 123. Null when there are no digits or the counter is too long to be exact.
 */
export function receipt_counter(receipt: unknown): number | null {
  return splitReceipt(receipt)?.counter ?? null;
}
