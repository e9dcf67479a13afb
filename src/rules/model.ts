/**
 * The rule model: what a rule file (rules/<category>/<ID>.yaml) holds once
 * parsed and validated. docs/rules.md documents it for authors and
 * rules/schema.json describes it for editors; this file is the source of truth
 * for the code.
 *
 * A rule is data. Its check is a pipeline of verbs whose expressions are
 * written in Arquero's expression syntax (`d.amount > $.threshold`); loading
 * compiles it once into a plan (src/plan/), each expression parsed against a
 * whitelist into the plan's own tree: rules can never execute code.
 */

export type Category = 'money' | 'people' | 'documents';
export type Risk = 'embezzlement' | 'diversion' | 'withholding' | 'fraud' | 'irregularity';
export type Severity = 'info' | 'low' | 'medium' | 'high' | 'critical';

export const CATEGORIES: Category[] = ['money', 'people', 'documents'];
export const RISKS: Risk[] = ['embezzlement', 'diversion', 'withholding', 'fraud', 'irregularity'];
export const SEVERITIES: Severity[] = ['info', 'low', 'medium', 'high', 'critical'];

/** Chinese and English text. */
export interface I18n {
  zh: string;
  en: string;
}

/**
 * Parameter types. `money` is written in yuan in YAML and on the command line
 * (`5000`, `"1234.50"`) and seen by expressions as integer fen. `date` is
 * 'YYYY-MM-DD', `month` is 'YYYY-MM'. `list` is a list of strings.
 */
export type ParamType = 'int' | 'number' | 'money' | 'string' | 'date' | 'month' | 'bool' | 'list';

export interface ParamDef {
  type: ParamType;
  default: string | number | boolean | string[];
  description: I18n;
}

/**
 * An expression as the rule file writes it. Either a bare expression over `d`
 * (`d.amount > $.min`) or an arrow function (`(d, $) => d.amount > $.min`;
 * in joins `(a, b) => a.id_number == b.id_number`). Only `d.<column>`,
 * `$.<param>`, literals, operators and calls of whitelisted `op.<fn>` are allowed.
 */
export type Expr = string;

/**
 * A table reference inside a pipeline: a canonical table name, or a nested
 * pipeline (`{ from: deaths, steps: [...] }`).
 */
export type TableRef = string | Pipeline;

/** Join keys: a column name present in both, a list of them, or a left→right map. */
export type JoinOn = string | string[] | Record<string, string>;

/**
 * Joins take either `on` (equal keys) or `where`, a two-table predicate
 * `(a, b) => a.id_number == b.id_number && a.pay_date >= b.sentence_start`
 * (slower: compared pair by pair; use it on small or pre-aggregated tables).
 *
 * One step of a pipeline. Exactly one key, named after the verb; the compiled
 * plan tags each step with it (src/plan/model.ts).
 */
export type Step =
  | { filter: Expr }
  | { derive: Record<string, Expr> }
  | { select: string[] }
  | { rename: Record<string, string> }
  | { join: { with: TableRef; on?: JoinOn; where?: Expr; how?: 'inner' | 'left' | 'right' | 'full'; suffix?: [string, string] } }
  | { semijoin: { with: TableRef; on?: JoinOn; where?: Expr } }
  | { antijoin: { with: TableRef; on?: JoinOn; where?: Expr } }
  | { lookup: { with: TableRef; on: JoinOn; values: string[] } }
  | { groupby: string[] }
  | { ungroup: true }
  | { rollup: Record<string, Expr> }
  | { count: { as?: string } }
  | { dedupe: string[] }
  | { orderby: string[] } // a leading '-' means descending: ['-amount', 'period']
  | { concat: TableRef[] };

export interface Pipeline {
  from: string;
  steps?: Step[];
}

/**
 * Higher-level check kinds. Each compiles to plan steps of the same verbs
 * (src/plan/kinds/), so that every executor runs them without knowing the kind.
 */
export type Check =
  | ({ kind: 'pipeline' } & Pipeline)
  | {
      /** Rows sharing a key appear at least `min_count` times. Output: one row per key with `count`, `amount` (sum of `amount` column if given) and the rows as evidence. */
      kind: 'duplicates';
      table: TableRef;
      where?: Expr;
      key: string[];
      amount?: string;
      min_count?: number | string; // number or '$.param'
    }
  | {
      /** Sum of `left.value` vs `right.value` per key (after each side's `where`); output rows where |diff| > tolerance. Output columns: key columns, `left_total`, `right_total`, `diff` (left − right), `abs_diff` (|diff|, the money at risk), `left_rows`, `right_rows`. */
      kind: 'reconcile';
      left: { table: TableRef; where?: Expr; key: Record<string, Expr>; value: Expr };
      right: { table: TableRef; where?: Expr; key: Record<string, Expr>; value: Expr };
      tolerance?: number | string;
      /** Also report keys present on one side only (default true). */
      one_sided?: boolean;
    }
  | {
      /** Gaps in a numbered sequence (e.g. receipt numbers) within each group. Output: one row per gap with `gap_from`, `gap_to`, `missing`. */
      kind: 'sequence_gaps';
      table: TableRef;
      where?: Expr;
      group?: string[];
      /** Expression yielding the sequence number (e.g. `op.seq_number(d.receipt_no)`). */
      number: Expr;
      /** Report only gaps of at least this many numbers (default 1). */
      min_gap?: number | string;
    }
  | {
      /** First-digit (Benford) test per group with Nigrini's MAD thresholds. Output: one row per group with `n`, `mad`, `conformity`. */
      kind: 'benford';
      table: TableRef;
      where?: Expr;
      group: string[];
      value: string;
      digits?: 'first' | 'first_two';
      /** Minimum number of values in a group to test it. */
      min_n?: number | string;
      /** Flag groups whose conformity is this or worse: 'acceptable' | 'marginal' | 'nonconformity' (default nonconformity). */
      flag_at?: string;
    }
  | {
      /** One attribute value (e.g. a bank account) shared by at least `min_entities` distinct entities. Output: one row per value with `entities` (count) and the rows as evidence. */
      kind: 'shared_attribute';
      table: TableRef;
      where?: Expr;
      attribute: string;
      entity: string;
      min_entities?: number | string;
      amount?: string;
    }
  | {
      /** Values far from their group's typical value: `value > median * factor` or robust z-score (MAD) above `z`. Output: the outlying rows with `median`, `score`. */
      kind: 'outliers';
      table: TableRef;
      where?: Expr;
      group?: string[];
      value: Expr;
      method?: 'ratio' | 'robust_z';
      threshold: number | string;
      min_n?: number | string;
    };

export type EntityKind = 'person' | 'staff' | 'account' | 'employer' | 'document' | 'period';

/**
 * How each output row of the check becomes a finding. Column names refer to
 * the check's output. Messages are templates: `{column}` inserts a value,
 * `{column:money}` formats fen as yuan with two decimals.
 */
export interface FindingSpec {
  entity: { kind: EntityKind; key: string; label?: string };
  amount?: string;
  period?: string;
  message: I18n;
  /** Personal-data kinds of output columns, where they should differ from what the columns' lineage gives them. */
  pii?: Record<string, 'id' | 'name' | 'account' | 'phone' | 'address'>;
}

/** What an inline test case must find. `none: true` means nothing may be found. */
export interface TestExpect {
  none?: boolean;
  count?: number;
  /** Entity keys (as loaded, e.g. normalised identity numbers) that must be among the findings. */
  entities?: string[];
  /** Total amount at risk over all findings, in yuan ("1234.50"). */
  amount?: string;
}

export interface TestCase {
  name: string;
  /** Parameter overrides for this case. */
  params?: Record<string, string | number | boolean | string[]>;
  /** Canonical table name → CSV text (header row with canonical or alias names, then rows). */
  tables: Record<string, string>;
  expect: TestExpect;
}

export interface Rule {
  id: string;
  title: I18n;
  description: I18n;
  category: Category;
  risk: Risk;
  severity: Severity;
  /** Legal or practice basis: the articles or audit guidance that make this a finding. */
  basis: string[];
  tags: string[];
  params: Record<string, ParamDef>;
  check: Check;
  finding: FindingSpec;
  tests: TestCase[];
}

/** A rule as loaded from disk, with where it came from. */
export interface LoadedRule {
  rule: Rule;
  file: string;
  /** SHA-256 of the file's bytes. */
  sha256: string;
}

/** A problem found in a rule file, with its place and how to fix it. */
export interface RuleProblem {
  file: string;
  line: number;
  col: number;
  /** Short machine code, e.g. `yaml-syntax`, `schema`, `duplicate-id`, `unknown-column`. */
  code: string;
  message: string;
  /** The offending text. */
  snippet?: string;
  fix?: string;
}
