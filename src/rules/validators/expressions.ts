/** Expressions parse and use only what the whitelist allows (see src/plan/expression.ts). */
import type { RuleFile } from './context.js';
import { reportStage } from './context.js';

export function validateExpressions(f: RuleFile): void {
  reportStage(f, 'expression');
}
