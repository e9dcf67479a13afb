/**
 * What the loader produces: typed, column-oriented tables with provenance,
 * and a report per file of what was recognised, loaded and rejected.
 *
 * Value representation inside a loaded column (what rules see):
 * - `text`, `enum`: string, or null when blank. Enum values are canonical (see tables.ts codes).
 * - `id`: normalised 18-character identity number (upper-case X, 15-digit upgraded), or null.
 *   A well-formed number whose check digit or birth date is wrong is KEPT as written (upper-cased)
 *   and reported as a warning, so that rules can flag it.
 * - `date`: 'YYYY-MM-DD' string, or null. `month`: 'YYYY-MM', or null.
 *   `datetime`: 'YYYY-MM-DD HH:MM:SS', or null. ISO strings compare correctly with < > ==,
 *   in JavaScript and in SQL alike.
 * - `money`: integer fen (number), or null. `int`: integer, or null.
 */

export type Value = string | number | null;

import type { Source } from './provenance.js';
export type { Place, Source } from './provenance.js';

/** A problem with one value or one row of an input file. */
export interface DataIssue {
  /** Path of the file as given on the command line (or a pseudo path for inline rule tests). */
  file: string;
  /** The workbook sheet, for an issue in a workbook (see provenance.ts for how a place is shown). */
  sheet?: string;
  /** 1-based line (a sheet's row number) on which the record starts (header line = its own line number). 0 for file-level issues. */
  line: number;
  /** Source header of the column (as written in the file), when the issue is about one value. */
  column?: string;
  /** The raw value as read. */
  value?: string;
  /** Human-readable reason, ending with what to do where there is something to do. */
  reason: string;
  /** `error`: the value became null or the row/file was rejected; `warning`: kept as written. */
  level: 'error' | 'warning';
  /** Short machine code, e.g. `ragged-row`, `bad-date`, `id-checksum`, `unrecognised-file`. */
  code: string;
  /** Which message of the code, and its values, so that a report can say `reason` in its own language; absent: the code's one message. */
  msg?: IssueMessage;
}

/** A data issue's message as a key (`code` or `code.variant`) and the values it shows. */
export interface IssueMessage {
  key: string;
  args?: Record<string, string | number>;
}

/** One source header and the canonical column it maps to (null: unmapped). */
export interface HeaderMapping {
  source: string;
  column: string | null;
  /** For one side of a two-sided amount (借方 / 贷方, see tables.ts DirectedAmount): which side it is. */
  side?: 'out' | 'in';
}

/** What the loader did with one file (one sheet, for a workbook: each sheet is a candidate export). */
export interface FileReport {
  path: string;
  /** The sheet of a workbook this report is about; absent for CSV and text files. */
  sheet?: string;
  /** Size and SHA-256 of the whole file (of the whole workbook for a sheet). */
  bytes: number;
  sha256: string;
  /** Canonical table name, or null when the file was not recognised. */
  table: string | null;
  /** How the table was decided. */
  recognisedBy: 'header' | 'option' | 'mapping' | null;
  /** 'utf-8', 'utf-8-bom', 'gb18030' (covers GBK), or the encoding forced by --encoding; null when undecodable. */
  encoding: string | null;
  /** The field delimiter used (',', '\t', ';' or '|'); null for workbooks and files not read. */
  delimiter?: string | null;
  /** 1-based line of the header row (>1 when a title row or blank lines precede it). */
  headerLine: number;
  mapping: HeaderMapping[];
  /** Canonical columns of the table that the file does not have. */
  missingColumns: string[];
  /** For an unrecognised file: the closest table and the key columns it lacked. */
  closest?: { table: string; missing: string[] };
  /** Records after the header that are data rows: rowsRead = rowsLoaded + rowsRejected. */
  rowsRead: number;
  rowsLoaded: number;
  rowsRejected: number;
  /**
   * Lines after the header that are not records and were skipped, each reported as a warning: blank and
   * all-empty rows, the header repeated, totals rows. Every line after the header is read, skipped or part of
   * a multi-line record.
   */
  rowsSkipped?: number;
  /** Month span and region of the rows loaded, to tell files of one table that look like different audits apart. */
  profile?: FileProfile;
  /** Every issue found in the file (row and value level). */
  issues: DataIssue[];
}

/** What a file's rows cover: months (YYYY-MM) of its period or date column, and the commonest region code. */
export interface FileProfile {
  from: string | null;
  to: string | null;
  /** The six-digit administrative division code most identity numbers start with, and their share (0–1). */
  region: { code: string; share: number } | null;
}

/**
 * A canonical table assembled from one or more files. Columns are plain arrays
 * of the values described above, all of length `rows`; only the columns
 * present in at least one file exist (a file lacking a column contributes nulls).
 */
export interface LoadedTable {
  name: string;
  rows: number;
  columns: Record<string, ArrayLike<Value>>;
  /**
   * Provenance: row i comes from `sources[fileIndex[i]]` (file, and sheet for a workbook), line `lines[i]`;
   * `placeOf(table, i)` in provenance.ts puts them together. `files[k]` is `sources[k].file`. (Tables made by
   * hand, without a workbook among their sources, may leave `sources` out.)
   */
  sources?: Source[];
  files: string[];
  fileIndex: ArrayLike<number>;
  lines: ArrayLike<number>;
}

/** What a report says of a loaded table, however its rows are held (in memory, in a database). */
export interface TableFacts {
  name: string;
  label: string;
  /** Files (sheets) that gave it rows. */
  files: number;
  /** The files (`file`, or `book.xlsx!Sheet` for a workbook sheet) it was read from, in load order. */
  sources: string[];
  rows: number;
  /** First and last month of the table's own period column, or null when it has none. */
  period: { from: string; to: string } | null;
}

/** The result of loading a set of paths. */
export interface LoadResult {
  files: FileReport[];
  tables: Map<string, LoadedTable>;
  /** Subfolders of the folders given that were not read (no --recursive) although they hold export files. */
  skippedFolders: string[];
}

/** Options that override detection. */
export interface LoadOptions {
  /** Encoding for every file ('utf-8', 'gbk', 'gb18030'); per-file overrides win. */
  encoding?: string;
  /** Per-file encoding, keyed by path as given. */
  fileEncodings?: Record<string, string>;
  /** Table for a file, keyed by path as given (`--table NAME=FILE`). */
  fileTables?: Record<string, string>;
  /** Field delimiter for every CSV file (',', '\t', ';' or '|'); detected when absent. Per-file overrides win. */
  delimiter?: string;
  /** Per-file delimiter, keyed by path as given. */
  fileDelimiters?: Record<string, string>;
  /** Line of the header row, keyed by path as given, or `path!sheet` for one sheet of a workbook (`--header-line FILE=N`). */
  fileHeaderLines?: Record<string, number>;
  /** Read subfolders of the folders given too (`--recursive`). */
  recursive?: boolean;
  /** Extra header aliases per table: { payouts: { '实发金额': 'amount' } } (from a mapping file). */
  headerAliases?: Record<string, Record<string, string>>;
  /** Load only these tables (files recognised as others are still reported, but not typed). */
  onlyTables?: Set<string>;
  /**
   * Table and encoding of a file by its path, from a mapping file's file rules. `fileTables`,
   * `fileEncodings` and `encoding` (the command line) win over it.
   */
  fileRule?: (path: string) => FileRule;
  /** Told of each file (each sheet of a workbook) once it is loaded: progress for the CLI. */
  onFile?: (report: FileReport) => void;
}

/** What a mapping file's file rules say about one file. */
export interface FileRule {
  table?: string;
  encoding?: string;
  delimiter?: string;
  headerLine?: number;
}
