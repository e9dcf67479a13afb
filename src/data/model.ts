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

/** A problem with one value or one row of an input file. */
export interface DataIssue {
  /** Path of the file as given on the command line (or a pseudo path for inline rule tests). */
  file: string;
  /** 1-based line on which the record starts (header line = its own line number). 0 for file-level issues. */
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
}

/** One source header and the canonical column it maps to (null: unmapped). */
export interface HeaderMapping {
  source: string;
  column: string | null;
}

/** What the loader did with one file. */
export interface FileReport {
  path: string;
  bytes: number;
  sha256: string;
  /** Canonical table name, or null when the file was not recognised. */
  table: string | null;
  /** How the table was decided. */
  recognisedBy: 'header' | 'option' | 'mapping' | null;
  /** 'utf-8', 'utf-8-bom', 'gb18030' (covers GBK), or the encoding forced by --encoding; null when undecodable. */
  encoding: string | null;
  /** 1-based line of the header row (>1 when a title row or blank lines precede it). */
  headerLine: number;
  mapping: HeaderMapping[];
  /** Canonical columns of the table that the file does not have. */
  missingColumns: string[];
  /** For an unrecognised file: the closest table and the key columns it lacked. */
  closest?: { table: string; missing: string[] };
  rowsRead: number;
  rowsLoaded: number;
  rowsRejected: number;
  /** Every issue found in the file (row and value level). */
  issues: DataIssue[];
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
  /** Provenance: for row i, `files[fileIndex[i]]` and `lines[i]`. */
  files: string[];
  fileIndex: ArrayLike<number>;
  lines: ArrayLike<number>;
}

/** The result of loading a set of paths. */
export interface LoadResult {
  files: FileReport[];
  tables: Map<string, LoadedTable>;
}

/** Options that override detection. */
export interface LoadOptions {
  /** Encoding for every file ('utf-8', 'gbk', 'gb18030'); per-file overrides win. */
  encoding?: string;
  /** Per-file encoding, keyed by path as given. */
  fileEncodings?: Record<string, string>;
  /** Table for a file, keyed by path as given (`--table NAME=FILE`). */
  fileTables?: Record<string, string>;
  /** Extra header aliases per table: { payouts: { '实发金额': 'amount' } } (from a mapping file). */
  headerAliases?: Record<string, Record<string, string>>;
  /** Load only these tables (files recognised as others are still reported, but not typed). */
  onlyTables?: Set<string>;
  /**
   * Table and encoding of a file by its path, from a mapping file's file rules. `fileTables`,
   * `fileEncodings` and `encoding` (the command line) win over it.
   */
  fileRule?: (path: string) => { table?: string; encoding?: string };
}
