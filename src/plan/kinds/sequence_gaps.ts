import type { Check, Pipeline, Step } from '../../rules/model.js';
import { numeric, source } from './shared.js';

type SequenceGaps = Extract<Check, { kind: 'sequence_gaps' }>;

/**
 * Gaps in a numbered sequence per group: sort each group by its number, take
 * the previous number (lag), keep gaps of at least `min_gap` (default 1), and
 * join back the row before the gap, so that the evidence is the two rows
 * bounding it. Output: group columns, `gap_from`, `gap_to`, `missing`.
 */
export function compileSequenceGaps(check: SequenceGaps): Pipeline {
  const group = check.group ?? [];
  const minGap = numeric(check.min_gap, 1, ['check', 'min_gap']);
  const numbered = (): { from: string; steps: Step[] } => {
    const { from, steps } = source(check.table, check.where);
    steps.push({ derive: { _seq: check.number } }, { filter: 'd._seq != null' });
    return { from, steps };
  };
  const before = numbered();
  before.steps.push({ select: [...group, '_seq'] }, { rename: { _seq: '_prev' } }, { dedupe: [...group, '_prev'] });

  const { from, steps } = numbered();
  if (group.length) steps.push({ groupby: group });
  steps.push(
    { orderby: ['_seq'] },
    { derive: { _prev: 'op.lag(d._seq)' } },
    { ungroup: true },
    { filter: `d._prev != null && d._seq - d._prev - 1 >= ${minGap}` },
    { join: { with: before, on: [...group, '_prev'] } },
    { derive: { gap_from: 'd._prev + 1', gap_to: 'd._seq - 1', missing: 'd._seq - d._prev - 1' } },
    { select: [...group, 'gap_from', 'gap_to', 'missing'] },
  );
  return { from, steps };
}
