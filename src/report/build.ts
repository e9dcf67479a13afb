/**
 * Builds the AuditResult from what the loader and the engine produced. All the
 * report's computing happens here (and in summary/rank/baseline/manifest), so
 * that formatters only render.
 */
import { sourceDateEpoch } from '../epoch.js';
import type { DataIssue, FileReport, LoadedTable } from '../data/model.js';
import { tableDef } from '../data/tables.js';
import { formatYuan } from '../data/yuan.js';
import type { RunResult } from '../engine/finding.js';
import { SEVERITIES, type LoadedRule } from '../rules/model.js';
import { baselineStatus, markFindings, type Baseline } from './baseline.js';
import { digitDistributions } from './digits.js';
import { buildManifest } from './manifest.js';
import { SCHEMA_VERSION, type AuditResult, type InputsSummary, type Lang, type ManifestOptions, type ReportFinding } from './model.js';
import { rankEntities } from './rank.js';
import { skipReason } from './i18n.js';
import { summarise } from './summary.js';

export interface BuildInput {
  tool: { name: string; version: string };
  now: Date;
  lang: Lang;
  files: FileReport[];
  tables: Map<string, LoadedTable>;
  /** The rules selected for the run. */
  rules: LoadedRule[];
  run: RunResult;
  options: ManifestOptions;
  baseline: Baseline | null;
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
const PERIOD_COLUMNS: Record<string, string[]> = {
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

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function summariseInputs(files: FileReport[], tables: Map<string, LoadedTable>, issues: number): InputsSummary {
  const inputTables = [...tables.values()]
    .map((t) => ({
      name: t.name,
      label: tableDef(t.name)?.label ?? t.name,
      files: new Set(Array.from(t.fileIndex)).size,
      rows: t.rows,
      period: monthRange(t),
    }))
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

/** Most severe first, then by rule, money at risk (largest first), entity, period and fingerprint. */
function compareFindings(a: ReportFinding, b: ReportFinding): number {
  return (
    SEVERITIES.indexOf(b.severity) - SEVERITIES.indexOf(a.severity) ||
    cmp(a.ruleId, b.ruleId) ||
    (b.amount ?? -Infinity) - (a.amount ?? -Infinity) ||
    cmp(a.entity.key, b.entity.key) ||
    cmp(a.period ?? '', b.period ?? '') ||
    cmp(a.fingerprint, b.fingerprint)
  );
}

function compareIssues(a: DataIssue, b: DataIssue): number {
  return cmp(a.file, b.file) || a.line - b.line || cmp(a.column ?? '', b.column ?? '') || cmp(a.code, b.code) || cmp(a.value ?? '', b.value ?? '');
}

/** Builds the (unmasked) audit result. Every list in it is sorted, so that equal inputs give equal output. */
export function buildResult(input: BuildInput): AuditResult {
  const digits = digitDistributions(input.rules, input.tables, input.run);
  const findings: ReportFinding[] = markFindings(input.run.findings, input.baseline)
    // Spelled out so that the json key order is the schema's, whatever order the engine used.
    .map(
      (f): ReportFinding => ({
        fingerprint: f.fingerprint,
        ruleId: f.ruleId,
        category: f.category,
        risk: f.risk,
        severity: f.severity,
        title: { zh: f.title.zh, en: f.title.en },
        message: { zh: f.message.zh, en: f.message.en },
        entity: f.entity.label === undefined ? { kind: f.entity.kind, key: f.entity.key } : { kind: f.entity.kind, key: f.entity.key, label: f.entity.label },
        period: f.period,
        amount: f.amount,
        amountYuan: f.amount === null ? null : formatYuan(f.amount),
        baseline: f.baseline,
        details: f.details,
        evidence: f.evidence.map((e) => ({ table: e.table, file: e.file, line: e.line, values: e.values })),
        evidenceCount: f.evidenceCount,
        digits: digits.get(f.fingerprint) ?? null,
        pii: f.pii,
      }),
    )
    .sort(compareFindings);
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
    revealed: true,
    manifest,
    inputs: summariseInputs(input.files, input.tables, issues.length),
    summary: summarise(findings, {
      run: ran.length,
      skipped: skipped.length,
      withFindings: new Set(findings.map((f) => f.ruleId)).size,
    }),
    entities: rankEntities(findings),
    findings,
    skipped,
    dataIssues: {
      total: issues.length,
      errors: issues.filter((i) => i.level === 'error').length,
      warnings: issues.filter((i) => i.level === 'warning').length,
      issues,
    },
    baseline: baselineStatus(findings, input.baseline),
  };
}
