/** A usage or input error: the CLI prints `cause` and `fix` on one line each and exits 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly fix?: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Exit codes, as DESIGN.md §7 defines them. */
export const EXIT = { ok: 0, findings: 1, usage: 2 } as const;
