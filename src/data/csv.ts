/**
 * A byte-level RFC 4180 tokenizer over a UTF-8 Buffer.
 *
 * Why our own and not csv-parse: csv-parse builds a string per field and an
 * array per record through a generic state machine (~10–15 MB/s here). The
 * loader needs ~60 MB/s on a million-row export, so it scans bytes directly and
 * hands out field offsets; the caller types each field straight into its
 * column and only creates strings where a value needs one. Delimiters, quotes
 * and newlines are ASCII and can never occur inside a UTF-8 multibyte sequence,
 * so scanning bytes is safe once the input has been transcoded to UTF-8.
 *
 * Accepted: quoted fields with `""` escapes, newlines inside quotes, LF, CRLF
 * and lone CR line ends (old Mac exports; counted so that a warning can be
 * given). A quote in the middle of an unquoted field is kept as a character.
 */

/** Buffer's fast slicers exist at run time but are not in the Node typings. */
export interface SliceBuffer extends Buffer {
  latin1Slice(start: number, end: number): string;
  utf8Slice(start: number, end: number): string;
}

/** Field flag: the field was (at least partly) quoted and must be unquoted when read. */
export const QUOTED = 1;

const COMMA = 44;
const QUOTE = 34;
const LF = 10;
const CR = 13;

/** Bytes that end an unquoted field. */
const STOP = new Uint8Array(256);
STOP[COMMA] = 1;
STOP[LF] = 1;
STOP[CR] = 1;
STOP[QUOTE] = 1;

/** What `next()` found. */
export type ScanStatus = 'record' | 'eof' | 'need-more' | 'unclosed-quote';

/**
 * Scans records out of `buf[pos, end)`. After `next()` returns `'record'`,
 * the record's fields are `starts[i]..ends[i]` (`count` of them), with `flags[i]`,
 * and `recordLine` is the 1-based line on which the record starts.
 *
 * With `final = false` the buffer is a window of a larger input: a record that
 * runs past `end` gives `'need-more'` and `pos`/`line` are left at its start.
 */
export class CsvScanner {
  buf: Uint8Array;
  pos: number;
  end: number;
  final: boolean;
  /** Line of `pos` (1-based). */
  line: number;
  /** Line on which the current record starts. */
  recordLine = 1;
  /** Byte offset of the current record's start. */
  recordStart = 0;
  count = 0;
  starts: Int32Array;
  ends: Int32Array;
  flags: Uint8Array;
  /** Line ends that were a lone CR (not CRLF). */
  loneCR = 0;
  /** Line ends that were LF or CRLF. */
  lineFeeds = 0;
  /** For 'unclosed-quote': the line and byte offset where the quote opened. */
  quoteLine = 0;
  quotePos = 0;

  constructor(buf: Uint8Array, opts: { pos?: number; end?: number; line?: number; final?: boolean } = {}) {
    this.buf = buf;
    this.pos = opts.pos ?? 0;
    this.end = opts.end ?? buf.length;
    this.line = opts.line ?? 1;
    this.final = opts.final ?? true;
    this.starts = new Int32Array(64);
    this.ends = new Int32Array(64);
    this.flags = new Uint8Array(64);
  }

  /** Points the scanner at a new window (after the caller compacted and refilled its buffer). */
  reset(buf: Uint8Array, pos: number, end: number, final: boolean): void {
    this.buf = buf;
    this.pos = pos;
    this.end = end;
    this.final = final;
  }

  private grow(): void {
    const n = this.starts.length * 2;
    const s = new Int32Array(n);
    s.set(this.starts);
    this.starts = s;
    const e = new Int32Array(n);
    e.set(this.ends);
    this.ends = e;
    const f = new Uint8Array(n);
    f.set(this.flags);
    this.flags = f;
  }

  /** Scans the next record. */
  next(): ScanStatus {
    const buf = this.buf;
    const end = this.end;
    let i = this.pos;
    if (i >= end) return this.final ? 'eof' : 'need-more';
    let line = this.line;
    const startLine = line;
    let loneCR = 0;
    let lineFeeds = 0;
    this.recordLine = line;
    this.recordStart = i;
    let n = 0;
    for (;;) {
      if (n === this.starts.length) this.grow();
      let flag = 0;
      const s = i;
      // Unquoted run (possibly the whole field).
      while (i < end && STOP[buf[i]] === 0) i++;
      if (i < end && buf[i] === QUOTE) {
        if (i === s) {
          // A quoted field: read to the closing quote, counting line ends inside it.
          flag = QUOTED;
          const qLine = line;
          const qPos = i;
          i++;
          for (;;) {
            if (i >= end) {
              if (!this.final) return this.needMore(startLine);
              this.quoteLine = qLine;
              this.quotePos = qPos;
              this.line = startLine;
              return 'unclosed-quote';
            }
            const c = buf[i];
            if (c === QUOTE) {
              if (i + 1 < end && buf[i + 1] === QUOTE) {
                i += 2;
                continue;
              }
              if (i + 1 >= end && !this.final) return this.needMore(startLine);
              i++;
              break;
            }
            if (c === LF) line++;
            else if (c === CR && !(i + 1 < end && buf[i + 1] === LF)) {
              if (i + 1 >= end && !this.final) return this.needMore(startLine);
              line++;
            }
            i++;
          }
        }
        // Text after a closing quote, or a quote inside an unquoted field: kept as
        // characters up to the next delimiter (what spreadsheets do).
        while (i < end) {
          const c = buf[i];
          if (c === COMMA || c === LF || c === CR) break;
          i++;
        }
      }
      this.starts[n] = s;
      this.ends[n] = i;
      this.flags[n] = flag;
      n++;
      if (i >= end) {
        if (!this.final) return this.needMore(startLine);
        this.pos = i;
        break;
      }
      const c = buf[i];
      if (c === COMMA) {
        i++;
        if (i >= end && this.final) {
          // A trailing comma at the very end of the input: one more, empty field.
          if (n === this.starts.length) this.grow();
          this.starts[n] = i;
          this.ends[n] = i;
          this.flags[n] = 0;
          n++;
          this.pos = i;
          break;
        }
        continue;
      }
      if (c === LF) {
        lineFeeds++;
        this.pos = i + 1;
      } else {
        // CR: CRLF, or a lone CR line end.
        if (i + 1 < end) {
          if (buf[i + 1] === LF) {
            lineFeeds++;
            this.pos = i + 2;
          } else {
            loneCR++;
            this.pos = i + 1;
          }
        } else if (!this.final) {
          return this.needMore(startLine);
        } else {
          loneCR++;
          this.pos = i + 1;
        }
      }
      line++;
      break;
    }
    this.count = n;
    this.line = line;
    this.loneCR += loneCR;
    this.lineFeeds += lineFeeds;
    return 'record';
  }

  private needMore(startLine: number): ScanStatus {
    this.pos = this.recordStart;
    this.line = startLine;
    return 'need-more';
  }

  /** True when the current record is a blank line (one empty field). */
  isBlank(): boolean {
    return this.count === 1 && this.starts[0] === this.ends[0];
  }

  /**
   * After 'unclosed-quote': skip the record that opened the quote and resume on
   * the line after the one where the quote opened.
   */
  skipUnclosed(): void {
    const buf = this.buf;
    let i = this.quotePos;
    while (i < this.end && buf[i] !== LF && buf[i] !== CR) i++;
    if (i < this.end && buf[i] === CR && i + 1 < this.end && buf[i + 1] === LF) i++;
    this.pos = Math.min(i + 1, this.end);
    this.line = this.quoteLine + 1;
  }
}

/** The text of field `[s, e)`, unquoting it when `flag` says it was quoted. */
export function fieldText(buf: SliceBuffer, s: number, e: number, flag: number): string {
  if ((flag & QUOTED) === 0) return buf.utf8Slice(s, e);
  return unquote(buf, s, e);
}

/**
 * Removes CSV quoting from a field the scanner flagged QUOTED (it starts with a quote): `"a ""b"" c"` → `a "b" c`.
 * As the scanner read it, text after the closing quote is kept as characters, quotes included: `"a"b"c"` → `ab"c"`.
 */
export function unquote(buf: SliceBuffer, s: number, e: number): string {
  let out = '';
  let from = s + 1;
  let i = from;
  while (i < e) {
    if (buf[i] !== QUOTE) {
      i++;
      continue;
    }
    out += buf.utf8Slice(from, i);
    if (i + 1 < e && buf[i + 1] === QUOTE) {
      out += '"';
      i += 2;
      from = i;
      continue;
    }
    // The closing quote.
    return out + buf.utf8Slice(i + 1, e);
  }
  return out + buf.utf8Slice(from, e);
}

/** The raw text of the current record as written (for reporting a rejected row). */
export function recordText(scanner: CsvScanner): string {
  const b = scanner.buf as SliceBuffer;
  let e = scanner.count > 0 ? scanner.ends[scanner.count - 1] : scanner.recordStart;
  if (e < scanner.recordStart) e = scanner.recordStart;
  return Buffer.prototype.toString.call(b, 'utf8', scanner.recordStart, e);
}

/** One parsed record: its fields as text and the line on which it starts. */
export interface CsvRecord {
  fields: string[];
  line: number;
}

/** Outcome of parsing a whole UTF-8 buffer into records. */
export interface CsvParse {
  records: CsvRecord[];
  /** Lines where a quote opened and never closed (each such record was dropped). */
  unclosedQuotes: { line: number; text: string }[];
  /** Line ends that were a lone CR. */
  loneCR: number;
  lineFeeds: number;
  /** Byte offset just past the last record read. */
  end: number;
}

/**
 * Parses a whole UTF-8 buffer (or string) into records of strings, skipping
 * blank lines, up to `limit` records. `final = false`: the input is the start
 * of a longer one, and a record cut off at its end is left out. For headers,
 * small files and tests; the loader types large files straight from the scanner.
 */
export function parseCsv(input: Uint8Array | string, limit = Infinity, final = true): CsvParse {
  const buf = (typeof input === 'string' ? Buffer.from(input, 'utf8') : Buffer.from(input.buffer, input.byteOffset, input.length)) as SliceBuffer;
  const sc = new CsvScanner(buf, { final });
  const records: CsvRecord[] = [];
  const unclosedQuotes: CsvParse['unclosedQuotes'] = [];
  while (records.length < limit) {
    const st = sc.next();
    if (st === 'eof' || st === 'need-more') break;
    if (st === 'unclosed-quote') {
      const lineEnd = buf.indexOf(LF, sc.quotePos);
      unclosedQuotes.push({ line: sc.quoteLine, text: buf.toString('utf8', sc.recordStart, lineEnd < 0 ? buf.length : lineEnd).replace(/\r$/, '') });
      sc.skipUnclosed();
      continue;
    }
    if (sc.isBlank()) continue;
    const fields: string[] = new Array(sc.count);
    for (let k = 0; k < sc.count; k++) fields[k] = fieldText(buf, sc.starts[k], sc.ends[k], sc.flags[k]);
    records.push({ fields, line: sc.recordLine });
  }
  return { records, unclosedQuotes, loneCR: sc.loneCR, lineFeeds: sc.lineFeeds, end: sc.pos };
}
