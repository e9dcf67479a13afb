import type { Check, Pipeline } from '../../rules/model.js';
import { col, numeric, source } from './shared.js';

type SharedAttribute = Extract<Check, { kind: 'shared_attribute' }>;

/**
 * One attribute value (a bank account, a phone) used by at least
 * `min_entities` (default 2) distinct entities. Blank attributes or entities
 * share nothing and are left out. Output: the attribute column, `entities`
 * (distinct count), `rows`, and `amount` (sum) when `amount` names a column.
 */
export function compileSharedAttribute(check: SharedAttribute): Pipeline {
  const { from, steps } = source(check.table, check.where);
  const min = numeric(check.min_entities, 2, ['check', 'min_entities']);
  const a = col(check.attribute);
  const e = col(check.entity);
  const rollup: Record<string, string> = { entities: `op.distinct(${e})`, rows: 'op.count()' };
  if (check.amount) rollup.amount = `op.sum(${col(check.amount)})`;
  steps.push(
    { filter: `${a} != null && ${a} != '' && ${e} != null && ${e} != ''` },
    { groupby: [check.attribute] },
    { rollup },
    { filter: `d.entities >= ${min}` },
  );
  return { from, steps };
}
