/**
 * Where a loaded row or a data issue comes from: a file, for a workbook also a
 * sheet, and the 1-based line (a sheet's row number) on which the record starts.
 *
 * One value and one spelling everywhere a place is shown: `payouts.csv:12`
 * for a CSV export, `payouts.xlsx!Sheet1:12` for a workbook's sheet (the
 * spreadsheet's own `Book!Sheet` notation). A sink that stores rows elsewhere
 * (a database) keeps the same three parts as columns.
 */

/** A file, or one sheet of a workbook: what a table part was read from. */
export interface Source {
  /** Path of the file as given on the command line (or a pseudo path for inline rule tests). */
  file: string;
  /** Name of the workbook sheet; absent for CSV and text files. */
  sheet?: string;
}

/** A source and a line in it. Line 0 stands for the source as a whole. */
export interface Place extends Source {
  line: number;
}

/** `file` or `file!sheet`. */
export function sourceLabel(s: Source): string {
  return s.sheet === undefined ? s.file : `${s.file}!${s.sheet}`;
}

/** `file:line` or `file!sheet:line`. */
export function formatPlace(p: Place): string {
  return `${sourceLabel(p)}:${p.line}`;
}

/** The place of row `i` of a loaded table (see LoadedTable's provenance fields). */
export function placeOf(t: { sources?: readonly Source[]; files: readonly string[]; fileIndex: ArrayLike<number>; lines: ArrayLike<number> }, i: number): Place {
  const k = t.fileIndex[i];
  // `files` names the file (callers may rename it); `sources` adds the sheet.
  const sheet = t.sources?.[k]?.sheet;
  return sheet === undefined ? { file: t.files[k], line: t.lines[i] } : { file: t.files[k], sheet, line: t.lines[i] };
}
