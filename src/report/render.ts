/**
 * Picks the formatter for a format. Formatters are functions of the
 * (already masked) AuditResult only, and give the report in pieces: it is
 * written as it is rendered (see stream.ts), never held as one string.
 */
import { csvReport } from './formatters/csv.js';
import { githubReport } from './formatters/github.js';
import { htmlReport } from './formatters/html.js';
import { jsonReport } from './formatters/json.js';
import { markdownReport } from './formatters/markdown.js';
import { sarifReport } from './formatters/sarif.js';
import { terminalReport, type TerminalOptions } from './formatters/terminal.js';
import type { AuditResult, ReportFormat } from './model.js';
import type { Chunks } from './stream.js';

/** What only the terminal format reads: colour, width, how many findings per rule. */
export type RenderOptions = Omit<TerminalOptions, 'color'> & { color?: boolean };

/** The report in a format, in pieces. */
export function renderReport(result: AuditResult, format: ReportFormat, opts: RenderOptions = {}): Chunks {
  switch (format) {
    case 'json':
      return jsonReport(result);
    case 'csv':
      return csvReport(result);
    case 'md':
      return markdownReport(result);
    case 'html':
      return htmlReport(result);
    case 'sarif':
      return sarifReport(result);
    case 'github':
      return githubReport(result);
    case 'terminal':
      return terminalReport(result, { ...opts, color: opts.color ?? false });
  }
}
