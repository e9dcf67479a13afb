import type { Check, Pipeline } from '../../rules/model.js';
import { CONFORMITY_LEVELS, MAD_THRESHOLDS } from '../benford.js';
import { col, CompileError, isColumnName, numeric, source } from './shared.js';

type Benford = Extract<Check, { kind: 'benford' }>;

const PARAM_REF = /^\$\.[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Digit test per group with Nigrini's MAD. Counts values per (group, digit),
 * then per group MAD = (Σ_present |p − e| + (1 − Σ_present e)) / bins, i.e.
 * absent digits count |0 − e| = e, written as 1 + Σ_present (|p − e| − e).
 * Expected proportions are the formula log10(1 + 1/d), so the pipeline needs
 * no lookup table. Output: group columns, `n`, `mad`, `conformity`.
 */
export function compileBenford(check: Benford): Pipeline {
  const test = check.digits ?? 'first';
  if (test !== 'first' && test !== 'first_two') {
    throw new CompileError(`check.digits must be 'first' or 'first_two', not ${JSON.stringify(test)}`, ['check', 'digits']);
  }
  const group = check.group ?? [];
  const bins = test === 'first' ? 9 : 90;
  const fn = test === 'first' ? 'first_digit' : 'first_two_digits';
  const value = isColumnName(check.value) ? col(check.value) : check.value;
  const minN = numeric(check.min_n, 100, ['check', 'min_n']);
  const t = MAD_THRESHOLDS[test];
  const level = `d.mad <= ${t.close} ? 1 : d.mad <= ${t.acceptable} ? 2 : d.mad <= ${t.marginal} ? 3 : 4`;
  const label = `d._level == 1 ? 'close' : d._level == 2 ? 'acceptable' : d._level == 3 ? 'marginal' : 'nonconformity'`;

  const flagAt = check.flag_at ?? 'nonconformity';
  let flagLevel: string;
  if (PARAM_REF.test(flagAt)) {
    flagLevel = `(${flagAt} == 'close' ? 1 : ${flagAt} == 'acceptable' ? 2 : ${flagAt} == 'marginal' ? 3 : 4)`;
  } else {
    const i = CONFORMITY_LEVELS.indexOf(flagAt as (typeof CONFORMITY_LEVELS)[number]);
    if (i < 1) {
      throw new CompileError(
        `check.flag_at must be acceptable, marginal or nonconformity, not ${JSON.stringify(flagAt)}`,
        ['check', 'flag_at'],
        'flag_at: nonconformity',
      );
    }
    flagLevel = String(i + 1);
  }

  const { from, steps } = source(check.table, check.where);
  const expected = 'op.log10(1 + 1 / d._digit)';
  steps.push(
    { derive: { _digit: `op.${fn}(${value})` } },
    { filter: 'd._digit != null' },
    { groupby: [...group, '_digit'] },
    { rollup: { _count: 'op.count()' } },
  );
  if (group.length) steps.push({ groupby: group });
  steps.push(
    { derive: { _n: 'op.sum(d._count)' } },
    { derive: { _dev: `op.abs(d._count / d._n - ${expected}) - ${expected}` } },
    { rollup: { n: 'op.sum(d._count)', mad: `(1 + op.sum(d._dev)) / ${bins}` } },
    { derive: { _level: level } },
    { derive: { conformity: label } },
    { filter: `d.n >= ${minN} && d._level >= ${flagLevel}` },
    { select: [...group, 'n', 'mad', 'conformity'] },
  );
  return { from, steps };
}
