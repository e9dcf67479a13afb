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
/** Field flag: text other than spaces follows the closing quote (`"b"c`): kept as characters, reported. */
export const AFTER_QUOTE = 2;
/** Field flag: only spaces or tabs follow the closing quote (`"b"  ,`): kept, reported. */
export const SPACE_AFTER_QUOTE = 4;
/** Field flag (workbooks): the cell holds a number, not text. */
export const NUMERIC = 8;
/** Field flag (workbooks): the cell holds a spreadsheet error such as #N/A. */
export const CELL_ERROR = 16;
/** Flags that say a quote was malformed. */
export const MALFORMED_QUOTE = AFTER_QUOTE | SPACE_AFTER_QUOTE;

const QUOTE = 34;
const LF = 10;
const CR = 13;
const SPACE = 32;
const TAB = 9;

/** The delimiters detected and accepted: comma, tab, semicolon, pipe. */
export const DELIMITERS = [',', '\t', ';', '|'] as const;

/** Bytes that end an unquoted field, per delimiter byte. */
const STOPS = new Map<number, Uint8Array>();
function stopTable(delim: number): Uint8Array {
  let t = STOPS.get(delim);
  if (!t) {
    t = new Uint8Array(256);
    t[delim] = 1;
    t[LF] = 1;
    t[CR] = 1;
    t[QUOTE] = 1;
    STOPS.set(delim, t);
  }
  return t;
}

/** What `next()` found. */
export type ScanStatus = 'record' | 'eof' | 'need-more' | 'unclosed-quote' | 'stray-quote';

/** Options of a scanner. */
export interface ScanOptions {
  pos?: number;
  end?: number;
  line?: number;
  /** False: `buf` is a window of a longer input (see CsvScanner). */
  final?: boolean;
  /** The field delimiter (default ','). */
  delimiter?: string;
  /**
   * Is a lone CR (not followed by LF) a line end? Yes in old Mac files, whose lines all end so; in a file
   * whose lines end with LF or CRLF a lone CR is a character inside the row (counted, so it can be reported).
   */
  crLineEnds?: boolean;
}

/**
 * Scans records out of `buf[pos, end)`. After `next()` returns `'record'`,
 * the record's fields are `starts[i]..ends[i]` (`count` of them), with `flags[i]`,
 * `recordFlags` is the OR of them, and `recordLine` is the 1-based line on which
 * the record starts.
 *
 * With `final = false` the buffer is a window of a larger input: a record that
 * runs past `end` gives `'need-more'` and `pos`/`line` are left at its start.
 *
 * `'unclosed-quote'`: a quote opened and the input ended before it closed.
 * `'stray-quote'`: a quoted field ran over a line end and its closing quote is
 * followed by more text — the opening quote was a stray one that swallowed a
 * line end. In both cases `quoteLine`/`quotePos` say where the quote opened and
 * `skipUnclosed()` resumes on the next line.
 */
export class CsvScanner {
  buf: Uint8Array;
  /** A DataView over `buf`, for the byte-keyed caches of the column typers. */
  view: DataView;
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
  /** The OR of the current record's field flags. */
  recordFlags = 0;
  /** Lone CRs seen: line ends in CR mode, characters inside rows otherwise. */
  loneCR = 0;
  /** Line of the first lone CR (0: none). */
  loneCRLine = 0;
  /** Line ends that were LF or CRLF. */
  lineFeeds = 0;
  /** For 'unclosed-quote' and 'stray-quote': the line and byte offset where the quote opened. */
  quoteLine = 0;
  quotePos = 0;
  readonly delimiter: number;
  readonly crLineEnds: boolean;
  private readonly stop: Uint8Array;

  constructor(buf: Uint8Array, opts: ScanOptions = {}) {
    this.buf = buf;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.length);
    this.pos = opts.pos ?? 0;
    this.end = opts.end ?? buf.length;
    this.line = opts.line ?? 1;
    this.final = opts.final ?? true;
    this.delimiter = (opts.delimiter ?? ',').charCodeAt(0);
    this.crLineEnds = opts.crLineEnds ?? true;
    this.stop = stopTable(this.delimiter);
    this.starts = new Int32Array(64);
    this.ends = new Int32Array(64);
    this.flags = new Uint8Array(64);
  }

  /** Points the scanner at a new window (after the caller compacted and refilled its buffer). */
  reset(buf: Uint8Array, pos: number, end: number, final: boolean): void {
    if (buf !== this.buf) this.view = new DataView(buf.buffer, buf.byteOffset, buf.length);
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

  private loneCRAt(line: number): void {
    if (this.loneCR++ === 0) this.loneCRLine = line;
  }

  /** Scans the next record. */
  next(): ScanStatus {
    const buf = this.buf;
    const end = this.end;
    const STOP = this.stop;
    const DELIM = this.delimiter;
    const crEnds = this.crLineEnds;
    let i = this.pos;
    if (i >= end) return this.final ? 'eof' : 'need-more';
    let line = this.line;
    const startLine = line;
    const loneBefore = this.loneCR;
    const loneLineBefore = this.loneCRLine;
    let lineFeeds = 0;
    this.recordLine = line;
    this.recordStart = i;
    let n = 0;
    let recordFlags = 0;
    for (;;) {
      if (n === this.starts.length) this.grow();
      let flag = 0;
      const s = i;
      // Unquoted run (possibly the whole field); in LF mode a lone CR is a character of it.
      while (i < end && STOP[buf[i]] === 0) i++;
      if (!crEnds && i < end && buf[i] === CR) {
        for (;;) {
          if (i + 1 >= end) {
            if (!this.final) return this.needMore(startLine, loneBefore, loneLineBefore);
            break;
          }
          if (buf[i + 1] === LF) break;
          this.loneCRAt(line);
          i++;
          while (i < end && STOP[buf[i]] === 0) i++;
          if (i >= end || buf[i] !== CR) break;
        }
      }
      if (i < end && buf[i] === QUOTE) {
        if (i === s) {
          // A quoted field: read to the closing quote, counting line ends inside it.
          flag = QUOTED;
          const qLine = line;
          const qPos = i;
          i++;
          for (;;) {
            if (i >= end) {
              if (!this.final) return this.needMore(startLine, loneBefore, loneLineBefore);
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
              if (i + 1 >= end && !this.final) return this.needMore(startLine, loneBefore, loneLineBefore);
              i++;
              break;
            }
            if (c === LF) line++;
            else if (c === CR && !(i + 1 < end && buf[i + 1] === LF)) {
              if (i + 1 >= end && !this.final) return this.needMore(startLine, loneBefore, loneLineBefore);
              if (crEnds) line++;
              else this.loneCRAt(line);
            }
            i++;
          }
          // After the closing quote: spaces, then the delimiter or a line end, or text that does not belong.
          let j = i;
          while (j < end && (buf[j] === SPACE || buf[j] === TAB) && buf[j] !== DELIM) j++;
          if (j >= end && !this.final) return this.needMore(startLine, loneBefore, loneLineBefore);
          if (j < end && buf[j] !== DELIM && buf[j] !== LF && buf[j] !== CR) {
            if (line > qLine) {
              // The field swallowed a line end and then goes on: the quote that opened it was a stray one.
              this.quoteLine = qLine;
              this.quotePos = qPos;
              this.line = startLine;
              this.loneCR = loneBefore;
              this.loneCRLine = loneLineBefore;
              return 'stray-quote';
            }
            flag |= AFTER_QUOTE;
          } else if (j > i) {
            flag |= SPACE_AFTER_QUOTE;
          }
        }
        // Text after a closing quote, or a quote inside an unquoted field: kept as
        // characters up to the next delimiter (what spreadsheets do).
        while (i < end) {
          const c = buf[i];
          if (c === DELIM || c === LF) break;
          if (c === CR) {
            if (crEnds || i + 1 >= end || buf[i + 1] === LF) break;
            this.loneCRAt(line);
          }
          i++;
        }
      }
      this.starts[n] = s;
      this.ends[n] = i;
      this.flags[n] = flag;
      recordFlags |= flag;
      n++;
      if (i >= end) {
        if (!this.final) return this.needMore(startLine, loneBefore, loneLineBefore);
        this.pos = i;
        break;
      }
      const c = buf[i];
      if (c === DELIM) {
        i++;
        if (i >= end && this.final) {
          // A trailing delimiter at the very end of the input: one more, empty field.
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
        // CR: CRLF, or a lone CR line end (CR mode; in LF mode the run above went past lone CRs).
        if (i + 1 < end) {
          if (buf[i + 1] === LF) {
            lineFeeds++;
            this.pos = i + 2;
          } else {
            this.loneCRAt(line);
            this.pos = i + 1;
          }
        } else if (!this.final) {
          return this.needMore(startLine, loneBefore, loneLineBefore);
        } else {
          this.loneCRAt(line);
          this.pos = i + 1;
        }
      }
      line++;
      break;
    }
    this.count = n;
    this.recordFlags = recordFlags;
    this.line = line;
    this.lineFeeds += lineFeeds;
    return 'record';
  }

  private needMore(startLine: number, loneBefore: number, loneLineBefore: number): ScanStatus {
    this.pos = this.recordStart;
    this.line = startLine;
    this.loneCR = loneBefore;
    this.loneCRLine = loneLineBefore;
    return 'need-more';
  }

  /** True when the current record is a blank line (one empty field). */
  isBlank(): boolean {
    return this.count === 1 && this.starts[0] === this.ends[0];
  }

  /**
   * After 'unclosed-quote' or 'stray-quote': skip the record that opened the quote
   * and resume on the line after the one where the quote opened.
   */
  skipUnclosed(): void {
    const buf = this.buf;
    let i = this.quotePos;
    if (this.crLineEnds) {
      while (i < this.end && buf[i] !== LF && buf[i] !== CR) i++;
    } else {
      while (i < this.end && buf[i] !== LF && !(buf[i] === CR && i + 1 < this.end && buf[i + 1] === LF)) i++;
    }
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

/**
 * Is a lone CR a line end in this input? Judged from its start: yes when its lines end with CR only (old Mac
 * exports), no when LF or CRLF ends any line there.
 */
export function crLineEnds(head: Uint8Array): boolean {
  const n = Math.min(head.length, 1 << 20);
  let lone = 0;
  for (let i = 0; i < n; i++) {
    if (head[i] === LF) return false;
    if (head[i] === CR && head[i + 1] !== LF) lone++;
  }
  return lone > 0;
}

/** One parsed record: its fields as text and the line on which it starts. */
export interface CsvRecord {
  fields: string[];
  line: number;
}

/** Outcome of parsing a whole UTF-8 buffer into records. */
export interface CsvParse {
  records: CsvRecord[];
  /** Lines where a quote opened and never closed, or swallowed a line end (each such record was dropped). */
  unclosedQuotes: { line: number; text: string; stray: boolean }[];
  /** For input that is not final: the line of a quote still open where the input stops (0: none). */
  openQuoteLine: number;
  /** Line ends that were a lone CR. */
  loneCR: number;
  lineFeeds: number;
  /** Byte offset just past the last record read. */
  end: number;
}

/**
 * Parses a whole UTF-8 buffer (or string) into records of strings, skipping
 * blank lines, up to `limit` records. `opts.final = false`: the input is the start
 * of a longer one, and a record cut off at its end is left out. For headers,
 * small files and tests; the loader types large files straight from the scanner.
 */
export function parseCsv(input: Uint8Array | string, limit = Infinity, opts: boolean | ScanOptions = true): CsvParse {
  const buf = (typeof input === 'string' ? Buffer.from(input, 'utf8') : Buffer.from(input.buffer, input.byteOffset, input.length)) as SliceBuffer;
  const sc = new CsvScanner(buf, typeof opts === 'boolean' ? { final: opts } : opts);
  const records: CsvRecord[] = [];
  const unclosedQuotes: CsvParse['unclosedQuotes'] = [];
  let openQuoteLine = 0;
  while (records.length < limit) {
    const st = sc.next();
    if (st === 'eof') break;
    if (st === 'need-more') {
      if (records.length === 0 || sc.pos < buf.length) openQuoteLine = openQuoteOf(buf, sc);
      break;
    }
    if (st === 'unclosed-quote' || st === 'stray-quote') {
      unclosedQuotes.push({ line: sc.quoteLine, text: lineText(buf, sc.recordStart, sc.quotePos, buf.length), stray: st === 'stray-quote' });
      sc.skipUnclosed();
      continue;
    }
    if (sc.isBlank()) continue;
    const fields: string[] = new Array(sc.count);
    for (let k = 0; k < sc.count; k++) fields[k] = fieldText(buf, sc.starts[k], sc.ends[k], sc.flags[k]);
    records.push({ fields, line: sc.recordLine });
  }
  return { records, unclosedQuotes, openQuoteLine, loneCR: sc.loneCR, lineFeeds: sc.lineFeeds, end: sc.pos };
}

/** The line of a quote left open at the end of a window (the record at `sc.pos` needs more input), or 0. */
function openQuoteOf(buf: Uint8Array, sc: CsvScanner): number {
  let line = sc.line;
  let inQuote = false;
  let quoteLine = 0;
  for (let i = sc.pos; i < sc.end; i++) {
    const c = buf[i];
    if (c === QUOTE) {
      inQuote = !inQuote;
      if (inQuote) quoteLine = line;
    } else if (c === LF) line++;
  }
  return inQuote ? quoteLine : 0;
}

/** The text from `from` to the end of the physical line holding byte `at` (LF, CRLF or a lone CR; not past `end`). */
export function lineText(data: Uint8Array, from: number, at: number, end: number): string {
  let e = at;
  while (e < end && data[e] !== LF && data[e] !== CR) e++;
  return clip(Buffer.prototype.toString.call(data, 'utf8', from, e));
}

/** Longest raw row text kept in an issue. */
const MAX_RAW = 300;

/** `s` cut to the length an issue quotes. */
export function clip(s: string): string {
  return s.length > MAX_RAW ? `${s.slice(0, MAX_RAW)}…` : s;
}
