/**
 * What `audit` says on stderr while it works and when it is done: progress
 * (files loaded with their rows, rules done of all) when stderr is a terminal
 * or with --progress; after --out, one line with the path and the findings by
 * severity. With --quiet only errors are said. The report itself goes to
 * stdout or --out and is never mixed with this.
 */
import type { FileReport } from '../data/model.js';
import { sourceLabel } from '../data/provenance.js';
import { SEVERITIES } from '../rules/model.js';
import type { AuditResult } from '../report/model.js';
import { printable } from '../report/printable.js';

export interface FeedbackOptions {
  progress: boolean;
  quiet: boolean;
}

/** The stderr voice of one run. */
export class Feedback {
  /** Columns the live progress line takes (0: none is shown). */
  private live = 0;

  constructor(
    private readonly opts: FeedbackOptions,
    private readonly err: NodeJS.WriteStream = process.stderr,
  ) {}

  /** Whether progress is shown: on a terminal unless --quiet, or with --progress. */
  static progressWanted(flag: boolean | undefined, quiet: boolean, err: { isTTY?: boolean }): boolean {
    if (quiet) return false;
    return flag ?? Boolean(err.isTTY);
  }

  /** A progress step: on a terminal it replaces the previous one; elsewhere one line each. */
  step(text: string): void {
    if (!this.opts.progress) return;
    const line = printable(text);
    if (this.err.isTTY) {
      // Overwritten in place with spaces, not escape codes: NO_COLOR output holds none.
      const width = Math.max(20, (this.err.columns ?? 80) - 1);
      const shown = line.length > width ? line.slice(0, width - 1) + '…' : line;
      this.err.write(`\r${shown.padEnd(this.live)}`);
      this.live = Math.max(this.live, shown.length);
    } else {
      this.err.write(`fundaudit: ${line}\n`);
    }
  }

  file(report: FileReport): void {
    const where = sourceLabel({ file: report.path, sheet: report.sheet });
    this.step(report.table ? `loaded ${where}: ${report.table}, ${report.rowsLoaded} rows${report.rowsRejected ? `, ${report.rowsRejected} rejected` : ''}` : `read ${where}: not an export table`);
  }

  rule(done: number, total: number, id: string): void {
    this.step(`rules ${done}/${total} (${id})`);
  }

  /** Ends a live progress line, so that what follows starts on its own. */
  done(): void {
    if (this.live > 0) this.err.write(`\r${' '.repeat(this.live)}\r`);
    this.live = 0;
  }

  /** Something worth saying that is not an error (a warning, where the report went); silent with --quiet. */
  note(text: string): void {
    this.done();
    if (!this.opts.quiet) this.err.write(`fundaudit: ${printable(text)}\n`);
  }

  /** An error: always said. */
  error(text: string): void {
    this.done();
    this.err.write(`fundaudit: ${printable(text)}\n`);
  }

  /** After --out: where the report went, and what it holds by severity. */
  written(file: string, r: AuditResult): void {
    const counts = [...SEVERITIES]
      .reverse()
      .map((s) => `${s} ${r.summary.bySeverity.find((x) => x.severity === s)?.count ?? 0}`)
      .join(', ');
    const extra = [
      r.run.skipped + r.run.failed > 0 ? `${r.run.skipped + r.run.failed} of ${r.run.rules} rules not run` : null,
      r.suppressions && r.suppressions.suppressed.length > 0 ? `${r.suppressions.suppressed.length} suppressed` : null,
    ].filter(Boolean);
    this.note(`wrote ${file}: ${r.findings.length} finding(s) — ${counts}${extra.length ? `; ${extra.join('; ')}` : ''}`);
  }
}
