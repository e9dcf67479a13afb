import type { IssueMessage, Value } from '../model.js';

/**
 * Why a raw value could not be typed as written.
 *
 * `error`: the value becomes null. `warning`: the value is kept as `kept` (e.g. an unknown code, an identity
 * number with a wrong check digit) so that rules can still see and flag it. The loader turns a Problem into a
 * DataIssue by adding the file, line, column and raw value, so `reason` does not repeat the value; it says what is
 * wrong and what to do.
 */
export class Problem {
  constructor(
    readonly code: string,
    readonly reason: string,
    readonly level: 'error' | 'warning',
    readonly kept: Value = null,
    /** Which message of the code, with its values (see DataIssue.msg). */
    readonly msg?: IssueMessage,
  ) {}
}

/** Types a raw field (as decoded, untrimmed): the typed value, null for blank, or a Problem. */
export type Parser = (raw: string) => Value | Problem;
