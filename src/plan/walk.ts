/**
 * Every expression of a rule's check, with its path in the file and the
 * context it is evaluated in: what the compile parses, each once, before it
 * reads the check, so that no expression is forgotten or parsed twice.
 */
import type { RulePath as ValuePath } from '../errors.js';
import type { ExprContext } from './expression.js';
import { isObject } from './flow.js';
import { COLUMN_NAME } from './kinds/shared.js';

export interface FoundExpression {
  text: string;
  path: ValuePath;
  context: ExprContext;
}

/** Kind fields holding a number or a `$.param` reference. */
export const PARAM_FIELDS = ['min_count', 'tolerance', 'min_gap', 'min_n', 'threshold', 'min_entities', 'flag_at'] as const;

const VERBS = new Set(['filter', 'derive', 'select', 'rename', 'join', 'semijoin', 'antijoin', 'lookup', 'groupby', 'ungroup', 'rollup', 'count', 'dedupe', 'orderby', 'concat']);

/** The expressions found, and whether the walk understood every step (else some expressions may be missing). */
export interface Expressions extends Array<FoundExpression> {
  complete: boolean;
}

/** All expressions in `check` (paths start with `check`). */
export function expressionsOf(check: unknown): Expressions {
  const out = Object.assign([] as FoundExpression[], { complete: true });
  const add = (v: unknown, path: ValuePath, context: ExprContext) => {
    if (typeof v === 'string') out.push({ text: v, path, context });
    else if (v !== undefined) out.complete = false;
  };
  const tableRef = (ref: unknown, path: ValuePath) => {
    if (isObject(ref)) pipeline(ref, path);
  };
  const pipeline = (p: Record<string, unknown>, path: ValuePath) => {
    if (!Array.isArray(p.steps)) return;
    p.steps.forEach((s, i) => {
      if (!isObject(s) || Object.keys(s).length !== 1 || !VERBS.has(Object.keys(s)[0])) out.complete = false;
      if (!isObject(s)) return;
      for (const [verb, arg] of Object.entries(s)) {
        const at = [...path, 'steps', i, verb];
        if (verb === 'filter') add(arg, at, 'row');
        else if ((verb === 'derive' || verb === 'rollup') && isObject(arg)) {
          for (const [name, e] of Object.entries(arg)) add(e, [...at, name], verb === 'rollup' ? 'aggregate' : 'row');
        } else if (['join', 'semijoin', 'antijoin', 'lookup'].includes(verb) && isObject(arg)) {
          tableRef(arg.with, [...at, 'with']);
          add(arg.where, [...at, 'where'], 'join');
        } else if (verb === 'concat' && Array.isArray(arg)) {
          arg.forEach((ref, j) => tableRef(ref, [...at, j]));
        }
      }
    });
  };

  if (!isObject(check)) return out;
  const base: ValuePath = ['check'];
  if (check.kind === 'pipeline' || check.kind === undefined) {
    pipeline(check, base);
    return out;
  }
  const side = (s: unknown, path: ValuePath) => {
    if (!isObject(s)) return;
    tableRef(s.table, [...path, 'table']);
    add(s.where, [...path, 'where'], 'row');
    if (isObject(s.key)) for (const [k, e] of Object.entries(s.key)) add(e, [...path, 'key', k], 'row');
    add(s.value, [...path, 'value'], 'row');
  };
  if (check.kind === 'reconcile') {
    side(check.left, [...base, 'left']);
    side(check.right, [...base, 'right']);
    return out;
  }
  tableRef(check.table, [...base, 'table']);
  add(check.where, [...base, 'where'], 'row');
  if (check.kind === 'sequence_gaps') add(check.number, [...base, 'number'], 'row');
  if (check.kind === 'outliers') add(check.value, [...base, 'value'], 'row');
  if (check.kind === 'benford' && typeof check.value === 'string' && !COLUMN_NAME.test(check.value)) add(check.value, [...base, 'value'], 'row');
  return out;
}
