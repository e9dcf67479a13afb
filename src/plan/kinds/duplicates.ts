import { binary, call, col, lit, or, type Expr } from '../ast.js';
import type { Relation } from '../model.js';
import type { KindContext } from './shared.js';

/**
 * Rows sharing `key` at least `min_count` (default 2) times → one row per key
 * with `count` and, when `amount` names a column, `amount` (its sum).
 * Rows whose key columns are all null are left out: they share nothing.
 */
export function duplicates(c: Record<string, unknown>, k: KindContext): Relation | undefined {
  const { rel, where } = k.table(c);
  k.columns(c.key, ['check', 'key'], rel);
  k.column(c.amount, ['check', 'amount'], rel);
  const key = c.key;
  if (!Array.isArray(key) || key.length === 0) k.fail('check.key must list at least one column', ['check', 'key'], 'key: [id_number, item, period]');
  const min = k.numeric(c.min_count, 2, ['check', 'min_count']);
  if (!rel) return undefined;
  const keys = key.map(String);
  const rollup: Record<string, Expr> = { count: call('count') };
  if (c.amount) rollup.amount = call('sum', col(String(c.amount)));
  const anyKey = or(...keys.map((name) => binary('!=', col(name), lit(null))) as [Expr, ...Expr[]]);
  return k.build(rel, [...where, { filter: anyKey }, { groupby: keys }, { rollup }, { filter: binary('>=', col('count'), min) }]);
}
