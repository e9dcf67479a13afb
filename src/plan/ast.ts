/**
 * The expression tree of a compiled plan: what a rule's expression means,
 * parsed once from its text (see expression.ts) and handed to every
 * executor. Small and closed: literals, column and param references, calls
 * of whitelisted functions, operators and conditionals. No executor ever sees
 * the rule's text or a JavaScript parser's nodes; the Arquero executor prints
 * this tree back as an Arquero expression, a SQL executor translates it.
 */

/** A literal value. Numbers are finite. */
export type Literal = string | number | boolean | null;

/** Which row a column reference reads: `d` in row expressions, `a` (left) and `b` (right) in join predicates. */
export type Side = 'd' | 'a' | 'b';

export const COMPARISON_OPERATORS = ['==', '!=', '===', '!==', '<', '<=', '>', '>='] as const;
export const ARITHMETIC_OPERATORS = ['+', '-', '*', '/', '%', '**'] as const;
export type ComparisonOp = (typeof COMPARISON_OPERATORS)[number];
export type ArithmeticOp = (typeof ARITHMETIC_OPERATORS)[number];
export type BinaryOp = ComparisonOp | ArithmeticOp;
export type LogicalOp = '&&' | '||' | '??';
export type UnaryOp = '!' | '-' | '+';

export type Expr =
  | { type: 'literal'; value: Literal }
  /** A list of literals (`['成功', '退回']`), for op.includes. */
  | { type: 'list'; items: Literal[] }
  | { type: 'column'; side: Side; name: string }
  | { type: 'param'; name: string }
  /** A call of an allowed function (src/plan/functions.ts): scalar, aggregate or window. */
  | { type: 'call'; fn: string; args: Expr[] }
  | { type: 'unary'; op: UnaryOp; arg: Expr }
  | { type: 'binary'; op: BinaryOp; left: Expr; right: Expr }
  | { type: 'logical'; op: LogicalOp; left: Expr; right: Expr }
  | { type: 'conditional'; test: Expr; then: Expr; else: Expr };

// Builders, for the kinds that write expressions of their own.
export const lit = (value: Literal): Expr => ({ type: 'literal', value });
export const col = (name: string, side: Side = 'd'): Expr => ({ type: 'column', side, name });
export const param = (name: string): Expr => ({ type: 'param', name });
export const call = (fn: string, ...args: Expr[]): Expr => ({ type: 'call', fn, args });
export const binary = (op: BinaryOp, left: Expr, right: Expr): Expr => ({ type: 'binary', op, left, right });
export const logical = (op: LogicalOp, left: Expr, right: Expr): Expr => ({ type: 'logical', op, left, right });
export const not = (arg: Expr): Expr => ({ type: 'unary', op: '!', arg });
export const cond = (test: Expr, then: Expr, otherwise: Expr): Expr => ({ type: 'conditional', test, then, else: otherwise });
/** `a && b && …`, left to right. */
export const and = (first: Expr, ...rest: Expr[]): Expr => rest.reduce((l, r) => logical('&&', l, r), first);
/** `a || b || …`, left to right. */
export const or = (first: Expr, ...rest: Expr[]): Expr => rest.reduce((l, r) => logical('||', l, r), first);

/** The direct sub-expressions of a node. */
export function children(e: Expr): Expr[] {
  switch (e.type) {
    case 'call':
      return e.args;
    case 'unary':
      return [e.arg];
    case 'binary':
    case 'logical':
      return [e.left, e.right];
    case 'conditional':
      return [e.test, e.then, e.else];
    default:
      return [];
  }
}

/** Every node of the tree, depth first. Iterative: a rule may nest a couple of hundred levels. */
export function* nodes(e: Expr): Generator<Expr> {
  const stack = [e];
  while (stack.length > 0) {
    const n = stack.pop()!;
    yield n;
    const c = children(n);
    for (let i = c.length - 1; i >= 0; i--) stack.push(c[i]);
  }
}

/** The column references of a tree, in order. */
export function columnRefs(e: Expr): Array<Extract<Expr, { type: 'column' }>> {
  return [...nodes(e)].filter((n): n is Extract<Expr, { type: 'column' }> => n.type === 'column');
}
