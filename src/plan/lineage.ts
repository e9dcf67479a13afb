/**
 * Where a computed column's values come from, and the personal-data kind
 * that follows from it. Conservative: a value computed from a personal-data
 * column keeps its kind unless the computation provably removes it. A rollup
 * `op.max(d.name)` is a name; `op.substring(d.id_number, 0, 6) + ' ' + …`
 * is still an identity number; `op.count()`, `op.length(d.name)`,
 * `op.age_on(…)` and comparisons are not personal data (functions.ts says
 * which function keeps what). Reports mask every output value by this kind.
 */
import { columnDef, piiKindOfColumn, type PiiKind } from '../data/tables.js';
import type { EntityKind } from '../rules/model.js';
import { COMPARISON_OPERATORS, type Expr, type Side } from './ast.js';
import { signature } from './functions.js';
import type { PlanColumn } from './model.js';

/**
 * When a value holds several kinds (an identity number joined to a name),
 * the first of these is its kind: the one whose exposure does the most harm.
 */
export const KIND_PRECEDENCE: PiiKind[] = ['id', 'account', 'phone', 'name', 'address'];

/** The stronger of two kinds (see KIND_PRECEDENCE). */
export function strongerKind(a: PiiKind | undefined, b: PiiKind | undefined): PiiKind | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return KIND_PRECEDENCE.indexOf(a) <= KIND_PRECEDENCE.indexOf(b) ? a : b;
}

/**
 * The kind of a canonical column. A column shares the kind of same-named
 * columns of other tables: an employer's bank_account is masked like a
 * person's, since a small employer's account is often its owner's.
 */
export function canonicalKind(table: string, column: string): PiiKind | undefined {
  return columnDef(table, column)?.pii ?? piiKindOfColumn(column);
}

/** A canonical column as a plan column. */
export function loadedColumn(table: string, column: string): PlanColumn {
  const origin = `${table}.${column}`;
  const kind = canonicalKind(table, column);
  return { name: column, sources: [origin], lineage: [origin], via: [], ...(kind ? { kind } : {}) };
}

/** What an expression's value comes from: canonical columns, the functions on the way, and its kind. */
export interface ExprLineage {
  lineage: Set<string>;
  via: Set<string>;
  kind?: PiiKind;
  /** True when its personal data went through a computation that can change it (see PlanColumn.computed). */
  computed?: boolean;
}

const COMPARISONS: ReadonlySet<string> = new Set(COMPARISON_OPERATORS);

/**
 * Functions whose result is one of their arguments' values as it was (or a
 * list of them): a group's largest name is a name as loaded, and is masked as
 * one. Case and blanks aside, `upper` and `trim` keep a value too. Every other
 * function that keeps personal data may change it (`substring`, `padstart`,
 * `split`), and its result is masked whole.
 */
const VALUE_PRESERVING: ReadonlySet<string> = new Set([
  'max', 'min', 'any', 'mode', 'first_value', 'last_value', 'lag', 'lead',
  'coalesce', 'greatest', 'least', 'array_agg', 'array_agg_distinct', 'upper', 'lower', 'trim',
]);

/**
 * The lineage of an expression, with `scope` giving the columns each row
 * object reads (`d`; `a` and `b` in join predicates). Unknown columns add nothing.
 */
export function exprLineage(e: Expr, scope: Partial<Record<Side, ReadonlyMap<string, PlanColumn>>>): ExprLineage {
  const out: ExprLineage = { lineage: new Set(), via: new Set() };
  const v = visit(e, scope, out);
  if (v.kind) out.kind = v.kind;
  if (v.kind && v.computed) out.computed = true;
  return out;
}

/** The kind of a value, and whether its personal data was computed (not a value as loaded). */
interface Valued {
  kind?: PiiKind;
  computed: boolean;
}

const NONE: Valued = { computed: false };

/** Both sides' kinds in one value; computed when either side's personal data is. */
function either(a: Valued, b: Valued): Valued {
  const kind = strongerKind(a.kind, b.kind);
  return { kind, computed: (a.kind !== undefined && a.computed) || (b.kind !== undefined && b.computed) };
}

/** Collects lineage and via into `out`; returns the kind of `e`'s value and whether it was computed. */
function visit(e: Expr, scope: Partial<Record<Side, ReadonlyMap<string, PlanColumn>>>, out: ExprLineage): Valued {
  switch (e.type) {
    case 'literal':
    case 'list':
    case 'param':
      return NONE;
    case 'column': {
      const c = scope[e.side]?.get(e.name);
      if (!c) return NONE;
      for (const l of c.lineage) out.lineage.add(l);
      for (const v of c.via) out.via.add(v);
      return { kind: c.kind, computed: c.computed === true };
    }
    case 'call': {
      out.via.add(`op.${e.fn}`);
      const args = e.args.map((a) => visit(a, scope, out)).reduce(either, NONE);
      if (signature(e.fn)?.keepsPersonalData === false || args.kind === undefined) return NONE;
      return { kind: args.kind, computed: args.computed || !VALUE_PRESERVING.has(e.fn) };
    }
    case 'unary': {
      const v = visit(e.arg, scope, out);
      return e.op === '!' || v.kind === undefined ? NONE : { kind: v.kind, computed: true };
    }
    case 'binary': {
      const v = either(visit(e.left, scope, out), visit(e.right, scope, out));
      // A sum or a concatenation is no longer the value it was made from.
      return COMPARISONS.has(e.op) || v.kind === undefined ? NONE : { kind: v.kind, computed: true };
    }
    case 'logical':
      return either(visit(e.left, scope, out), visit(e.right, scope, out));
    case 'conditional':
      visit(e.test, scope, out);
      return either(visit(e.then, scope, out), visit(e.else, scope, out));
  }
}

/** A column computed by `verb` from an expression: no sources, the expression's lineage and kind. */
export function computedColumn(name: string, verb: string, l: ExprLineage): PlanColumn {
  return {
    name,
    sources: [],
    lineage: [...l.lineage],
    via: [...new Set([...l.via, verb])],
    ...(l.kind ? { kind: l.kind } : {}),
    ...(l.kind && l.computed ? { computed: true as const } : {}),
  };
}

/** Two columns' values in one (an equal-named join key, a merged full-join key). */
export function mergedColumn(name: string, a: PlanColumn, b: PlanColumn): PlanColumn {
  const kind = strongerKind(a.kind, b.kind);
  const computed = (a.kind !== undefined && a.computed) || (b.kind !== undefined && b.computed);
  return {
    name,
    sources: [...new Set([...a.sources, ...b.sources])],
    lineage: [...new Set([...a.lineage, ...b.lineage])],
    via: [...new Set([...a.via, ...b.via])],
    ...(kind ? { kind } : {}),
    ...(computed ? { computed: true as const } : {}),
  };
}

/**
 * What a finding's entity key or label holds when its column's lineage says
 * nothing: the rule names the entity, and an account's key is an account
 * number (even the fund's own), a person's, a staff member's or an account's
 * label a name.
 */
export function entityFieldKind(kind: EntityKind, field: 'key' | 'label'): PiiKind | undefined {
  if (field === 'key') return kind === 'account' ? 'account' : undefined;
  return kind === 'person' || kind === 'staff' || kind === 'account' ? 'name' : undefined;
}
