/**
 * Pieces of a SARIF 2.1.0 log (OASIS Static Analysis Results Interchange
 * Format) shared by `audit --format sarif` and `rules validate --format
 * sarif`: code-scanning services (GitHub, GitLab, Azure DevOps) read it.
 * test/report/sarif.test.ts validates both against the official schema.
 */
import type { Severity } from '../rules/model.js';

/** The schema a log names; the committee specification's. */
export const SARIF_SCHEMA = 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/os/schemas/sarif-schema-2.1.0.json';

export type SarifLevel = 'error' | 'warning' | 'note' | 'none';

/** A finding's severity as a SARIF level: what a code-scanning service fails or flags. */
export function sarifLevel(s: Severity): SarifLevel {
  return s === 'critical' || s === 'high' ? 'error' : s === 'medium' || s === 'low' ? 'warning' : 'note';
}

/**
 * A path as a SARIF artifact URI: a relative reference with `/` separators
 * and every character outside URI syntax percent-encoded (Chinese file names,
 * spaces), so that `uri-reference` holds.
 */
export function artifactUri(path: string): string {
  const slashed = path.replace(/\\/g, '/');
  return slashed
    .split('/')
    .map((seg) => encodeURIComponent(seg).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`))
    .join('/')
    // A Windows drive letter is a scheme-like prefix: make it an absolute file path.
    .replace(/^([A-Za-z])%3A\//, 'file:///$1:/');
}

/** A physical location: a file, and a line (and column) in it when known. */
export function sarifLocation(file: string, line?: number, column?: number): Record<string, unknown> {
  const region = line !== undefined && line > 0 ? { region: { startLine: line, ...(column !== undefined && column > 0 ? { startColumn: column } : {}) } } : {};
  return { physicalLocation: { artifactLocation: { uri: artifactUri(file) }, ...region } };
}
