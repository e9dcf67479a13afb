import { and, binary, call, col, lit, type Expr } from '../ast.js';
import type { Relation } from '../model.js';
import type { KindContext } from './shared.js';

/**
 * Gaps in a numbered sequence per group: sort each group by its number, take
 * the previous number (lag), keep gaps of at least `min_gap` (default 1), and
 * join back the row before the gap, so that the evidence is the two rows
 * bounding it. Output: group columns, `gap_from`, `gap_to`, `missing`.
 */
export function sequenceGaps(c: Record<string, unknown>, k: KindContext): Relation | undefined {
  const { rel, where } = k.table(c);
  const group = k.group(c, rel);
  const number = k.expression(c.number, ['check', 'number'], rel);
  const minGap = k.numeric(c.min_gap, 1, ['check', 'min_gap']);
  if (!rel) return undefined;
  const seq = col('_seq');
  const prev = col('_prev');
  const numbered = [...where, { derive: { _seq: number } }, { filter: binary('!=', seq, lit(null)) }];
  // The rows before the gaps: a second read of the table, numbered the same way.
  const other = k.again(c.table, ['check', 'table']);
  const before = other && k.build(other, [...numbered, { select: [...group, '_seq'] }, { rename: { _seq: '_prev' } }, { dedupe: [...group, '_prev'] }]);
  if (!before) return undefined;
  const missing: Expr = binary('-', binary('-', seq, prev), lit(1));
  return k.build(rel, [
    ...numbered,
    ...(group.length ? [{ groupby: group }] : []),
    { orderby: ['_seq'] },
    { derive: { _prev: call('lag', seq) } },
    { ungroup: true },
    { filter: and(binary('!=', prev, lit(null)), binary('>=', missing, minGap)) },
    { join: { with: before, on: [...group, '_prev'] } },
    { derive: { gap_from: binary('+', prev, lit(1)), gap_to: binary('-', seq, lit(1)), missing } },
    { select: [...group, 'gap_from', 'gap_to', 'missing'] },
  ]);
}
