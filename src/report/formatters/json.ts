/**
 * The json format: the whole AuditResult under docs/report-schema.json, as
 * JSON.stringify(result, null, 2) would write it, but in pieces (stream.ts):
 * a county's report can be larger than any one string. Key order is the order
 * in which build.ts spells the result out, so that equal results give equal bytes.
 * A finding's evidence rows carried by place alone (`places`) are written into
 * its `evidence`, each as the row it is (values empty), straight from their lines.
 */
import type { AuditResult, ReportFinding } from '../model.js';
import { JsonText, jsonChunks } from '../stream.js';

/** Pieces of about this many characters, when writing many rows' places. */
const PIECE = 1 << 16;

/** A finding's `evidence` as the schema has it: every row, those by place with empty values. */
function* evidenceJson(f: ReportFinding, depth: number): Generator<string> {
  const pad = '  '.repeat(depth + 1);
  const inner = '  '.repeat(depth + 2);
  let n = 0;
  for (const e of f.evidence) {
    yield (n++ === 0 ? '[\n' : ',\n') + pad;
    yield* jsonChunks(e, depth + 1);
  }
  for (const p of f.places ?? []) {
    const head =
      `{\n${inner}"table": ${JSON.stringify(p.table)},\n${inner}"file": ${JSON.stringify(p.file)},\n` +
      (p.sheet === undefined ? '' : `${inner}"sheet": ${JSON.stringify(p.sheet)},\n`) +
      `${inner}"line": `;
    const tail = `,\n${inner}"values": {}\n${pad}}`;
    let text = '';
    for (const line of p.lines) {
      text += `${n++ === 0 ? '[\n' : ',\n'}${pad}${head}${line}${tail}`;
      if (text.length >= PIECE) {
        yield text;
        text = '';
      }
    }
    if (text) yield text;
  }
  yield n === 0 ? '[]' : `\n${'  '.repeat(depth)}]`;
}

/** The finding as the json format writes it: its rows by place within `evidence`, no `places` key. */
function jsonFinding<F extends ReportFinding>(f: F): F {
  if (!f.places) return f;
  // Spread keeps the key order; `evidence` keeps its place among the keys.
  const { places: _places, ...rest } = f;
  return { ...rest, evidence: new JsonText((depth) => evidenceJson(f, depth)) } as unknown as F;
}

/** The result as pretty-printed JSON with a trailing newline, in pieces. */
export function* jsonReport(r: AuditResult): Generator<string> {
  const placed = r.findings.some((f) => f.places) || (r.suppressions?.suppressed.some((f) => f.places) ?? false);
  yield* jsonChunks(
    placed
      ? {
          ...r,
          findings: r.findings.map(jsonFinding),
          suppressions: r.suppressions && { ...r.suppressions, suppressed: r.suppressions.suppressed.map(jsonFinding) },
        }
      : r,
  );
  yield '\n';
}
