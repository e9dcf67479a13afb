/**
 * The plan: what a rule's check does, as engine-neutral data. A relation
 * starts from a canonical table and applies steps, each tagged by its verb,
 * its expressions parsed once into the plan's own tree (ast.ts). Every step
 * records what comes out of it: the columns, each with where its values come
 * from and the personal-data kind that follows; the groups; and the evidence
 * slots, which say which base tables' rows each output row carries.
 * Executors (src/engine/*) run relations; they decide nothing the plan says.
 */
import type { PiiKind } from '../data/tables.js';
import type { RulePath } from '../errors.js';
import type { Expr } from './ast.js';

/** A column of a relation after some step, and where its values come from. */
export interface PlanColumn {
  name: string;
  /** Canonical `table.column`s whose values it carries unchanged (through select, rename, join keys, group keys, lookup). */
  sources: string[];
  /** Every canonical `table.column` its values are computed from (its sources included). */
  lineage: string[];
  /** The verbs and functions its values went through since they were loaded (`rename`, `rollup`, `op.max`). */
  via: string[];
  /** Personal-data kind, from the lineage (see lineage.ts); absent when the values hold none. */
  kind?: PiiKind;
  /**
   * Its personal data went through a computation that can change it (a
   * substring, a concatenation, a number made of it) rather than being a
   * value as loaded: pieces of an identity number would each show the part a
   * mask keeps, so reports mask such a value whole.
   */
  computed?: true;
}

/**
 * Rows of a base table that output rows carry as evidence. Every read of a
 * base table has its own slot (a self-join carries two of payouts); after a
 * rollup a slot holds every row of the group.
 */
export interface Slot {
  id: number;
  table: string;
}

/** What comes out of a step (or a relation). */
export interface Output {
  columns: PlanColumn[];
  /** Group keys in force (groupby … until rollup, count, join or ungroup). */
  groups: string[];
  slots: Slot[];
}

/** A named expression of derive or rollup. */
export interface NamedExpr {
  name: string;
  expr: Expr;
}

/** Join keys as pairs of a left and a right column. */
export type KeyPair = [left: string, right: string];

export type JoinHow = 'inner' | 'left' | 'right' | 'full';

/**
 * The columns a join outputs, decided by the plan: each left column and each
 * right column kept, with its output name (clashing names take the join's
 * suffixes); `merged` keys of a full join take the left value, or the right
 * one where the left is null. See docs/rules.md, "join".
 */
export interface JoinOutput {
  left: Array<[input: string, output: string]>;
  right: Array<[input: string, output: string]>;
  merged: string[];
}

export type StepSpec =
  | { verb: 'filter'; where: Expr }
  /** Each expression sees the columns before the step, not its siblings. */
  | { verb: 'derive'; values: NamedExpr[] }
  | { verb: 'select'; names: string[] }
  | { verb: 'rename'; renames: Array<[from: string, to: string]> }
  /** `on` (equal keys) or `where` (a predicate over a and b), never both. */
  | { verb: 'join'; with: Relation; how: JoinHow; on?: KeyPair[]; where?: Expr; output: JoinOutput }
  /** Left rows with (semijoin) or without (antijoin) a match; the right rows are not evidence. */
  | { verb: 'semijoin' | 'antijoin'; with: Relation; on?: KeyPair[]; where?: Expr }
  /** `values` of the first matching right row (null when none); the right row's slots in `slots` join the evidence. */
  | { verb: 'lookup'; with: Relation; on: KeyPair[]; values: string[]; slots: number[] }
  | { verb: 'groupby'; keys: string[] }
  | { verb: 'ungroup' }
  | { verb: 'rollup'; values: NamedExpr[] }
  | { verb: 'count'; as: string }
  /** The first row of each combination of `keys` (every column when empty). */
  | { verb: 'dedupe'; keys: string[] }
  | { verb: 'orderby'; keys: Array<{ name: string; desc: boolean }> }
  /**
   * The rows of `tables` appended, under this relation's columns. `slots[i]`
   * maps each slot of tables[i] to the output slot its rows fill.
   */
  | { verb: 'concat'; tables: Relation[]; slots: Array<Array<[from: number, to: number]>> };

export type Verb = StepSpec['verb'];

/** One step of a relation: what it does, where it is in the rule file, and what comes out of it. */
export type PlanStep = StepSpec & {
  /** Where the step is in the rule file (`['check', 'steps', 2]`); a kind's own steps point at `['check']`. */
  path: RulePath;
  out: Output;
};

/** A relation: a canonical table, read into its own slot, then steps. */
export interface Relation {
  from: string;
  slot: Slot;
  steps: PlanStep[];
  /** What comes out of the last step (of the table, when there are none). */
  out: Output;
}

/** A problem found while compiling, at a path of the rule file and (inside an expression or a template) an offset. */
export interface PlanProblem {
  /** Which check found it: the validator that reports it (see src/rules/validators/). */
  stage: 'expression' | 'columns' | 'finding' | 'params';
  code: string;
  message: string;
  fix?: string;
  path: RulePath;
  offset?: number;
  length?: number;
  /** Point at the key of the last path element rather than its value. */
  key?: boolean;
}
