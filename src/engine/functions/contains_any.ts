import { text_key } from './text_key.js';

/**
 * `op.contains_any(text, list)`: true when the text holds any item of the list,
 * both compared by their `text_key` (full-width folded, spaces and middle dots
 * dropped, brackets unified, Latin upper-cased): `'一次性抚恤金'` holds `'抚恤'`,
 * `' 批量代发 养老金'` holds `'代发'`. Free text is worded differently from one
 * system to the next, so rules recognise it by the words it contains, never by
 * exact equality. False (never null) for a null or empty text and for empty
 * items, so that `!op.contains_any(…)` keeps rows whose text is missing.
 */
export function contains_any(text: unknown, list: unknown): boolean {
  const t = text_key(text);
  if (!t || !Array.isArray(list)) return false;
  for (const item of list) {
    const k = text_key(item);
    if (k && t.includes(k)) return true;
  }
  return false;
}
