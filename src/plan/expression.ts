/**
 * The whitelist checker for rule expressions.
 *
 * A rule's expressions are Arquero expression strings. Arquero compiles them
 * to JavaScript, so before a rule runs every expression is parsed with acorn
 * (the parser Arquero itself uses) and its syntax tree walked against a short
 * list of what is allowed: literals, `d.<column>` (`a.<column>`/`b.<column>`
 * in join predicates), `$.<param>`, calls of whitelisted `op.<fn>`, operators,
 * conditionals and arrays of literals. Anything else — globals, `this`,
 * `new`, templates, assignments, prototype access, regular expressions — is a
 * problem with the place and what to write instead. Nothing is evaluated.
 */
import { parseExpressionAt } from 'acorn';
import type { Node as AcornNode } from 'acorn';
import { AGGREGATE_FUNCTIONS, ALLOWED_FUNCTIONS, WINDOW_FUNCTIONS } from './functions.js';

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
  table: 'd' | 'a' | 'b';
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

export interface ExprCheck {
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
 * would crash when it runs — and so would this checker, for a long `!!!…x`.
 */
export const MAX_EXPRESSION_DEPTH = 200;

const ROW_HINT = 'write an expression such as `d.amount > $.min`, or `(d, $) => d.amount > $.min`';
const JOIN_HINT = 'write a two-table predicate such as `(a, b) => a.id_number == b.id_number`, adding `$` as third parameter for params';
const NAMES_HINT = 'expressions can only read d.<column>, $.<param> and call op.<function>';
const FORBIDDEN_PROPERTIES = new Set(['constructor', '__proto__', 'prototype']);
const BINARY_OPERATORS = new Set(['==', '!=', '===', '!==', '<', '<=', '>', '>=', '+', '-', '*', '/', '%', '**']);
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

/**
 * Check one expression string for `context`. Never evaluates anything.
 * Returns the problems (empty when allowed) and the columns, params and
 * functions it uses, each with its offset in `src`.
 */
export function checkExpression(src: string, context: ExprContext, allowed: ReadonlySet<string> = ALLOWED_FUNCTIONS): ExprCheck {
  const out: ExprCheck = { problems: [], columns: [], params: [], functions: [], comparisons: [] };
  const problem = (code: ExprProblem['code'], node: { start: number; end: number } | number, message: string, fix: string) => {
    const offset = typeof node === 'number' ? node : node.start;
    const length = typeof node === 'number' ? 1 : node.end - node.start;
    out.problems.push({ code, message, fix, offset, length });
  };
  const notAllowed = (node: N, message: string, fix: string) => problem('expression-not-allowed', node, message, fix);

  if (typeof src !== 'string' || src.trim() === '') {
    problem('expression-syntax', 0, 'the expression is empty', context === 'join' ? JOIN_HINT : ROW_HINT);
    return out;
  }
  if (src.length > MAX_EXPRESSION_LENGTH) {
    problem('expression-syntax', 0, `the expression is ${src.length} characters long, more than ${MAX_EXPRESSION_LENGTH}`, 'split it into several derive steps');
    return out;
  }

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
    const e = err as SyntaxError & { pos?: number };
    const message =
      e instanceof RangeError ? 'the expression is nested too deeply' :
      (e.pos ?? 0) >= src.trimEnd().length ? 'it ends too early' :
      e.message.replace(/\s*\(\d+:\d+\)$/, '');
    const [why, fix] =
      e.pos !== undefined && /^0\d/.test(src.slice(e.pos)) ? ['a number cannot start with 0 (JavaScript would read 010 as octal)', "write it without leading zeros, or quote a code as text: '010'"] :
      /^(Octal literal|Invalid escape sequence)/.test(message) ? ['escapes such as \\1 or \\8 are not allowed in text', 'write the character itself, or \\x01 for a control character'] :
      [message, context === 'join' ? JOIN_HINT : ROW_HINT];
    problem('expression-syntax', e.pos ?? 0, `the expression does not parse: ${why}`, fix);
    return out;
  }
  const rest = src.slice(root.end);
  const restStart = root.end + (rest.length - rest.trimStart().length);
  if (restStart < src.length) {
    problem('expression-syntax', restStart, `unexpected text after the expression: \`${src.slice(restStart, restStart + 20)}\``,
      'a step holds exactly one expression; remove the extra text or combine the parts with && or ||');
    return out;
  }
  for (const c of comments) {
    problem('expression-not-allowed', c, 'comments are not allowed inside expressions', 'put comments on their own YAML line, starting with #');
  }

  // Names in scope: row objects (d / a, b) and the params object ($).
  const rows = new Map<string, 'd' | 'a' | 'b'>();
  let paramsName: string | undefined;
  let body: N = root;
  if (root.type === 'ArrowFunctionExpression') {
    const names = (root.params as N[]).map((p) => (p.type === 'Identifier' ? (p.name as string) : undefined));
    const expected = context === 'join' ? ['a', 'b', '$'] : ['d', '$'];
    const min = context === 'join' ? 2 : 1;
    const ok = names.length >= min && names.length <= expected.length && names.every((n, i) => n === expected[i]);
    if (!ok || root.async) {
      notAllowed(root, `the parameters must be (${expected.slice(0, min).join(', ')}) or (${expected.join(', ')})`, context === 'join' ? JOIN_HINT : ROW_HINT);
      return out;
    }
    for (const n of names) {
      if (n === '$') paramsName = '$';
      else rows.set(n!, n as 'd' | 'a' | 'b');
    }
    if (root.body.type === 'BlockStatement') {
      notAllowed(root.body, 'function bodies with statements are not allowed', `write the expression after the arrow: \`(${names.join(', ')}) => <expression>\``);
      return out;
    }
    body = root.body as N;
  } else if (context === 'join') {
    notAllowed(root, 'a join predicate must be an arrow function naming both tables', JOIN_HINT);
    return out;
  } else {
    rows.set('d', 'd');
    paramsName = '$';
  }

  const isLiteral = (n: N): boolean =>
    (n.type === 'Literal' && !n.regex && n.bigint === undefined) ||
    (n.type === 'UnaryExpression' && n.operator === '-' && n.argument.type === 'Literal' && typeof n.argument.value === 'number');

  /** The name of `x.name` or `x['name']`, or undefined when it is computed from something else. */
  const propertyName = (m: N): string | undefined => {
    if (!m.computed && m.property.type === 'Identifier') return m.property.name;
    if (m.computed && m.property.type === 'Literal' && typeof m.property.value === 'string') return m.property.value;
    return undefined;
  };

  /**
   * For a member chain such as `process.env.HOME` or `d.constructor.constructor`, report what is wrong
   * with the chain itself: a forbidden property anywhere in it, or a root that is not d/$/op. False when
   * neither applies.
   */
  const reportChain = (m: N, inAggregate: boolean): boolean => {
    let root: N = m;
    while (root.type === 'MemberExpression' || root.type === 'ParenthesizedExpression') {
      if (root.type === 'MemberExpression') {
        const prop = propertyName(root);
        if (prop !== undefined && FORBIDDEN_PROPERTIES.has(prop)) {
          notAllowed(m, `\`${prop}\` is not allowed: no prototype access in expressions`, NAMES_HINT);
          return true;
        }
        root = root.object;
      } else root = root.expression;
    }
    if (root.type === 'ThisExpression' || (root.type === 'Identifier' && !rows.has(root.name) && root.name !== paramsName && root.name !== 'op')) {
      visit(root, inAggregate);
      return true;
    }
    return false;
  };

  /** Record `column` compared with the literal `other`, when they are that. */
  const compared = (column: N, other: N) => {
    if (column.type !== 'MemberExpression' || column.object.type !== 'Identifier' || !rows.has(column.object.name)) return;
    const name = propertyName(column);
    if (name === undefined || other.type !== 'Literal' || (typeof other.value !== 'string' && typeof other.value !== 'number')) return;
    out.comparisons.push({
      column: { table: rows.get(column.object.name)!, name, offset: column.property.start + (column.computed ? 1 : 0), length: name.length },
      value: other.value,
      offset: other.start,
      length: other.end - other.start,
    });
  };

  let depth = 0;
  let tooDeep = false;
  const visit = (n: N, inAggregate: boolean): void => {
    if (depth >= MAX_EXPRESSION_DEPTH) {
      if (!tooDeep) problem('expression-syntax', n, `the expression is nested more than ${MAX_EXPRESSION_DEPTH} levels deep`, 'split it into several derive steps');
      tooDeep = true;
      return;
    }
    depth++;
    visitNode(n, inAggregate);
    depth--;
  };
  const visitNode = (n: N, inAggregate: boolean): void => {
    switch (n.type) {
      case 'Literal':
        if (n.regex) {
          notAllowed(n, 'regular expressions are not allowed (a pattern from a rule file could hang the run)', 'use op.startswith, op.endswith or op.includes');
        } else if (n.bigint !== undefined) {
          notAllowed(n, 'BigInt literals are not allowed', 'write a plain number');
        }
        return;
      case 'Identifier': {
        const name = n.name as string;
        if (rows.has(name)) {
          notAllowed(n, `\`${name}\` can only be used to read a column, as ${name}.<column>`, `write ${name}.<column>, e.g. ${name}.amount`);
        } else if (name === paramsName) {
          notAllowed(n, '`$` can only be used to read a param, as $.<name>', 'write $.<param>, e.g. $.threshold');
        } else if (name === '$') {
          notAllowed(n, '`$` (the params) is not a parameter of this function', context === 'join' ? 'write (a, b, $) => … to read params' : 'write (d, $) => … to read params');
        } else if (name === 'op') {
          notAllowed(n, '`op` can only be used to call a function, as op.<function>(…)', 'call a function, e.g. op.abs(d.amount)');
        } else if (RUNTIME_NAMES.has(name)) {
          notAllowed(n, `\`${name}\` is not allowed: expressions have no access to the JavaScript runtime`, NAMES_HINT);
        } else if (globalFix(name)) {
          notAllowed(n, `\`${name}\` is not allowed in expressions`, globalFix(name)!);
        } else {
          notAllowed(n, `unknown name \`${name}\``,
            `refer to a column as ${[...rows.keys()][0] ?? 'd'}.${name}, to a param as $.${name}, or quote text as '${name}'`);
        }
        return;
      }
      case 'MemberExpression': {
        const prop = propertyName(n);
        if (prop !== undefined && FORBIDDEN_PROPERTIES.has(prop)) {
          notAllowed(n, `\`${prop}\` is not allowed: no prototype access in expressions`, NAMES_HINT);
          return;
        }
        if (n.object.type === 'Identifier' && rows.has(n.object.name)) {
          if (prop === undefined) {
            notAllowed(n, `computed column access \`${src.slice(n.start, n.end)}\` is not allowed`, `name the column: ${n.object.name}.<column> or ${n.object.name}['column name']`);
          } else {
            out.columns.push({ table: rows.get(n.object.name)!, name: prop, offset: n.property.start + (n.computed ? 1 : 0), length: prop.length });
            if (context === 'aggregate' && !inAggregate) {
              notAllowed(n, `column \`${prop}\` is read outside an aggregate function`, `in rollup, wrap it in an aggregate such as op.sum(d.${prop}), op.max(d.${prop}) or op.distinct(d.${prop}); or add it to groupby`);
            }
          }
          return;
        }
        if (n.object.type === 'Identifier' && n.object.name === paramsName) {
          if (prop === undefined) {
            notAllowed(n, `computed param access \`${src.slice(n.start, n.end)}\` is not allowed`, 'name the param: $.<param>');
          } else {
            out.params.push({ name: prop, offset: n.property.start + (n.computed ? 1 : 0), length: prop.length });
          }
          return;
        }
        if (n.object.type === 'Identifier' && n.object.name === 'op') {
          if (n.computed) notAllowed(n, '`op[...]` computed access is not allowed', 'call the function by name: op.<function>(…)');
          else notAllowed(n, `\`${src.slice(n.start, n.end)}\` must be called`, `write ${src.slice(n.start, n.end)}(…)`);
          return;
        }
        if (reportChain(n, inAggregate)) return;
        if (prop === 'length') {
          notAllowed(n, '`.length` is not allowed', 'use op.length(x)');
          return;
        }
        notAllowed(n, `member access \`${src.slice(n.start, n.end)}\` is not allowed`, NAMES_HINT);
        return;
      }
      case 'CallExpression': {
        const callee = n.callee as N;
        if (callee.type === 'MemberExpression' && callee.object.type === 'Identifier' && callee.object.name === 'op') {
          if (callee.computed) {
            notAllowed(callee, '`op[...]` computed access is not allowed', 'call the function by name: op.<function>(…)');
            return;
          }
          const fn = callee.property.name as string;
          out.functions.push({ name: fn, offset: callee.property.start, length: fn.length });
          const aggregate = AGGREGATE_FUNCTIONS.has(fn) || WINDOW_FUNCTIONS.has(fn);
          if (FORBIDDEN_PROPERTIES.has(fn)) {
            notAllowed(callee, `\`op.${fn}\` is not allowed: no prototype access in expressions`, NAMES_HINT);
          } else if (!allowed.has(fn)) {
            problem('unknown-function', callee.property, `op.${fn} is not an allowed function`, functionFix(fn, allowed));
          } else if (aggregate && context === 'join') {
            notAllowed(callee, `aggregate and window functions such as op.${fn} are not allowed in join predicates`, 'aggregate first (groupby + rollup) in a nested pipeline, then join on the result');
          } else if (WINDOW_FUNCTIONS.has(fn) && context === 'aggregate') {
            notAllowed(callee, `window functions such as op.${fn} are not allowed in rollup`, 'compute it in a derive step (after groupby), then roll up the result');
          }
          if (n.optional) notAllowed(n, 'optional calls (?.) are not allowed', 'call op.<function>(…) directly');
          if (fn === 'includes' && n.arguments.length === 2 && n.arguments[0].type === 'ArrayExpression') {
            for (const el of n.arguments[0].elements as (N | null)[]) if (el) compared(n.arguments[1], el);
          }
          for (const arg of n.arguments as N[]) {
            if (arg.type === 'SpreadElement') notAllowed(arg, 'spread arguments (...) are not allowed', 'pass the arguments one by one');
            else visit(arg, inAggregate || aggregate);
          }
          return;
        }
        if (callee.type === 'Identifier' && (RUNTIME_NAMES.has(callee.name) || globalFix(callee.name))) {
          visit(callee, inAggregate);
          return;
        }
        if (callee.type === 'MemberExpression' && reportChain(callee, inAggregate)) return;
        notAllowed(callee, `only op.<function>(…) can be called, not \`${src.slice(callee.start, callee.end)}\``,
          'use an allowed function, e.g. op.lower(d.name) instead of d.name.toLowerCase(); see docs/rules.md');
        return;
      }
      case 'UnaryExpression':
        if (!UNARY_OPERATORS.has(n.operator)) {
          notAllowed(n, `the \`${n.operator}\` operator is not allowed`, n.operator === 'typeof' ? 'compare with null, or use op.is_valid(x)' : 'use !, - or + only');
          return;
        }
        visit(n.argument, inAggregate);
        return;
      case 'BinaryExpression':
        if (!BINARY_OPERATORS.has(n.operator)) {
          const fix = n.operator === 'in' ? 'use op.includes(list, value)' : n.operator === 'instanceof' ? NAMES_HINT : 'use arithmetic (+ - * / % **) and comparisons only';
          notAllowed(n, `the \`${n.operator}\` operator is not allowed`, fix);
        }
        if (['==', '!=', '===', '!==', '<', '<=', '>', '>='].includes(n.operator)) {
          compared(n.left, n.right);
          compared(n.right, n.left);
        }
        visit(n.left, inAggregate);
        visit(n.right, inAggregate);
        return;
      case 'LogicalExpression':
        visit(n.left, inAggregate);
        visit(n.right, inAggregate);
        return;
      case 'ConditionalExpression':
        visit(n.test, inAggregate);
        visit(n.consequent, inAggregate);
        visit(n.alternate, inAggregate);
        return;
      case 'ArrayExpression':
        for (const el of n.elements as (N | null)[]) {
          if (!el) notAllowed(n, 'holes in array literals are not allowed', 'remove the extra comma');
          else if (!isLiteral(el)) notAllowed(el, 'array literals may only hold literal values', 'list constant values, e.g. [\'成功\', \'退回\'], or pass a list param: $.items');
          else visit(el, inAggregate);
        }
        return;
      case 'ThisExpression':
        return notAllowed(n, '`this` is not allowed', NAMES_HINT);
      case 'NewExpression':
        return notAllowed(n, '`new` is not allowed', 'use literals and op.<function>(…) calls');
      case 'ImportExpression':
        return notAllowed(n, '`import()` is not allowed: expressions cannot load code', NAMES_HINT);
      case 'MetaProperty':
        return notAllowed(n, `\`${src.slice(n.start, n.end)}\` is not allowed`, NAMES_HINT);
      case 'TemplateLiteral':
        return notAllowed(n, 'template literals (`…`) are not allowed', "join text with +, e.g. d.name + '-' + d.period; messages belong in the finding's message template");
      case 'TaggedTemplateExpression':
        return notAllowed(n, 'tagged templates are not allowed', NAMES_HINT);
      case 'AssignmentExpression':
        return notAllowed(n, `assignments (\`${n.operator}\`) are not allowed`, 'compare with == (or ===); to add a column, use a derive step');
      case 'UpdateExpression':
        return notAllowed(n, `\`${n.operator}\` is not allowed`, `write ${src.slice(n.argument.start, n.argument.end)} + 1 in a derive step`);
      case 'SequenceExpression':
        return notAllowed(n, 'comma-separated sequences of expressions are not allowed', 'write one expression; combine conditions with && or ||');
      case 'ObjectExpression':
        return notAllowed(n, 'object literals are not allowed', 'derive one column per value');
      case 'ArrowFunctionExpression':
      case 'FunctionExpression':
      case 'ClassExpression':
        return notAllowed(n, 'functions and classes cannot be defined inside an expression', context === 'join' ? JOIN_HINT : ROW_HINT);
      case 'ChainExpression':
        return notAllowed(n, 'optional chaining (?.) is not allowed', 'null values already pass through operators and op functions; compare with null where needed');
      case 'AwaitExpression':
      case 'YieldExpression':
        return notAllowed(n, `\`${n.type === 'AwaitExpression' ? 'await' : 'yield'}\` is not allowed`, NAMES_HINT);
      case 'ParenthesizedExpression':
        return visit(n.expression, inAggregate);
      default:
        return notAllowed(n, `${n.type} is not allowed in expressions`, NAMES_HINT);
    }
  };
  visit(body, false);
  return out;
}

/** What to do about an unknown function: the nearest allowed name, or why a family is missing. */
function functionFix(fn: string, allowed: ReadonlySet<string>): string {
  if (/regex|match|replace|test|search/i.test(fn)) {
    return 'regular-expression functions are not allowed (a pattern from a rule file could hang the run); use op.startswith, op.endswith or op.includes';
  }
  if (/date|time|now|month|year|day|hour|week/i.test(fn) && !allowed.has(fn)) {
    const near = nearest(fn, allowed);
    return `Arquero's date functions are not allowed (they assume local time); use the domain functions op.add_months, op.month_of, op.year_of, op.add_days, op.days_between, op.hour_of, op.weekday${near ? `; did you mean op.${near}?` : ''}`;
  }
  const near = nearest(fn, allowed);
  return near ? `did you mean op.${near}? The allowed functions are listed in docs/rules.md` : 'use one of the functions listed in docs/rules.md';
}

function nearest(word: string, names: ReadonlySet<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(word.length / 3)) + 1;
  for (const name of names) {
    const d = editDistance(word.toLowerCase(), name);
    if (d < bestDistance) {
      best = name;
      bestDistance = d;
    }
  }
  return best;
}

/** Levenshtein distance, for "did you mean" hints. */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}
