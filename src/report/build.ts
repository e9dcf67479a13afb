/**
 * Builds the AuditResult from what the loader and the engine produced. All the
 * report's computing happens here (and in summary/rank/baseline/manifest/mask),
 * so that formatters only render: findings are masked by kind (unless
 * revealed), then their messages rendered from the masked values.
 */
import { sourceDateEpoch } from '../epoch.js';
import type { DataIssue, FileReport, LoadedTable } from '../data/model.js';
import { tableDef } from '../data/tables.js';
import { sourceLabel } from '../data/provenance.js';
import { formatYuan } from '../data/yuan.js';
import { compareFindings, type Finding, type RunResult } from '../engine/finding.js';
import { renderTemplate } from '../plan/template.js';
import type { LoadedRule } from '../rules/model.js';
import { baselineStatus, markFindings, type Baseline } from './baseline.js';
import { buildManifest } from './manifest.js';
import { maskFinding, maskIssues, maskMapping, maskRanked, maskValue } from './mask.js';
import { SCHEMA_VERSION, type AuditResult, type InputsSummary, type InputTable, type Lang, type ManifestOptions, type ReportFinding } from './model.js';
import { rankEntities } from './rank.js';
import { skipReason } from './i18n.js';
import { summarise } from './summary.js';

export interface BuildInput {
  tool: { name: string; version: string };
  now: Date;
  lang: Lang;
  files: FileReport[];
  tables: Map<string, LoadedTable>;
  /** What to say of each loaded table, when its rows are not in `tables` (a database holds them); else worked out from `tables`. */
  inputTables?: InputTable[];
  /** The rules selected for the run. */
  rules: LoadedRule[];
  run: RunResult;
  options: ManifestOptions;
  baseline: Baseline | null;
  /** Show personal data unmasked (`--reveal`); otherwise every value of a known personal-data kind is masked. */
  reveal: boolean;
  rulePath?: (file: string) => string;
}

/**
 * The report's time: SOURCE_DATE_EPOCH (seconds since 1970, UTC) when set, so
 * that reports can be reproduced byte for byte; otherwise now. A malformed
 * value is a UsageError.
 */
export function reportTime(env: NodeJS.ProcessEnv = process.env, now: () => Date = () => new Date()): Date {
  return sourceDateEpoch(env.SOURCE_DATE_EPOCH) ?? now();
}

/** The column whose month says which period a row of a table belongs to. */
export const PERIOD_COLUMNS: Record<string, string[]> = {
  payouts: ['period', 'pay_date'],
  contributions: ['period', 'received_date'],
  bank_flows: ['txn_date'],
};

function monthRange(table: LoadedTable): { from: string; to: string } | null {
  const column = (PERIOD_COLUMNS[table.name] ?? []).find((c) => table.columns[c]);
  if (!column) return null;
  const values = table.columns[column];
  let from: string | null = null;
  let to: string | null = null;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== 'string' || v.length < 7) continue;
    const month = v.slice(0, 7);
    if (from === null || month < from) from = month;
    if (to === null || month > to) to = month;
  }
  return from !== null && to !== null ? { from, to } : null;
}

function sourcesOf(t: LoadedTable): string[] {
  const used = new Set(Array.from(t.fileIndex));
  return t.files.map((file, k) => ({ k, label: sourceLabel({ file, sheet: t.sources?.[k]?.sheet }) })).filter((s) => used.has(s.k)).map((s) => s.label);
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function summariseInputs(files: FileReport[], tables: Map<string, LoadedTable>, issues: number, given?: InputTable[]): InputsSummary {
  const inputTables = (given ?? [...tables.values()]
    .map((t) => ({
      name: t.name,
      label: tableDef(t.name)?.label ?? t.name,
      files: new Set(Array.from(t.fileIndex)).size,
      // Each file (or workbook sheet) the table was read from, in load order.
      sources: sourcesOf(t),
      rows: t.rows,
      period: monthRange(t),
    })))
    .sort((a, b) => cmp(a.name, b.name));
  let from: string | null = null;
  let to: string | null = null;
  for (const t of inputTables) {
    if (!t.period) continue;
    if (from === null || t.period.from < from) from = t.period.from;
    if (to === null || t.period.to > to) to = t.period.to;
  }
  return {
    files: files.length,
    unrecognisedFiles: files.filter((f) => f.table === null).length,
    tables: inputTables,
    rows: inputTables.reduce((n, t) => n + t.rows, 0),
    rowsRejected: files.reduce((n, f) => n + f.rowsRejected, 0),
    period: from !== null && to !== null ? { from, to } : null,
    dataIssues: issues,
  };
}

function compareIssues(a: DataIssue, b: DataIssue): number {
  return cmp(a.file, b.file) || cmp(a.sheet ?? '', b.sheet ?? '') || a.line - b.line || cmp(a.column ?? '', b.column ?? '') || cmp(a.code, b.code) || cmp(a.value ?? '', b.value ?? '');
}

/**
 * A finding as reported, masked unless `reveal`: its values by their kinds,
 * then its messages rendered from the masked values. Spelled out so that the
 * json key order is the schema's, whatever order the engine used.
 */
export function reportFinding(raw: Finding & { baseline: ReportFinding['baseline'] }, reveal: boolean): ReportFinding {
  const f = reveal ? raw : maskFinding(raw);
  const mask = reveal ? undefined : maskValue;
  return {
    fingerprint: f.fingerprint,
    ruleId: f.ruleId,
    category: f.category,
    risk: f.risk,
    severity: f.severity,
    title: { zh: f.title.zh, en: f.title.en },
    message: { zh: renderTemplate(f.template.zh, raw.details, mask), en: renderTemplate(f.template.en, raw.details, mask) },
    entity: f.entity.label === undefined ? { kind: f.entity.kind, key: f.entity.key } : { kind: f.entity.kind, key: f.entity.key, label: f.entity.label },
    period: f.period,
    amount: f.amount,
    amountYuan: f.amount === null ? null : formatYuan(f.amount),
    baseline: raw.baseline,
    details: f.details,
    evidence: f.evidence.map((e) => (e.sheet === undefined ? { table: e.table, file: e.file, line: e.line, values: e.values } : { table: e.table, file: e.file, sheet: e.sheet, line: e.line, values: e.values })),
    evidenceCount: f.evidenceCount,
    digits: f.digits,
    pii: f.pii,
  };
}

/** Builds the audit result, masked unless `reveal`. Every list in it is sorted, so that equal inputs give equal output. */
export function buildResult(input: BuildInput): AuditResult {
  const raw = markFindings(input.run.findings, input.baseline);
  const findings = raw.map((f) => reportFinding(f, input.reveal)).sort(compareFindings);
  const ranked = rankEntities(raw);
  const issues = input.files.flatMap((f) => f.issues).sort(compareIssues);
  const manifest = buildManifest({
    tool: input.tool,
    files: input.files,
    rules: input.rules,
    run: input.run,
    options: input.options,
    rulePath: input.rulePath,
  });
  const skipped = [...input.run.skipped]
    .sort((a, b) => cmp(a.ruleId, b.ruleId))
    .map((sk) => ({ ...sk, reason: skipReason(sk, input.lang) }));
  const ran = Object.keys(input.run.ran).filter((id) => !skipped.some((s) => s.ruleId === id));
  return {
    schemaVersion: SCHEMA_VERSION,
    tool: { ...input.tool },
    generatedAt: input.now.toISOString(),
    lang: input.lang,
    revealed: input.reveal,
    manifest: input.reveal ? manifest : { ...manifest, files: manifest.files.map((f) => ({ ...f, mapping: maskMapping(f.mapping) })) },
    inputs: summariseInputs(input.files, input.tables, issues.length, input.inputTables),
    summary: summarise(findings, {
      run: ran.length,
      skipped: skipped.length,
      withFindings: new Set(findings.map((f) => f.ruleId)).size,
    }),
    entities: input.reveal ? ranked : maskRanked(ranked, raw),
    findings,
    skipped,
    dataIssues: {
      total: issues.length,
      errors: issues.filter((i) => i.level === 'error').length,
      warnings: issues.filter((i) => i.level === 'warning').length,
      issues: input.reveal ? issues : maskIssues(manifest.files, issues),
    },
    baseline: baselineStatus(findings, input.baseline),
  };
}
