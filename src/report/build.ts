/**
 * Builds the AuditResult from what the loader and the engine produced. All the
 * report's computing happens here (and in summary/rank/money/cases/baseline/
 * suppressions/manifest/mask), so that formatters only render: findings are
 * masked by kind (unless revealed), then their messages rendered from the
 * masked values.
 */
import { sourceDateEpoch } from '../epoch.js';
import type { DataIssue, FileReport, LoadedTable, Value } from '../data/model.js';
import { tableDef } from '../data/tables.js';
import { sourceLabel } from '../data/provenance.js';
import { formatYuan, formatYuanGrouped } from '../data/yuan.js';
import { compareFindings, type Finding, type RunResult } from '../engine/finding.js';
import { entityFieldKind } from '../plan/lineage.js';
import { renderTemplate } from '../plan/template.js';
import type { EntityKind, LoadedRule } from '../rules/model.js';
import { baselineMark, baselineStatus, type Baseline } from './baseline.js';
import { findCases } from './cases.js';
import { buildManifest } from './manifest.js';
import { FindingMask, knownValues, maskIssues, maskMapping, maskRanked, maskResolved, maskValue, NOTHING_KNOWN, scanText, type KnownValues } from './mask.js';
import { MoneyLedger } from './money.js';
import {
  SCHEMA_VERSION,
  type AuditResult,
  type BaselineStatus,
  type DataIssueGroup,
  type InputsSummary,
  type InputTable,
  type Lang,
  type Manifest,
  type ManifestOptions,
  type ReportFinding,
  type RunStatus,
  type Suppression,
  type SuppressedFinding,
  type SuppressionsReport,
} from './model.js';
import { rankEntities } from './rank.js';
import { skipReason } from './i18n.js';
import { reportIssue } from './issue-text.js';
import { summarise } from './summary.js';
import { inForce, matches, type Suppressions } from './suppressions.js';
import { isoLocal, localDay } from './time.js';

export interface BuildInput {
  tool: { name: string; version: string };
  now: Date;
  /** IANA zone of the report's times (see time.ts); Asia/Shanghai by default. */
  timeZone?: string;
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
  suppressions?: Suppressions | null;
  /** Show personal data unmasked (`--reveal`); otherwise every value of a known personal-data kind is masked. */
  reveal: boolean;
  /** The run's known names and accounts, for masking free text, when the rows are not in `tables` (known.ts); else read from `tables`. */
  known?: KnownValues;
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

/** Data issues listed per group in `groups[].first`. */
const GROUP_FIRST = 3;

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

/** Issues grouped by code and level, most issues first, each with its first places. */
function groupIssues(issues: readonly DataIssue[]): DataIssueGroup[] {
  const groups = new Map<string, DataIssueGroup>();
  for (const i of issues) {
    const key = `${i.level}\u0000${i.code}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { code: i.code, level: i.level, count: 0, reason: i.reason, first: [] }));
    g.count++;
    if (g.first.length < GROUP_FIRST) g.first.push({ file: i.file, ...(i.sheet === undefined ? {} : { sheet: i.sheet }), line: i.line, ...(i.column === undefined ? {} : { column: i.column }) });
  }
  return [...groups.values()].sort((a, b) => (a.level === b.level ? 0 : a.level === 'error' ? -1 : 1) || b.count - a.count || cmp(a.code, b.code));
}

/**
 * A finding as reported, masked unless `reveal`: each value by what it is
 * (one treatment per value throughout the finding, see mask.ts), then its
 * messages rendered from the masked values (money grouped as in the tables).
 * `known` holds the run's names and accounts, for scanning free text.
 * Spelled out so that the json key order is the schema's, whatever order the
 * engine used.
 */
export function reportFinding(
  raw: Finding & { baseline?: ReportFinding['baseline'] },
  reveal: boolean,
  baseline: ReportFinding['baseline'] = raw.baseline ?? null,
  known: KnownValues = NOTHING_KNOWN,
): ReportFinding {
  const masker = reveal ? undefined : new FindingMask(raw, known);
  const f = masker ? masker.masked() : raw;
  // Each placeholder's value takes the treatment its raw value has throughout the finding.
  const mask = masker ? (_kind: unknown, v: Value) => masker.value(v) : undefined;
  return {
    fingerprint: f.fingerprint,
    ruleId: f.ruleId,
    category: f.category,
    risk: f.risk,
    severity: f.severity,
    title: { zh: f.title.zh, en: f.title.en },
    message: {
      zh: renderTemplate(f.template.zh, raw.details, mask, formatYuanGrouped),
      en: renderTemplate(f.template.en, raw.details, mask, formatYuanGrouped),
    },
    entity: f.entity.label === undefined ? { kind: f.entity.kind, key: f.entity.key } : { kind: f.entity.kind, key: f.entity.key, label: f.entity.label },
    period: f.period,
    amount: f.amount,
    amountYuan: f.amount === null ? null : formatYuan(f.amount),
    baseline,
    case: null,
    details: f.details,
    evidence: f.evidence.map((e) => (e.sheet === undefined ? { table: e.table, file: e.file, line: e.line, values: e.values } : { table: e.table, file: e.file, sheet: e.sheet, line: e.line, values: e.values })),
    // The rows carried by place alone: the json format writes them into `evidence` (formatters/json.ts).
    ...(f.places ? { places: f.places } : {}),
    evidenceCount: f.evidenceCount,
    digits: f.digits,
    pii: f.pii,
  };
}

/** What ran: rules selected, run, skipped for missing inputs, failed with an error. */
function runStatus(rules: number, run: RunResult, withFindings: number): RunStatus {
  const failed = run.skipped.filter((s) => s.code === 'error').length;
  const skipped = run.skipped.length - failed;
  return { rules, ran: rules - run.skipped.length, skipped, failed, withFindings };
}

/** Splits the findings into those in force and those an unexpired suppression accepts. */
function applySuppressions(findings: readonly Finding[], s: Suppressions | null | undefined, today: string) {
  if (!s) return { active: [...findings], suppressed: [] as Array<{ finding: Finding; by: Suppression }>, report: null };
  const { active: entries, expired } = inForce(s.entries, today);
  const used = new Set<Suppression>();
  const active: Finding[] = [];
  const suppressed: Array<{ finding: Finding; by: Suppression }> = [];
  for (const f of findings) {
    const by = entries.find((e) => matches(e, f));
    if (by) {
      used.add(by);
      suppressed.push({ finding: f, by });
    } else {
      active.push(f);
    }
  }
  return { active, suppressed, expired, unmatched: entries.filter((e) => !used.has(e)), entries: s.entries.length, file: s.file };
}

/** The manifest with file names and headers masked: a file may be named after a person, a header may be a data row. */
function maskManifest(m: Manifest, known: KnownValues): Manifest {
  const scan = (p: string) => scanText(p, known);
  return {
    ...m,
    files: m.files.map((f) => ({ ...f, path: scan(f.path), ...(f.sheet === undefined ? {} : { sheet: scan(f.sheet) }), mapping: maskMapping(f.mapping, known) })),
    rules: m.rules.map((r) => ({ ...r, file: scan(r.file) })),
    options: {
      ...m.options,
      rules: m.options.rules.map(scan),
      baseline: m.options.baseline === null ? null : scan(m.options.baseline),
      suppressions: m.options.suppressions === null ? null : scan(m.options.suppressions),
      mapping: m.options.mapping === null ? null : scan(m.options.mapping),
      config: m.options.config === null ? null : scan(m.options.config),
      tables: Object.fromEntries(Object.entries(m.options.tables).map(([t, f]) => [t, scan(f)])),
    },
  };
}

/** Builds the audit result, masked unless `reveal`. Every list in it is sorted, so that equal inputs give equal output. */
export function buildResult(input: BuildInput): AuditResult {
  const zone = input.timeZone ?? 'Asia/Shanghai';
  // The names and accounts of the people in this run's data, for masking free text.
  const known = input.reveal ? NOTHING_KNOWN : (input.known ?? knownValues(input.tables));
  const sorted = [...input.run.findings].sort(compareFindings);
  const split = applySuppressions(sorted, input.suppressions, localDay(input.now, zone));
  const raw = split.active;
  const findings = raw.map((f) => reportFinding(f, input.reveal, baselineMark(f.fingerprint, input.baseline), known));
  // Money is counted on the findings as the engine gave them: rows by their places as loaded, money as loaded
  // (masking may make two file names alike, and knows nothing of money).
  const ledger = new MoneyLedger(raw);
  const { cases, caseOf } = findCases(findings, ledger);
  findings.forEach((f, i) => (f.case = caseOf[i]));
  const ranked = rankEntities(raw, ledger);

  // Reasons are rendered in the report's language first, then masked with the values they quote.
  const issues = input.files
    .flatMap((f) => f.issues)
    .sort(compareIssues)
    .map((i) => reportIssue(i, input.lang));
  const manifest = buildManifest({
    tool: input.tool,
    files: input.files,
    rules: input.rules,
    run: input.run,
    options: input.options,
    rulePath: input.rulePath,
  });
  const shownIssues = input.reveal ? issues : maskIssues(manifest.files, issues, known);
  const skipped = [...input.run.skipped]
    .sort((a, b) => cmp(a.ruleId, b.ruleId))
    // A rule's error may quote the data it failed on.
    .map((sk) => ({ ...sk, reason: input.reveal ? skipReason(sk, input.lang) : scanText(skipReason(sk, input.lang), known) }));
  const current = new Set(sorted.map((f) => f.fingerprint));
  const inputs = summariseInputs(input.files, input.tables, issues.length, input.inputTables);
  return {
    schemaVersion: SCHEMA_VERSION,
    tool: { ...input.tool },
    generatedAt: isoLocal(input.now, zone),
    timeZone: zone,
    lang: input.lang,
    revealed: input.reveal,
    run: runStatus(input.rules.length, input.run, new Set([...raw, ...split.suppressed.map((s) => s.finding)].map((f) => f.ruleId)).size),
    summary: summarise(findings, ledger),
    findings,
    cases,
    entities: input.reveal ? ranked : maskRanked(ranked, raw, known),
    baseline: maskBaseline(baselineStatus(findings, current, input.baseline), input.reveal, known),
    suppressions: suppressionsReport(split, input, known),
    skipped,
    dataIssues: {
      total: issues.length,
      errors: issues.filter((i) => i.level === 'error').length,
      warnings: issues.filter((i) => i.level === 'warning').length,
      groups: groupIssues(shownIssues),
      issues: shownIssues,
    },
    inputs: input.reveal ? inputs : { ...inputs, tables: inputs.tables.map((t) => ({ ...t, sources: t.sources.map((x) => scanText(x, known)) })) },
    manifest: input.reveal ? manifest : maskManifest(manifest, known),
  };
}

/** The suppressions section: suppressed findings (masked as the others), expired and unmatched entries. */
function suppressionsReport(split: ReturnType<typeof applySuppressions>, input: BuildInput, known: KnownValues): SuppressionsReport | null {
  if (!('file' in split) || split.file === undefined) return null;
  const kindOfRule = new Map<string, EntityKind>(input.rules.map((r) => [r.rule.id, r.rule.finding.entity.kind]));
  // An entry's entity is written unmasked in the file; the report shows it as the findings show their keys. Its
  // reason is free text, which may name the person it is about.
  const shown = (entry: Suppression, matched?: ReportFinding): Suppression => {
    if (input.reveal) return { ...entry };
    const s = { ...entry, reason: scanText(entry.reason, known) };
    if (s.entity === undefined) return s;
    if (matched) return { ...s, entity: matched.entity.key };
    const kind = s.rule !== undefined ? kindOfRule.get(s.rule) : undefined;
    // A person's key is an identity number or a person id; a rule not in this run says no kind: masked as the most sensitive.
    const fieldKind = kind === undefined || kind === 'person' ? 'id' : entityFieldKind(kind, 'key');
    return { ...s, entity: String(maskValue(fieldKind, s.entity, known)) };
  };
  const suppressed: SuppressedFinding[] = split.suppressed.map(({ finding, by }) => {
    const f = reportFinding(finding, input.reveal, baselineMark(finding.fingerprint, input.baseline), known);
    return { ...f, suppression: shown(by, f) };
  });
  return {
    file: input.reveal ? split.file : scanText(split.file, known),
    entries: split.entries ?? 0,
    suppressed,
    expired: (split.expired ?? []).map((s) => shown(s)),
    unmatched: (split.unmatched ?? []).map((s) => shown(s)),
  };
}

/** The baseline comparison with its resolved findings masked, unless --reveal. */
function maskBaseline(status: BaselineStatus | null, reveal: boolean, known: KnownValues): BaselineStatus | null {
  return status && !reveal ? { ...status, resolved: maskResolved(status.resolved, known) } : status;
}
