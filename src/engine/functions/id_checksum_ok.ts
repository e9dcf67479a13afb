import { idInfo } from '../../data/types/id.js';

const SHAPE = /^\d{17}[\dX]$/;

/**
 * `op.id_checksum_ok(id)`: true when an 18-character identity number's
 * GB 11643 check digit is right, false when it is wrong. Null for null and for
 * text that is not 17 digits and a check character (a 15-digit legacy number
 * has no check digit to be right or wrong).
 */
export function id_checksum_ok(id: unknown): boolean | null {
  if (typeof id !== 'string') return null;
  const s = id.toUpperCase();
  if (!SHAPE.test(s)) return null;
  return idInfo(s).checksumOk;
}
