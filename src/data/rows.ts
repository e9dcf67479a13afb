/**
 * The row policies: what each record after the header is — a data row to type
 * and hand to the sink, a row to reject, or a line that is no record (blank,
 * the header again, a totals line) to skip — each decision that loses or
 * changes anything reported with its place. The same for every record source
 * (CSV scanner, workbook sheet): they hand records over as RecordViews.
 *
 * A record is typed only once it is known to be whole and of the right width,
 * so a rejected row leaves nothing behind in the sink. For every source, rows
 * read = rows loaded + rows rejected; skipped lines are counted apart.
 */
import { AFTER_QUOTE, clip, fieldText, MALFORMED_QUOTE, type SliceBuffer } from './csv.js';
import { ColumnTyper } from './columns.js';
import { deriveDirected, type DirectedPlan } from './derive.js';
import type { Layout } from './layout.js';
import type { DataIssue, FileReport, IssueMessage, Value } from './model.js';
import type { Source } from './provenance.js';
import { emptyFrom, recordText, type RecordView } from './record.js';
import type { RowSink } from './sink.js';
import { columnDef, type ColumnDef } from './tables.js';
import { parserFor } from './types/index.js';
import { ProfileTracker, type ProfileState } from './profile.js';

const FULLWIDTH_COMMA = '\uff0c';
const DELIMITER_NAMES: Record<string, string> = { ',': 'commas', '\t': 'tabs', ';': 'semicolons', '|': 'pipes (|)' };

export class RowPipeline {
  /** Source field index → typer, for the fields loaded (first occurrence of each column wins). */
  private readonly active: Int32Array;
  private readonly typers: ColumnTyper[];
  /** Where each active field's value goes in `row`. */
  private readonly slots: Int32Array;
  private readonly row: Value[];
  /**
   * For a sink with rowBytes: per slot, the start and end in the record's buffer of a value that is its field's
   * bytes as they are (ColumnTyper.verbatim), or -1 (a value typed otherwise, or of a slot never given bytes).
   */
  private readonly from: Int32Array | null;
  private readonly to: Int32Array | null;
  private readonly directed: DirectedPlan | null;
  private readonly profile: ProfileTracker;
  private readonly headerBytes: Buffer[];
  private readonly issues: DataIssue[];
  private readonly place: { file: string; sheet?: string };
  /** Set by a source whose input may hold NUL bytes (checked per row only then). */
  checkNul = true;
  private loaded = 0;
  private rejected = 0;
  private read = 0;
  private skipped = 0;
  /** A run of empty rows being counted: its first and last line and length. */
  private emptyFirst = 0;
  private emptyLast = 0;
  private emptyCount = 0;
  /** Records after the header handed over (rows, lines skipped, quote problems): the part's events. */
  private events = 0;
  /** The run being counted began with the part's first event. */
  private runLeads = false;
  /** For the second part of a split file (split.ts): its leading run of empty rows, held back, not reported. */
  private leading: HeldRun | null = null;
  private readonly issueBase: number;

  constructor(
    private readonly layout: Layout,
    private readonly source: Source,
    private readonly report: FileReport,
    private readonly sink: RowSink,
    expectedRows: number,
    /** The delimiter the source was read with (CSV), for advice on ragged rows. */
    private readonly delimiter: string | null = null,
    /**
     * The source is the second part of a split file: a run of empty rows at its start may go on a run at the
     * end of the first part, so it is held back (see endPart) instead of reported.
     */
    private readonly holdLeading = false,
  ) {
    this.issues = report.issues;
    this.issueBase = report.issues.length;
    this.place = source.sheet === undefined ? { file: source.file } : { file: source.file, sheet: source.sheet };
    const def = layout.def;
    const columns: ColumnDef[] = [];
    const active: number[] = [];
    const slots: number[] = [];
    const typers: ColumnTyper[] = [];
    const sides: Partial<Record<'out' | 'in', { slot: number; header: string }>> = {};
    const sideFields: { j: number; side: 'out' | 'in'; header: string }[] = [];
    const taken = new Set<string>();
    layout.mapping.forEach((m, j) => {
      if (!m.column || j >= layout.width) return;
      if (m.side) {
        sideFields.push({ j, side: m.side, header: m.source });
        return;
      }
      const col = def.columns.find((c) => c.name === m.column);
      if (!col || taken.has(col.name)) return;
      taken.add(col.name);
      active.push(j);
      slots.push(columns.length);
      columns.push(col);
      typers.push(new ColumnTyper(col, m.source, parserFor(col), source, this.issues, sink.epochDatetimes === true));
    });
    let directed: DirectedPlan | null = null;
    const d = def.directed;
    if (d) {
      const amountDef = columnDef(def.name, d.amount)!;
      const directionDef = columnDef(def.name, d.direction)!;
      if (sideFields.length === 2) {
        // The sides are typed as money into slots past the sink's columns; the sink gets amount and direction.
        const amountSlot = columns.push(amountDef) - 1;
        const directionSlot = columns.push(directionDef) - 1;
        sideFields.forEach((f, k) => {
          const slot = columns.length + k;
          sides[f.side] = { slot, header: f.header };
          active.push(f.j);
          slots.push(slot);
          typers.push(new ColumnTyper(amountDef, f.header, parserFor(amountDef), source, this.issues));
        });
        directed = { mode: 'sides', amountSlot, directionSlot, outSlot: sides.out!.slot, inSlot: sides.in!.slot, outHeader: sides.out!.header, inHeader: sides.in!.header, amountHeader: '', hasDirection: true };
      } else if (taken.has(d.amount)) {
        const amountSlot = columns.findIndex((c) => c.name === d.amount);
        let directionSlot = columns.findIndex((c) => c.name === d.direction);
        const hasDirection = directionSlot >= 0;
        if (!hasDirection) directionSlot = columns.push(directionDef) - 1;
        const amountHeader = layout.mapping.find((m) => m.column === d.amount && !m.side)?.source ?? d.amount;
        directed = { mode: 'signed', amountSlot, directionSlot, outSlot: -1, inSlot: -1, outHeader: '', inHeader: '', amountHeader, hasDirection };
      }
    }
    // Order the typed fields by source position, so that values are read left to right.
    const order = active.map((_, k) => k).sort((a, b) => active[a] - active[b]);
    this.active = Int32Array.from(order, (k) => active[k]);
    this.slots = Int32Array.from(order, (k) => slots[k]);
    this.typers = order.map((k) => typers[k]);
    // Each column whose values are cached guesses them from a column before it in the row: the nearest
    // identifier (a person's name, bank and account go with their identity number), else the nearest one.
    let nearest: ColumnTyper | null = null;
    let identifier: ColumnTyper | null = null;
    for (const t of this.typers) {
      if (!t.cached) continue;
      const mate = identifier ?? nearest;
      if (mate) t.follows(mate);
      nearest = t;
      if (t.def.type === 'id' || t.def.identifier) identifier = t;
    }
    this.directed = directed;
    this.row = new Array<Value>(columns.length + sideFields.length).fill(null);
    this.from = sink.rowBytes ? new Int32Array(this.row.length).fill(-1) : null;
    this.to = sink.rowBytes ? new Int32Array(this.row.length) : null;
    this.headerBytes = layout.headerFields.map((f) => Buffer.from(f, 'utf8'));
    this.profile = new ProfileTracker(def.name, columns);
    sink.begin(def.name, source, columns, expectedRows);
  }

  private issue(line: number, code: string, reason: string, level: 'error' | 'warning', extra: { column?: string; value?: string; msg?: IssueMessage } = {}): void {
    this.issues.push({ ...this.place, line, ...extra, reason, level, code });
  }

  /** The header of source field k, as the mapping names it (trimmed), or as written. */
  private header(k: number): string {
    return this.layout.mapping[k]?.source ?? this.layout.headerFields[k] ?? `column ${k + 1}`;
  }

  /** Hands one record over. Records on or before the header line are title rows or the header: not data. */
  record(r: RecordView): void {
    const line = r.recordLine;
    const layout = this.layout;
    if (line <= layout.headerLine) return;
    this.events++;
    const n = r.count;
    const width = layout.width;
    if (emptyFrom(r, 0)) {
      this.empty(line);
      return;
    }
    if (this.emptyCount > 0) this.flushEmpty();
    if (n !== width) {
      // Extra empty cells at the end of a row, or a row stopping where the named headers stop
      // (spreadsheet padding either way), lose nothing.
      if (!(n > width ? emptyFrom(r, width) : n >= layout.minWidth)) {
        this.read++;
        this.rejected++;
        const ragged = this.raggedReason(r);
        this.issue(line, 'ragged-row', ragged.reason, 'error', { value: recordText(r), msg: ragged.msg });
        return;
      }
    }
    if (n >= width && this.isHeaderAgain(r)) {
      // Exports stitched together (or printed with a header per page) repeat the header row.
      this.skipped++;
      this.issue(line, 'repeated-header', 'the header row again, not a record; not loaded', 'warning', { value: recordText(r) });
      return;
    }
    if (isTotalRow(r)) {
      // The export's own totals line: not a record, and loading it would count its money twice.
      this.skipped++;
      this.issue(line, 'total-row', 'looks like a totals row (合计/总计/小计), not a record; not loaded', 'warning', { value: recordText(r) });
      return;
    }
    this.read++;
    if (this.checkNul) {
      const bad = nulField(r);
      if (bad >= 0) {
        this.rejected++;
        this.issue(line, 'nul-byte', 'the row contains a NUL byte (0x00), a sign of a damaged export; the row is rejected — re-export the file', 'error', {
          // The header as the mapping names it (trimmed), like every value issue, so that masking finds its kind.
          column: this.header(bad),
          value: Buffer.prototype.toString.call(r.buf, 'utf8', r.starts[bad], r.ends[bad]).replace(/\0/g, '\\0'),
        });
        return;
      }
    }
    if (r.recordFlags & MALFORMED_QUOTE) this.malformedQuotes(r);
    const buf = r.buf as SliceBuffer;
    const view = r.view;
    const starts = r.starts;
    const ends = r.ends;
    const flags = r.flags;
    const active = this.active;
    const slots = this.slots;
    const typers = this.typers;
    const row = this.row;
    const from = this.from;
    if (from === null) {
      for (let k = 0; k < active.length; k++) {
        const j = active[k];
        // A row that stops early (padding) has no field j: blank.
        row[slots[k]] = j < n ? typers[k].value(buf, view, starts[j], ends[j], flags[j], line) : null;
      }
    } else {
      const to = this.to!;
      for (let k = 0; k < active.length; k++) {
        const j = active[k];
        const slot = slots[k];
        if (j < n) {
          const typer = typers[k];
          row[slot] = typer.value(buf, view, starts[j], ends[j], flags[j], line);
          from[slot] = typer.verbatim;
          to[slot] = ends[j];
        } else {
          row[slot] = null;
          from[slot] = -1;
        }
      }
    }
    if (this.directed) {
      deriveDirected(this.directed, row, this.source, line, this.issues);
      // The derived values are no field's bytes.
      if (from !== null) {
        from[this.directed.amountSlot] = -1;
        from[this.directed.directionSlot] = -1;
      }
    }
    this.profile.add(row);
    if (from === null) this.sink.row(row, line);
    else this.sink.rowBytes!(row, line, buf, from, this.to!);
    this.loaded++;
  }

  /** A quote that never closed, or that swallowed a line end (csv.ts): the record from `line` is rejected. */
  quoteProblem(kind: 'unclosed-quote' | 'stray-quote', line: number, quoteLine: number, text: string): void {
    if (line <= this.layout.headerLine) return; // reported with the header (see locateHeader's caller)
    this.events++;
    if (this.emptyCount > 0) this.flushEmpty();
    this.read++;
    this.rejected++;
    this.issue(line, kind, quoteReason(kind, quoteLine, true), 'error', { value: text, msg: quoteMessage(kind, quoteLine, true) });
  }

  /** Ends the source: fills the report's counts and ends the sink's part. */
  finish(): void {
    if (this.emptyCount > 0) this.flushEmpty();
    const r = this.report;
    r.rowsRead = this.read;
    r.rowsLoaded = this.loaded;
    r.rowsRejected = this.rejected;
    r.rowsSkipped = this.skipped;
    r.profile = this.profile.result();
    if (this.loaded === 0 && this.rejected === 0) this.issues.push(headerOnlyIssue(this.place, this.layout.headerLine));
    this.sink.end();
  }

  /** Ends the first or second part of a split file (split.ts): its counts and what is still open, unreported. */
  endPart(): PartRows {
    const pending = this.emptyCount > 0 ? { first: this.emptyFirst, last: this.emptyLast, count: this.emptyCount, leads: this.holdLeading && this.runLeads } : null;
    this.sink.end();
    return {
      read: this.read,
      loaded: this.loaded,
      rejected: this.rejected,
      skipped: this.skipped,
      events: this.events,
      pending,
      leading: this.leading,
      issues: this.issues.slice(this.issueBase),
      profile: this.profile.state(),
    };
  }

  private empty(line: number): void {
    if (this.emptyCount > 0 && line !== this.emptyLast + 1) this.flushEmpty();
    if (this.emptyCount === 0) {
      this.emptyFirst = line;
      this.runLeads = this.events === 1;
    }
    this.emptyLast = line;
    this.emptyCount++;
    this.skipped++;
  }

  private flushEmpty(): void {
    if (this.holdLeading && this.runLeads) {
      this.leading = { first: this.emptyFirst, last: this.emptyLast, count: this.emptyCount, at: this.issues.length - this.issueBase };
    } else {
      this.issues.push(emptyRowsIssue(this.place, this.emptyFirst, this.emptyLast, this.emptyCount));
    }
    this.runLeads = false;
    this.emptyCount = 0;
  }

  /** One warning per row for quotes that were kept as written, at the first such field. */
  private malformedQuotes(r: RecordView): void {
    let k = 0;
    while (k < r.count && (r.flags[k] & MALFORMED_QUOTE) === 0) k++;
    const others = [];
    for (let j = k + 1; j < r.count; j++) if (r.flags[j] & MALFORMED_QUOTE) others.push(j + 1);
    const raw = clip(Buffer.prototype.toString.call(r.buf, 'utf8', r.starts[k], r.ends[k]));
    const read = fieldText(r.buf as SliceBuffer, r.starts[k], r.ends[k], r.flags[k]);
    const more = others.length ? ` (also in column${others.length === 1 ? '' : 's'} ${others.join(', ')})` : '';
    const reason =
      r.flags[k] & AFTER_QUOTE
        ? `text follows the closing quote of this field, so the quotes do not enclose the whole value; read as ${JSON.stringify(read)}${more} — ` +
          'a quote inside a quoted field must be doubled (""), or the field left unquoted'
        : `spaces follow the closing quote of this field; kept as part of the value${more} — remove them, or put them inside the quotes`;
    const code = r.flags[k] & AFTER_QUOTE ? 'text-after-quote' : 'space-after-quote';
    this.issue(r.recordLine, code, reason, 'warning', { column: this.header(k), value: raw, msg: { key: code, args: { read, also: others.join(', ') } } });
  }

  /** Why a row of the wrong width is rejected, and a fix that would not break it. */
  private raggedReason(r: RecordView): { reason: string; msg: IssueMessage } {
    const n = r.count;
    const width = this.layout.width;
    const text = recordText(r);
    const reason = `the row has ${n} field${n === 1 ? '' : 's'} but the header has ${width}; the row is rejected`;
    const delimiter = this.delimiter ?? ',';
    const said = (variant: string, text: string, args: Record<string, string | number> = {}) => ({ reason: `${reason} — ${text}`, msg: { key: `ragged-row.${variant}`, args: { n, width, delimiter, ...args } } });
    if (r.recordFlags & AFTER_QUOTE) {
      let k = 0;
      while ((r.flags[k] & AFTER_QUOTE) === 0) k++;
      const raw = clip(Buffer.prototype.toString.call(r.buf, 'utf8', r.starts[k], r.ends[k]));
      return said('after-quote', `in field ${k + 1} (${JSON.stringify(raw)}) text follows a closing quote: a quote inside a quoted field ends it early and shifts the fields; double the inner quote ("") in the source`, { field: k + 1, raw });
    }
    // Advice is given only where following it gives a row of the header's width.
    const fw = text.split(FULLWIDTH_COMMA).length - 1;
    if (this.delimiter === ',' && n < width && fw > 0 && n + fw === width) {
      return said('fullwidth', `it looks like full-width commas (，) were used as separators; replacing each of its ${fw} full-width comma${fw === 1 ? '' : 's'} with an ASCII comma gives the ${width} fields`, { fw });
    }
    for (const d of Object.keys(DELIMITER_NAMES)) {
      if (d === this.delimiter || n !== 1) continue;
      if (text.split(d).length === width) return said('other-delimiter', `its fields are separated by ${DELIMITER_NAMES[d]}, not ${DELIMITER_NAMES[this.delimiter ?? ','] ?? 'the delimiter of the file'}; re-export the row`, { other: d });
    }
    if (n > width) return said('unquoted', `a field probably contains an unquoted ${this.delimiter === '\t' ? 'tab' : (this.delimiter ?? ',')}; quote that field`);
    return said('missing', 'fields are missing; re-export the row');
  }

  /** Is the record the header row again (every field the header's text, quoted or not)? */
  private isHeaderAgain(r: RecordView): boolean {
    const header = this.headerBytes;
    const data = r.buf as SliceBuffer;
    for (let k = 0; k < header.length; k++) {
      const h = header[k];
      const s = r.starts[k];
      if (r.flags[k] !== 0) {
        // Exports that quote every field quote their header too: compare the text inside the quotes (a quoted
        // field shorter than the header and its two quotes cannot be it, which spares a string on data rows).
        if (r.ends[k] - s < h.length + 2 || fieldText(data, s, r.ends[k], r.flags[k]) !== this.layout.headerFields[k]) return false;
        continue;
      }
      if (r.ends[k] - s !== h.length) return false;
      if (Buffer.prototype.compare.call(data, h, 0, h.length, s, s + h.length) !== 0) return false;
    }
    return true;
  }
}

/** A run of empty rows, lines `first`–`last` (`n` of them), as reported. */
export function emptyRowsIssue(place: { file: string; sheet?: string }, first: number, last: number, n: number): DataIssue {
  // Keys in the order every row issue has them (RowPipeline.issue): reports are compared byte for byte.
  return {
    ...place,
    line: first,
    msg: { key: 'empty-rows', args: { n, first, last } },
    reason: n === 1 ? 'an empty row (every field blank), not a record; skipped' : `${n} empty rows (every field blank) on lines ${first}–${last}, not records; skipped`,
    level: 'warning',
    code: 'empty-rows',
  };
}

/** A source with a header and no data row, as reported. */
export function headerOnlyIssue(place: { file: string; sheet?: string }, headerLine: number): DataIssue {
  return { ...place, line: headerLine, msg: { key: 'header-only', args: { line: headerLine } }, reason: `the file has a header (line ${headerLine}) but no data rows`, level: 'warning', code: 'header-only' };
}

/** A run of empty rows (see RowPipeline.endPart); `at`: where among the part's issues it was to be reported. */
export interface HeldRun {
  first: number;
  last: number;
  count: number;
  at: number;
}

/** One part of a split file as its RowPipeline read it (split.ts merges two into the file's report). */
export interface PartRows {
  read: number;
  loaded: number;
  rejected: number;
  skipped: number;
  /** Records after the header (rows, skipped lines, quote problems). */
  events: number;
  /** A run of empty rows still being counted at the end; `leads`: it began with the part's first event (second part only). */
  pending: { first: number; last: number; count: number; leads: boolean } | null;
  /** Second part: its run of empty rows that began with its first event and ended within it, held back. */
  leading: HeldRun | null;
  /** The issues of its rows, in order (not the header's). */
  issues: DataIssue[];
  profile: ProfileState;
}

/** quoteReason as a message key and values (see DataIssue.msg). */
export function quoteMessage(kind: 'unclosed-quote' | 'stray-quote', quoteLine: number, rejected: boolean): IssueMessage {
  return { key: kind, args: { line: quoteLine, rejected: rejected ? 1 : 0 } };
}

/** The reason of an unclosed or stray quote; `rejected`: the record was a data row. */
export function quoteReason(kind: 'unclosed-quote' | 'stray-quote', quoteLine: number, rejected: boolean): string {
  const what = rejected ? 'this row is rejected' : 'this line is skipped';
  return kind === 'unclosed-quote'
    ? `a quote opened on line ${quoteLine} is never closed, so the rest of the file would be one field; ${what} and reading resumes on line ${quoteLine + 1} — close or remove the stray quote`
    : `a quote opened on line ${quoteLine} runs over the line end and closes on a later line followed by more text, so it is a stray quote that would merge lines; ${what} and reading resumes on line ${quoteLine + 1} — remove the stray quote or double it ("")`;
}

/** 合计, 总计 and 小计 in UTF-8: their first characters (合 总 小) and the shared second one (计). */
const TOTAL_FIRST = [Buffer.from('合'), Buffer.from('总'), Buffer.from('小')];
const TOTAL_SECOND = Buffer.from('计');

/** Does the first non-empty of the first two fields start with 合计, 总计 or 小计 (spaces allowed)? */
function isTotalRow(r: RecordView): boolean {
  const data = r.buf;
  for (let k = 0; k < 2 && k < r.count; k++) {
    let i = r.starts[k];
    const e = r.ends[k];
    if (i < e && data[i] === 0x22) i++; // a quoted field
    while (i < e && data[i] === 0x20) i++;
    if (i === e || (data[i] === 0x22 && i + 1 === e)) continue;
    // Only a three-byte UTF-8 character can start 合计: a cheap test before comparing.
    if (data[i] !== 0xe5 && data[i] !== 0xe6) return false;
    if (!TOTAL_FIRST.some((t) => Buffer.prototype.compare.call(data, t, 0, 3, i, i + 3) === 0)) return false;
    i += 3;
    // Spaces between the characters, ASCII or ideographic (U+3000 = E3 80 80): 合 计, 合　计.
    for (;;) {
      if (i < e && data[i] === 0x20) i++;
      else if (i + 3 <= e && data[i] === 0xe3 && data[i + 1] === 0x80 && data[i + 2] === 0x80) i += 3;
      else break;
    }
    return i + 3 <= e && Buffer.prototype.compare.call(data, TOTAL_SECOND, 0, 3, i, i + 3) === 0;
  }
  return false;
}

function nulField(r: RecordView): number {
  const data = r.buf;
  for (let k = 0; k < r.count; k++) {
    for (let i = r.starts[k]; i < r.ends[k]; i++) if (data[i] === 0) return k;
  }
  return -1;
}

