/**
 * Tables and columns exist where they are used: the canonical tables of
 * src/data/tables.ts, and at each step the columns that the steps before it
 * produce (see src/plan/flow.ts). For the higher-level kinds each field is
 * checked against the columns of the kind's table, then the plan the kind
 * writes is checked as a whole, so that nothing an executor runs escapes.
 */
import type { RuleFile } from './context.js';
import { reportStage } from './context.js';

export function validateColumns(f: RuleFile): void {
  // Shape errors are the schema validator's: a kind that cannot compile because of one is not reported twice.
  const schema = f.problems.some((p) => p.code === 'schema');
  reportStage(f, 'columns', (p) => p.code !== 'check' || !schema);
}
