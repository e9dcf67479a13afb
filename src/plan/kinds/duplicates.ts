import type { Check, Pipeline } from '../../rules/model.js';
import { col, CompileError, numeric, source } from './shared.js';

type Duplicates = Extract<Check, { kind: 'duplicates' }>;

/**
 * Rows sharing `key` at least `min_count` (default 2) times → one row per key
 * with `count` and, when `amount` names a column, `amount` (its sum).
 * Rows whose key columns are all null are left out: they share nothing.
 */
export function compileDuplicates(check: Duplicates): Pipeline {
  if (!Array.isArray(check.key) || check.key.length === 0) {
    throw new CompileError('check.key must list at least one column', ['check', 'key'], 'key: [id_number, item, period]');
  }
  const { from, steps } = source(check.table, check.where);
  const min = numeric(check.min_count, 2, ['check', 'min_count']);
  const anyKey = check.key.map((k) => `${col(k)} != null`).join(' || ');
  const rollup: Record<string, string> = { count: 'op.count()' };
  if (check.amount) rollup.amount = `op.sum(${col(check.amount)})`;
  steps.push({ filter: anyKey }, { groupby: check.key }, { rollup }, { filter: `d.count >= ${min}` });
  return { from, steps };
}
