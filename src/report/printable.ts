/**
 * Text from exports is untrusted: a value holding ESC [ … could move the
 * cursor, clear the screen or retitle the terminal of whoever reads the
 * report. The text formats (terminal, markdown) show control characters as
 * visible escapes instead.
 */

// C0 controls except tab and newline, DEL, C1 controls, and the bidi overrides that reorder text.
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** The text with control characters shown as `\u001b`-style escapes. */
export function printable(s: string): string {
  return s.replace(CONTROL, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A deep copy of a value with every string made printable (object keys too). */
export function printableDeep<T>(value: T): T {
  if (typeof value === 'string') return printable(value) as T;
  if (Array.isArray(value)) return value.map(printableDeep) as T;
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[printable(k)] = printableDeep(v);
    return out as T;
  }
  return value;
}
