import { and, binary, call, col, cond, lit } from '../ast.js';
import type { Relation } from '../model.js';
import type { KindContext } from './shared.js';

/**
 * Values far above their group's typical value. `ratio`: score = value /
 * median (groups with a median ≤ 0 score null). `robust_z` (default):
 * Iglewicz–Hoaglin modified z = 0.6745 (value − median) / MAD, falling back to
 * (value − median) / (1.253314 · mean absolute deviation) when MAD is 0.
 * Rows with score > threshold in groups of at least `min_n` (default 5) values.
 * Output: the outlying rows with `value`, `n`, `median`, `mad` (median absolute deviation), `score`.
 */
export function outliers(c: Record<string, unknown>, k: KindContext): Relation | undefined {
  const { rel, where } = k.table(c);
  const group = k.group(c, rel);
  const value = k.expression(c.value, ['check', 'value'], rel);
  const method = c.method ?? 'robust_z';
  if (method !== 'ratio' && method !== 'robust_z') k.fail(`check.method must be ratio or robust_z, not ${JSON.stringify(method)}`, ['check', 'method']);
  if (c.threshold === undefined) k.fail('check.threshold is required', ['check', 'threshold'], method === 'ratio' ? 'threshold: 5' : 'threshold: 3.5');
  const threshold = k.numeric(c.threshold, 0, ['check', 'threshold']);
  const minN = k.numeric(c.min_n, 5, ['check', 'min_n']);
  if (!rel) return undefined;
  const v = col('value');
  const median = col('median');
  const deviation = binary('-', v, median);
  const score =
    method === 'ratio'
      ? cond(binary('>', median, lit(0)), binary('/', v, median), lit(null))
      : cond(
          binary('>', col('mad'), lit(0)),
          binary('/', binary('*', lit(0.6745), deviation), col('mad')),
          binary('/', deviation, binary('*', lit(1.253314), call('mean', call('abs', deviation)))),
        );
  return k.build(rel, [
    ...where,
    { derive: { value } },
    { filter: and(binary('!=', v, lit(null)), call('is_finite', v)) },
    ...(group.length ? [{ groupby: group }] : []),
    { derive: { n: call('count'), median: call('median', v) } },
    { derive: { mad: call('median', call('abs', deviation)) } },
    { derive: { score } },
    { ungroup: true },
    { filter: and(binary('>=', col('n'), minN), binary('!=', col('score'), lit(null)), binary('>', col('score'), threshold)) },
  ]);
}
