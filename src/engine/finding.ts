/**
 * A finding is plain data: what the engine returns, the report masks and
 * renders, and every formatter shows. Values are unmasked here; the report
 * masks them by the kind the rule's compiled plan gives each column
 * (`pii`), then renders the messages from the masked values.
 */
import type { Category, EntityKind, I18n, Risk, Severity } from '../rules/model.js';
import { SEVERITIES } from '../rules/model.js';
import type { PiiKind } from '../data/tables.js';
import type { Value } from '../data/model.js';
import type { TemplatePart } from '../plan/template.js';

/** One source row that proves a finding. */
export interface EvidenceRow {
  table: string;
  file: string;
  /** The workbook sheet, when the row comes from one (see data/provenance.ts). */
  sheet?: string;
  /** 1-based line on which the record starts in `file`. */
  line: number;
  /** The row's canonical values as loaded (money in fen). */
  values: Record<string, Value>;
}

/**
 * Evidence rows carried by their place alone (beyond those shown with their values): rows of one table from one
 * file (and sheet), their lines in evidence order. A finding resting on a hundred thousand rows carries one list of
 * numbers per file, not an object per row.
 */
export interface EvidencePlaces {
  table: string;
  file: string;
  /** The workbook sheet, when the rows come from one. */
  sheet?: string;
  /** 1-based lines on which the records start, in evidence order. */
  lines: number[];
}

/** The values of an evidence row carried by its place alone (shared: no row's values are ever written to). */
export const NO_VALUES: Readonly<Record<string, Value>> = Object.freeze({});

/**
 * Every evidence row of a finding, in evidence order: those shown with their values, then those carried by their
 * place alone (with empty values), one object at a time.
 */
export function* everyEvidenceRow(f: Pick<Finding, 'evidence' | 'places'>): Generator<EvidenceRow> {
  yield* f.evidence;
  for (const p of f.places ?? []) {
    for (const line of p.lines) {
      yield p.sheet === undefined ? { table: p.table, file: p.file, line, values: NO_VALUES } : { table: p.table, file: p.file, sheet: p.sheet, line, values: NO_VALUES };
    }
  }
}

/** The first `n` rows everyEvidenceRow gives. */
export function firstEvidenceRows(f: Pick<Finding, 'evidence' | 'places'>, n: number): EvidenceRow[] {
  const out: EvidenceRow[] = [];
  if (n <= 0) return out;
  for (const e of everyEvidenceRow(f)) {
    out.push(e);
    if (out.length >= n) break;
  }
  return out;
}

/** How many rows everyEvidenceRow gives. */
export function evidenceRowCount(f: Pick<Finding, 'evidence' | 'places'>): number {
  let n = f.evidence.length;
  for (const p of f.places ?? []) n += p.lines.length;
  return n;
}

/** Observed against expected (Benford) share per leading digit, for a first-digit finding's group. */
export interface DigitDistribution {
  test: 'first' | 'first_two';
  /** Values counted. */
  n: number;
  bars: Array<{ digit: number; count: number; observed: number; expected: number }>;
}

export interface Finding {
  /** Stable across runs for the same facts: hash of rule id, entity, period and the evidence rows' values (not their file paths). */
  fingerprint: string;
  ruleId: string;
  category: Category;
  risk: Risk;
  severity: Severity;
  title: I18n;
  /** The rule's message templates, rendered by the report from the (masked) details. */
  template: { zh: TemplatePart[]; en: TemplatePart[] };
  entity: { kind: EntityKind; key: string; label?: string };
  /** 'YYYY-MM' or 'YYYY-MM-DD' or a range 'YYYY-MM..YYYY-MM', or null. */
  period: string | null;
  /** Money at risk in integer fen, or null when the finding has no amount. */
  amount: number | null;
  /** The check's output row (derived values such as counts and totals), unmasked. */
  details: Record<string, Value>;
  /**
   * The evidence rows shown with their values, in evidence order (file, sheet, line): the first EVIDENCE_CAP, or
   * as many as asked. `evidenceCount` is the number of every evidence row, these and `places`.
   */
  evidence: EvidenceRow[];
  /** The evidence rows after those, by their place alone, in evidence order (absent: there are none). */
  places?: EvidencePlaces[];
  evidenceCount: number;
  /** Personal-data kind of entity key/label, details keys and evidence columns that need masking. */
  pii: Record<string, PiiKind>;
  /**
   * Which of those (details keys, `entity.key`, `entity.label`) hold personal data the rule computed (a piece of
   * an identity number, a concatenation) rather than values as loaded: the report masks them whole.
   */
  computed?: string[];
  /** The digit distribution behind a first-digit (Benford) finding; null for other findings. */
  digits: DigitDistribution | null;
}

/** This many evidence rows of a finding carry their values, by default; the others their place alone. */
export const EVIDENCE_CAP = 50;

/** A rule that did not run, and why. */
export interface SkippedRule {
  ruleId: string;
  reason: string;
  /** 'missing-table' | 'missing-column' | 'error' | 'budget' */
  code: string;
  /** For 'budget': which limit the rule went over (its key in the config file's `budget:`, or the run's `duckdb_memory`) and its value. */
  budget?: { limit: 'seconds' | 'memory_mb' | 'join_growth' | 'duckdb_memory'; value: number };
  /** What is missing, for 'missing-table' (table names) and 'missing-column' ('table.column'), so reports can say it in their language. */
  missing?: string[];
}

/** What running a set of rules produced. */
export interface RunResult {
  findings: Finding[];
  skipped: SkippedRule[];
  /** Rule id → number of findings (0 for rules that ran and found nothing). */
  ran: Record<string, number>;
  /** Rule id → the parameter values in effect (as written by the user: money in yuan), for the manifest. */
  params: Record<string, Record<string, string | number | boolean | string[]>>;
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The order findings are listed in: most severe first, then by rule, money at risk (largest first), entity, period and fingerprint. */
export function compareFindings(a: Pick<Finding, 'severity' | 'ruleId' | 'amount' | 'entity' | 'period' | 'fingerprint'>, b: typeof a): number {
  return (
    SEVERITIES.indexOf(b.severity) - SEVERITIES.indexOf(a.severity) ||
    cmp(a.ruleId, b.ruleId) ||
    (b.amount ?? -Infinity) - (a.amount ?? -Infinity) ||
    cmp(a.entity.key, b.entity.key) ||
    cmp(a.period ?? '', b.period ?? '') ||
    cmp(a.fingerprint, b.fingerprint)
  );
}

/**
 * What two executors must agree on for one finding, as text: rule, fingerprint, entity, period, amount, the
 * values its message is rendered from, and its evidence (every row's place, the first ones' values, the count).
 */
export function findingFacts(f: Finding): string {
  return JSON.stringify([f.ruleId, f.fingerprint, f.entity, f.period, f.amount, f.details, f.evidence, f.places ?? [], f.evidenceCount, f.digits]);
}

/**
 * Where two runs' findings differ, one line each (empty when they agree): the findings only one of them has,
 * by rule, entity and period.
 */
export function compareRuns(a: { name: string; findings: Finding[] }, b: { name: string; findings: Finding[] }): string[] {
  const count = (list: Finding[]) => {
    const m = new Map<string, { f: Finding; n: number }>();
    for (const f of list) {
      const k = findingFacts(f);
      const e = m.get(k);
      if (e) e.n++;
      else m.set(k, { f, n: 1 });
    }
    return m;
  };
  const ma = count(a.findings);
  const mb = count(b.findings);
  const out: string[] = [];
  const fields = ['entity', 'period', 'amount', 'details', 'evidence', 'places', 'evidenceCount', 'digits'] as const;
  const only = (from: Map<string, { f: Finding; n: number }>, other: Map<string, { f: Finding; n: number }>, name: string, otherName: string, counterpart: boolean) => {
    for (const [k, { f, n }] of from) {
      if (n - (other.get(k)?.n ?? 0) <= 0) continue;
      const what = `${f.ruleId}: ${f.entity.kind} ${f.entity.key}${f.period ? ` (${f.period})` : ''}, fingerprint ${f.fingerprint}`;
      const twin = [...other.values()].find((x) => x.f.ruleId === f.ruleId && x.f.fingerprint === f.fingerprint)?.f;
      if (!twin) out.push(`${what}: found by ${name} only`);
      else if (counterpart) out.push(`${what}: ${name} and ${otherName} differ in ${fields.filter((x) => JSON.stringify(f[x]) !== JSON.stringify(twin[x])).join(', ')}`);
    }
  };
  only(ma, mb, a.name, b.name, true);
  only(mb, ma, b.name, a.name, false);
  return out;
}
