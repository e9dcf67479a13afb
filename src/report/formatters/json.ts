/**
 * The json format: the whole AuditResult under docs/report-schema.json.
 * Key order is the order in which build.ts spells the result out, so that
 * equal results give equal bytes.
 */
import type { AuditResult } from '../model.js';

/** Renders the result as pretty-printed JSON with a trailing newline. */
export function formatJson(r: AuditResult): string {
  return JSON.stringify(r, null, 2) + '\n';
}
