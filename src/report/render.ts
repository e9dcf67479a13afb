/**
 * Picks the formatter for a format. Formatters are functions of the
 * (already masked) AuditResult only.
 */
import { formatCsv } from './formatters/csv.js';
import { formatHtml } from './formatters/html.js';
import { formatJson } from './formatters/json.js';
import { formatMarkdown } from './formatters/markdown.js';
import { formatTerminal } from './formatters/terminal.js';
import type { AuditResult, ReportFormat } from './model.js';

/** Renders the result in a format; `color` applies to the terminal format only. */
export function renderReport(result: AuditResult, format: ReportFormat, opts: { color: boolean } = { color: false }): string {
  switch (format) {
    case 'json':
      return formatJson(result);
    case 'csv':
      return formatCsv(result);
    case 'md':
      return formatMarkdown(result);
    case 'html':
      return formatHtml(result);
    case 'terminal':
      return formatTerminal(result, { color: opts.color });
  }
}
