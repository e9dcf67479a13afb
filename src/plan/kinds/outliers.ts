import type { Check, Pipeline } from '../../rules/model.js';
import { CompileError, numeric, source } from './shared.js';

type Outliers = Extract<Check, { kind: 'outliers' }>;

/**
 * Values far above their group's typical value. `ratio`: score = value /
 * median (groups with a median ≤ 0 score null). `robust_z` (default):
 * Iglewicz–Hoaglin modified z = 0.6745 (value − median) / MAD, falling back to
 * (value − median) / (1.253314 · mean absolute deviation) when MAD is 0.
 * Rows with score > threshold in groups of at least `min_n` (default 5) values.
 * Output: the outlying rows with `value`, `n`, `median`, `mad` (median absolute deviation), `score`.
 */
export function compileOutliers(check: Outliers): Pipeline {
  const method = check.method ?? 'robust_z';
  if (method !== 'ratio' && method !== 'robust_z') {
    throw new CompileError(`check.method must be ratio or robust_z, not ${JSON.stringify(method)}`, ['check', 'method']);
  }
  if (check.threshold === undefined) {
    throw new CompileError('check.threshold is required', ['check', 'threshold'], method === 'ratio' ? 'threshold: 5' : 'threshold: 3.5');
  }
  const threshold = numeric(check.threshold, 0, ['check', 'threshold']);
  const minN = numeric(check.min_n, 5, ['check', 'min_n']);
  const { from, steps } = source(check.table, check.where);
  steps.push({ derive: { value: check.value } }, { filter: 'd.value != null && op.is_finite(d.value)' });
  if (check.group?.length) steps.push({ groupby: check.group });
  steps.push({ derive: { n: 'op.count()', median: 'op.median(d.value)' } }, { derive: { mad: 'op.median(op.abs(d.value - d.median))' } });
  if (method === 'ratio') {
    steps.push({ derive: { score: 'd.median > 0 ? d.value / d.median : null' } });
  } else {
    steps.push(
      {
        derive: {
          score: 'd.mad > 0 ? 0.6745 * (d.value - d.median) / d.mad : (d.value - d.median) / (1.253314 * op.mean(op.abs(d.value - d.median)))',
        },
      },
    );
  }
  steps.push({ ungroup: true }, { filter: `d.n >= ${minN} && d.score != null && d.score > ${threshold}` });
  return { from, steps };
}
