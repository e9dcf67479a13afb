/**
 * Compiles a rule's check into a plan relation: a `pipeline` step by step,
 * the higher-level kinds through their own compilers (kinds/), which write
 * the same verbs. Reads the check as found in the file, never trusting its
 * shape; what cannot be compiled becomes problems with their places.
 */
import { RuleError, type RulePath } from '../errors.js';
import { parseExpression, type ParsedExpression } from './expression.js';
import { PipelineReader, isObject } from './flow.js';
import { benford, DIGIT_COLUMNS } from './kinds/benford.js';
import { duplicates } from './kinds/duplicates.js';
import { outliers } from './kinds/outliers.js';
import { reconcile } from './kinds/reconcile.js';
import { sequenceGaps } from './kinds/sequence_gaps.js';
import { sharedAttribute } from './kinds/shared_attribute.js';
import { KindContext } from './kinds/shared.js';
import type { PlanColumn, PlanProblem, Relation } from './model.js';
import { expressionsOf, type FoundExpression } from './walk.js';

/** The check kinds. */
export const CHECK_KINDS = ['pipeline', 'duplicates', 'reconcile', 'sequence_gaps', 'benford', 'shared_attribute', 'outliers'] as const;

const KINDS: Record<string, (c: Record<string, unknown>, k: KindContext) => Relation | undefined> = {
  duplicates,
  reconcile,
  sequence_gaps: sequenceGaps,
  benford,
  shared_attribute: sharedAttribute,
  outliers,
};

/** An expression of the check, parsed once. */
export interface CheckExpression extends FoundExpression {
  parsed: ParsedExpression;
}

/** Where a benford check keeps its digit counts: hidden output columns. */
export interface DigitColumns {
  test: 'first' | 'first_two';
  digits: string;
  counts: string;
}

/** What compiling a check found. */
export interface CheckCompilation {
  /** The plan; undefined when the check does not compile. */
  relation?: Relation;
  /** The output columns a finding may name (hidden ones left out); undefined when they cannot be known. */
  output?: PlanColumn[];
  digits?: DigitColumns;
  /** Canonical tables the check reads, in order of first use. */
  tables: string[];
  /** Per table, the columns the check reads. */
  reads: Record<string, string[]>;
  /** Every expression of the check, parsed. */
  expressions: CheckExpression[];
  /** False when some step could not be walked or an expression does not parse: the params the check uses are then not all known. */
  complete: boolean;
  problems: PlanProblem[];
}

const pathKey = (path: RulePath) => path.join('\u0000');

/** Compiles a check as found in a rule file (or built in memory). Never throws. */
export function compileCheck(check: unknown): CheckCompilation {
  const found = expressionsOf(check);
  const expressions: CheckExpression[] = found.map((e) => ({ ...e, parsed: parseExpression(e.text, e.context) }));
  const byPath = new Map(expressions.map((e) => [pathKey(e.path), e.parsed]));
  const reader = new PipelineReader((path) => byPath.get(pathKey(path)));
  const problems: PlanProblem[] = expressions.flatMap((e) =>
    e.parsed.problems.map((p): PlanProblem => ({ stage: 'expression', code: p.code, message: p.message, fix: p.fix, path: e.path, offset: p.offset, length: p.length })),
  );
  let relation: Relation | undefined;
  let failed = false;
  if (isObject(check)) {
    if (check.kind === 'pipeline') {
      relation = typeof check.from === 'string' ? reader.pipeline(check.from, check.steps, ['check']) : undefined;
    } else if (typeof check.kind === 'string') {
      const r = kind(check.kind, check, reader);
      relation = r.relation;
      failed = r.failed;
    }
  }
  problems.push(...reader.problems);
  if (!reader.complete && problems.length === 0) {
    // Only a shape the schema check reports (or an in-memory rule the schema never saw) gets here.
    problems.push({ stage: 'columns', code: 'check', path: ['check'], message: 'the check has a step or field that could not be read', fix: 'compare the check with the verbs and kinds in docs/rules.md' });
  }
  const unknownTable = reader.problems.some((p) => p.code === 'unknown-table');
  const digits = isObject(check) && check.kind === 'benford' ? { test: check.digits === 'first_two' ? 'first_two' as const : 'first' as const, ...DIGIT_COLUMNS } : undefined;
  const hidden = new Set<string>(digits ? [digits.digits, digits.counts] : []);
  const reads: Record<string, string[]> = {};
  for (const t of reader.tables) reads[t] = [...(reader.used.get(t) ?? [])];
  return {
    relation: failed ? undefined : relation,
    output: relation && !unknownTable && !failed ? relation.out.columns.filter((c) => !hidden.has(c.name)) : undefined,
    ...(digits ? { digits } : {}),
    tables: reader.tables,
    reads,
    expressions,
    complete: found.complete && expressions.every((e) => !e.parsed.problems.some((p) => p.code === 'expression-syntax')),
    problems,
  };
}

/** A check kind's relation; a kind that cannot compile (RuleError) is a problem at its field, unless its table or fields had problems already. */
function kind(name: string, check: Record<string, unknown>, reader: PipelineReader): { relation?: Relation; failed: boolean } {
  const k = new KindContext(name, reader);
  const compiler = Object.hasOwn(KINDS, name) ? KINDS[name] : undefined;
  try {
    if (compiler) return { relation: compiler(check, k), failed: false };
    // The fields a kind shares are still checked, so that a misspelt kind does not hide its other problems.
    const rel = k.source(check.table, ['check', 'table']);
    k.where(check.where, ['check', 'where'], rel);
    return k.fail(`unknown check kind ${JSON.stringify(name)}`, ['check', 'kind'], `use one of ${CHECK_KINDS.join(', ')}`);
  } catch (err) {
    if (!(err instanceof RuleError)) throw err;
    if (!k.fieldsHaveProblems) reader.problems.push({ stage: 'columns', code: 'check', path: err.path, message: err.message, ...(err.fix ? { fix: err.fix } : {}) });
    return { failed: true };
  }
}
