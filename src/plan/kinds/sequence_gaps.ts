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
  const missing: Expr = binary('-', binary('-', seq, prev), lit(1));
  const gaps = [
    ...numbered,
    ...(group.length ? [{ groupby: group }] : []),
    { orderby: ['_seq'] },
    { derive: { _prev: call('lag', seq) } },
    { ungroup: true },
    { filter: and(binary('!=', prev, lit(null)), binary('>=', missing, minGap)) },
  ];
  // The rows before the gaps: a second read of the table, numbered the same way, of only the numbers a gap follows
  // (a semijoin with the gaps, which the DuckDB compiler reads from the same steps above: not computed again) — the
  // join below meets no other, and the dedupe's keys are the semijoin's, so each number kept keeps its first row.
  // Deduped whole, every row of the table was grouped to join a few (RECEIPT-NUMBER-GAPS: 599k rows at 1M payout rows).
  const other = k.again(c.table, ['check', 'table']);
  const third = k.again(c.table, ['check', 'table']);
  const after = third && k.build(third, gaps);
  const keys = [...group, '_prev'];
  const before = other && after && k.build(other, [...numbered, { select: [...group, '_seq'] }, { rename: { _seq: '_prev' } }, { semijoin: { with: after, on: keys } }, { dedupe: keys }]);
  if (!before) return undefined;
  return k.build(rel, [
    ...gaps,
    { join: { with: before, on: keys } },
    { derive: { gap_from: binary('+', prev, lit(1)), gap_to: binary('-', seq, lit(1)), missing } },
    { select: [...group, 'gap_from', 'gap_to', 'missing'] },
  ]);
}
