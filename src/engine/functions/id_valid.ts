import { idInfo } from '../../data/types/id.js';

/**
 * `op.id_valid(id)`: true iff the number has 18 characters, a right GB 11643
 * check digit and a real birth date that is not in the future. Null for null.
 */
export function id_valid(id: unknown): boolean | null {
  if (typeof id !== 'string') return null;
  return id.length === 18 && idInfo(id.toUpperCase()).valid;
}
