/**
 * Loading an .xlsx workbook: each worksheet is a candidate export, recognised
 * like a CSV file (title rows, Chinese headers, merged header cells), its rows
 * handed to the same row policies, with provenance file, sheet and row.
 *
 * Why yauzl and saxes rather than SheetJS: SheetJS's npm release (xlsx 0.18.5)
 * is outdated with known advisories (prototype pollution, ReDoS); a workbook
 * here only needs its cells' stored values, which a bounded ZIP reader and a
 * strict streaming XML parser give without evaluating formulas, following
 * external links or holding the sheet in memory.
 */
import { statSync } from 'node:fs';
import { hashFile, newReport } from '../file-report.js';
import { ZIP_REASONS } from '../formats.js';
import type { Forced, TextRecord } from '../layout.js';
import { locateHeader, type Layout } from '../layout.js';
import type { DataIssue, FileReport, LoadOptions } from '../model.js';
import type { Source } from '../provenance.js';
import { HEADER_SEARCH_ROWS } from '../recognise.js';
import { RowPipeline } from '../rows.js';
import type { LoadedPart, RowSink } from '../sink.js';
import { readWorkbook, type SheetInfo, type WorkbookInfo } from './parts.js';
import { columnIndex, columnName, SheetReader, SheetRecord, type Cell } from './sheet.js';
import { ZIP_LIMITS, ZipError, ZipParts } from './zip.js';

/** Rows a sheet's size suggests, for pre-sizing the sink: a row of XML takes at least this many bytes per cell. */
const BYTES_PER_CELL = 12;

/**
 * Loads every worksheet of the workbook at `path` (one report per sheet), each into a sink made by `newSink`.
 * `forcedFor(sheet)` says what the options force for a sheet. A workbook that cannot be read gives one report
 * with the reason.
 */
export async function loadWorkbook<S extends RowSink>(path: string, opts: LoadOptions, forcedFor: (sheet: string) => Forced, newSink: () => S): Promise<LoadedPart<S>[]> {
  const bytes = statSync(path).size;
  const sha256 = await hashFile(path);
  const whole = (): FileReport => ({ ...newReport(path), bytes, sha256 });
  let zip: ZipParts;
  try {
    zip = await ZipParts.open(path);
  } catch (err) {
    return [failed(whole(), err)];
  }
  try {
    const kind = containerKind(zip);
    if (kind !== 'xlsx') {
      const report = whole();
      report.issues.push({ file: path, line: 0, reason: ZIP_REASONS[kind], level: 'error', code: 'unsupported-file', msg: { key: `unsupported-file.${kind}` } });
      return [{ sink: null, report }];
    }
    let book: WorkbookInfo;
    try {
      book = await readWorkbook(zip);
    } catch (err) {
      return [failed(whole(), err)];
    }
    const out: LoadedPart<S>[] = [];
    for (const sheet of book.sheets) {
      if (sheet.part === null) continue; // a chart sheet: no rows
      const report: FileReport = { ...whole(), sheet: sheet.name };
      const sink = newSink();
      let loaded = false;
      try {
        loaded = await loadSheet(zip, book, sheet, report, opts, forcedFor(sheet.name), sink);
      } catch (err) {
        if (!(err instanceof ZipError)) throw err;
        report.issues.push({ file: path, sheet: sheet.name, line: 0, reason: err.message, level: 'error', code: err.code, msg: { key: err.code, args: { detail: err.message } } });
      }
      // A sheet with no rows at all holds nothing to lose: it is not listed.
      if (report.headerLine === 0 && report.issues.length === 0) continue;
      out.push({ sink: loaded ? sink : null, report });
    }
    if (out.length === 0) {
      const report = whole();
      report.issues.push({ file: path, line: 0, reason: 'the workbook has no rows in any sheet; re-export it', level: 'error', code: 'empty-file', msg: { key: 'empty-file.workbook' } });
      return [{ sink: null, report }];
    }
    // Beside a recognised sheet, a sheet that is no export (notes, a summary) is worth a warning, not an error.
    if (out.some((l) => l.report.table !== null)) {
      for (const l of out) {
        for (const i of l.report.issues) {
          if (i.code === 'unrecognised-file') {
            i.code = 'unrecognised-sheet';
            i.level = 'warning';
            i.line = Math.max(1, l.report.headerLine);
          }
        }
      }
    }
    return out;
  } finally {
    zip.close();
  }
}

/** Which kind of document a ZIP container is, by the parts it holds. */
function containerKind(zip: ZipParts): 'xlsx' | keyof typeof ZIP_REASONS {
  const names = zip.names();
  if (names.some((n) => /^xl\/[^/]+\.xml$/.test(n)) || names.includes('[content_types].xml') && names.some((n) => n.startsWith('xl/worksheets/'))) {
    return names.some((n) => n.endsWith('workbook.bin')) ? 'xlsb' : 'xlsx';
  }
  if (names.some((n) => n.endsWith('workbook.bin'))) return 'xlsb';
  if (names.includes('mimetype') && names.includes('content.xml')) return 'ods';
  if (names.some((n) => n.startsWith('index/') && n.endsWith('.iwa'))) return 'numbers';
  if (names.some((n) => n.startsWith('word/') || n.startsWith('ppt/'))) return 'docx';
  return 'archive';
}

/**
 * Loads one sheet into `sink`. The first rows are kept until the header is found among them; then the rows
 * after it are handed to the row policies as they stream in. Returns true when rows went to the sink.
 */
async function loadSheet(zip: ZipParts, book: WorkbookInfo, sheet: SheetInfo, report: FileReport, opts: LoadOptions, forced: Forced, sink: RowSink): Promise<boolean> {
  const source: Source = { file: report.path, sheet: sheet.name };
  const part = sheet.part!;
  const merges = await mergedRanges(zip, part);
  const pending: { line: number; cells: Cell[] }[] = [];
  const record = new SheetRecord();
  let decided = false;
  let layout: Layout | null = null;
  let rows: RowPipeline | null = null;
  let outside: { line: number; col: number; text: string } | null = null;
  let outsideCount = 0;

  const feed = (line: number, cells: readonly Cell[]) => {
    const width = layout!.width;
    const last = cells[cells.length - 1];
    if (last.col >= width && line > layout!.headerLine) {
      for (const c of cells) {
        if (c.col < width || c.text.trim() === '') continue;
        outsideCount++;
        outside ??= { line, col: c.col, text: c.text };
      }
    }
    rows!.record(record.fill(line, cells, width));
  };
  const decide = () => {
    decided = true;
    const records = withMerges(pending, merges);
    if (records.length === 0) return;
    layout = locateHeader(records, report, source, forced, opts, 'the sheet');
    if (layout === null) return;
    const expected = Math.ceil(zip.size(part) / (BYTES_PER_CELL * Math.max(1, layout.width)));
    rows = new RowPipeline(layout, source, report, sink, Math.min(1 << 20, expected), null);
    rows.checkNul = true;
    for (const p of pending) feed(p.line, p.cells);
    pending.length = 0;
  };
  const reader = new SheetReader(book, (line, cells) => {
    if (!decided) {
      pending.push({ line, cells: cells.map((c) => ({ ...c })) });
      if (pending.length >= HEADER_SEARCH_ROWS && (forced.headerLine === undefined || line >= forced.headerLine)) decide();
      return;
    }
    if (rows) feed(line, cells);
  });
  let stopped = false;
  await zip.stream(part, ZIP_LIMITS.sheetBytes, (chunk) => {
    reader.write(chunk);
    // A sheet that is not loaded (unrecognised, or a table not wanted) is not read to its end.
    stopped = decided && rows === null;
    return !stopped;
  });
  if (!stopped) reader.end();
  if (!decided) decide();
  if (report.headerLine > 0 && report.table !== null && sheet.hidden) {
    issue(report, source, report.headerLine, 'hidden-sheet', 'the sheet is hidden in the workbook; its rows are loaded like any other — check why it was hidden', 'warning');
  }
  if (!rows) return false;
  if (outside) {
    const o = outside as { line: number; col: number; text: string };
    issue(
      report,
      source,
      o.line,
      'outside-header',
      `${outsideCount} value(s) in columns with no header (the first in ${columnName(o.col)}${o.line}: ${JSON.stringify(o.text.slice(0, 60))}); not loaded — give the column a header, or remove the values`,
      'warning',
      { count: outsideCount, cell: `${columnName(o.col)}${o.line}`, text: o.text.slice(0, 60) },
    );
  }
  const below = merges.filter((m) => m.bottom > report.headerLine && m.top > report.headerLine);
  if (below.length > 0) {
    issue(
      report,
      source,
      below[0].top,
      'merged-cells',
      `${below.length} merged cell range(s) among the data rows (the first ${below[0].ref}): only the top-left cell of a merged range holds its value, the others read as blank — unmerge them and fill every cell in the workbook`,
      'warning',
      { count: below.length, ref: below[0].ref },
    );
  }
  (rows as RowPipeline).finish();
  return true;
}

/** A merged range of cells: its reference and bounds (rows 1-based, columns 0-based). */
interface Merge {
  ref: string;
  top: number;
  bottom: number;
  left: number;
  right: number;
}

/**
 * The merged ranges of a sheet. They are listed after the cells in the sheet's XML, but a header may be made
 * of them, so they are read first, with a plain search of the inflated bytes (no XML parse).
 */
async function mergedRanges(zip: ZipParts, part: string): Promise<Merge[]> {
  const found = new Map<string, Merge>();
  let carry = '';
  await zip.stream(part, ZIP_LIMITS.sheetBytes, (chunk) => {
    // References are ASCII: latin1 keeps bytes and offsets as they are. The tail is carried over a chunk seam.
    const text = carry + chunk.toString('latin1');
    for (const m of text.matchAll(/<(?:\w+:)?mergeCell\s[^>]*?ref="([A-Za-z]{1,3})(\d{1,7}):([A-Za-z]{1,3})(\d{1,7})"/g)) {
      const ref = `${m[1]}${m[2]}:${m[3]}${m[4]}`;
      const left = columnIndex(m[1]);
      const right = columnIndex(m[3]);
      const top = Number(m[2]);
      const bottom = Number(m[4]);
      if (left < 0 || right < left || bottom < top || found.size >= 100_000) continue;
      found.set(ref, { ref, top, bottom, left, right });
    }
    carry = text.slice(Math.max(0, text.length - 96));
  });
  return [...found.values()];
}

/** The first rows as text records, each merged range's value copied into every cell it covers. */
function withMerges(rows: { line: number; cells: Cell[] }[], merges: Merge[]): TextRecord[] {
  const byLine = new Map(rows.map((r) => [r.line, r]));
  const width = Math.max(0, ...rows.map((r) => r.cells[r.cells.length - 1].col + 1));
  const grid = new Map<number, string[]>();
  for (const r of rows) {
    const fields = new Array<string>(width).fill('');
    for (const c of r.cells) fields[c.col] = c.text;
    grid.set(r.line, fields);
  }
  const last = rows.length ? rows[rows.length - 1].line : 0;
  for (const m of merges) {
    if (m.top > last) continue;
    const value = byLine.get(m.top)?.cells.find((c) => c.col === m.left)?.text ?? '';
    if (value === '') continue;
    for (let line = m.top; line <= Math.min(m.bottom, last); line++) {
      const fields = grid.get(line);
      if (!fields) continue;
      for (let k = m.left; k <= m.right && k < width; k++) if (fields[k] === '') fields[k] = value;
    }
  }
  // A row's fields end at its last value: a sheet has no trailing delimiters to count.
  return rows.map((r) => {
    const fields = grid.get(r.line)!;
    let n = fields.length;
    while (n > 0 && fields[n - 1] === '') n--;
    return { line: r.line, fields: fields.slice(0, n) };
  });
}

function issue(report: FileReport, source: Source, line: number, code: string, reason: string, level: DataIssue['level'], args?: Record<string, string | number>): void {
  report.issues.push({ file: source.file, sheet: source.sheet, line, reason, level, code, ...(args ? { msg: { key: code, args } } : {}) });
}

function failed(report: FileReport, err: unknown): LoadedPart<never> {
  if (!(err instanceof ZipError)) throw err;
  report.issues.push({ file: report.path, line: 0, reason: err.message, level: 'error', code: err.code, msg: { key: err.code, args: { detail: err.message } } });
  return { sink: null, report };
}
