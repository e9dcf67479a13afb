import { idInfo } from '../../data/types/id.js';

/** `op.id_birth_date(id)`: the birth date 'YYYY-MM-DD' an identity number implies, or null when it has none. */
export function id_birth_date(id: unknown): string | null {
  if (typeof id !== 'string') return null;
  return idInfo(id.toUpperCase()).birthDate ?? null;
}
