/** Small builders shared by the check kinds' compilers. */
import type { Expr, Pipeline, Step, TableRef } from '../../rules/model.js';

/**
 * A check that cannot be compiled (a bad numeric field, a bad option).
 * `path` is where in the rule it sits (`['check', 'min_count']`), so that the
 * validator can point at the line.
 */
export class CompileError extends Error {
  constructor(
    message: string,
    readonly path: (string | number)[],
    readonly fix?: string,
  ) {
    super(message);
    this.name = 'CompileError';
  }
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
const PARAM_REF = /^\$\.[A-Za-z_][A-Za-z0-9_]*$/;

/** `d.col` for a column name (bracket form for names that are not identifiers). */
export function col(name: string): string {
  return IDENT.test(name) ? `d.${name}` : `d[${JSON.stringify(name)}]`;
}

/** True when `s` is a plain column name rather than an expression. */
export function isColumnName(s: string): boolean {
  return IDENT.test(s);
}

/**
 * A numeric field of a kind as expression text: a number literal, or a
 * parameter reference `$.name` (the parameter is resolved at run time).
 */
export function numeric(value: number | string | undefined, fallback: number, path: (string | number)[]): string {
  if (value === undefined || value === null) return String(fallback);
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'string' && PARAM_REF.test(value.trim())) return value.trim();
  throw new CompileError(
    `${path.join('.')} must be a number or a parameter reference like '$.min_count', not ${JSON.stringify(value)}`,
    path,
    `write a number, or declare a param and write '$.<name>'`,
  );
}

/** The source of a kind: its table reference as a pipeline, with `where` appended as a filter. */
export function source(ref: TableRef, where: Expr | undefined): { from: string; steps: Step[] } {
  const base: Pipeline = typeof ref === 'string' ? { from: ref, steps: [] } : ref;
  const steps = [...(base.steps ?? [])];
  if (where !== undefined && String(where).trim() !== '') steps.push({ filter: where });
  return { from: base.from, steps };
}
