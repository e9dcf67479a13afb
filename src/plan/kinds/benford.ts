import { and, binary, call, col, cond, lit, param, type Expr } from '../ast.js';
import { CONFORMITY_LEVELS, MAD_THRESHOLDS } from '../benford.js';
import type { Relation } from '../model.js';
import { COLUMN_NAME, type KindContext } from './shared.js';

const PARAM_REF = /^\$\.([A-Za-z_][A-Za-z0-9_]*)$/;

/** The hidden output columns of a benford check: per row, the digits seen and how often (the report draws them). */
export const DIGIT_COLUMNS = { digits: '_digits', counts: '_counts' } as const;

/**
 * Digit test per group with Nigrini's MAD. Counts values per (group, digit),
 * then per group MAD = (Σ_present |p − e| + (1 − Σ_present e)) / bins, i.e.
 * absent digits count |0 − e| = e, written as 1 + Σ_present (|p − e| − e).
 * Expected proportions are the formula log10(1 + 1/d), so the plan needs
 * no lookup table. Output: group columns, `n`, `mad`, `conformity`; and,
 * hidden, each group's digits and their counts (DIGIT_COLUMNS).
 */
export function benford(c: Record<string, unknown>, k: KindContext): Relation | undefined {
  const { rel, where } = k.table(c);
  const group = k.group(c, rel);
  let value: Expr;
  if (typeof c.value === 'string' && COLUMN_NAME.test(c.value)) {
    k.column(c.value, ['check', 'value'], rel);
    value = col(c.value);
  } else value = k.expression(c.value, ['check', 'value'], rel);

  const test = c.digits ?? 'first';
  if (test !== 'first' && test !== 'first_two') k.fail(`check.digits must be 'first' or 'first_two', not ${JSON.stringify(test)}`, ['check', 'digits']);
  const minN = k.numeric(c.min_n, 100, ['check', 'min_n']);
  const flagLevel = level(c.flag_at, k);
  if (!rel) return undefined;

  const bins = test === 'first' ? 9 : 90;
  const t = MAD_THRESHOLDS[test];
  const mad = col('mad');
  const digit = col('_digit');
  const expected = call('log10', binary('+', lit(1), binary('/', lit(1), digit)));
  const levelOf = cond(binary('<=', mad, lit(t.close)), lit(1), cond(binary('<=', mad, lit(t.acceptable)), lit(2), cond(binary('<=', mad, lit(t.marginal)), lit(3), lit(4))));
  const lv = col('_level');
  const label = cond(binary('==', lv, lit(1)), lit('close'), cond(binary('==', lv, lit(2)), lit('acceptable'), cond(binary('==', lv, lit(3)), lit('marginal'), lit('nonconformity'))));
  return k.build(rel, [
    ...where,
    { derive: { _digit: call(test === 'first' ? 'first_digit' : 'first_two_digits', value) } },
    { filter: binary('!=', digit, lit(null)) },
    { groupby: [...group, '_digit'] },
    { rollup: { _count: call('count') } },
    ...(group.length ? [{ groupby: group }] : []),
    { derive: { _n: call('sum', col('_count')) } },
    { derive: { _dev: binary('-', call('abs', binary('-', binary('/', col('_count'), col('_n')), expected)), expected) } },
    {
      rollup: {
        n: call('sum', col('_count')),
        mad: binary('/', binary('+', lit(1), call('sum', col('_dev'))), lit(bins)),
        [DIGIT_COLUMNS.digits]: call('array_agg', digit),
        [DIGIT_COLUMNS.counts]: call('array_agg', col('_count')),
      },
    },
    { derive: { _level: levelOf } },
    { derive: { conformity: label } },
    { filter: and(binary('>=', col('n'), minN), binary('>=', lv, flagLevel)) },
    { select: [...group, 'n', 'mad', 'conformity', DIGIT_COLUMNS.digits, DIGIT_COLUMNS.counts] },
  ]);
}

/** The conformity level (1 close … 4 nonconformity) from which groups are flagged: a label or a param holding one. */
function level(flagAt: unknown, k: KindContext): Expr {
  const at = flagAt ?? 'nonconformity';
  const ref = typeof at === 'string' ? PARAM_REF.exec(at) : null;
  if (ref) {
    const p = param(ref[1]);
    return cond(binary('==', p, lit('close')), lit(1), cond(binary('==', p, lit('acceptable')), lit(2), cond(binary('==', p, lit('marginal')), lit(3), lit(4))));
  }
  const i = CONFORMITY_LEVELS.indexOf(at as (typeof CONFORMITY_LEVELS)[number]);
  if (i < 1) k.fail(`check.flag_at must be acceptable, marginal or nonconformity, not ${JSON.stringify(at)}`, ['check', 'flag_at'], 'flag_at: nonconformity');
  return lit(i + 1);
}
