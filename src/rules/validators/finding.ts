/**
 * The finding spec reads the check's output: the entity key and label, the
 * amount, the period, the pii columns and every `{placeholder}` of the
 * messages must be output columns, and placeholder formats must be known.
 */
import type { RuleFile } from './context.js';
import { reportStage } from './context.js';

export function validateFinding(f: RuleFile): void {
  reportStage(f, 'finding');
}
