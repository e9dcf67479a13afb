/**
 * How the canonical tables are held in DuckDB: each column type's SQL type,
 * the provenance columns every table carries, and identifier quoting.
 *
 * Value types, and why (docs/scale.md has the user's version):
 * - `text`, `id`, `enum` → VARCHAR, as loaded (normalised identity numbers, canonical codes).
 * - `money` → BIGINT fen and `int` → BIGINT: exact integers, as the loader makes them.
 * - `date` → DATE and `datetime` → TIMESTAMP (whole seconds). DATE::VARCHAR and TIMESTAMP::VARCHAR print
 *   exactly the ISO strings the in-memory tables hold ('2024-01-05', '2024-01-05 14:03:00'), and two values
 *   of one type order like those strings; four or eight bytes a value instead of a string, and calendar
 *   arithmetic without parsing. Wherever the rule language treats a date as its text (compared with a month
 *   or a text, string functions), the SQL compiler casts it to VARCHAR first.
 * - `month` → VARCHAR 'YYYY-MM', exactly as in memory: SQL has no month type, and a month compared with a date
 *   must compare as text ('2024-01' < '2024-01-01'), which a DATE of the month's first day would not.
 *
 * Provenance columns (never canonical names: those are snake_case words without a leading underscore):
 * - `__src`: the part (file, or sheet of a workbook) the row comes from, an index into the dataset's sources;
 * - `__line`: the 1-based line (sheet row) on which its record starts;
 * - `__n`: its index within the part; the row's index in its table is the rows of the parts before it
 *   (in the order the in-memory loader concatenates them) plus `__n`;
 * - `__digest`: the row's digest for fingerprints, computed while loading by the same code as in memory
 *   (row-hash.ts), so that both engines fingerprint alike.
 */
import type { ColumnType } from '../../data/tables.js';

export type SqlType = 'VARCHAR' | 'BIGINT' | 'DATE' | 'TIMESTAMP' | 'INTEGER';

export const SQL_TYPES: Readonly<Record<ColumnType, SqlType>> = {
  text: 'VARCHAR',
  id: 'VARCHAR',
  enum: 'VARCHAR',
  month: 'VARCHAR',
  money: 'BIGINT',
  int: 'BIGINT',
  date: 'DATE',
  datetime: 'TIMESTAMP',
};

/** The provenance columns, in the order they follow the canonical ones. */
export const PROVENANCE_COLUMNS: ReadonlyArray<{ name: string; type: SqlType }> = [
  { name: '__src', type: 'INTEGER' },
  { name: '__line', type: 'INTEGER' },
  { name: '__n', type: 'INTEGER' },
  { name: '__digest', type: 'BIGINT' },
];

/**
 * A quoted SQL identifier. Identifiers come from the table definitions and the plan, never from data; quoting
 * all of them (and doubling any quote inside) keeps a name that is a keyword, or anything stranger, a name.
 */
export function ident(name: string): string {
  return '"' + name.replace(/"/g, '""') + '"';
}

/** The physical table that holds a canonical table's rows; the canonical name is a view over it (load.ts). */
export function dataTableName(table: string): string {
  return `${table}__rows`;
}
