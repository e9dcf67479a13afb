/**
 * Which delimiter a CSV file uses: comma, tab, semicolon or pipe. Each is tried
 * on the first records; the one under which a header is recognised with the
 * most columns wins, else the one that splits the most rows into the same
 * number of fields (more than one). Ties go to the comma.
 */
import { DELIMITERS, parseCsv, type CsvParse } from './csv.js';
import type { LoadOptions } from './model.js';
import { HEADER_SEARCH_ROWS, recognise } from './recognise.js';

/** How a delimiter reads the start of a file. */
export interface DelimiterTrial {
  delimiter: string;
  parse: CsvParse;
  /** Header cells mapped to a column of a recognised table (-1: no table recognised). */
  mapped: number;
  /** Records sharing the commonest field count, when that count is above one. */
  regular: number;
}

/** Names of the delimiters, for messages and `--delimiter`. */
export const DELIMITER_NAMES: Record<string, string> = { ',': 'comma', '\t': 'tab', ';': 'semicolon', '|': 'pipe' };

/** The delimiter for a name or character given by a user (`tab`, `\t`, `;`, `pipe` …), or undefined. */
export function parseDelimiter(spec: string): string | undefined {
  const s = spec.trim().toLowerCase();
  if (spec === '\t' || s === '\\t' || s === 'tab' || s === 'tsv') return '\t';
  for (const [d, name] of Object.entries(DELIMITER_NAMES)) if (s === d || s === name) return d;
  if (s === 'semi' || s === 'semi-colon') return ';';
  if (s === 'vertical-bar' || s === 'bar') return '|';
  return undefined;
}

/** Tries `delimiter` on the start of a file. */
export function tryDelimiter(
  head: Uint8Array,
  final: boolean,
  crLineEnds: boolean,
  delimiter: string,
  fileName: string,
  opts: LoadOptions,
  table: string | undefined,
  headerLine: number | undefined,
): DelimiterTrial {
  const limit = Math.max(HEADER_SEARCH_ROWS, headerLine ?? 0);
  const parse = parseCsv(head, limit, { final, delimiter, crLineEnds });
  const rows = parse.records.map((r) => r.fields);
  let mapped = -1;
  if (rows.length > 0) {
    const headerRow = headerLine === undefined ? undefined : parse.records.findIndex((r) => r.line === headerLine);
    if (headerRow === undefined || headerRow >= 0) {
      const rec = recognise(rows, fileName, { table, headerAliases: opts.headerAliases, headerRow });
      if (rec.table) mapped = rec.mapping.filter((m) => m.column !== null).length;
    }
  }
  const counts = new Map<number, number>();
  for (const r of rows) counts.set(r.length, (counts.get(r.length) ?? 0) + 1);
  let regular = 0;
  for (const [width, n] of counts) if (width > 1 && n > regular) regular = n;
  return { delimiter, parse, mapped, regular };
}

/** Every delimiter tried, best first (see the module comment). */
export function rankDelimiters(
  head: Uint8Array,
  final: boolean,
  crLineEnds: boolean,
  fileName: string,
  opts: LoadOptions,
  table: string | undefined,
  headerLine: number | undefined,
): DelimiterTrial[] {
  const trials = DELIMITERS.map((d) => tryDelimiter(head, final, crLineEnds, d, fileName, opts, table, headerLine));
  // A stable sort: ties keep DELIMITERS' order, comma first.
  return trials.sort((a, b) => b.mapped - a.mapped || b.regular - a.regular);
}
