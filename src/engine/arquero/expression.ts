/**
 * A plan expression printed as an Arquero expression: `(d, $) => …` for rows
 * and aggregates, `(a, b, $) => …` for join predicates. Params stay `$.name`,
 * bound by Arquero as data (never pasted in); literals are printed as
 * JavaScript literals and every operation in parentheses, so that the text
 * means exactly what the tree does. Arquero parses it again, in its own
 * restricted way: it never evaluates anything else.
 */
import type { Expr, Literal, Side } from '../../plan/ast.js';

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** How column names read in the table the expression runs on (a join renames clashing columns first). */
export type ColumnNames = Partial<Record<Side, (name: string) => string>>;

/** A row (or aggregate) expression over `d`. */
export function rowExpression(e: Expr): string {
  return `(d, $) => ${print(e, {})}`;
}

/** A join predicate over `a` and `b`, their columns renamed as `names` says. */
export function joinPredicate(e: Expr, names: ColumnNames = {}): string {
  return `(a, b, $) => ${print(e, names)}`;
}

function literal(v: Literal): string {
  // JSON text is JavaScript text for strings, finite numbers, booleans and null.
  return typeof v === 'number' && v < 0 ? `(${JSON.stringify(v)})` : JSON.stringify(v);
}

function member(object: string, name: string): string {
  return IDENT.test(name) ? `${object}.${name}` : `${object}[${JSON.stringify(name)}]`;
}

function print(e: Expr, names: ColumnNames): string {
  switch (e.type) {
    case 'literal':
      return literal(e.value);
    case 'list':
      return `[${e.items.map(literal).join(', ')}]`;
    case 'column':
      return member(e.side, names[e.side]?.(e.name) ?? e.name);
    case 'param':
      return member('$', e.name);
    case 'call':
      return `op.${e.fn}(${e.args.map((a) => print(a, names)).join(', ')})`;
    case 'unary':
      return `(${e.op}${print(e.arg, names)})`;
    case 'binary':
    case 'logical':
      return `(${print(e.left, names)} ${e.op} ${print(e.right, names)})`;
    case 'conditional':
      return `(${print(e.test, names)} ? ${print(e.then, names)} : ${print(e.else, names)})`;
  }
}
