/**
 * The manifest: what went into a report, so that anyone can check that the
 * same inputs, rules and parameters were used (DESIGN §7).
 */
import type { FileReport } from '../data/model.js';
import type { RunResult } from '../engine/finding.js';
import type { LoadedRule } from '../rules/model.js';
import type { Manifest, ManifestOptions } from './model.js';

export interface ManifestInput {
  tool: { name: string; version: string };
  files: FileReport[];
  /** The rules selected for the run. */
  rules: LoadedRule[];
  run: RunResult;
  options: ManifestOptions;
  /** How a rule file's path is shown (e.g. relative to the package for shipped rules); identity by default. */
  rulePath?: (file: string) => string;
}

const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Sorts an object's keys so that the manifest does not depend on the order things were loaded in. */
function sortedRecord<T>(rec: Record<string, T>, map: (v: T) => T = (v) => v): Record<string, T> {
  const out: Record<string, T> = {};
  for (const k of Object.keys(rec).sort(byString)) out[k] = map(rec[k]);
  return out;
}

/** Builds the manifest, every list sorted. */
export function buildManifest(input: ManifestInput): Manifest {
  const rulePath = input.rulePath ?? ((f: string) => f);
  const skipped = new Set(input.run.skipped.map((s) => s.ruleId));
  return {
    tool: { ...input.tool },
    files: input.files
      .map((f) => ({
        path: f.path,
        ...(f.sheet === undefined ? {} : { sheet: f.sheet }),
        sha256: f.sha256,
        bytes: f.bytes,
        table: f.table,
        encoding: f.encoding,
        rowsRead: f.rowsRead,
        rowsLoaded: f.rowsLoaded,
        rowsRejected: f.rowsRejected,
        mapping: f.mapping.map((m) => ({ source: m.source, column: m.column })),
      }))
      .sort((a, b) => byString(a.path, b.path)),
    rules: input.rules
      .map((r) => ({
        id: r.rule.id,
        file: rulePath(r.file),
        sha256: r.sha256,
        category: r.rule.category,
        risk: r.rule.risk,
        severity: r.rule.severity,
        status: skipped.has(r.rule.id) ? ('skipped' as const) : ('ran' as const),
        findings: input.run.ran[r.rule.id] ?? 0,
      }))
      .sort((a, b) => byString(a.id, b.id)),
    params: sortedRecord(input.run.params, (p) => sortedRecord(p)),
    options: {
      ...input.options,
      rules: [...input.options.rules],
      only: [...input.options.only],
      skip: [...input.options.skip],
      tables: sortedRecord(input.options.tables),
    },
  };
}
