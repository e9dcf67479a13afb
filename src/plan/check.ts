/**
 * Compiles a rule's check to a plain Pipeline of verbs. Every kind becomes
 * the same vocabulary of steps the rule model defines (filter, derive, join,
 * groupby, rollup, …): pure data, no Arquero here, so that the validator can
 * analyse it and a future SQL backend can translate it like any pipeline.
 */
import type { Check, Pipeline } from '../rules/model.js';
import { compileDuplicates } from './kinds/duplicates.js';
import { compileReconcile } from './kinds/reconcile.js';
import { compileSequenceGaps } from './kinds/sequence_gaps.js';
import { compileBenford } from './kinds/benford.js';
import { compileSharedAttribute } from './kinds/shared_attribute.js';
import { compileOutliers } from './kinds/outliers.js';
import { CompileError } from './kinds/shared.js';

export { CompileError } from './kinds/shared.js';

/** The check kinds the engine knows. */
export const CHECK_KINDS = ['pipeline', 'duplicates', 'reconcile', 'sequence_gaps', 'benford', 'shared_attribute', 'outliers'] as const;

/**
 * The pipeline a check runs. Numeric fields may hold `$.param` references;
 * they stay references in the pipeline's expressions. Throws CompileError
 * (with the path of the offending field) for a check that cannot compile.
 */
export function compileCheck(check: Check): Pipeline {
  switch (check.kind) {
    case 'pipeline':
      return { from: check.from, steps: [...(check.steps ?? [])] };
    case 'duplicates':
      return compileDuplicates(check);
    case 'reconcile':
      return compileReconcile(check);
    case 'sequence_gaps':
      return compileSequenceGaps(check);
    case 'benford':
      return compileBenford(check);
    case 'shared_attribute':
      return compileSharedAttribute(check);
    case 'outliers':
      return compileOutliers(check);
    default:
      throw new CompileError(
        `unknown check kind ${JSON.stringify((check as { kind?: unknown }).kind)}`,
        ['check', 'kind'],
        `use one of ${CHECK_KINDS.join(', ')}`,
      );
  }
}
