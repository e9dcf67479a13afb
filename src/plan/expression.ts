/**
 * Rule expressions: parsed once from their text into the plan's own
 * expression tree (ast.ts), against a short whitelist.
 *
 * Expressions are written in Arquero's expression syntax, which is
 * JavaScript's. The text is parsed with acorn (the parser Arquero itself
 * uses, in strict mode as Arquero compiles) and its syntax tree read node by
 * node into an Expr: literals, `d.<column>` (`a.<column>`/`b.<column>` in join
 * predicates), `$.<param>`, calls of whitelisted `op.<fn>` with the right
 * number of arguments, operators, conditionals and lists of literals.
 * Anything else — globals, `this`, `new`, templates, assignments, prototype
 * access, regular expressions — is a problem with the place and what to write
 * instead. Nothing is evaluated, and executors never see the text.
 */
import { parseExpressionAt } from 'acorn';
import type { Node as AcornNode } from 'acorn';
import type { BinaryOp, Expr, Literal, Side } from './ast.js';
import { ALLOWED_FUNCTIONS, signature } from './functions.js';
import { nearestName } from './nearest.js';

/**
 * Where an expression is used:
 * - `row`: filter, derive, `where` of kinds, key and value expressions: `d`, `$`
 * - `aggregate`: rollup values: like `row`, but columns must sit inside an aggregate function
 * - `join`: join predicates `(a, b) => …` or `(a, b, $) => …`
 */
export type ExprContext = 'row' | 'aggregate' | 'join';

/** A name used by an expression, with its offset and length in the expression text. */
export interface ExprRef {
  name: string;
  offset: number;
  length: number;
}

/** A column reference; `table` is `d` for row expressions, `a` (left) or `b` (right) in join predicates. */
export interface ColumnRef extends ExprRef {
  table: Side;
}

/** A problem inside an expression, with its offset and length in the expression text. */
export interface ExprProblem {
  code: 'expression-syntax' | 'expression-not-allowed' | 'unknown-function';
  message: string;
  fix: string;
  offset: number;
  length: number;
}

/** A column compared with a literal (`d.status == '成功'`, `d.pay_date >= '2024-01-01'`, `op.includes(['110', '120'], d.scheme)`): the literal's place. */
export interface LiteralComparison {
  column: ColumnRef;
  value: string | number;
  offset: number;
  length: number;
}

/** An expression read from its text: its tree (when it has no problems) and what it uses, with places. */
export interface ParsedExpression {
  /** The expression tree; undefined when there are problems. */
  ast?: Expr;
  problems: ExprProblem[];
  columns: ColumnRef[];
  params: ExprRef[];
  functions: ExprRef[];
  comparisons: LiteralComparison[];
}

/** Longest expression accepted; real ones are a line or two. */
export const MAX_EXPRESSION_LENGTH = 4000;
/**
 * Deepest nesting of an expression's syntax tree. Real ones nest a dozen
 * levels; Arquero's own parse and code generation recurse once per level and
 * overflow the stack somewhere past a thousand, so that a rule passing here
 * would crash when it runs — and so would this reader, for a long `!!!…x`.
 */
export const MAX_EXPRESSION_DEPTH = 200;

const ROW_HINT = 'write an expression such as `d.amount > $.min`, or `(d, $) => d.amount > $.min`';
const JOIN_HINT = 'write a two-table predicate such as `(a, b) => a.id_number == b.id_number`, adding `$` as third parameter for params';
const NAMES_HINT = 'expressions can only read d.<column>, $.<param> and call op.<function>';
const FORBIDDEN_PROPERTIES = new Set(['constructor', '__proto__', 'prototype']);
const COMPARISONS = new Set(['==', '!=', '===', '!==', '<', '<=', '>', '>=']);
const BINARY_OPERATORS = new Set([...COMPARISONS, '+', '-', '*', '/', '%', '**']);
const UNARY_OPERATORS = new Set(['!', '-', '+']);

/** Why some well-known names are missing, and what to use instead. */
const GLOBAL_FIXES: Record<string, string> = {
  Math: 'use op.abs, op.round, op.floor, op.ceil, op.pow, op.sqrt, op.greatest, op.least',
  Date: 'dates are text (YYYY-MM-DD); use op.add_days, op.days_between, op.add_months, op.month_of, op.year_of',
  JSON: NAMES_HINT,
  undefined: 'use null',
  NaN: 'use null for a missing value',
  Infinity: 'use a large number literal, or a param',
  String: 'join text with +; use op.lower, op.upper, op.trim, op.substring',
  Number: 'use op.parse_float or op.parse_int',
};
/** The fix for a well-known global; own keys only, so that `toString` or `constructor` do not find Object.prototype's. */
const globalFix = (name: string): string | undefined => (Object.hasOwn(GLOBAL_FIXES, name) ? GLOBAL_FIXES[name] : undefined);
const RUNTIME_NAMES = new Set([
  'process', 'globalThis', 'global', 'window', 'self', 'require', 'module', 'exports', 'eval', 'Function',
  'Buffer', 'console', 'Reflect', 'Proxy', 'Object', 'Array', 'Symbol', 'Promise', 'RegExp', 'setTimeout', 'setInterval',
  'fetch', 'import', 'arguments', '__dirname', '__filename',
]);

type N = AcornNode & Record<string, any>; // acorn's ESTree nodes, read generically

/** Stands in for a node that is refused, so that reading goes on and every problem is found. */
const REFUSED: Expr = { type: 'literal', value: null };

/**
 * Parse one expression for `context` into its tree. Never evaluates
 * anything. Returns the tree (when allowed), the problems, and the columns,
 * params and functions it uses, each with its offset in `src`.
 */
export function parseExpression(src: string, context: ExprContext, allowed: ReadonlySet<string> = ALLOWED_FUNCTIONS): ParsedExpression {
  const out: ParsedExpression = { problems: [], columns: [], params: [], functions: [], comparisons: [] };
  const hint = context === 'join' ? JOIN_HINT : ROW_HINT;
  if (typeof src !== 'string' || src.trim() === '') {
    out.problems.push(problemAt('expression-syntax', 0, 'the expression is empty', hint));
    return out;
  }
  if (src.length > MAX_EXPRESSION_LENGTH) {
    out.problems.push(problemAt('expression-syntax', 0, `the expression is ${src.length} characters long, more than ${MAX_EXPRESSION_LENGTH}`, 'split it into several derive steps'));
    return out;
  }
  const root = parseSyntax(src, hint, out);
  if (!root) return out;
  const head = readHead(root, context, out);
  if (!head) return out;
  const ast = new Reader(src, context, head, allowed, out).read(head.body);
  if (out.problems.length === 0) out.ast = ast;
  return out;
}

function problemAt(code: ExprProblem['code'], node: { start: number; end: number } | number, message: string, fix: string): ExprProblem {
  const offset = typeof node === 'number' ? node : node.start;
  const length = typeof node === 'number' ? 1 : node.end - node.start;
  return { code, message, fix, offset, length };
}

/** The syntax tree of `src`, or undefined with the problem recorded (does not parse, text after it); comments are problems. */
function parseSyntax(src: string, hint: string, out: ParsedExpression): N | undefined {
  let root: N;
  const comments: { start: number; end: number }[] = [];
  try {
    root = parseExpressionAt(src, 0, {
      ecmaVersion: 2020,
      sourceType: 'script',
      // Arquero compiles the expression under "use strict": a legacy octal (010, '\1') that
      // sloppy mode accepts would pass here and then fail as the rule runs.
      strict: true,
      preserveParens: true,
      onComment: (_block, _text, start, end) => comments.push({ start, end }),
    }) as N;
  } catch (err) {
    out.problems.push(syntaxProblem(src, err as SyntaxError & { pos?: number }, hint));
    return undefined;
  }
  const rest = src.slice(root.end);
  const restStart = root.end + (rest.length - rest.trimStart().length);
  if (restStart < src.length) {
    out.problems.push(problemAt('expression-syntax', restStart, `unexpected text after the expression: \`${src.slice(restStart, restStart + 20)}\``,
      'a step holds exactly one expression; remove the extra text or combine the parts with && or ||'));
    return undefined;
  }
  for (const c of comments) {
    out.problems.push(problemAt('expression-not-allowed', c, 'comments are not allowed inside expressions', 'put comments on their own YAML line, starting with #'));
  }
  return root;
}

/** Why acorn refused the text, in words a rule author can act on. */
function syntaxProblem(src: string, e: SyntaxError & { pos?: number }, hint: string): ExprProblem {
  const message =
    e instanceof RangeError ? 'the expression is nested too deeply' :
    (e.pos ?? 0) >= src.trimEnd().length ? 'it ends too early' :
    e.message.replace(/\s*\(\d+:\d+\)$/, '');
  const [why, fix] =
    e.pos !== undefined && /^0\d/.test(src.slice(e.pos)) ? ['a number cannot start with 0 (JavaScript would read 010 as octal)', "write it without leading zeros, or quote a code as text: '010'"] :
    /^(Octal literal|Invalid escape sequence)/.test(message) ? ['escapes such as \\1 or \\8 are not allowed in text', 'write the character itself, or \\x01 for a control character'] :
    [message, hint];
  return problemAt('expression-syntax', e.pos ?? 0, `the expression does not parse: ${why}`, fix);
}

/** The names in scope: row objects (d / a, b) and the params object ($), and the body to read. */
interface Head {
  rows: Map<string, Side>;
  paramsName: string | undefined;
  body: N;
}

/** Reads `(d, $) =>`, `(a, b) =>` or a bare expression; undefined with the problem recorded when the form is wrong. */
function readHead(root: N, context: ExprContext, out: ParsedExpression): Head | undefined {
  const rows = new Map<string, Side>();
  const hint = context === 'join' ? JOIN_HINT : ROW_HINT;
  const notAllowed = (n: N, message: string, fix: string) => void out.problems.push(problemAt('expression-not-allowed', n, message, fix));
  if (root.type === 'ArrowFunctionExpression') {
    const names = (root.params as N[]).map((p) => (p.type === 'Identifier' ? (p.name as string) : undefined));
    const expected = context === 'join' ? ['a', 'b', '$'] : ['d', '$'];
    const min = context === 'join' ? 2 : 1;
    const ok = names.length >= min && names.length <= expected.length && names.every((n, i) => n === expected[i]);
    if (!ok || root.async) {
      notAllowed(root, `the parameters must be (${expected.slice(0, min).join(', ')}) or (${expected.join(', ')})`, hint);
      return undefined;
    }
    let paramsName: string | undefined;
    for (const n of names) {
      if (n === '$') paramsName = '$';
      else rows.set(n!, n as Side);
    }
    if (root.body.type === 'BlockStatement') {
      notAllowed(root.body, 'function bodies with statements are not allowed', `write the expression after the arrow: \`(${names.join(', ')}) => <expression>\``);
      return undefined;
    }
    return { rows, paramsName, body: root.body as N };
  }
  if (context === 'join') {
    notAllowed(root, 'a join predicate must be an arrow function naming both tables', JOIN_HINT);
    return undefined;
  }
  rows.set('d', 'd');
  return { rows, paramsName: '$', body: root };
}

/** Reads a syntax tree node by node into an Expr, recording every problem; refused nodes read as REFUSED. */
class Reader {
  private depth = 0;
  private tooDeep = false;

  constructor(
    private readonly src: string,
    private readonly context: ExprContext,
    private readonly head: Head,
    private readonly allowed: ReadonlySet<string>,
    private readonly out: ParsedExpression,
  ) {}

  read(body: N): Expr {
    return this.visit(body, false);
  }

  private problem(code: ExprProblem['code'], node: { start: number; end: number } | number, message: string, fix: string): Expr {
    this.out.problems.push(problemAt(code, node, message, fix));
    return REFUSED;
  }

  private notAllowed(node: N, message: string, fix: string): Expr {
    return this.problem('expression-not-allowed', node, message, fix);
  }

  private text(n: { start: number; end: number }): string {
    return this.src.slice(n.start, n.end);
  }

  private visit(n: N, inAggregate: boolean): Expr {
    if (this.depth >= MAX_EXPRESSION_DEPTH) {
      if (!this.tooDeep) this.problem('expression-syntax', n, `the expression is nested more than ${MAX_EXPRESSION_DEPTH} levels deep`, 'split it into several derive steps');
      this.tooDeep = true;
      return REFUSED;
    }
    this.depth++;
    const e = this.node(n, inAggregate);
    this.depth--;
    return e;
  }

  private node(n: N, inAggregate: boolean): Expr {
    switch (n.type) {
      case 'Literal':
        return this.literal(n);
      case 'Identifier':
        return this.identifier(n);
      case 'MemberExpression':
        return this.member(n, inAggregate);
      case 'CallExpression':
        return this.call(n, inAggregate);
      case 'UnaryExpression':
        if (!UNARY_OPERATORS.has(n.operator)) {
          return this.notAllowed(n, `the \`${n.operator}\` operator is not allowed`, n.operator === 'typeof' ? 'compare with null, or use op.is_valid(x)' : 'use !, - or + only');
        }
        return { type: 'unary', op: n.operator, arg: this.visit(n.argument, inAggregate) };
      case 'BinaryExpression':
        return this.binary(n, inAggregate);
      case 'LogicalExpression':
        return { type: 'logical', op: n.operator, left: this.visit(n.left, inAggregate), right: this.visit(n.right, inAggregate) };
      case 'ConditionalExpression':
        return { type: 'conditional', test: this.visit(n.test, inAggregate), then: this.visit(n.consequent, inAggregate), else: this.visit(n.alternate, inAggregate) };
      case 'ArrayExpression':
        return this.list(n, inAggregate);
      case 'ParenthesizedExpression':
        return this.visit(n.expression, inAggregate);
      default:
        return this.refused(n);
    }
  }

  private literal(n: N): Expr {
    if (n.regex) {
      return this.notAllowed(n, 'regular expressions are not allowed (a pattern from a rule file could hang the run)', 'use op.startswith, op.endswith or op.includes');
    }
    if (n.bigint !== undefined) return this.notAllowed(n, 'BigInt literals are not allowed', 'write a plain number');
    return { type: 'literal', value: n.value as Literal };
  }

  private identifier(n: N): Expr {
    const name = n.name as string;
    const { rows, paramsName } = this.head;
    if (rows.has(name)) {
      return this.notAllowed(n, `\`${name}\` can only be used to read a column, as ${name}.<column>`, `write ${name}.<column>, e.g. ${name}.amount`);
    }
    if (name === paramsName) return this.notAllowed(n, '`$` can only be used to read a param, as $.<name>', 'write $.<param>, e.g. $.threshold');
    if (name === '$') {
      return this.notAllowed(n, '`$` (the params) is not a parameter of this function', this.context === 'join' ? 'write (a, b, $) => … to read params' : 'write (d, $) => … to read params');
    }
    if (name === 'op') return this.notAllowed(n, '`op` can only be used to call a function, as op.<function>(…)', 'call a function, e.g. op.abs(d.amount)');
    if (RUNTIME_NAMES.has(name)) return this.notAllowed(n, `\`${name}\` is not allowed: expressions have no access to the JavaScript runtime`, NAMES_HINT);
    const fix = globalFix(name);
    if (fix) return this.notAllowed(n, `\`${name}\` is not allowed in expressions`, fix);
    return this.notAllowed(n, `unknown name \`${name}\``,
      `refer to a column as ${[...rows.keys()][0] ?? 'd'}.${name}, to a param as $.${name}, or quote text as '${name}'`);
  }

  /** `d.x` / `d['x']` is a column, `$.x` a param; anything else is refused with the most useful reason. */
  private member(n: N, inAggregate: boolean): Expr {
    const prop = propertyName(n);
    if (prop !== undefined && FORBIDDEN_PROPERTIES.has(prop)) return this.notAllowed(n, `\`${prop}\` is not allowed: no prototype access in expressions`, NAMES_HINT);
    const object = n.object as N;
    const { rows, paramsName } = this.head;
    if (object.type === 'Identifier' && rows.has(object.name)) {
      if (prop === undefined) {
        return this.notAllowed(n, `computed column access \`${this.text(n)}\` is not allowed`, `name the column: ${object.name}.<column> or ${object.name}['column name']`);
      }
      const side = rows.get(object.name)!;
      this.out.columns.push({ table: side, name: prop, offset: n.property.start + (n.computed ? 1 : 0), length: prop.length });
      if (this.context === 'aggregate' && !inAggregate) {
        return this.notAllowed(n, `column \`${prop}\` is read outside an aggregate function`, `in rollup, wrap it in an aggregate such as op.sum(d.${prop}), op.max(d.${prop}) or op.distinct(d.${prop}); or add it to groupby`);
      }
      return { type: 'column', side, name: prop };
    }
    if (object.type === 'Identifier' && object.name === paramsName) {
      if (prop === undefined) return this.notAllowed(n, `computed param access \`${this.text(n)}\` is not allowed`, 'name the param: $.<param>');
      this.out.params.push({ name: prop, offset: n.property.start + (n.computed ? 1 : 0), length: prop.length });
      return { type: 'param', name: prop };
    }
    if (object.type === 'Identifier' && object.name === 'op') {
      if (n.computed) return this.notAllowed(n, '`op[...]` computed access is not allowed', 'call the function by name: op.<function>(…)');
      return this.notAllowed(n, `\`${this.text(n)}\` must be called`, `write ${this.text(n)}(…)`);
    }
    if (this.reportChain(n, inAggregate)) return REFUSED;
    if (prop === 'length') return this.notAllowed(n, '`.length` is not allowed', 'use op.length(x)');
    return this.notAllowed(n, `member access \`${this.text(n)}\` is not allowed`, NAMES_HINT);
  }

  /**
   * For a member chain such as `process.env.HOME` or `d.constructor.constructor`, report what is wrong
   * with the chain itself: a forbidden property anywhere in it, or a root that is not d/$/op. False when
   * neither applies.
   */
  private reportChain(m: N, inAggregate: boolean): boolean {
    let root: N = m;
    while (root.type === 'MemberExpression' || root.type === 'ParenthesizedExpression') {
      if (root.type === 'MemberExpression') {
        const prop = propertyName(root);
        if (prop !== undefined && FORBIDDEN_PROPERTIES.has(prop)) {
          this.notAllowed(m, `\`${prop}\` is not allowed: no prototype access in expressions`, NAMES_HINT);
          return true;
        }
        root = root.object;
      } else root = root.expression;
    }
    const { rows, paramsName } = this.head;
    if (root.type === 'ThisExpression' || (root.type === 'Identifier' && !rows.has(root.name) && root.name !== paramsName && root.name !== 'op')) {
      this.visit(root, inAggregate);
      return true;
    }
    return false;
  }

  /** Only `op.<allowed>(…)` is a call: with the right number of arguments, aggregates where they may stand. */
  private call(n: N, inAggregate: boolean): Expr {
    const callee = n.callee as N;
    if (callee.type === 'MemberExpression' && callee.object.type === 'Identifier' && callee.object.name === 'op') {
      if (callee.computed) return this.notAllowed(callee, '`op[...]` computed access is not allowed', 'call the function by name: op.<function>(…)');
      return this.opCall(n, callee, inAggregate);
    }
    if (callee.type === 'Identifier' && (RUNTIME_NAMES.has(callee.name) || globalFix(callee.name))) return this.visit(callee, inAggregate);
    if (callee.type === 'MemberExpression' && this.reportChain(callee, inAggregate)) return REFUSED;
    return this.notAllowed(callee, `only op.<function>(…) can be called, not \`${this.text(callee)}\``,
      'use an allowed function, e.g. op.lower(d.name) instead of d.name.toLowerCase(); see docs/rules.md');
  }

  private opCall(n: N, callee: N, inAggregate: boolean): Expr {
    const fn = callee.property.name as string;
    this.out.functions.push({ name: fn, offset: callee.property.start, length: fn.length });
    const sig = this.allowed.has(fn) ? signature(fn) : undefined;
    const aggregate = sig?.role === 'aggregate' || sig?.role === 'window';
    if (FORBIDDEN_PROPERTIES.has(fn)) {
      this.notAllowed(callee, `\`op.${fn}\` is not allowed: no prototype access in expressions`, NAMES_HINT);
    } else if (!sig) {
      this.problem('unknown-function', callee.property, `op.${fn} is not an allowed function`, functionFix(fn, this.allowed));
    } else if (aggregate && this.context === 'join') {
      this.notAllowed(callee, `aggregate and window functions such as op.${fn} are not allowed in join predicates`, 'aggregate first (groupby + rollup) in a nested pipeline, then join on the result');
    } else if (sig.role === 'window' && this.context === 'aggregate') {
      this.notAllowed(callee, `window functions such as op.${fn} are not allowed in rollup`, 'compute it in a derive step (after groupby), then roll up the result');
    } else if (n.arguments.length < sig.min || n.arguments.length > sig.max) {
      const takes = sig.min === sig.max ? `${sig.min}` : sig.max === Infinity ? `at least ${sig.min}` : `${sig.min} to ${sig.max}`;
      const one = sig.min === 1 && (sig.max === 1 || sig.max === Infinity);
      this.notAllowed(n, `op.${fn} takes ${takes} argument${one ? '' : 's'}, not ${n.arguments.length}`, 'see the functions in docs/rules.md');
    }
    if (n.optional) this.notAllowed(n, 'optional calls (?.) are not allowed', 'call op.<function>(…) directly');
    if (fn === 'includes' && n.arguments.length === 2 && n.arguments[0].type === 'ArrayExpression') {
      for (const el of n.arguments[0].elements as (N | null)[]) if (el) this.compared(n.arguments[1], el);
    }
    const args: Expr[] = [];
    for (const arg of n.arguments as N[]) {
      if (arg.type === 'SpreadElement') args.push(this.notAllowed(arg, 'spread arguments (...) are not allowed', 'pass the arguments one by one'));
      else args.push(this.visit(arg, inAggregate || aggregate));
    }
    return { type: 'call', fn, args };
  }

  private binary(n: N, inAggregate: boolean): Expr {
    if (!BINARY_OPERATORS.has(n.operator)) {
      const fix = n.operator === 'in' ? 'use op.includes(list, value)' : n.operator === 'instanceof' ? NAMES_HINT : 'use arithmetic (+ - * / % **) and comparisons only';
      this.notAllowed(n, `the \`${n.operator}\` operator is not allowed`, fix);
    }
    if (COMPARISONS.has(n.operator)) {
      this.compared(n.left, n.right);
      this.compared(n.right, n.left);
    }
    return { type: 'binary', op: n.operator as BinaryOp, left: this.visit(n.left, inAggregate), right: this.visit(n.right, inAggregate) };
  }

  /** Lists hold literals only (`['成功', '退回']`, `[-1, null]`). */
  private list(n: N, inAggregate: boolean): Expr {
    const items: Literal[] = [];
    for (const el of n.elements as (N | null)[]) {
      if (!el) this.notAllowed(n, 'holes in array literals are not allowed', 'remove the extra comma');
      else if (!isLiteral(el)) this.notAllowed(el, 'array literals may only hold literal values', 'list constant values, e.g. [\'成功\', \'退回\'], or pass a list param: $.items');
      else {
        const e = this.visit(el, inAggregate);
        items.push(e.type === 'literal' ? e.value : e.type === 'unary' && e.arg.type === 'literal' ? -(e.arg.value as number) : null);
      }
    }
    return { type: 'list', items };
  }

  /** Record `column` compared with the literal `other`, when they are that. */
  private compared(column: N, other: N): void {
    const rows = this.head.rows;
    if (column.type !== 'MemberExpression' || column.object.type !== 'Identifier' || !rows.has(column.object.name)) return;
    const name = propertyName(column);
    if (name === undefined || other.type !== 'Literal' || (typeof other.value !== 'string' && typeof other.value !== 'number')) return;
    this.out.comparisons.push({
      column: { table: rows.get(column.object.name)!, name, offset: column.property.start + (column.computed ? 1 : 0), length: name.length },
      value: other.value,
      offset: other.start,
      length: other.end - other.start,
    });
  }

  /** Every other kind of node, each refused with what to write instead. */
  private refused(n: N): Expr {
    const hint = this.context === 'join' ? JOIN_HINT : ROW_HINT;
    switch (n.type) {
      case 'ThisExpression':
        return this.notAllowed(n, '`this` is not allowed', NAMES_HINT);
      case 'NewExpression':
        return this.notAllowed(n, '`new` is not allowed', 'use literals and op.<function>(…) calls');
      case 'ImportExpression':
        return this.notAllowed(n, '`import()` is not allowed: expressions cannot load code', NAMES_HINT);
      case 'MetaProperty':
        return this.notAllowed(n, `\`${this.text(n)}\` is not allowed`, NAMES_HINT);
      case 'TemplateLiteral':
        return this.notAllowed(n, 'template literals (`…`) are not allowed', "join text with +, e.g. d.name + '-' + d.period; messages belong in the finding's message template");
      case 'TaggedTemplateExpression':
        return this.notAllowed(n, 'tagged templates are not allowed', NAMES_HINT);
      case 'AssignmentExpression':
        return this.notAllowed(n, `assignments (\`${n.operator}\`) are not allowed`, 'compare with == (or ===); to add a column, use a derive step');
      case 'UpdateExpression':
        return this.notAllowed(n, `\`${n.operator}\` is not allowed`, `write ${this.text(n.argument)} + 1 in a derive step`);
      case 'SequenceExpression':
        return this.notAllowed(n, 'comma-separated sequences of expressions are not allowed', 'write one expression; combine conditions with && or ||');
      case 'ObjectExpression':
        return this.notAllowed(n, 'object literals are not allowed', 'derive one column per value');
      case 'ArrowFunctionExpression':
      case 'FunctionExpression':
      case 'ClassExpression':
        return this.notAllowed(n, 'functions and classes cannot be defined inside an expression', hint);
      case 'ChainExpression':
        return this.notAllowed(n, 'optional chaining (?.) is not allowed', 'null values already pass through operators and op functions; compare with null where needed');
      case 'AwaitExpression':
      case 'YieldExpression':
        return this.notAllowed(n, `\`${n.type === 'AwaitExpression' ? 'await' : 'yield'}\` is not allowed`, NAMES_HINT);
      default:
        return this.notAllowed(n, `${n.type} is not allowed in expressions`, NAMES_HINT);
    }
  }
}

const isLiteral = (n: N): boolean =>
  (n.type === 'Literal' && !n.regex && n.bigint === undefined) ||
  (n.type === 'UnaryExpression' && n.operator === '-' && n.argument.type === 'Literal' && typeof n.argument.value === 'number');

/** The name of `x.name` or `x['name']`, or undefined when it is computed from something else. */
function propertyName(m: N): string | undefined {
  if (!m.computed && m.property.type === 'Identifier') return m.property.name;
  if (m.computed && m.property.type === 'Literal' && typeof m.property.value === 'string') return m.property.value;
  return undefined;
}

/** What to do about an unknown function: the nearest allowed name, or why a family is missing. */
function functionFix(fn: string, allowed: ReadonlySet<string>): string {
  if (/regex|match|replace|test|search/i.test(fn)) {
    return 'regular-expression functions are not allowed (a pattern from a rule file could hang the run); use op.startswith, op.endswith or op.includes';
  }
  const near = nearestName(fn, allowed);
  if (/date|time|now|month|year|day|hour|week/i.test(fn)) {
    return `Arquero's date functions are not allowed (they assume local time); use the domain functions op.add_months, op.month_of, op.year_of, op.add_days, op.days_between, op.hour_of, op.weekday${near ? `; did you mean op.${near}?` : ''}`;
  }
  return near ? `did you mean op.${near}? The allowed functions are listed in docs/rules.md` : 'use one of the functions listed in docs/rules.md';
}
