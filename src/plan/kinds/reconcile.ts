import type { Check, Pipeline, Step } from '../../rules/model.js';
import { CompileError, numeric, source } from './shared.js';

type Reconcile = Extract<Check, { kind: 'reconcile' }>;
type Side = Reconcile['left'];

function total(side: Side, name: 'left' | 'right'): Pipeline {
  const { from, steps } = source(side.table, side.where);
  const keys = Object.keys(side.key);
  steps.push(
    { derive: { ...side.key, _value: side.value } },
    { groupby: keys },
    { rollup: { [`${name}_total`]: 'op.sum(d._value)', [`${name}_rows`]: 'op.count()' } },
  );
  return { from, steps };
}

/**
 * Totals of `left.value` and `right.value` per key, compared: a full outer
 * join of the two rollups (inner when `one_sided: false`), missing totals
 * read as 0, rows where |left_total − right_total| > tolerance (default 0).
 * Output: key columns, `left_total`, `right_total`, `diff` (left − right),
 * `abs_diff` (|diff|: the money at risk, whichever side is short),
 * `left_rows`, `right_rows` (0 on the side where the key is missing).
 */
export function compileReconcile(check: Reconcile): Pipeline {
  const lk = Object.keys(check.left?.key ?? {});
  const rk = Object.keys(check.right?.key ?? {});
  if (lk.length === 0) throw new CompileError('check.left.key must name at least one key column', ['check', 'left', 'key'], 'key: { month: op.month_of(d.received_date) }');
  if (lk.length !== rk.length || lk.some((k) => !rk.includes(k))) {
    throw new CompileError(
      `check.left.key and check.right.key must define the same key columns (left: ${lk.join(', ')}; right: ${rk.join(', ')})`,
      ['check', 'right', 'key'],
      'give both sides the same key names, each with its own expression',
    );
  }
  const tolerance = numeric(check.tolerance, 0, ['check', 'tolerance']);
  const left = total(check.left, 'left');
  const steps: Step[] = [
    ...(left.steps ?? []),
    { join: { with: total(check.right, 'right'), on: lk, how: check.one_sided === false ? 'inner' : 'full' } },
    {
      derive: {
        left_total: 'd.left_total == null ? 0 : d.left_total',
        right_total: 'd.right_total == null ? 0 : d.right_total',
        left_rows: 'd.left_rows == null ? 0 : d.left_rows',
        right_rows: 'd.right_rows == null ? 0 : d.right_rows',
      },
    },
    { derive: { diff: 'd.left_total - d.right_total' } },
    { derive: { abs_diff: 'op.abs(d.diff)' } },
    { filter: `d.abs_diff > ${tolerance}` },
    { select: [...lk, 'left_total', 'right_total', 'diff', 'abs_diff', 'left_rows', 'right_rows'] },
  ];
  return { from: left.from, steps };
}
