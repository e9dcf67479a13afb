/**
 * The tool's typed errors, shared by every layer. Each carries what the user
 * needs to act: the cause (message), where it is (`place`: a file, a
 * file:line:col, a rule's step) and how to fix it (`fix`), when known.
 * Only the CLI turns them into output and exit codes (src/cli/errors.ts).
 */
import { constants as osConstants } from 'node:os';

/** A usage error: a bad option, config value or argument. The CLI prints the cause and the fix and exits 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly fix?: string,
    /** Where the problem is (a file, `file:line:col`), when it is not in the message already. */
    readonly place?: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * An input that cannot be used: an export, mapping, config or baseline file
 * that is missing, unreadable or malformed. Exits 2 like a usage error: the
 * run cannot start until the input is fixed.
 */
export class InputError extends UsageError {
  constructor(message: string, fix?: string, place?: string) {
    super(message, fix, place);
    this.name = 'InputError';
  }
}

/** Where in a rule file a problem is: the path of keys and indexes to the offending value (`['check', 'min_count']`). */
export type RulePath = (string | number)[];

/**
 * A rule that cannot be compiled (a bad kind field, keys that do not match).
 * `path` is where in the rule it sits, so that the validator can point at
 * the line; it becomes a rule problem, never a crash.
 */
export class RuleError extends Error {
  constructor(
    message: string,
    readonly path: RulePath,
    readonly fix?: string,
  ) {
    super(message);
    this.name = 'RuleError';
  }
}

/**
 * A rule that failed while it ran on the data (an executor error). `place`
 * names the rule's file and step (`rules/x.yaml:12:7 check.steps[2]`); the
 * rule is reported as skipped with this reason and the others run.
 */
export class RunError extends Error {
  constructor(
    message: string,
    readonly place: string,
    readonly fix?: string,
  ) {
    super(`${place}: ${message}`);
    this.name = 'RunError';
  }
}

/**
 * The run was stopped by a signal (SIGINT, SIGTERM, SIGHUP) that arrived
 * while the report was being written. A report not yet in place is
 * abandoned (the previous one, if any, stays), and the run ends with the
 * signal's exit status, 128 + its number, as a shell reports a process the
 * signal ended.
 */
export class Interrupted extends Error {
  readonly exitCode: number;
  constructor(readonly signal: NodeJS.Signals) {
    super(`stopped by ${signal}`);
    this.name = 'Interrupted';
    this.exitCode = 128 + (osConstants.signals[signal] ?? 0);
  }
}
