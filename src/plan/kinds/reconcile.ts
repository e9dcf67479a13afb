import { binary, call, col, cond, lit, type Expr } from '../ast.js';
import type { Relation } from '../model.js';
import { isObject } from '../flow.js';
import type { KindContext } from './shared.js';

type Side = 'left' | 'right';

/**
 * Totals of `left.value` and `right.value` per key, compared: a full outer
 * join of the two rollups (inner when `one_sided: false`), missing totals
 * read as 0, rows where |left_total − right_total| > tolerance (default 0).
 * Output: key columns, `left_total`, `right_total`, `diff` (left − right),
 * `abs_diff` (|diff|: the money at risk, whichever side is short),
 * `left_rows`, `right_rows` (0 on the side where the key is missing).
 */
export function reconcile(c: Record<string, unknown>, k: KindContext): Relation | undefined {
  const sides = (['left', 'right'] as const).map((name) => side(c, name, k));
  const lk = sides[0].keys;
  const rk = sides[1].keys;
  if (lk.length === 0) k.fail('check.left.key must name at least one key column', ['check', 'left', 'key'], 'key: { month: op.month_of(d.received_date) }');
  if (lk.length !== rk.length || lk.some((x) => !rk.includes(x))) {
    k.fail(
      `check.left.key and check.right.key must define the same key columns (left: ${lk.join(', ')}; right: ${rk.join(', ')})`,
      ['check', 'right', 'key'],
      'give both sides the same key names, each with its own expression',
    );
  }
  const tolerance = k.numeric(c.tolerance, 0, ['check', 'tolerance']);
  const [left, right] = sides.map((s) => s.rel && k.build(s.rel, s.steps));
  if (!left || !right) return undefined;
  const orZero = (name: string): Expr => cond(binary('==', col(name), lit(null)), lit(0), col(name));
  return k.build(left, [
    { join: { with: right, on: lk, how: c.one_sided === false ? 'inner' : 'full' } },
    { derive: { left_total: orZero('left_total'), right_total: orZero('right_total'), left_rows: orZero('left_rows'), right_rows: orZero('right_rows') } },
    { derive: { diff: binary('-', col('left_total'), col('right_total')) } },
    { derive: { abs_diff: call('abs', col('diff')) } },
    { filter: binary('>', col('abs_diff'), tolerance) },
    { select: [...lk, 'left_total', 'right_total', 'diff', 'abs_diff', 'left_rows', 'right_rows'] },
  ]);
}

/** One side: its table and fields checked, and the steps that total it per key. */
function side(c: Record<string, unknown>, name: Side, k: KindContext): { rel?: Relation; keys: string[]; steps: unknown[] } {
  const s = isObject(c[name]) ? c[name] : {};
  const at = ['check', name];
  const rel = k.source(s.table, [...at, 'table']);
  const where = k.where(s.where, [...at, 'where'], rel);
  const key = isObject(s.key) ? s.key : {};
  const derive: Record<string, Expr> = {};
  for (const [kName, e] of Object.entries(key)) derive[kName] = k.expression(e, [...at, 'key', kName], rel);
  derive._value = k.expression(s.value, [...at, 'value'], rel);
  const keys = Object.keys(key);
  const steps = [...where, { derive }, { groupby: keys }, { rollup: { [`${name}_total`]: call('sum', col('_value')), [`${name}_rows`]: call('count') } }];
  return { rel, keys, steps };
}
