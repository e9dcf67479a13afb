/**
 * The audit result: everything a report shows, as plain data. It is built once
 * (build.ts: values masked, then messages rendered from them) and then handed
 * to a formatter, which only renders it. The json format is this object under docs/report-schema.json.
 */
import type { DataIssue, TableFacts } from '../data/model.js';
import type { DigitDistribution, Finding, SkippedRule } from '../engine/finding.js';
import type { Category, EntityKind, I18n, Risk, Severity } from '../rules/model.js';

/** Bumped whenever the json format changes incompatibly; docs/report-schema.json documents it. */
export const SCHEMA_VERSION = 1;

export type Lang = 'zh' | 'en';
export type ReportFormat = 'terminal' | 'json' | 'csv' | 'md' | 'html';
export const REPORT_FORMATS: ReportFormat[] = ['terminal', 'json', 'csv', 'md', 'html'];
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
  /** 'ran' | 'skipped' */
  status: 'ran' | 'skipped';
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
  encoding: string | null;
  tables: Record<string, string>;
  mapping: string | null;
  config: string | null;
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
  /** Money at risk in integer fen. */
  amount: number;
  /** The same in yuan, two decimals. */
  amountYuan: string;
}

export interface SummaryCell extends Tally {
  category: Category;
  risk: Risk;
}

export interface Summary {
  /** Every category × risk pair, in the taxonomy's order (zero cells included). */
  cells: SummaryCell[];
  byCategory: Array<Tally & { category: Category }>;
  byRisk: Array<Tally & { risk: Risk }>;
  bySeverity: Array<{ severity: Severity; count: number; newCount: number }>;
  total: Tally;
  rulesRun: number;
  rulesWithFindings: number;
  rulesSkipped: number;
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
 * status and its amount in yuan. (Every evidence row's place, the engine's
 * `evidencePlaces`, is left to the formats written as streams.)
 */
export interface ReportFinding extends Omit<Finding, 'template' | 'evidencePlaces'> {
  message: I18n;
  amountYuan: string | null;
  /** 'new' or 'known' against the baseline; null when no baseline was given. */
  baseline: 'new' | 'known' | null;
}

export interface DataIssues {
  total: number;
  errors: number;
  warnings: number;
  /** Every issue, sorted by file, line, column. */
  issues: DataIssue[];
}

export interface BaselineStatus {
  file: string;
  /** Fingerprints in the baseline report. */
  fingerprints: number;
  known: number;
  new: number;
  /** Baseline findings that no longer appear. */
  gone: number;
}

export interface AuditResult {
  schemaVersion: typeof SCHEMA_VERSION;
  tool: { name: string; version: string };
  /** ISO 8601 UTC; from SOURCE_DATE_EPOCH when set. */
  generatedAt: string;
  lang: Lang;
  /** True when personal data was NOT masked (--reveal). */
  revealed: boolean;
  manifest: Manifest;
  inputs: InputsSummary;
  summary: Summary;
  entities: RankedEntity[];
  findings: ReportFinding[];
  skipped: SkippedRule[];
  dataIssues: DataIssues;
  baseline: BaselineStatus | null;
}
