import { text_key } from './text_key.js';

/** A year that may lead a receipt's digit run (1990–2099). */
const YEAR = /^(?:199\d|20\d\d)/;
/** A year standing on its own in a series prefix (not part of a longer run of digits). */
const YEAR_IN_PREFIX = /(?:^|\D)(?:199\d|20\d\d)(?:\D|$)/;

export interface ReceiptParts {
  /** The receipt with its counter replaced by '#'. */
  series: string;
  counter: number;
  /** True when the series carries a year. */
  year: boolean;
}

/**
 * Splits a receipt number into its series and counter (shared by
 * receipt_series and receipt_counter). The counter is the last run of digits;
 * a run of six digits or more that starts with a year is read as year +
 * counter: were it a plain counter, splitting it moves only the rare gap that
 * straddles a year boundary into two series, and never invents one.
 */
export function splitReceipt(receipt: unknown): ReceiptParts | null {
  const text = typeof receipt === 'number' ? (Number.isSafeInteger(receipt) && receipt >= 0 ? String(receipt) : null) : text_key(receipt);
  if (!text) return null;
  let end = text.length;
  while (end > 0 && !isDigit(text[end - 1])) end--;
  if (end === 0) return null;
  let start = end;
  while (start > 0 && isDigit(text[start - 1])) start--;
  let run = text.slice(start, end);
  let prefix = text.slice(0, start);
  if (run.length >= 6 && YEAR.test(run)) {
    prefix += run.slice(0, 4);
    run = run.slice(4);
  }
  const counter = Number(run);
  if (!Number.isSafeInteger(counter)) return null;
  return { series: `${prefix}#${text.slice(end)}`, counter, year: YEAR_IN_PREFIX.test(prefix) };
}

function isDigit(ch: string): boolean {
  return ch >= '0' && ch <= '9';
}
