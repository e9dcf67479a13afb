/**
 * What an executor is: it runs a compiled rule's plan over a dataset and
 * returns plain rows and, per row, the base-table rows it rests on. It
 * decides nothing the plan says (columns, their names, which rows are
 * evidence); it only computes. The Arquero executor (arquero/) is the
 * reference; another engine is one more folder implementing this interface
 * over a Dataset of its own.
 */
import type { Value } from '../data/model.js';
import type { CompiledRule } from '../plan/compile.js';
import type { ParamValues } from '../rules/params.js';
import type { BudgetSettings } from './budget.js';

/** Rows of one base table that an output row carries (row indexes, as the dataset numbers them). */
export interface EvidenceRef {
  table: string;
  rows: number[];
}

/** What running a rule's plan gives. */
export interface ExecutionResult {
  /**
   * The plan's output columns present in the data, in the plan's order (a
   * column from a canonical column the files lack, and the rule does not
   * need, is absent). Hidden ones, such as a benford check's digit counts, included.
   */
  columns: string[];
  /** One object per output row: plain JavaScript values, null where there is none. */
  rows: Record<string, unknown>[];
  /** Per output row, the base-table rows it carries, from the plan's evidence slots. */
  evidence: EvidenceRef[][];
}

/** Where a base-table row came from. */
export interface RowPlace {
  file: string;
  /** The sheet, for a row of a workbook. */
  sheet?: string;
  /** 1-based line on which the record starts. */
  line: number;
}

/**
 * Answers for base-table rows what a finding needs of its evidence: where
 * each row is, its canonical values and a digest of them (for the
 * fingerprint). A source that must fetch rows (from a database) does so in
 * `prepare`, once per rule, before the findings are built.
 */
export interface RowSource {
  prepare?(evidence: EvidenceRef[][]): Promise<void>;
  /** Called after `prepare` with the rows whose values will be asked (a source that fetches rows fetches these). */
  prepareValues?(rows: Array<{ table: string; row: number }>): Promise<void>;
  place(table: string, row: number): RowPlace;
  values(table: string, row: number): Record<string, Value>;
  digest(table: string, row: number): number;
}

/** The loaded data a run works on: which canonical tables and columns there are, and their rows. */
export interface Dataset extends RowSource {
  hasTable(table: string): boolean;
  hasColumn(table: string, column: string): boolean;
}

/** Runs compiled plans on one kind of dataset. */
export interface Executor<D extends Dataset = Dataset> {
  /** Short name, for messages (`arquero`). */
  readonly name: string;
  /**
   * Runs the rule's plan with its params (money in fen). Throws RunError naming the step that failed. With a
   * `budget`, honours it as engine/budget.ts says (time, memory, join growth) and throws BudgetExceeded when the
   * rule goes over it.
   */
  run(rule: CompiledRule, params: ParamValues, dataset: D, budget?: BudgetSettings): Promise<ExecutionResult>;
  /** Releases what the executor holds (a child process, a connection); the run calls it once it is done. */
  close?(): Promise<void>;
}
