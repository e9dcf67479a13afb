/**
 * One CSV file, decoded to UTF-8 and read a window at a time: the delimiter and
 * line ends found, the header located, then every record handed to the row
 * policies (rows.ts), which type it into the sink.
 */
import { CsvScanner, crLineEnds, lineText, type SliceBuffer } from './csv.js';
import { DELIMITER_NAMES, rankDelimiters, tryDelimiter, type DelimiterTrial } from './delimiter.js';
import { locateHeader, type Forced } from './layout.js';
import type { DataIssue, FileReport, IssueMessage, LoadOptions } from './model.js';
import type { Source } from './provenance.js';
import { quoteMessage, quoteReason, RowPipeline, type PartRows } from './rows.js';
import type { RowSink } from './sink.js';

/** The next chunk of UTF-8 input (valid until the next call), or null at the end. */
export type NextChunk = () => { chunk: Buffer; last: boolean } | null;

/**
 * One part of a file read as two (split.ts). `head`: read from the start as usual, and stop where a record
 * starts at UTF-8 offset `stopAt`; when no record starts there, the whole file is read as usual. `tail`: locate
 * the header from the start as usual, then read the records of `first`, `next` (the input from the split
 * point on), the first on line `line`. Either way, when the split holds, `result` is set and the part's rows
 * are left for split.ts to merge: the report's counts, profile and last issues are not filled in.
 */
export type CsvSplit =
  | { role: 'head'; stopAt: number; result?: SplitRows }
  | { role: 'tail'; first: Buffer; last: boolean; next: NextChunk; line: number; result?: SplitRows };

/** A part's rows, and its scanner's count of lone carriage returns (reported once for the file). */
export interface SplitRows extends PartRows {
  loneCR: number;
  loneCRLine: number;
}

/**
 * Reads a CSV file's records into `sink`, given its first UTF-8 chunk (`firstIsAll`: the whole file) and a way
 * to get the rest. Fills `report`; returns true when rows went to the sink (the file was recognised and wanted).
 * `expectedBytes` (the file's size in UTF-8) pre-sizes the sink; `chunkSize` is the size of the chunks `next` gives.
 */
export function loadCsv(
  report: FileReport,
  first: Buffer,
  firstIsAll: boolean,
  next: NextChunk,
  opts: LoadOptions,
  forced: Forced,
  expectedBytes: number,
  chunkSize: number,
  sink: RowSink,
  split?: CsvSplit,
): boolean {
  const path = report.path;
  const source: Source = { file: path };
  const fileIssue = (code: string, reason: string, level: 'error' | 'warning' = 'error', line = 0, msg?: IssueMessage) =>
    report.issues.push({ file: path, line, reason, level, code, ...(msg ? { msg } : {}) });
  const crEnds = crLineEnds(first);
  const fileName = path.slice(path.lastIndexOf('/') + 1);

  const ranked = rankDelimiters(first, firstIsAll, crEnds, fileName, opts, forced.table, forced.headerLine);
  let chosen: DelimiterTrial = ranked[0];
  if (forced.delimiter !== undefined) {
    chosen = tryDelimiter(first, firstIsAll, crEnds, forced.delimiter, fileName, opts, forced.table, forced.headerLine);
    const best = ranked[0];
    if (best.delimiter !== chosen.delimiter && best.mapped > chosen.mapped) {
      fileIssue(
        'delimiter-mismatch',
        `${forced.delimiterFrom ?? '--delimiter'} says the fields are separated by ${DELIMITER_NAMES[chosen.delimiter]}, but the file looks ${DELIMITER_NAMES[best.delimiter]}-separated ` +
          `(its header maps ${Math.max(0, best.mapped)} column(s) that way, ${Math.max(0, chosen.mapped)} as told); read as told — check the delimiter`,
        'warning',
        1,
        { key: 'delimiter-mismatch', args: { from: forced.delimiterFrom ?? '--delimiter', told: chosen.delimiter, looks: best.delimiter, mapped: Math.max(0, best.mapped), asTold: Math.max(0, chosen.mapped) } },
      );
    }
  }
  const sniff = chosen.parse;
  report.delimiter = chosen.delimiter;
  if (sniff.records.length === 0) {
    for (const q of sniff.unclosedQuotes) {
      const kind = q.stray ? 'stray-quote' : 'unclosed-quote';
      fileIssue(kind, quoteReason(kind, q.line, false), 'error', q.line, quoteMessage(kind, q.line, false));
    }
    if (sniff.openQuoteLine > 0) {
      const mb = Math.round(first.length / 1e6);
      fileIssue('unclosed-quote', `a quote opened on line ${sniff.openQuoteLine} is not closed within the first ${mb} MB, so no header or row can be read; close or remove the stray quote`, 'error', sniff.openQuoteLine, {
        key: 'unclosed-quote.no-header',
        args: { line: sniff.openQuoteLine, mb },
      });
    } else if (sniff.unclosedQuotes.length === 0) {
      fileIssue('empty-file', 'the file has no rows, not even a header; re-export it');
    }
    return false;
  }
  const layout = locateHeader(sniff.records, report, source, forced, opts);
  // Quotes that broke lines up to the header are reported here; the scan below sees them again and skips them.
  const headerLine = report.headerLine;
  for (const q of sniff.unclosedQuotes) {
    if (layout === null || q.line <= headerLine) {
      const kind = q.stray ? 'stray-quote' : 'unclosed-quote';
      report.issues.push({ file: path, line: q.line, value: q.text, reason: quoteReason(kind, q.line, false), level: 'error', code: kind, msg: quoteMessage(kind, q.line, false) });
    }
  }
  if (layout === null) {
    if (report.table === null && forced.delimiter === undefined && chosen.mapped < 0) {
      const last = report.issues[report.issues.length - 1];
      if (last?.code === 'unrecognised-file') {
        last.reason += `; read as ${DELIMITER_NAMES[chosen.delimiter]}-separated${chosen.regular > 0 ? '' : ' (no delimiter splits its rows evenly)'} — if it uses another delimiter, say so with --delimiter`;
        if (last.msg) last.msg.args = { ...last.msg.args, readAs: chosen.delimiter, even: chosen.regular > 0 ? 1 : 0 };
      }
    }
    return false;
  }

  // Rows expected from the size of the records read so far (a little over, rather than under). A record
  // has at least one byte per field, which bounds the sink's memory at a few times the file's size even
  // when the first records are unusually short; the cap keeps arrays in V8's fast mode.
  const perRecord = sniff.end / sniff.records.length;
  const expectedRows = Math.min(1 << 24, Math.ceil((1.05 * expectedBytes) / Math.max(layout.width, perRecord)) + 16);
  // Line numbers past a split point are counted as line feeds: a file whose lines end with CR alone is not split.
  if (split?.role === 'tail' && crEnds) return false;
  const tail = split?.role === 'tail' ? split : null;
  const rows = new RowPipeline(layout, source, report, sink, expectedRows, chosen.delimiter, tail !== null);
  const sc = tail
    ? new CsvScanner(tail.first, { final: tail.last, delimiter: chosen.delimiter, crLineEnds: false, line: tail.line })
    : new CsvScanner(first, { final: firstIsAll, delimiter: chosen.delimiter, crLineEnds: crEnds });
  const stopped = scanWindows(sc, tail ? tail.first : first, tail ? tail.next : next, chunkSize, rows, split?.role === 'head' && !crEnds ? split.stopAt : -1);
  if (tail || stopped) {
    split!.result = { ...rows.endPart(), loneCR: sc.loneCR, loneCRLine: sc.loneCRLine };
    return true;
  }
  if (sc.loneCR > 0) report.issues.push(loneCRIssue(path, crEnds, sc.loneCR, sc.loneCRLine, headerLine));
  rows.finish();
  return true;
}

/** The warning about `n` lone carriage returns, the first on line `firstLine`, as reported. */
export function loneCRIssue(path: string, crEnds: boolean, n: number, firstLine: number, headerLine: number): DataIssue {
  return {
    file: path,
    line: crEnds ? Math.max(1, headerLine) : firstLine,
    reason: crEnds
      ? `lines end with CR only (old Mac format); read as lines — re-save with CRLF or LF line ends to be safe`
      : `${n} carriage return(s) (CR) not followed by a line feed, the first on line ${firstLine}, inside rows of a file whose lines end with LF; kept as part of the values, not read as line ends — remove them in the source`,
    level: 'warning',
    code: 'cr-line-ends',
  };
}

/**
 * Scans every record of the input into `rows`, asking `next` for more input when a record runs past the
 * current window. The unfinished record is kept at the start of one reused window, then the next chunk appended.
 * With `stopAt` ≥ 0, stops (and returns true) where a record starts at that offset of the input; once a record
 * runs over it, reads on to the end.
 */
function scanWindows(sc: CsvScanner, first: Buffer, next: NextChunk, chunkSize: number, rows: RowPipeline, stopAt = -1): boolean {
  let win = first as SliceBuffer;
  let pool: SliceBuffer | null = null;
  /** Offset in the input of the window's first byte. */
  let base = 0;
  rows.checkNul = win.indexOf(0) >= 0;
  for (;;) {
    const st = sc.next();
    if (st === 'record') {
      rows.record(sc);
      if (stopAt >= 0 && base + sc.pos >= stopAt) {
        if (base + sc.pos === stopAt) return true;
        stopAt = -1;
      }
      continue;
    }
    if (st === 'eof') break;
    if (st === 'need-more') {
      // The rest is moved out first: the next read may overwrite the buffer the first chunk lives in.
      const rest = sc.end - sc.pos;
      base += sc.pos;
      if (pool === null || pool.length < rest + (chunkSize >> 1)) {
        const bigger = Buffer.allocUnsafe(Math.max(2 * chunkSize, 2 * rest)) as SliceBuffer;
        win.copy(bigger, 0, sc.pos, sc.end);
        pool = bigger;
      } else if (win === pool) {
        pool.copyWithin(0, sc.pos, sc.end);
      } else {
        win.copy(pool, 0, sc.pos, sc.end);
      }
      win = pool;
      const more = next();
      if (more === null) {
        sc.reset(win, 0, rest, true);
        continue;
      }
      if (pool.length < rest + more.chunk.length) {
        const bigger = Buffer.allocUnsafe(rest + more.chunk.length + chunkSize) as SliceBuffer;
        pool.copy(bigger, 0, 0, rest);
        pool = win = bigger;
      }
      more.chunk.copy(pool, rest);
      rows.checkNul ||= more.chunk.indexOf(0) >= 0;
      sc.reset(win, 0, rest + more.chunk.length, more.last);
      continue;
    }
    // 'unclosed-quote' or 'stray-quote': reject the record, resume on the line after the quote.
    rows.quoteProblem(st, sc.recordLine, sc.quoteLine, lineText(win, sc.recordStart, sc.quotePos, sc.end));
    sc.skipUnclosed();
    if (stopAt >= 0 && base + sc.pos >= stopAt) {
      if (base + sc.pos === stopAt) return true;
      stopAt = -1;
    }
  }
  return false;
}
