/**
 * What the check kinds share: their context while compiling. A kind reads
 * its table, checks its fields against that table's columns (each problem at
 * the field that has it), then writes plan steps of its own, from the fields'
 * parsed expressions and trees it builds (ast.ts). The kinds' steps are the
 * verbs every pipeline uses, so that every executor runs them without
 * knowing the kind.
 */
import { RuleError, type RulePath } from '../../errors.js';
import { lit, param, type Expr } from '../ast.js';
import { PipelineReader, literalProblem, type Columns, columnsOf } from '../flow.js';
import type { PlanProblem, Relation } from '../model.js';
import { nearestName } from '../nearest.js';

/** A plain column name, as opposed to an expression (benford's `value` may be either). */
export const COLUMN_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const PARAM_REF = /^\$\.([A-Za-z_][A-Za-z0-9_]*)$/;

/** Stands in for a field whose expression has problems, so that the kind's output columns are still known. */
const MISSING: Expr = lit(null);

/** The reader, and the field checks and step building a kind needs. */
export class KindContext {
  /** Problems of the table and the fields, before the kind wrote any step. */
  private fieldProblems = 0;
  private checking = true;
  private readonly start: number;

  constructor(
    readonly kind: string,
    private readonly reader: PipelineReader,
  ) {
    this.start = reader.problems.length;
  }

  /** The kind's table (a canonical table or a nested pipeline) at `path`; undefined when unknown. */
  source(ref: unknown, path: RulePath): Relation | undefined {
    return this.reader.relation(ref, path);
  }

  /** Reads the kind's table once more, for a second use of it, without reporting its problems twice. */
  again(ref: unknown, path: RulePath): Relation | undefined {
    const before = this.reader.problems.length;
    const r = this.reader.relation(ref, path);
    this.reader.problems.length = before;
    return r;
  }

  /** A field naming a column of the kind's table. */
  column(name: unknown, path: RulePath, rel: Relation | undefined): void {
    const cols = rel && columnsOf(rel.out);
    if (cols && typeof name === 'string' && !cols.has(name)) this.unknownColumn(name, path, cols);
  }

  /** A field listing columns of the kind's table. */
  columns(names: unknown, path: RulePath, rel: Relation | undefined): void {
    if (Array.isArray(names)) names.forEach((n, i) => this.column(n, [...path, i], rel));
  }

  /**
   * A field holding an expression over the kind's table: its columns and the
   * literals compared with them are checked here; its tree (or a stand-in
   * when it has problems) is what the kind writes into its steps.
   */
  expression(text: unknown, path: RulePath, rel: Relation | undefined): Expr {
    if (typeof text !== 'string') return MISSING;
    const parsed = this.reader.parsed(path);
    const cols = rel && columnsOf(rel.out);
    if (parsed && cols) {
      for (const ref of parsed.columns) {
        if (!cols.has(ref.name)) this.unknownColumn(ref.name, path, cols, ref.offset, ref.length);
      }
      for (const c of parsed.comparisons) {
        const problem = literalProblem(c.column.name, c.value, cols.get(c.column.name));
        if (problem) this.reader.problems.push({ stage: 'columns', path, offset: c.offset, length: c.length, ...problem });
      }
    }
    return parsed?.ast ?? MISSING;
  }

  /** The kind's `table` and `where` (every kind but reconcile has them at the top of its check). */
  table(c: Record<string, unknown>): { rel?: Relation; where: unknown[] } {
    const rel = this.source(c.table, ['check', 'table']);
    return { rel, where: this.where(c.where, ['check', 'where'], rel) };
  }

  /** The `group` columns of a kind (none when absent). */
  group(c: Record<string, unknown>, rel: Relation | undefined): string[] {
    this.columns(c.group, ['check', 'group'], rel);
    return Array.isArray(c.group) ? c.group.map(String) : [];
  }

  /** The `where` of a kind: a filter step, or none. */
  where(text: unknown, path: RulePath, rel: Relation | undefined): unknown[] {
    if (text === undefined || String(text).trim() === '') return [];
    return [{ filter: this.expression(text, path, rel) }];
  }

  /**
   * A numeric field: a number, or a param reference `'$.name'` (resolved
   * when the rule runs); `fallback` when absent.
   */
  numeric(value: unknown, fallback: number, path: RulePath): Expr {
    if (value === undefined || value === null) return lit(fallback);
    if (typeof value === 'number' && Number.isFinite(value)) return lit(value);
    const ref = typeof value === 'string' ? PARAM_REF.exec(value.trim()) : null;
    if (ref) return param(ref[1]);
    throw new RuleError(
      `${path.join('.')} must be a number or a parameter reference like '$.min_count', not ${JSON.stringify(value)}`,
      path,
      `write a number, or declare a param and write '$.<name>'`,
    );
  }

  /**
   * Ends the field checks: from here on the kind writes its own steps. Their
   * problems, if its fields were sound, are the kind's and are reported at
   * the check; after problems in the fields, they would only repeat them.
   */
  private endChecks(): void {
    if (!this.checking) return;
    this.checking = false;
    this.fieldProblems = this.reader.problems.length - this.start;
  }

  /** True when the table and fields had problems (then the kind's own steps report none). */
  get fieldsHaveProblems(): boolean {
    this.endChecks();
    return this.fieldProblems > 0;
  }

  /** Appends the kind's steps to a relation. */
  build(rel: Relation, steps: unknown[]): Relation | undefined {
    this.endChecks();
    const before = this.reader.problems.length;
    const out = this.reader.steps(rel, steps, ['check'], true);
    const found = this.reader.problems.splice(before);
    if (this.fieldProblems === 0) {
      for (const p of found) {
        this.reader.problems.push({ stage: 'columns', code: p.code, path: ['check'], message: `in the pipeline compiled from kind ${this.kind}: ${p.message}`, ...(p.fix ? { fix: p.fix } : {}) });
      }
    }
    return out;
  }

  /** A field problem of the kind itself (keys that do not match, an option it does not know). */
  fail(message: string, path: RulePath, fix?: string): never {
    throw new RuleError(message, path, fix);
  }

  private unknownColumn(name: string, path: RulePath, cols: Columns, offset?: number, length?: number): void {
    const names = [...cols.keys()];
    const near = nearestName(name, names);
    const problem: PlanProblem = {
      stage: 'columns', code: 'unknown-column', path, message: `unknown column \`${name}\` in the check's table`,
      fix: `${near ? `did you mean \`${near}\`? ` : ''}columns here: ${names.join(', ')}`,
    };
    if (offset !== undefined) Object.assign(problem, { offset, length });
    this.reader.problems.push(problem);
  }
}
