/**
 * Reading values back out of DuckDB as the in-memory tables hold them:
 * dates and datetimes as their ISO strings, money and integers as numbers.
 */
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import type { Value } from '../../data/model.js';
import { tableDef } from '../../data/tables.js';
import { ident, SQL_TYPES } from './schema.js';

/** The SQL that reads canonical column `column` of `table` as the value the in-memory table holds. */
export function valueSql(table: string, column: string): string {
  const def = tableDef(table)?.columns.find((c) => c.name === column);
  const type = def ? SQL_TYPES[def.type] : 'VARCHAR';
  // DATE and TIMESTAMP print as 'YYYY-MM-DD' and 'YYYY-MM-DD HH:MM:SS': the loader's own strings.
  return type === 'DATE' || type === 'TIMESTAMP' ? `CAST(${ident(column)} AS VARCHAR)` : ident(column);
}

/** A value as read: 64-bit integers become numbers (money and counts are safe integers), the rest as is. */
export function plainValue(v: DuckDBValue): Value | boolean {
  if (v === null || typeof v === 'string' || typeof v === 'number') return v;
  if (typeof v === 'bigint') {
    const n = Number(v);
    if (!Number.isSafeInteger(n)) throw new Error(`the integer ${v} is too large to be exact in JavaScript`);
    return n;
  }
  if (typeof v === 'boolean') return v;
  return String(v);
}

/** Runs `sql` (with bound `params`) and returns its rows as plain values. */
export async function readRows(connection: DuckDBConnection, sql: string, params?: Record<string, DuckDBValue>): Promise<{ columns: string[]; rows: Array<Array<Value | boolean>> }> {
  const reader = await connection.runAndReadAll(sql, params);
  return { columns: reader.columnNames(), rows: reader.getRows().map((r) => r.map(plainValue)) };
}
