/**
 * Recognition of a file's table and header row from its first rows, and the mapping of its source headers to
 * canonical columns (DESIGN.md §3).
 */
import { UsageError } from '../errors.js';
import { headerKey } from './header.js';
import type { HeaderMapping } from './model.js';
import { TABLES, TABLE_NAMES, tableDef, type TableDef } from './tables.js';

/** What recognise found. */
export interface Recognition {
  /** Canonical table, or null when no table's key columns are all in one header row. */
  table: string | null;
  /** 0-based index into the rows given of the header row (title and blank rows may precede it). */
  headerRow: number;
  /** 'option': forced by opts.table; 'mapping': only extra aliases made it recognisable; 'header': by its headers. */
  recognisedBy: 'header' | 'option' | 'mapping' | null;
  /**
   * One entry per cell of the header row, in order: the source header (trimmed) and its canonical column, null when
   * unknown or a duplicate. For an unrecognised file, mapped against the closest table, to show what was understood.
   */
  mapping: HeaderMapping[];
  /** Canonical columns of the chosen table that no header maps to. */
  missingColumns: string[];
  /** For an unrecognised file: the table with the most matching headers and the key columns it lacked. */
  closest?: { table: string; missing: string[] };
  /** Headers that map to a column an earlier header already took (the first wins); index into the header row. */
  duplicateHeaders: { index: number; source: string; column: string }[];
}

/** Options that override or extend recognition. */
export interface RecogniseOptions {
  /** Force this table (`--table NAME=FILE`, or a mapping file's `table:`); only the header row is located. */
  table?: string;
  /** Who forced `table`: reported as recognisedBy (default 'option'). */
  tableFrom?: 'option' | 'mapping';
  /** Extra aliases per table, source header → canonical column (from a mapping file). */
  headerAliases?: Record<string, Record<string, string>>;
  /** The header is this row (0-based index into the rows given), as `--header-line` or the mapping file says. */
  headerRow?: number;
}

/** Rows of a file looked at for its header: a bank bill's preamble can run to dozens of lines. */
export const HEADER_SEARCH_ROWS = 100;

/** The pseudo column a side of a two-sided amount maps to in the alias index: `amount:out`, `amount:in`. */
function sideColumn(amount: string, side: 'out' | 'in'): string {
  return `${amount}:${side}`;
}

type AliasIndex = Map<string, string>;

const baseIndexes = new Map<string, AliasIndex>(TABLES.map((t) => [t.name, buildIndex(t)]));

function buildIndex(t: TableDef, extra?: Record<string, string>): AliasIndex {
  const index: AliasIndex = new Map();
  // Extra aliases first: a mapping file's word overrides a built-in alias of the same spelling.
  for (const [source, column] of Object.entries(extra ?? {})) {
    const key = headerKey(source);
    if (key && !index.has(key)) index.set(key, column);
  }
  for (const col of t.columns) {
    for (const alias of [col.name, ...col.aliases]) {
      const key = headerKey(alias);
      if (!index.has(key)) index.set(key, col.name);
    }
  }
  if (t.directed) {
    for (const [side, aliases] of [['out', t.directed.outAliases], ['in', t.directed.inAliases]] as const) {
      for (const alias of aliases) {
        const key = headerKey(alias);
        if (!index.has(key)) index.set(key, sideColumn(t.directed.amount, side));
      }
    }
  }
  return index;
}

/**
 * The canonical columns a set of matched (pseudo) columns stands for: both sides of a two-sided amount make
 * the amount and its direction, unless a plain amount column is there (then the sides are left unmapped).
 */
function effectiveColumns(t: TableDef, matched: Set<string>): Set<string> {
  const d = t.directed;
  if (!d) return matched;
  const out = new Set([...matched].filter((c) => !c.includes(':')));
  if (!out.has(d.amount) && matched.has(sideColumn(d.amount, 'out')) && matched.has(sideColumn(d.amount, 'in'))) {
    out.add(d.amount);
    out.add(d.direction);
  }
  return out;
}

/** The canonical column a header cell maps to in a table, or null. */
export function columnForHeader(table: string, header: string): string | null {
  return baseIndexes.get(table)?.get(headerKey(header)) ?? null;
}

interface Match {
  table: TableDef;
  row: number;
  /** Distinct canonical columns matched. */
  columns: Set<string>;
  /** Cells matched (duplicates included). */
  cells: number;
  /** Key columns of the table not matched (0: the row qualifies as this table's header). */
  missingKeys: number;
  hint: number;
}

/** Length of the longest file-name hint of the table found in the file name (0: none). */
function hintStrength(t: TableDef, fileName: string): number {
  const name = fileName.toLowerCase();
  let best = 0;
  for (const h of t.fileHints) if (h.length > best && name.includes(h.toLowerCase())) best = h.length;
  return best;
}

function better(a: Match, b: Match | undefined): boolean {
  if (!b) return true;
  if (a.columns.size !== b.columns.size) return a.columns.size > b.columns.size;
  if (a.hint !== b.hint) return a.hint > b.hint;
  if (a.cells !== b.cells) return a.cells > b.cells;
  if (a.missingKeys !== b.missingKeys) return a.missingKeys < b.missingKeys;
  return false; // earlier row, then earlier table (TABLES order), wins
}

function isBlankRow(row: string[]): boolean {
  return row.every((cell) => cell.trim() === '');
}

function checkAliases(aliases: Record<string, Record<string, string>>): void {
  for (const [table, map] of Object.entries(aliases)) {
    const def = tableDef(table);
    if (!def) throw new UsageError(`header aliases name an unknown table "${table}"`, `use one of ${TABLE_NAMES.join(', ')}`);
    for (const [source, column] of Object.entries(map)) {
      if (!def.columns.some((c) => c.name === column)) {
        throw new UsageError(
          `header alias "${source}" maps to "${column}", which is not a column of ${table}`,
          `use one of ${def.columns.map((c) => c.name).join(', ')}`,
        );
      }
    }
  }
}

/** Best (row, table) match over the rows, for all tables or just `only`. */
function scan(rows: string[][], fileName: string, indexes: Map<string, AliasIndex>, only?: TableDef) {
  let best: Match | undefined;
  let bestAny: Match | undefined;
  const keysOf = rows.map((row) => row.map(headerKey));
  for (let r = 0; r < rows.length; r++) {
    if (isBlankRow(rows[r])) continue;
    for (const t of only ? [only] : TABLES) {
      const index = indexes.get(t.name)!;
      const columns = new Set<string>();
      let cells = 0;
      for (const key of keysOf[r]) {
        const col = index.get(key);
        if (col) {
          columns.add(col);
          cells++;
        }
      }
      if (cells === 0) continue;
      const effective = effectiveColumns(t, columns);
      const missingKeys = t.keyColumns.filter((k) => !effective.has(k)).length;
      const m: Match = { table: t, row: r, columns, cells, missingKeys, hint: hintStrength(t, fileName) };
      if (missingKeys === 0 && better(m, best)) best = m;
      if (better(m, bestAny)) bestAny = m;
    }
  }
  return { best, bestAny };
}

function mapRow(row: string[], t: TableDef | null, index: AliasIndex | undefined): Pick<Recognition, 'mapping' | 'duplicateHeaders' | 'missingColumns'> {
  const taken = new Set<string>();
  const duplicateHeaders: Recognition['duplicateHeaders'] = [];
  const matched = new Set(row.map((cell) => index?.get(headerKey(cell))).filter((c): c is string => c !== undefined));
  // Both sides of a two-sided amount, and no plain amount column: the sides make the amount and direction.
  const sides = t !== null && effectiveColumns(t, matched).has(t.directed?.amount ?? '') && !matched.has(t.directed!.amount);
  const mapping: HeaderMapping[] = row.map((cell, i) => {
    const source = cell.replace(/^[\s\u3000\u00a0\ufeff]+|[\s\u3000\u00a0\ufeff]+$/g, '');
    const column = index?.get(headerKey(cell)) ?? null;
    if (column === null) return { source, column: null };
    if (column.includes(':')) {
      if (!sides || taken.has(column)) return { source, column: null };
      taken.add(column);
      const [amount, side] = column.split(':') as [string, 'out' | 'in'];
      return { source, column: amount, side };
    }
    if (taken.has(column)) {
      duplicateHeaders.push({ index: i, source, column });
      return { source, column: null };
    }
    taken.add(column);
    return { source, column };
  });
  if (sides) {
    taken.add(t!.directed!.amount);
    taken.add(t!.directed!.direction);
  }
  const missingColumns = t ? t.columns.map((c) => c.name).filter((c) => !taken.has(c)) : [];
  return { mapping, duplicateHeaders, missingColumns };
}

/**
 * Recognises the table of a file from its first rows (as cells) and its file name.
 *
 * The header row is the row whose normalised cells (see normaliseHeader) match the most canonical columns of a
 * table whose key columns are all present; ties go to the table hinted by the file name (longest hint), then to
 * more matching cells, then to the earlier row. Title rows and blank rows above the header are skipped that way.
 * Aliases match whole cells only (`待遇项目` never takes `待遇项目代码`); columns may come in any order.
 * `opts.table` forces the table; `opts.headerAliases` adds aliases.
 *
 * @throws UsageError when opts names an unknown table or column.
 */
export function recognise(rows: string[][], fileName: string, opts: RecogniseOptions = {}): Recognition {
  const forcedRow = opts.headerRow;
  const head = forcedRow !== undefined ? rows.map((r, i) => (i === forcedRow ? r : [])) : rows.slice(0, HEADER_SEARCH_ROWS);
  const extra = opts.headerAliases ?? {};
  checkAliases(extra);
  const hasExtra = Object.values(extra).some((m) => Object.keys(m).length > 0);
  const indexes = hasExtra ? new Map(TABLES.map((t) => [t.name, buildIndex(t, extra[t.name])])) : baseIndexes;
  const firstNonBlank = Math.max(0, head.findIndex((row) => !isBlankRow(row)));

  if (opts.table !== undefined) {
    const t = tableDef(opts.table);
    if (!t) throw new UsageError(`unknown table "${opts.table}"`, `use one of ${TABLE_NAMES.join(', ')}`);
    const { bestAny } = scan(head, fileName, indexes, t);
    const headerRow = forcedRow ?? bestAny?.row ?? firstNonBlank;
    return { table: t.name, headerRow, recognisedBy: opts.tableFrom ?? 'option', ...mapRow(head[headerRow] ?? [], t, indexes.get(t.name)) };
  }

  const { best, bestAny } = scan(head, fileName, indexes);
  if (best) {
    let recognisedBy: Recognition['recognisedBy'] = 'header';
    if (hasExtra) {
      const plain = scan(head, fileName, baseIndexes).best;
      if (!plain || plain.table !== best.table) recognisedBy = 'mapping';
    }
    return { table: best.table.name, headerRow: best.row, recognisedBy, ...mapRow(head[best.row], best.table, indexes.get(best.table.name)) };
  }
  if (bestAny) {
    const t = bestAny.table;
    const mapped = mapRow(head[bestAny.row], t, indexes.get(t.name));
    return {
      table: null,
      headerRow: bestAny.row,
      recognisedBy: null,
      mapping: mapped.mapping,
      missingColumns: [],
      duplicateHeaders: mapped.duplicateHeaders,
      closest: { table: t.name, missing: t.keyColumns.filter((k) => !effectiveColumns(t, bestAny.columns).has(k)) },
    };
  }
  const row = forcedRow ?? firstNonBlank;
  const mapped = mapRow(head[row] ?? [], null, undefined);
  return { table: null, headerRow: row, recognisedBy: null, mapping: mapped.mapping, missingColumns: [], duplicateHeaders: [] };
}
