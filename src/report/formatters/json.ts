/**
 * The json format: the whole AuditResult under docs/report-schema.json, as
 * JSON.stringify(result, null, 2) would write it, but in pieces (stream.ts):
 * a county's report can be larger than any one string. Key order is the order
 * in which build.ts spells the result out, so that equal results give equal bytes.
 */
import type { AuditResult } from '../model.js';
import { jsonChunks } from '../stream.js';

/** The result as pretty-printed JSON with a trailing newline, in pieces. */
export function* jsonReport(r: AuditResult): Generator<string> {
  yield* jsonChunks(r);
  yield '\n';
}
