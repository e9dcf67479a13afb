import { idInfo } from '../../data/types/id.js';

/**
 * `op.id_gender(id)`: '男' when the sequence code's last digit (17th character
 * of 18, 15th of a legacy number) is odd, else '女'. Null for null or text that
 * is not an identity number.
 */
export function id_gender(id: unknown): '男' | '女' | null {
  if (typeof id !== 'string') return null;
  return idInfo(id.toUpperCase()).gender;
}
