/**
 * One record as the row policies and the column typers see it, whatever it was
 * read from: a CSV line (csv.ts's scanner) or a workbook row (workbook/sheet.ts).
 * Fields are byte ranges of a UTF-8 buffer, so that values are typed from the
 * bytes and repeated ones are found without making a string.
 */
import { clip, QUOTED } from './csv.js';

export interface RecordView {
  /** The bytes the fields are ranges of, and a DataView over them. */
  buf: Uint8Array;
  view: DataView;
  /** Fields `starts[k]..ends[k]`, `count` of them, each with `flags[k]` (csv.ts: QUOTED, AFTER_QUOTE, …). */
  count: number;
  starts: Int32Array;
  ends: Int32Array;
  flags: Uint8Array;
  /** The OR of the fields' flags. */
  recordFlags: number;
  /** The 1-based line (or sheet row) on which the record starts. */
  recordLine: number;
  /** Byte offset where the record's text starts (its raw text runs to the end of its last field). */
  recordStart: number;
}

/** The raw text of the record as written (for reporting a rejected or skipped row). */
export function recordText(r: RecordView): string {
  let e = r.count > 0 ? r.ends[r.count - 1] : r.recordStart;
  if (e < r.recordStart) e = r.recordStart;
  return clip(Buffer.prototype.toString.call(r.buf, 'utf8', r.recordStart, e));
}

/** Is field k empty: nothing, only spaces or tabs, or a quoted empty string (`""`, `" "`)? */
export function emptyField(r: RecordView, k: number): boolean {
  const buf = r.buf;
  let s = r.starts[k];
  let e = r.ends[k];
  if (s === e) return true;
  if (r.flags[k] & QUOTED) {
    // `"…"` possibly followed by spaces: look inside the quotes.
    while (e > s && (buf[e - 1] === 32 || buf[e - 1] === 9)) e--;
    if (e - s < 2 || buf[e - 1] !== 34) return false;
    s++;
    e--;
  }
  for (let i = s; i < e; i++) if (buf[i] !== 32 && buf[i] !== 9) return false;
  return true;
}

/** Are fields `from` … `count - 1` all empty (see emptyField)? */
export function emptyFrom(r: RecordView, from: number): boolean {
  for (let k = from; k < r.count; k++) if (r.starts[k] !== r.ends[k] && !emptyField(r, k)) return false;
  return true;
}
