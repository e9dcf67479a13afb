import { parseDay } from './dates.js';
import { splitReceipt } from './receipt_parts.js';

/**
 * `op.receipt_series(receipt_no, date)`: the sequence a receipt number belongs
 * to, so that gaps are judged within one issuer, prefix and year whatever the
 * width of the number: the number with its trailing counter replaced by `#`
 * (`'LX01-2024-000123'` → `'LX01-2024-#'`), the year that leads a long digit
 * run kept in it (`'2024000123'` → `'2024#'`), Latin upper-cased. When the series
 * names no year (`'PJ00010001'`), the year of `date` (the day the receipt was
 * written) is added (`'PJ#@2024'`), since receipt books restart or change each
 * year. Null when the number has no digits.
 */
export function receipt_series(receipt: unknown, date: unknown): string | null {
  const parts = splitReceipt(receipt);
  if (!parts) return null;
  if (parts.year) return parts.series;
  const day = parseDay(date);
  return day ? `${parts.series}@${day.y}` : parts.series;
}
