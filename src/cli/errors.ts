/**
 * How the CLI ends: the exit codes of DESIGN §7. The errors themselves are
 * the whole tool's (src/errors.ts); the CLI's modules take them from here.
 */
export { InputError, Interrupted, UsageError } from '../errors.js';

/** Exit codes, as DESIGN.md §7 defines them. */
export const EXIT = { ok: 0, findings: 1, usage: 2 } as const;
