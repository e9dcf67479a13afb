/**
 * Where a file's header is and what it maps to: recognition (recognise.ts) run
 * on the first records of any source, CSV or sheet, with what the options force.
 * Fills the file's report with what was found, and says what went wrong.
 */
import type { FileReport, HeaderMapping, LoadOptions } from './model.js';
import type { Source } from './provenance.js';
import { HEADER_SEARCH_ROWS, recognise } from './recognise.js';
import { tableDef, TABLE_NAMES, type TableDef } from './tables.js';

/** What the options force for one file. */
export interface Forced {
  table?: string;
  tableFrom: 'option' | 'mapping';
  encoding?: string;
  delimiter?: string;
  /** Where the forced delimiter comes from, for messages: `--delimiter` or the mapping file. */
  delimiterFrom?: string;
  headerLine?: number;
  headerLineFrom?: string;
}

/** A record as text: its fields and the line on which it starts. */
export interface TextRecord {
  fields: string[];
  line: number;
}

/** The header of a recognised file, and what its rows must look like. */
export interface Layout {
  table: string;
  def: TableDef;
  headerLine: number;
  /** The header's cells as written. */
  headerFields: string[];
  mapping: HeaderMapping[];
  /** Fields in the header. */
  width: number;
  /** Fewest fields a row may have: header cells after the last named one are spreadsheet padding. */
  minWidth: number;
}

/**
 * Finds the header among `records` (the first records of the source) and maps it. Fills `report` (table,
 * header line, mapping, missing columns, issues). Returns the layout, or null when the source has no usable
 * header, or its table is not among `opts.onlyTables` (report.table is set then).
 * `what`: how the source is named in messages ("the file", "the sheet").
 */
export function locateHeader(records: TextRecord[], report: FileReport, source: Source, forced: Forced, opts: LoadOptions, what = 'the file'): Layout | null {
  const issue = (code: string, reason: string, line = 0, level: 'error' | 'warning' = 'error', args?: Record<string, string | number>) =>
    report.issues.push({ ...(source.sheet === undefined ? { file: source.file } : { file: source.file, sheet: source.sheet }), line, reason, level, code, ...(args ? { msg: { key: code, args } } : {}) });
  const inSheet = source.sheet === undefined ? 0 : 1;
  if (forced.table && !tableDef(forced.table)) {
    issue('unknown-table', `${forced.tableFrom === 'option' ? '--table' : 'the mapping file'} names an unknown table "${forced.table}"; use one of ${TABLE_NAMES.join(', ')}`, 0, 'error', {
      from: forced.tableFrom === 'option' ? '--table' : 'mapping',
      table: forced.table,
      tables: TABLE_NAMES.join(', '),
    });
    return null;
  }
  let headerRow: number | undefined;
  if (forced.headerLine !== undefined) {
    headerRow = records.findIndex((r) => r.line === forced.headerLine);
    if (headerRow < 0) {
      const last = records.length ? records[records.length - 1].line : 0;
      issue(
        'no-header-line',
        `${forced.headerLineFrom ?? '--header-line'} names line ${forced.headerLine} as the header, but no row starts on that line ` +
          `(${what} has rows on lines ${records.length ? `${records[0].line}–${last}` : 'none'} where the header is looked for); give the line of the header row`,
        0,
        'error',
        { from: forced.headerLineFrom ?? '--header-line', line: forced.headerLine, first: records.length ? records[0].line : 0, last, sheet: inSheet },
      );
      return null;
    }
  }
  const fileName = source.sheet ?? source.file.slice(source.file.lastIndexOf('/') + 1);
  const rec = recognise(
    records.map((r) => r.fields),
    source.sheet === undefined ? fileName : `${source.file.slice(source.file.lastIndexOf('/') + 1)} ${source.sheet}`,
    { table: forced.table, tableFrom: forced.tableFrom, headerAliases: opts.headerAliases, headerRow },
  );
  const headerRec = records[rec.headerRow] ?? records[0];
  const headerLine = headerRec.line;
  report.headerLine = headerLine;
  report.mapping = rec.mapping;
  report.missingColumns = rec.missingColumns;
  if (!rec.table) {
    if (rec.closest) report.closest = rec.closest;
    const searched = records.slice(0, HEADER_SEARCH_ROWS);
    const span = searched.length ? `lines ${searched[0].line}–${searched[searched.length - 1].line}` : 'no lines';
    const where =
      headerRow !== undefined
        ? `the header on line ${headerLine} matches no known table`
        : `no row of ${what} is the header of a known table (searched: ${span}, ${searched.length} row${searched.length === 1 ? '' : 's'})`;
    const hint = rec.closest
      ? `the closest is ${rec.closest.table}, on line ${headerLine}, but it lacks ${rec.closest.missing.join(', ')}`
      : 'no table shares its key columns';
    issue(
      'unrecognised-file',
      `${where}; ${hint} — rename the headers, add a --mapping file, force the table with --table NAME=${source.file}` +
        (headerRow === undefined ? `, or name the header row with --header-line ${source.file}=N` : ''),
      0,
      'error',
      {
        forcedHeader: headerRow !== undefined ? 1 : 0,
        line: headerLine,
        span: searched.length ? `${searched[0].line}–${searched[searched.length - 1].line}` : '',
        searched: searched.length,
        closest: rec.closest?.table ?? '',
        missing: rec.closest?.missing.join(', ') ?? '',
        file: source.file,
        sheet: inSheet,
      },
    );
    return null;
  }
  if (!rec.mapping.some((m) => m.column !== null)) {
    // Only possible when the table was forced: nothing in the header means anything in that table.
    issue('no-columns', `no header on line ${headerLine} is a column of ${rec.table}; check that --table or the mapping file names the right table, or add header aliases with --mapping`, 0, 'error', {
      line: headerLine,
      table: rec.table,
    });
    return null;
  }
  report.table = rec.table;
  report.recognisedBy = rec.recognisedBy;
  for (const dup of rec.duplicateHeaders) {
    report.issues.push({
      ...(source.sheet === undefined ? { file: source.file } : { file: source.file, sheet: source.sheet }),
      line: headerLine,
      column: dup.source,
      reason: `column ${dup.index + 1} ("${dup.source}") maps to ${dup.column} like an earlier column; only the first is loaded — rename or remove one of them`,
      level: 'warning',
      code: 'duplicate-header',
      msg: { key: 'duplicate-header', args: { index: dup.index + 1, source: dup.source, column: dup.column } },
    });
  }
  if (opts.onlyTables && !opts.onlyTables.has(rec.table)) return null;
  const width = headerRec.fields.length;
  let minWidth = width;
  while (minWidth > 1 && headerRec.fields[minWidth - 1].trim() === '') minWidth--;
  return { table: rec.table, def: tableDef(rec.table)!, headerLine, headerFields: headerRec.fields, mapping: rec.mapping, width, minWidth };
}
