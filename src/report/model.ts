/**
 * The audit result: everything a report shows, as plain data. It is built once
 * (build.ts: values masked, then messages rendered from them) and then handed
 * to a formatter, which only renders it. The json format is this object under docs/report-schema.json.
 */
import type { DataIssue, TableFacts } from '../data/model.js';
import type { DigitDistribution, Finding, SkippedRule } from '../engine/finding.js';
import type { Category, EntityKind, I18n, Risk, Severity } from '../rules/model.js';

/** Bumped whenever the json format changes incompatibly; docs/report-schema.json documents it, docs/report.md its history. */
export const SCHEMA_VERSION = 2;

export type Lang = 'zh' | 'en';
export type ReportFormat = 'terminal' | 'json' | 'csv' | 'md' | 'html' | 'sarif' | 'github';
export const REPORT_FORMATS: ReportFormat[] = ['terminal', 'json', 'csv', 'md', 'html', 'sarif', 'github'];
export type FailOn = Severity | 'none';

/** One input file as the manifest records it. */
export interface ManifestFile {
  path: string;
  /** The workbook sheet this entry is about (a workbook has one entry per sheet). */
  sheet?: string;
  sha256: string;
  bytes: number;
  table: string | null;
  encoding: string | null;
  rowsRead: number;
  rowsLoaded: number;
  rowsRejected: number;
  /** Each source header and the canonical column it was mapped to (null: not used). */
  mapping: Array<{ source: string; column: string | null }>;
}

/** One rule as the manifest records it. */
export interface ManifestRule {
  id: string;
  file: string;
  sha256: string;
  category: Category;
  risk: Risk;
  severity: Severity;
  /** ran; skipped (a table or column it needs is missing); failed (an error while running). */
  status: 'ran' | 'skipped' | 'failed';
  findings: number;
}

/** The options of the run that shape its result (paths as given). */
export interface ManifestOptions {
  rules: string[];
  only: string[];
  skip: string[];
  failOn: FailOn;
  lang: Lang;
  reveal: boolean;
  baseline: string | null;
  suppressions: string | null;
  encoding: string | null;
  tables: Record<string, string>;
  mapping: string | null;
  /** The config file read: given with --config, or fundaudit.yaml found in the working folder. */
  config: string | null;
  /** Whether the shipped rule pack was part of the run (--no-default-rules leaves it out). */
  defaultRules: boolean;
  failOnSkipped: boolean;
}

/** What went in: tool, files, rules, parameters, options. */
export interface Manifest {
  tool: { name: string; version: string };
  files: ManifestFile[];
  rules: ManifestRule[];
  /** Rule id → parameter name → value in effect (money in yuan, as written). */
  params: Record<string, Record<string, string | number | boolean | string[]>>;
  options: ManifestOptions;
}

/** One canonical table that was loaded. */
/** A loaded table as the report lists it (defined with the loader's model, whatever holds the rows). */
export type InputTable = TableFacts;

export interface InputsSummary {
  files: number;
  /** Files whose table was not recognised (listed among the data issues). */
  unrecognisedFiles: number;
  tables: InputTable[];
  rows: number;
  rowsRejected: number;
  /** Earliest and latest month over all loaded tables ('YYYY-MM'), or null. */
  period: { from: string; to: string } | null;
  dataIssues: number;
}

/** Counts and money for one slice of the findings. */
export interface Tally {
  count: number;
  /** Findings not in the baseline (equals count when there is no baseline). */
  newCount: number;
  /** Money at risk in integer fen, each evidence row's money counted once (see money.ts). */
  amount: number;
  /** The same in yuan, two decimals. */
  amountYuan: string;
  /** The plain sum of the findings' own amounts, in fen: what the total would be if money cited by several findings were counted each time. */
  findingsAmount: number;
}

export interface SummaryCell extends Tally {
  category: Category;
  risk: Risk;
  /** Money counted once, attributed to the most severe finding claiming it (adds up to `amount`), most severe first. */
  bySeverity: Array<{ severity: Severity; amount: number }>;
}

export interface Summary {
  /** How totals are counted: `rows-once` — each evidence row's money once, whichever findings cite it. */
  counting: 'rows-once';
  /** Every category × risk pair, in the taxonomy's order (zero cells included). */
  cells: SummaryCell[];
  byCategory: Array<Tally & { category: Category }>;
  byRisk: Array<Tally & { risk: Risk }>;
  bySeverity: Array<{ severity: Severity; count: number; newCount: number }>;
  total: Tally;
}

/** What ran: the first thing every format says. */
export interface RunStatus {
  /** Rules selected for the run. */
  rules: number;
  ran: number;
  /** Could not run on these inputs: a table or column they need is missing. */
  skipped: number;
  /** Stopped by an error while running (the other rules ran). */
  failed: number;
  /** Rules that ran and found something. */
  withFindings: number;
}

/**
 * Findings linked because their money was counted together: they rest on the
 * same rows (see money.ts). Shown together as one case.
 */
export interface Case {
  /** `C1`, `C2`, … in order of money at risk. */
  id: string;
  /** Fingerprints of its findings, in report order. */
  findings: string[];
  rules: string[];
  /** Money counted once over the case, in fen. */
  amount: number;
  amountYuan: string;
  /** The plain sum of its findings' amounts, in fen. */
  findingsAmount: number;
  findingsAmountYuan: string;
}

/** An entity (person, staff member, account, employer) hit by one or more findings. */
export interface RankedEntity {
  rank: number;
  kind: EntityKind;
  key: string;
  label: string | null;
  findings: number;
  /** Sum of the severity weights of its findings (see rank.ts). */
  score: number;
  amount: number;
  amountYuan: string;
  maxSeverity: Severity;
  rules: string[];
}

export type { DigitDistribution };

/**
 * A finding as reported: the engine's finding with its values masked (unless
 * revealed), its message rendered from them in both languages, its baseline
 * status and its amount in yuan.
 */
export interface ReportFinding extends Omit<Finding, 'template'> {
  message: I18n;
  amountYuan: string | null;
  /** 'new' or 'persisting' against the baseline; null when no baseline was given. */
  baseline: 'new' | 'persisting' | null;
  /** The case it belongs to (findings whose money was counted together), or null. */
  case: string | null;
}

/** A suppression entry as read from the suppressions file. */
export interface Suppression {
  /** 1-based line of the entry in the file. */
  line: number;
  fingerprint?: string;
  rule?: string;
  /** The entity key as in the data (unmasked); shown masked. */
  entity?: string;
  period?: string;
  reason: string;
  approver: string;
  /** YYYY-MM-DD, the last day it holds. */
  expires: string;
}

/** A finding accepted by a suppression: listed, never counted for --fail-on nor in the totals. */
export interface SuppressedFinding extends ReportFinding {
  suppression: Omit<Suppression, 'entity'> & { entity?: string };
}

export interface SuppressionsReport {
  file: string;
  /** Entries in the file. */
  entries: number;
  suppressed: SuppressedFinding[];
  /** Entries past their expiry date: they no longer suppress. */
  expired: Suppression[];
  /** Entries that matched no finding of this run. */
  unmatched: Suppression[];
}

/** Data issues of one kind (code and level), for reading many at once. */
export interface DataIssueGroup {
  code: string;
  level: 'error' | 'warning';
  count: number;
  /** The reason of the first issue of the group. */
  reason: string;
  /** The first few issues' places. */
  first: Array<{ file: string; sheet?: string; line: number; column?: string }>;
}

export interface DataIssues {
  total: number;
  errors: number;
  warnings: number;
  /** Issues grouped by kind, the kinds with most issues first. */
  groups: DataIssueGroup[];
  /** Every issue, sorted by file, line, column; `reason` in the report's language. */
  issues: DataIssue[];
}

/** A finding of the baseline report that this run no longer finds. */
export interface ResolvedFinding {
  fingerprint: string;
  ruleId: string;
  severity: Severity | null;
  title: I18n | null;
  entity: { kind: EntityKind; key: string; label?: string } | null;
  period: string | null;
  amount: number | null;
  amountYuan: string | null;
}

export interface BaselineStatus {
  file: string;
  /** Fingerprints in the baseline report. */
  fingerprints: number;
  new: number;
  persisting: number;
  /** Baseline findings that no longer appear, as the baseline reported them. */
  resolved: ResolvedFinding[];
}

export interface AuditResult {
  schemaVersion: typeof SCHEMA_VERSION;
  tool: { name: string; version: string };
  /** ISO 8601 in the report's time zone, with its offset; from SOURCE_DATE_EPOCH when set. */
  generatedAt: string;
  /** The IANA time zone of every time the report shows: TZ, else Asia/Shanghai. */
  timeZone: string;
  lang: Lang;
  /** True when personal data was NOT masked (--reveal). */
  revealed: boolean;
  run: RunStatus;
  summary: Summary;
  /** The findings not suppressed, most severe first. */
  findings: ReportFinding[];
  cases: Case[];
  entities: RankedEntity[];
  baseline: BaselineStatus | null;
  suppressions: SuppressionsReport | null;
  skipped: SkippedRule[];
  dataIssues: DataIssues;
  inputs: InputsSummary;
  manifest: Manifest;
}
