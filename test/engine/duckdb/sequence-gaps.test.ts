/**
 * sequence_gaps reads the rows before its gaps only for the numbers a gap follows (plan/kinds/sequence_gaps.ts: a
 * semijoin with the gaps before the dedupe), which the DuckDB compiler reads from the gaps' own CTE. Each shape finds
 * what Arquero finds, evidence included: a number before a gap written twice (its first row is the evidence), the
 * same number in another group with no gap after it, a null group (its gaps meet no row before them), a number
 * after a gap written twice, gaps of any size down to a negative min_gap (equal numbers), no group at all.
 */
import { describe, expect, it } from 'vitest';
import { ruleSql } from '../../../src/engine/duckdb/executor.js';
import { compiled, rule, runCheck, tables } from '../helpers.js';
import { expectDuckDBAgrees, onDuckDB } from './agree.js';

const CONTRIBUTIONS = [
  'record_id,receipt_no,operator_id,paid_amount',
  'R1,PJ-0001,OP1,10.00',
  'R2,PJ-0002,OP1,11.00',
  'R3,PJ-0002,OP1,12.00',
  'R4,PJ-0005,OP1,13.00',
  'R5,PJ-0009,OP1,14.00',
  'R6,PJ-0009,OP1,15.00',
  'R7,PJ-0002,OP2,16.00',
  'R8,PJ-0003,OP2,17.00',
  'R9,PJ-0007,OP2,18.00',
  'R10,PJ-0005,,19.00',
  'R11,PJ-0008,,20.00',
  'R12,,OP2,21.00',
].join('\n');
const DATA = { contributions: CONTRIBUTIONS };

const gapRule = (id: string, extra: Record<string, unknown>) =>
  compiled(rule(id, { kind: 'sequence_gaps', table: 'contributions', number: 'op.seq_number(d.receipt_no)', ...extra } as never, { entity: { kind: 'document', key: 'gap_from' } }));

describe('sequence_gaps: the rows before the gaps, only for the numbers a gap follows', () => {
  for (const [id, extra] of [
    ['BY-OPERATOR', { group: ['operator_id'] }],
    ['BY-OPERATOR-BIG', { group: ['operator_id'], min_gap: 3 }],
    ['BY-OPERATOR-EQUAL', { group: ['operator_id'], min_gap: -1 }],
    ['ONE-SEQUENCE', {}],
  ] as const) {
    it(`${id}: DuckDB finds what Arquero finds, with the same evidence`, async () => expectDuckDBAgrees(gapRule(id, extra), DATA));
  }

  it('a number before a gap written twice: its first row is the evidence, not a row of another group', async () => {
    const out = await runCheck({ kind: 'sequence_gaps', table: 'contributions', group: ['operator_id'], number: 'op.seq_number(d.receipt_no)' } as never, tables(DATA));
    const rows = out.map((r) => [r.operator_id, r.gap_from, r.gap_to, [...r.__contributions].sort((a: number, b: number) => a - b)]);
    expect(rows.sort((a, b) => String(a[0]).localeCompare(String(b[0])) || (a[1] as number) - (b[1] as number))).toEqual([
      ['OP1', 3, 4, [1, 3]],
      ['OP1', 6, 8, [3, 4]],
      ['OP2', 4, 6, [7, 8]],
    ]);
  });

  it('the gaps are computed once: the semijoin reads their CTE', async () => {
    await onDuckDB(DATA, async (dataset) => {
      const q = ruleSql(gapRule('BY-OPERATOR', { group: ['operator_id'] }), dataset);
      expect(q.sql.match(/lag\(/g)).toHaveLength(1);
      expect(q.sql).toContain('SEMI JOIN');
    });
  });
});
