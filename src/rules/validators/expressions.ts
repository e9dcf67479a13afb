/** Expressions parse and use only what the whitelist allows (see ../expression.ts). */
import { checkExpression } from '../../plan/expression.js';
import type { RuleFile } from './context.js';
import { report, valueAt } from './context.js';
import { expressionsOf } from './walk.js';

export function validateExpressions(f: RuleFile): void {
  for (const e of expressionsOf(valueAt(f.parsed.value, ['check']))) {
    for (const p of checkExpression(e.text, e.context).problems) {
      report(f, e.path, p.code, p.message, p.fix, { offset: p.offset, length: p.length });
    }
  }
}
