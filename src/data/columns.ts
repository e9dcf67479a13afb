/**
 * Typing fields straight from their bytes into values, without an object per
 * row; where the values go is the sink's business (sink.ts).
 *
 * Every value goes through the column type's parser (src/data/types), so the
 * loader and the parsers never disagree. Two things keep it fast: repeated raw
 * values (codes, months, items, names, identity numbers of people paid every
 * month) are parsed once and then served from a per-column cache, which also
 * interns the strings; and the commonest canonical shapes of dates, months and
 * money are recognised from the bytes, so that no string is created for them.
 */
import type { ColumnDef } from './tables.js';
import type { DataIssue, Value } from './model.js';
import type { Source } from './provenance.js';
import { Problem, type Parser } from './types/problem.js';
import { CELL_ERROR, NUMERIC, QUOTED, unquote, type SliceBuffer } from './csv.js';
import { ByteCache } from './byte-cache.js';
import { epochDay } from './types/calendar.js';

const ID_AS_NUMBER = new Problem(
  'id-stored-as-number',
  'the workbook stores this identity number as a number, not text, and a spreadsheet number keeps only 15 digits: ' +
    'it is not guessed — format the column as text in the source and re-export it',
  'error',
);
const CELL_ERROR_PROBLEM = new Problem('cell-error', 'the cell holds a spreadsheet error, not a value; read as blank — correct the cell in the workbook', 'error');

const enum Kind {
  Generic,
  Money,
  Date,
  Month,
  DateTime,
}

/**
 * Entries a column's cache may hold before it is judged. Then a column that
 * has been served mostly from it (people paid every month) keeps it, and it
 * grows to CACHE_MAX entries; one whose values are mostly distinct (serial
 * numbers, timestamps) drops it. No earlier judgement is possible: exports
 * sorted by month list every person once before any repeats. A full cache is
 * kept for lookups, and a value not in it is typed from a new string.
 */
const CACHE_LIMIT = 1 << 18;
/**
 * Entries a cache that pays may hold: one a person for the identity numbers, accounts and person codes of a
 * county of 200,000 people or more paid every month (a value written with a spreadsheet's apostrophe and
 * without is one entry); past it, every value not in the cache is probed for, made a string and parsed, and
 * the guesses of the fields that follow it lose their mate. About 120 bytes an entry.
 */
const CACHE_MAX = 1 << 19;

/**
 * The first values of a column whose cache found none of them again, where a serial number (payout, receipt,
 * transaction) shows: each the one before plus one, but for COUNT_MISSES of them. Such a column's values never
 * come again: adding them to its cache until CACHE_LIMIT judged it cost a quarter million additions to a table
 * growing to megabytes, per file part. Its first values stay, so that a column that only looked like it (the
 * codes of people in code order, one row each a month) is found again the next month and cached from then on.
 */
const COUNT_PROBE = 1 << 12;
const COUNT_MISSES = 1 << 6;

/** Types the values of one source column of one file (or sheet) as one canonical column. */
export class ColumnTyper {
  /** Parsed values of raw byte strings seen before; null once it stopped paying. */
  private bytes: ByteCache<Value | Problem> | null = new ByteCache();
  private hits = 0;
  /**
   * Values added that were the one added before them counted up by one, while nothing was found in the cache;
   * set once COUNT_PROBE values show it: a serial number, typed from its bytes without being added (see
   * COUNT_PROBE); and how many were not added since.
   */
  private counts = 0;
  private counter = false;
  private skipped = 0;
  /** By entry of `bytes`: the value of its key written after an apostrophe, or null (see QUOTED_KNOWN). */
  private quotedValues: Array<Value | Problem> = [];
  /** The cache's entry of the last value looked up in it, or -1 (see ByteCache.guess). */
  private last = -1;
  /**
   * The typer of the nearest field before this one in the row whose values are cached too (see `follows`),
   * and by entry of its cache, the entry of this column's value the last time the mate's value was that one,
   * or -1. A person's identity number, name and account name go together row after row, though each name is
   * shared by many people: guessed from the row's identity number, a name is found without a probe at a
   * random place in a table of megabytes, where guessed from the name of the row before it was wrong five
   * times in six (a million payout rows: 815,000 probes for the names, 528,000 for the identity numbers).
   */
  private mate: ColumnTyper | null = null;
  private byMate = new Int32Array(0);
  /**
   * Cache of date-like values keyed by the number yyyymmdd (or yyyymm), no string needed; for a datetime
   * column, the day number (days since 1970-01-01) of each date part, or NOT_A_DAY.
   */
  private numCache: Map<number, Value | Problem> = new Map();
  /** The key and value last taken from numCache (a column holds dates or datetimes, never both). */
  private lastKey = -1;
  private lastValue: Value | Problem = null;
  /** Keys of numCache whose value is the text itself (canonical already: its bytes are the value's), and the last key's answer. */
  private readonly plain = new Set<number>();
  private lastPlain = false;
  private readonly kind: Kind;
  /**
   * After `value`: the start of its field when the value is a string whose UTF-8 bytes are the field's bytes as
   * they are (`buf[verbatim, e)`: a sink may copy them instead of encoding the string), else -1.
   */
  verbatim = -1;

  constructor(
    readonly def: ColumnDef,
    /** Header as written in the file, for issues. */
    readonly header: string,
    private readonly parser: Parser,
    private readonly from: Source,
    private readonly issues: DataIssue[],
    /** A canonical datetime comes back as its seconds since 1970-01-01 00:00:00 (RowSink.epochDatetimes), not as text. */
    private readonly epochDatetimes = false,
  ) {
    this.kind =
      def.type === 'money' ? Kind.Money : def.type === 'date' ? Kind.Date : def.type === 'month' ? Kind.Month : def.type === 'datetime' ? Kind.DateTime : Kind.Generic;
  }

  /**
   * The value of the field `buf[s, e)` (`view`: a DataView over `buf`) of the record starting on `line`, with
   * `flag` from the record (csv.ts); a value that cannot be typed is reported and comes back null, or as kept.
   */
  value(buf: SliceBuffer, view: DataView, s: number, e: number, flag: number, line: number): Value {
    this.verbatim = -1;
    // Blank: every type reads it as null, without calling the parser.
    if (s === e) return null;
    // A workbook's number cell has the same fast shapes as CSV text.
    if ((flag & ~NUMERIC) === 0) {
      const len = e - s;
      switch (this.kind) {
        case Kind.Money: {
          const fen = moneyFen(buf, s, e);
          if (fen !== NOT_FAST) return fen;
          break;
        }
        case Kind.Date:
          if (len === 10 && buf[s + 4] === 45 && buf[s + 7] === 45) {
            const y = digits(buf, s, s + 4);
            const m = digits(buf, s + 5, s + 7);
            const d = digits(buf, s + 8, s + 10);
            // Each part on its own: a -1 in the sum would make another date's key (2020-01-é → 2020-00-99).
            if ((y | m | d) >= 0) return this.fromNumCache(y * 10000 + m * 100 + d, buf, s, e, line);
          }
          break;
        case Kind.Month:
          if (len === 7 && buf[s + 4] === 45) {
            const y = digits(buf, s, s + 4);
            const m = digits(buf, s + 5, s + 7);
            if ((y | m) >= 0) return this.fromNumCache(y * 100 + m, buf, s, e, line);
          } else if (len === 6) {
            const key = digits(buf, s, s + 6);
            // 1e6 + key keeps 'YYYYMM' apart from 'YYYY-MM' in the one cache.
            if (key >= 0) return this.fromNumCache(1e6 + key, buf, s, e, line);
          }
          break;
        case Kind.DateTime:
          if (len === 19 && buf[s + 4] === 45 && buf[s + 7] === 45 && buf[s + 10] === 32 && buf[s + 13] === 58 && buf[s + 16] === 58) {
            const day = digits(buf, s, s + 4) * 10000 + digits(buf, s + 5, s + 7) * 100 + digits(buf, s + 8, s + 10);
            const h = digits(buf, s + 11, s + 13);
            const m = digits(buf, s + 14, s + 16);
            const sec = digits(buf, s + 17, s + 19);
            if (day >= 0 && h >= 0 && h < 24 && m >= 0 && m < 60 && sec >= 0 && sec < 60) {
              const days = this.dayNumber(day, buf, s);
              if (days !== NOT_A_DAY) {
                // The number, for a sink that writes timestamps: no string to make, for it to read back.
                if (this.epochDatetimes) return days * 86400 + h * 3600 + m * 60 + sec;
                // Already canonical: the value is the text itself (ASCII, all checked above), made in JavaScript:
                // a call to latin1Slice costs twice as much for 19 bytes (~55 against ~25 ns).
                return String.fromCharCode(
                  buf[s], buf[s + 1], buf[s + 2], buf[s + 3], buf[s + 4], buf[s + 5], buf[s + 6], buf[s + 7], buf[s + 8], buf[s + 9],
                  buf[s + 10], buf[s + 11], buf[s + 12], buf[s + 13], buf[s + 14], buf[s + 15], buf[s + 16], buf[s + 17], buf[s + 18],
                );
              }
            }
          }
          break;
      }
    }
    if (flag !== 0) {
      // Amounts with grouping commas come quoted ("￥1,500.85"): their commonest shape, from the bytes too.
      if (flag === QUOTED && this.kind === Kind.Money) {
        const fen = quotedMoneyFen(buf, s, e);
        if (fen !== NOT_FAST) return fen;
      }
      if (flag & QUOTED) {
        const raw = unquote(buf, s, e);
        return this.typed(this.parser(raw), raw, line);
      }
      if (flag & CELL_ERROR) return this.typed(CELL_ERROR_PROBLEM, buf.utf8Slice(s, e), line);
      if (flag & NUMERIC && this.def.type === 'id') return this.typed(ID_AS_NUMBER, buf.utf8Slice(s, e), line);
    }
    const cache = this.bytes;
    if (cache === null) {
      const raw = buf.utf8Slice(s, e);
      const v = this.parser(raw);
      if (v === raw) {
        this.verbatim = s;
        return v;
      }
      return this.typed(v, raw, line);
    }
    // A spreadsheet's apostrophe before a value ('510521194306026674: keep it as text) is left out of the key, so
    // that a value written both ways (exports mix them row by row) is one entry, with a value for each way: one
    // entry a person, not two, and a guess from the person's other fields that holds whichever way it is written.
    const quoted = buf[s] === APOSTROPHE && e - s > 1;
    const ks = quoted ? s + 1 : s;
    const last = this.last;
    const m = this.mate === null ? -1 : this.mate.last;
    let k = m >= 0 && m < this.byMate.length ? cache.is(this.byMate[m], view, buf, ks, e) : -1;
    if (k < 0) k = cache.guess(last, view, buf, ks, e);
    if (k < 0) {
      const h = ByteCache.hash(view, buf, ks, e);
      k = cache.find(view, buf, ks, e, h);
      if (k < 0) {
        const raw = buf.utf8Slice(s, e);
        const v = this.parser(raw);
        const mark = formMark(v, raw, quoted);
        this.verbatim = verbatimAt(mark, s);
        if (this.counter && this.hits === 0) {
          // Not added: the cache's first values are looked up in case they come again (a hit ends this), and
          // it is dropped after as many values as it would have been dropped after were they added.
          if (cache.size + ++this.skipped >= CACHE_LIMIT) this.bytes = null;
          this.last = -1;
        } else if (cache.size < CACHE_LIMIT || (cache.size < CACHE_MAX && this.hits >= cache.size)) {
          if (cache.size <= COUNT_PROBE && this.hits === 0 && cache.size > 0 && cache.countsOn(cache.size - 1, buf, ks, e)) {
            if (++this.counts === COUNT_PROBE - COUNT_MISSES) this.counter = true;
          }
          // The other way of writing it is typed when it comes.
          cache.add(buf, ks, e, h, quoted ? null : v, mark);
          this.quotedValues.push(quoted ? v : null);
          k = cache.size - 1;
          cache.follow(last, k);
          this.last = k;
          if (m >= 0) this.pair(m, k);
        } else {
          if (this.hits < cache.size) this.bytes = null;
          this.last = -1;
        }
        return this.typed(v, raw, line);
      }
    }
    cache.follow(last, k);
    if (m >= 0) this.pair(m, k);
    this.last = k;
    this.hits++;
    const mark = cache.mark(k);
    // A string that is its bytes (the commonest value) is not even looked at: reading a string that has not
    // been read since the last time it came round (a month's rows ago) costs a wait on memory.
    if (!quoted) {
      if (mark & BARE_VERBATIM) {
        this.verbatim = s;
        return cache.values[k] as string;
      }
      if (mark & BARE_KNOWN) {
        const v = cache.values[k];
        return typeof v === 'object' && v !== null ? this.typed(v, buf.utf8Slice(s, e), line) : v;
      }
    } else {
      if (mark & QUOTED_TAIL) {
        this.verbatim = s + 1;
        return this.quotedValues[k] as string;
      }
      if (mark & QUOTED_KNOWN) {
        const v = this.quotedValues[k];
        if (mark & QUOTED_WHOLE) this.verbatim = s;
        return typeof v === 'object' && v !== null ? this.typed(v, buf.utf8Slice(s, e), line) : v;
      }
    }
    // The first time the value is written this way.
    const raw = buf.utf8Slice(s, e);
    const v = this.parser(raw);
    const form = formMark(v, raw, quoted);
    if (quoted) this.quotedValues[k] = v;
    else cache.values[k] = v;
    cache.setMark(k, mark | form);
    this.verbatim = verbatimAt(form, s);
    return this.typed(v, raw, line);
  }

  /**
   * Guesses this column's values from those of `mate`, a field before it in the row whose values are cached
   * too (RowPipeline: the nearest such one).
   */
  follows(mate: ColumnTyper): void {
    this.mate = mate;
  }

  /** Do this column's values go through the cache (not typed from their bytes by a fast path)? */
  get cached(): boolean {
    return this.kind === Kind.Generic;
  }

  /** Records that this column's value was entry `k` where the mate's was its entry `m`. */
  private pair(m: number, k: number): void {
    if (m >= this.byMate.length) {
      const grown = new Int32Array(Math.max(1024, 2 * this.byMate.length, m + 1)).fill(-1);
      grown.set(this.byMate);
      this.byMate = grown;
    }
    this.byMate[m] = k;
  }

  /** Types one raw string (every field once caching stopped paying). */
  typeRaw(raw: string, line: number): Value {
    return this.typed(this.parser(raw), raw, line);
  }

  /** The value of a parse; a Problem is reported with its place and becomes null, or the value kept. */
  private typed(v: Value | Problem, raw: string, line: number): Value {
    if (typeof v === 'object' && v !== null) {
      const f = this.from;
      const place = f.sheet === undefined ? { file: f.file, line } : { file: f.file, sheet: f.sheet, line };
      this.issues.push({ ...place, column: this.header, value: raw, reason: v.reason, level: v.level, code: v.code, ...(v.msg ? { msg: v.msg } : {}) });
      return v.level === 'warning' ? v.kept : null;
    }
    return v;
  }

  private fromNumCache(key: number, buf: SliceBuffer, s: number, e: number, line: number): Value {
    let v: Value | Problem | undefined;
    let plain: boolean;
    // The same month or day as the row before is the rule in exports sorted by period: no Map lookup then.
    if (key === this.lastKey) {
      v = this.lastValue;
      plain = this.lastPlain;
    } else {
      v = this.numCache.get(key);
      if (v === undefined) {
        const raw = buf.latin1Slice(s, e);
        v = this.parser(raw);
        this.numCache.set(key, v);
        if (v === raw) this.plain.add(key);
      }
      plain = this.plain.has(key);
      this.lastKey = key;
      this.lastValue = v;
      this.lastPlain = plain;
    }
    if (plain) this.verbatim = s;
    return v instanceof Problem ? this.typed(v, buf.latin1Slice(s, e), line) : v;
  }

  /**
   * The day number (days since 1970-01-01) of the date part yyyymmdd `day` of a canonical datetime at buf[s],
   * or NOT_A_DAY when it is no real day: the parser is asked once per day.
   */
  private dayNumber(day: number, buf: SliceBuffer, s: number): number {
    if (day === this.lastKey) return this.lastValue as number;
    let v = this.numCache.get(day) as number | undefined;
    this.lastKey = day;
    if (v === undefined) {
      const probe = buf.latin1Slice(s, s + 10) + ' 00:00:00';
      v = this.parser(probe) === probe ? epochDay(Math.floor(day / 10000), Math.floor(day / 100) % 100, day % 100) : NOT_A_DAY;
      this.numCache.set(day, v);
    }
    this.lastValue = v;
    return v;
  }
}

/** dayNumber's answer for a date that is no real day (day numbers of years 1000–9999 are within ±3,000,000). */
const NOT_A_DAY = -1e9;

/**
 * A cache entry's mark (ByteCache.mark): bits saying which of its two ways of writing (its key's bytes, or
 * after an apostrophe) were typed, and whether the value is the string the field's bytes spell as they are —
 * all of them (VERBATIM, WHOLE), or those after the apostrophe (TAIL).
 */
const BARE_KNOWN = 1;
const BARE_VERBATIM = 2;
const QUOTED_KNOWN = 4;
const QUOTED_WHOLE = 8;
const QUOTED_TAIL = 16;
const APOSTROPHE = 39;

/** The mark of the value `v` of the field `raw`, written after an apostrophe (`quoted`) or not. */
function formMark(v: Value | Problem, raw: string, quoted: boolean): number {
  if (!quoted) return v === raw ? BARE_KNOWN | BARE_VERBATIM : BARE_KNOWN;
  if (v === raw) return QUOTED_KNOWN | QUOTED_WHOLE;
  return typeof v === 'string' && v.length === raw.length - 1 && v === raw.slice(1) ? QUOTED_KNOWN | QUOTED_TAIL : QUOTED_KNOWN;
}

/** ColumnTyper.verbatim for a field at `s` whose value has the mark `mark` (formMark). */
function verbatimAt(mark: number, s: number): number {
  return mark & (BARE_VERBATIM | QUOTED_WHOLE) ? s : mark & QUOTED_TAIL ? s + 1 : -1;
}

const NOT_FAST = 0.5;

/**
 * `-?\d+(\.\d{1,2})?` as integer fen, or NOT_FAST for anything else (grouping
 * commas, currency signs, full-width digits, more decimals), which the money
 * parser then handles.
 */
function moneyFen(buf: Uint8Array, s: number, e: number): number {
  let i = s;
  let neg = false;
  if (buf[i] === 45) {
    neg = true;
    i++;
  }
  const intStart = i;
  let v = 0;
  while (i < e) {
    const d = buf[i] - 48;
    if (d < 0 || d > 9) break;
    v = v * 10 + d;
    i++;
  }
  const intDigits = i - intStart;
  if (intDigits === 0 || intDigits > 13) return NOT_FAST;
  const fen = withCents(buf, i, e, v);
  return neg && fen !== NOT_FAST ? (fen === 0 ? 0 : -fen) : fen;
}

/**
 * A quoted `"(￥)?d{1,3}(,ddd)*(.d{1,2})?"` or `"(￥)?\d+(.d{1,2})?"` (at most 13 digits before the point, no
 * spaces, no sign) as integer fen, or NOT_FAST for anything else, which the money parser then handles: the
 * value is what it gives for these shapes (the commas group by three, the ￥ is only a sign).
 */
function quotedMoneyFen(buf: Uint8Array, s: number, e: number): number {
  if (buf[s] !== 34 || buf[e - 1] !== 34 || e - s < 3) return NOT_FAST;
  let i = s + 1;
  const end = e - 1;
  // ￥ (U+FFE5) in UTF-8.
  if (buf[i] === 0xef && buf[i + 1] === 0xbf && buf[i + 2] === 0xa5) i += 3;
  let v = 0;
  let digits = 0;
  let group = 0;
  let commas = 0;
  for (; i < end; i++) {
    const d = buf[i] - 48;
    if (d >= 0 && d <= 9) {
      v = v * 10 + d;
      digits++;
      group++;
    } else if (buf[i] === 44) {
      if (group === 0 || (commas === 0 ? group > 3 : group !== 3)) return NOT_FAST;
      commas++;
      group = 0;
    } else break;
  }
  if (digits === 0 || digits > 13 || (commas > 0 && group !== 3)) return NOT_FAST;
  return withCents(buf, i, end, v);
}

/** `yuan` in fen with the `(\.\d{1,2})?` at buf[i, e) (nothing else up to `e`), or NOT_FAST. */
function withCents(buf: Uint8Array, i: number, e: number, yuan: number): number {
  let v = yuan * 100;
  if (i < e) {
    if (buf[i] !== 46) return NOT_FAST;
    i++;
    const fracDigits = e - i;
    if (fracDigits < 1 || fracDigits > 2) return NOT_FAST;
    const d1 = buf[i] - 48;
    if (d1 < 0 || d1 > 9) return NOT_FAST;
    v += d1 * 10;
    if (fracDigits === 2) {
      const d2 = buf[i + 1] - 48;
      if (d2 < 0 || d2 > 9) return NOT_FAST;
      v += d2;
    }
  }
  return v;
}

/** The decimal number written by ASCII digits buf[s, e), or -1 if any byte is not a digit. */
function digits(buf: Uint8Array, s: number, e: number): number {
  let v = 0;
  for (let i = s; i < e; i++) {
    const d = buf[i] - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}
