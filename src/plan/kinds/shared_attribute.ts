import { and, binary, call, col, lit, type Expr } from '../ast.js';
import type { Relation } from '../model.js';
import type { KindContext } from './shared.js';

/**
 * One attribute value (a bank account, a phone) used by at least
 * `min_entities` (default 2) distinct entities. Blank attributes or entities
 * share nothing and are left out. Output: the attribute column, `entities`
 * (distinct count), `rows`, and `amount` (sum) when `amount` names a column.
 */
export function sharedAttribute(c: Record<string, unknown>, k: KindContext): Relation | undefined {
  const { rel, where } = k.table(c);
  k.column(c.attribute, ['check', 'attribute'], rel);
  k.column(c.entity, ['check', 'entity'], rel);
  k.column(c.amount, ['check', 'amount'], rel);
  const min = k.numeric(c.min_entities, 2, ['check', 'min_entities']);
  if (!rel) return undefined;
  const a = col(String(c.attribute));
  const e = col(String(c.entity));
  const rollup: Record<string, Expr> = { entities: call('distinct', e), rows: call('count') };
  if (c.amount) rollup.amount = call('sum', col(String(c.amount)));
  const present = and(binary('!=', a, lit(null)), binary('!=', a, lit('')), binary('!=', e, lit(null)), binary('!=', e, lit('')));
  return k.build(rel, [...where, { filter: present }, { groupby: [String(c.attribute)] }, { rollup }, { filter: binary('>=', col('entities'), min) }]);
}
