/**
 * A plan expression (plan/ast.ts) as DuckDB SQL that means what the rule
 * language means (docs/rules.md, "How a check runs"): JavaScript's values
 * and operators, as the reference executor runs them — a blank compares as
 * 0 with `<`, `!=` is true for a blank, `+` joins text, `/` divides as
 * floating point — made exact in SQL by the kind of each operand, which the
 * compiler knows from the table definitions and the plan.
 *
 * Nothing from a rule becomes SQL text except through this translation:
 * columns are quoted identifiers the plan named, params are `$p_<name>`
 * placeholders bound as values, literals are written here from the tree's
 * numbers and strings (quoted, quotes doubled), and every function is one of
 * a closed list. An expression this module cannot translate is an error, never
 * pasted through.
 */
import type { Expr, Literal, Side } from '../../plan/ast.js';
import { asIs, DOMAIN_SQL, JS_SPACE_CLASS, sqlText, type Once, type SqlExpr, type SqlKind } from './functions.js';

/** A plain decimal number as JavaScript's Number() reads it: sign, digits, point, exponent (no hex, no separators). */
const JS_DECIMAL = '[+-]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][+-]?[0-9]+)?';

export type { SqlExpr, SqlKind } from './functions.js';

/** How an aggregate call becomes SQL where the expression is compiled. */
export interface AggregateScope {
  /** SQL appended to every aggregate: '' in a rollup, ` OVER (PARTITION BY …)` in a derive over groups. */
  over: string;
  /** The order rows are seen in (for aggregates whose result depends on it), e.g. `"__o"`. */
  order: string;
  /** Set when an aggregate was compiled (a filter then needs QUALIFY rather than WHERE). */
  used?: boolean;
  /** In a rollup over group keys: the groups' lists in row order are made apart (compile.ts, ListSplit). */
  split?: ListSplit;
  /**
   * In a derive or filter over groups (`over` then ''): each aggregate, a value of its row's group, is computed in
   * one pass grouping the step's input and read from it; returns the SQL that stands for it (compile.ts, GroupPass).
   */
  hoist?: (e: SqlExpr) => SqlExpr;
}

/**
 * A rollup whose lists in row order (inOrder) are not aggregated over every group: the compiler computes the
 * aggregates without such a list in one pass over the groups, and each list in a second pass over the rows of
 * the groups with several rows; the value of a rollup is then a scalar over their columns.
 */
export interface ListSplit {
  /** A group's valid values of `x` in row order, as `list` computes them: the SQL that stands for it after the passes. */
  list(list: string, x: SqlExpr): string;
  /** An aggregate that reads no such list: the column of the groups' pass holding it. */
  hoist(e: SqlExpr): SqlExpr;
  /** How many lists were made apart so far. */
  readonly lists: number;
}

/** What an expression can refer to. */
export interface Scope {
  column(side: Side, name: string): SqlExpr;
  param(name: string): SqlExpr;
  /** Present where aggregates are allowed. */
  aggregate?: AggregateScope;
  /** Present where window functions are allowed (derive). */
  window?: { partition: string; order: string; peers: string | null; used?: boolean };
  /** Makes a value safe to repeat in SQL (a column computed before the step); as it is where there is no step. */
  once?: Once;
  /** The same for values of rows inside aggregates (in a rollup, `once` must not hoist the aggregates themselves). */
  rowOnce?: Once;
  /**
   * Offered every function call's result: the step may compute a costly value of one column once per distinct
   * value of the column rather than once per row (compile.ts, Lets.memo); as it is where there is no step.
   */
  memo?: Once;
  /** The same for values of rows inside aggregates. */
  rowMemo?: Once;
}

/** An expression the DuckDB executor cannot run; the rule is skipped with it. */
export class UnsupportedExpression extends Error {}

const sql = (text: string, kind: SqlKind): SqlExpr => ({ sql: text, kind });
const NULL_OF: Record<SqlKind, string> = {
  text: 'CAST(NULL AS VARCHAR)',
  month: 'CAST(NULL AS VARCHAR)',
  date: 'CAST(NULL AS DATE)',
  datetime: 'CAST(NULL AS TIMESTAMP)',
  int: 'CAST(NULL AS BIGINT)',
  float: 'CAST(NULL AS DOUBLE)',
  boolean: 'CAST(NULL AS BOOLEAN)',
  null: 'NULL',
  list: 'CAST(NULL AS VARCHAR[])',
};

const stringy = (k: SqlKind) => k === 'text' || k === 'month' || k === 'date' || k === 'datetime';
const numeric = (k: SqlKind) => k === 'int' || k === 'float';

/** A literal of the tree. Numbers are finite (the parser guarantees it). */
function literal(v: Literal): SqlExpr {
  if (v === null) return sql('NULL', 'null');
  if (typeof v === 'boolean') return sql(v ? 'true' : 'false', 'boolean');
  if (typeof v === 'number') {
    if (Number.isSafeInteger(v)) return sql(v < 0 ? `(${v})` : String(v), 'int');
    // JSON text of a double reads back as the same double in SQL.
    return sql(`CAST(${JSON.stringify(v)} AS DOUBLE)`, 'float');
  }
  // Only for text the tree holds — never a param (those are bound).
  return sql(sqlText(v), 'text');
}

/** The value as SQL of `kind`, cast where the kinds differ but mean the same (int in a float context). */
function as(e: SqlExpr, kind: SqlKind): string {
  if (e.kind === kind) return e.sql;
  if (e.kind === 'null') return NULL_OF[kind];
  if (kind === 'float' && e.kind === 'int') return `CAST(${e.sql} AS DOUBLE)`;
  if (kind === 'text' && stringy(e.kind)) return text(e);
  throw new UnsupportedExpression(`a ${e.kind} value where a ${kind} is expected`);
}

/**
 * A coalesce of dates and datetimes made text (their kinds differ) with the day it stands for: the first of
 * their dates. Loaded dates and datetimes print as text parseDay reads back to the same day (years 1000–9999,
 * whole seconds), so the text need not be parsed again.
 */
function withDay(e: SqlExpr, args: SqlExpr[]): SqlExpr {
  const days = args.filter((a) => a.kind !== 'null');
  if (e.kind !== 'text' || !days.length || !days.every((a) => a.kind === 'date' || a.kind === 'datetime')) return e;
  return { ...e, day: `coalesce(${days.map((a) => (a.kind === 'date' ? a.sql : `CAST(${a.sql} AS DATE)`)).join(', ')})` };
}

/** The kind two branches share (a conditional, coalesce, `||`), or an error. */
function common(kinds: SqlKind[]): SqlKind {
  const real = kinds.filter((k) => k !== 'null');
  if (real.length === 0) return 'null';
  if (real.every((k) => k === real[0])) return real[0];
  if (real.every(numeric)) return 'float';
  if (real.every(stringy)) return 'text';
  throw new UnsupportedExpression(`values of kinds ${[...new Set(real)].join(' and ')} in one expression`);
}

/** JavaScript's truthiness, as a non-null BOOLEAN. */
export function truthy(e: SqlExpr, once: Once = asIs): string {
  if (e.kind === 'float') e = once(e);
  switch (e.kind) {
    case 'boolean':
      return `coalesce(${e.sql}, false)`;
    case 'int':
      return `coalesce(${e.sql} <> 0, false)`;
    case 'float':
      return `coalesce(${e.sql} <> 0 AND NOT isnan(${e.sql}), false)`;
    case 'text':
    case 'month':
      return `coalesce(${e.sql} <> '', false)`;
    case 'null':
      return 'false';
    default:
      return `(${e.sql} IS NOT NULL)`;
  }
}

/** JavaScript's ToNumber: null is 0, booleans 1 and 0, text read as a number (null standing for NaN). */
function toNumber(e: SqlExpr, once: Once = asIs): SqlExpr {
  switch (e.kind) {
    case 'int':
    case 'float':
      return sql(`coalesce(${e.sql}, 0)`, e.kind);
    case 'null':
      return sql('0', 'int');
    case 'boolean':
      return sql(`CAST(coalesce(${e.sql}, false) AS BIGINT)`, 'int');
    case 'list':
      throw new UnsupportedExpression('a list used as a number');
    case 'date':
    case 'datetime':
    case 'month':
      // A date's or month's text is never a number (NaN, null here); a blank is 0.
      return sql(`(CASE WHEN ${e.sql} IS NULL THEN CAST(0 AS DOUBLE) END)`, 'float');
    default:
      return sql(`fa_js_number(${textOnce(e, once)})`, 'float');
  }
}

/** JavaScript's String(x) of a non-null value (null itself: 'null'). */
export function jsText(e: SqlExpr, once: Once = asIs): string {
  if (e.kind === 'boolean') e = once(e);
  switch (e.kind) {
    case 'text':
    case 'month':
      return `coalesce(${e.sql}, 'null')`;
    case 'date':
    case 'datetime':
      return `coalesce(CAST(${e.sql} AS VARCHAR), 'null')`;
    case 'int':
      return `coalesce(CAST(${e.sql} AS VARCHAR), 'null')`;
    case 'float':
      return `coalesce(fa_js_number_text(${e.sql}), 'null')`;
    case 'boolean':
      return `(CASE WHEN ${e.sql} THEN 'true' WHEN NOT ${e.sql} THEN 'false' ELSE 'null' END)`;
    case 'null':
      return `'null'`;
    case 'list':
      return `coalesce(array_to_string(list_transform(${e.sql}, x -> coalesce(CAST(x AS VARCHAR), '')), ','), 'null')`;
  }
}

/** A stringy value as VARCHAR (dates as their ISO text); null stays null. */
function text(e: SqlExpr): string {
  if (e.kind === 'date' || e.kind === 'datetime') return `CAST(${e.sql} AS VARCHAR)`;
  if (e.kind === 'null') return 'CAST(NULL AS VARCHAR)';
  if (e.kind === 'text' || e.kind === 'month') return e.sql;
  // String(value) of a non-null number or boolean, for the string functions that convert their argument.
  return `(CASE WHEN ${e.sql} IS NOT NULL THEN ${jsText(e)} END)`;
}

/** text(), computed once. */
function textOnce(e: SqlExpr, once: Once): string {
  return e.kind === 'text' || e.kind === 'month' ? once(e).sql : once({ sql: text(once(e)), kind: 'text' }).sql;
}

/** Two operands of one kind for comparing, or null when JavaScript would compare them as numbers. */
function sameKind(a: SqlExpr, b: SqlExpr): [string, string] | null {
  if (a.kind === b.kind && a.kind !== 'list') return [a.sql, b.sql];
  if (stringy(a.kind) && stringy(b.kind)) return [text(a), text(b)];
  if (numeric(a.kind) && numeric(b.kind)) return [a.sql, b.sql];
  return null;
}

/**
 * `<`, `<=`, `>`, `>=` as JavaScript compares: two texts (dates, months) as text, anything else as numbers
 * (a blank as 0, a text as the number it reads as; NaN compares false). Always true or false.
 */
function relational(op: string, a: SqlExpr, b: SqlExpr, once: Once): SqlExpr {
  if (a.kind === 'list' || b.kind === 'list') throw new UnsupportedExpression('a list compared with <, <=, > or >=');
  a = once(a);
  b = once(b);
  const numbers = (x: SqlExpr, y: SqlExpr) => {
    const nx = toNumber(x);
    const ny = toNumber(y);
    const nan = [nx, ny].filter((n) => n.kind === 'float').map((n) => ` AND NOT isnan(${n.sql})`).join('');
    return `coalesce(${nx.sql} ${op} ${ny.sql}${nan}, false)`;
  };
  const same = sameKind(a, b);
  if (same && stringy(a.kind) && stringy(b.kind)) {
    // Texts compare as texts; a blank on either side makes JavaScript compare numbers instead.
    return sql(`(CASE WHEN ${a.sql} IS NOT NULL AND ${b.sql} IS NOT NULL THEN ${same[0]} ${op} ${same[1]} ELSE ${numbers(a, b)} END)`, 'boolean');
  }
  if (same && a.kind === 'boolean') return sql(numbers(a, b), 'boolean');
  return sql(numbers(a, b), 'boolean');
}

/** `==` (loose) and `===` (strict): a blank equals only a blank; texts and numbers meet (==) as numbers. */
function equality(strict: boolean, a: SqlExpr, b: SqlExpr, once: Once = asIs): string {
  a = once(a);
  b = once(b);
  if (a.kind === 'null' || b.kind === 'null') {
    const other = a.kind === 'null' ? b : a;
    return other.kind === 'null' ? 'true' : `(${other.sql} IS NULL)`;
  }
  if (a.kind === 'list' || b.kind === 'list') throw new UnsupportedExpression('a list compared with == or !=');
  const same = sameKind(a, b);
  if (same) {
    const nan = [a, b].filter((x) => x.kind === 'float').map((x) => ` AND NOT coalesce(isnan(${x.sql}), false)`).join('');
    return `(${same[0]} IS NOT DISTINCT FROM ${same[1]}${nan})`;
  }
  const bothNull = `(${a.sql} IS NULL AND ${b.sql} IS NULL)`;
  if (strict) return bothNull;
  // Loose equality across kinds: JavaScript converts both to numbers, unless one is null.
  const na = toNumber(a);
  const nb = toNumber(b);
  return `(${bothNull} OR coalesce(${a.sql} IS NOT NULL AND ${b.sql} IS NOT NULL AND ${na.sql} = ${nb.sql}, false))`;
}

/** `+`: text joins (a blank as 'null'), anything else adds as numbers (a blank as 0). */
function plus(a: SqlExpr, b: SqlExpr, once: Once): SqlExpr {
  if (stringy(a.kind) || stringy(b.kind) || a.kind === 'list' || b.kind === 'list') return sql(`(${jsText(a, once)} || ${jsText(b, once)})`, 'text');
  return arithmetic('+', a, b, once);
}

function arithmetic(op: string, a: SqlExpr, b: SqlExpr, once: Once): SqlExpr {
  const na = toNumber(a, once);
  const nb = op === '%' ? once(toNumber(b, once)) : toNumber(b, once);
  const kind: SqlKind = na.kind === 'int' && nb.kind === 'int' ? 'int' : 'float';
  switch (op) {
    case '/':
      return sql(`(CAST(${na.sql} AS DOUBLE) / ${nb.sql})`, 'float');
    case '%':
      // JavaScript: the sign of the dividend; x % 0 is NaN (null here).
      return sql(`(CASE WHEN ${nb.sql} <> 0 THEN ${na.sql} % ${nb.sql} END)`, kind);
    case '**':
      return sql(`pow(CAST(${na.sql} AS DOUBLE), ${nb.sql})`, 'float');
    default:
      return sql(`(${na.sql} ${op} ${nb.sql})`, kind);
  }
}

/** Compiles an expression in a scope. */
export function compileExpr(e: Expr, scope: Scope): SqlExpr {
  const once = scope.once ?? asIs;
  switch (e.type) {
    case 'literal':
      return literal(e.value);
    case 'list':
      return listLiteral(e.items);
    case 'column':
      return scope.column(e.side, e.name);
    case 'param':
      return scope.param(e.name);
    case 'unary': {
      const arg = compileExpr(e.arg, scope);
      if (e.op === '!') return sql(`(NOT ${truthy(arg, once)})`, 'boolean');
      const n = toNumber(arg, once);
      return e.op === '-' ? sql(`(- ${n.sql})`, n.kind) : n;
    }
    case 'binary': {
      const a = compileExpr(e.left, scope);
      const b = compileExpr(e.right, scope);
      switch (e.op) {
        case '==':
        case '===':
          return sql(equality(e.op === '===', a, b, once), 'boolean');
        case '!=':
        case '!==':
          return sql(`(NOT ${equality(e.op === '!==', a, b, once)})`, 'boolean');
        case '<':
        case '<=':
        case '>':
        case '>=':
          return relational(e.op, a, b, once);
        case '+':
          return plus(a, b, once);
        default:
          return arithmetic(e.op, a, b, once);
      }
    }
    case 'logical': {
      const a = compileExpr(e.left, scope);
      const b = compileExpr(e.right, scope);
      if (e.op === '??') {
        const kind = common([a.kind, b.kind]);
        return withDay(sql(`coalesce(${as(a, kind)}, ${as(b, kind)})`, kind), [a, b]);
      }
      // JavaScript's && and || give one of their operands. Booleans the compiler makes are never null, so for
      // them SQL's AND and OR give the same; other values of one kind are chosen as JavaScript chooses.
      let kind: SqlKind | null = null;
      try {
        kind = common([a.kind, b.kind]);
      } catch {
        kind = null;
      }
      if (kind === null || kind === 'list' || kind === 'boolean') {
        return sql(`(${truthy(a, once)} ${e.op === '&&' ? 'AND' : 'OR'} ${truthy(b, once)})`, 'boolean');
      }
      const x = once(a);
      const [first, second] = e.op === '&&' ? [as(b, kind), as(x, kind)] : [as(x, kind), as(b, kind)];
      return sql(`(CASE WHEN ${truthy(x, once)} THEN ${first} ELSE ${second} END)`, kind);
    }
    case 'conditional': {
      const test = compileExpr(e.test, scope);
      const a = compileExpr(e.then, scope);
      const b = compileExpr(e.else, scope);
      const kind = common([a.kind, b.kind]);
      return sql(`(CASE WHEN ${truthy(test, once)} THEN ${as(a, kind)} ELSE ${as(b, kind)} END)`, kind);
    }
    case 'call':
      return call(e.fn, e.args, scope);
  }
}

function listLiteral(items: Literal[]): SqlExpr {
  if (items.length === 0) return sql('CAST([] AS VARCHAR[])', 'list');
  const lits = items.map(literal);
  const kind = common(lits.map((l) => l.kind));
  return sql(`[${lits.map((l) => as(l, kind === 'null' ? 'text' : kind)).join(', ')}]`, 'list');
}

/** A call of a whitelisted function: domain functions, built-in scalars, aggregates, window functions. */
function call(fn: string, rawArgs: Expr[], scope: Scope): SqlExpr {
  const once = scope.once ?? asIs;
  const memo = scope.memo ?? asIs;
  const domain = DOMAIN_SQL[fn];
  if (domain) return memo(domain(rawArgs.map((a) => compileExpr(a, scope)), once));
  // An aggregate's or window function's arguments are values of rows: computed once per row before the step.
  const rowScope: Scope = { ...scope, aggregate: undefined, window: undefined, once: scope.rowOnce ?? scope.once, memo: scope.rowMemo ?? scope.memo };
  const rowOnce = rowScope.once ?? asIs;
  // The first argument is a value of each row; the others (quantile's p, lag's offset and default) are one per query.
  const argument = (a: Expr, i: number) => (i === 0 ? rowOnce(compileExpr(a, rowScope)) : compileExpr(a, { ...rowScope, once: asIs }));
  const agg = AGGREGATES[fn];
  if (agg) {
    if (!scope.aggregate) throw new UnsupportedExpression(`op.${fn} is an aggregate: use it in a rollup, or in a derive after groupby`);
    scope.aggregate.used = true;
    const split = scope.aggregate.split;
    const before = split?.lists;
    const out = agg(rawArgs.map((a, i) => argument(a, i)), scope.aggregate);
    if (split && split.lists === before) return split.hoist(out);
    return scope.aggregate.hoist ? scope.aggregate.hoist(out) : out;
  }
  const win = WINDOWS[fn];
  if (win) {
    if (!scope.window) throw new UnsupportedExpression(`op.${fn} is a window function: use it in a derive`);
    scope.window.used = true;
    return win(rawArgs.map((a, i) => argument(a, i)), scope.window);
  }
  const scalar = SCALARS[fn];
  if (!scalar) throw new UnsupportedExpression(`op.${fn} has no SQL form`);
  return memo(scalar(rawArgs.map((a) => compileExpr(a, scope)), once));
}

type Fn = (args: SqlExpr[], once: Once) => SqlExpr;

/** Math.<f>(ToNumber(x)) for functions total on the reals. */
const math = (f: string): Fn => ([x]) => sql(`${f}(CAST(${toNumber(x).sql} AS DOUBLE))`, 'float');

/** ToIntegerOrInfinity of a position argument (NaN and null are 0). */
const position = (e: SqlExpr | undefined, fallback: string) => (e === undefined ? fallback : `CAST(trunc(coalesce(${toNumber(e).sql}, 0)) AS BIGINT)`);

/** Built-in scalars, as Arquero 8 defines them (src/op/functions/*.js in its sources). */
const SCALARS: Readonly<Record<string, Fn>> = {
  abs: ([x]) => {
    const n = toNumber(x);
    return sql(`abs(${n.sql})`, n.kind);
  },
  ceil: ([x]) => {
    const n = toNumber(x);
    return n.kind === 'int' ? n : sql(`ceil(${n.sql})`, 'float');
  },
  floor: ([x]) => {
    const n = toNumber(x);
    return n.kind === 'int' ? n : sql(`floor(${n.sql})`, 'float');
  },
  // Math.round: halves go up (−2.5 → −2), unlike SQL's round.
  round: ([x]) => {
    const n = toNumber(x);
    return n.kind === 'int' ? n : sql(`floor(${n.sql} + 0.5)`, 'float');
  },
  sqrt: ([x], once) => {
    const n = once(toNumber(x)).sql;
    return sql(`(CASE WHEN ${n} >= 0 THEN sqrt(CAST(${n} AS DOUBLE)) END)`, 'float');
  },
  exp: math('exp'),
  log: ([x], once) => {
    const n = once(toNumber(x)).sql;
    return sql(`(CASE WHEN ${n} > 0 THEN ln(CAST(${n} AS DOUBLE)) WHEN ${n} = 0 THEN CAST('-infinity' AS DOUBLE) END)`, 'float');
  },
  log10: ([x], once) => {
    const n = once(toNumber(x)).sql;
    return sql(`(CASE WHEN ${n} > 0 THEN log10(CAST(${n} AS DOUBLE)) WHEN ${n} = 0 THEN CAST('-infinity' AS DOUBLE) END)`, 'float');
  },
  pow: ([a, b]) => sql(`pow(CAST(${toNumber(a).sql} AS DOUBLE), ${toNumber(b).sql})`, 'float'),
  // Math.max / Math.min of ToNumber of every argument.
  greatest: (args) => {
    const ns = args.map((a) => toNumber(a));
    const kind: SqlKind = ns.every((n) => n.kind === 'int') ? 'int' : 'float';
    return sql(`greatest(${ns.map((n) => as(n, kind)).join(', ')})`, kind);
  },
  least: (args) => {
    const ns = args.map((a) => toNumber(a));
    const kind: SqlKind = ns.every((n) => n.kind === 'int') ? 'int' : 'float';
    return sql(`least(${ns.map((n) => as(n, kind)).join(', ')})`, kind);
  },
  is_valid: ([x]) => sql(x.kind === 'float' ? `coalesce(NOT isnan(${x.sql}), false)` : x.kind === 'null' ? 'false' : `(${x.sql} IS NOT NULL)`, 'boolean'),
  is_nan: ([x]) => sql(x.kind === 'float' ? `coalesce(isnan(${x.sql}), false)` : 'false', 'boolean'),
  is_finite: ([x]) => sql(x.kind === 'float' ? `coalesce(isfinite(${x.sql}), false)` : x.kind === 'int' ? `(${x.sql} IS NOT NULL)` : 'false', 'boolean'),
  // Join semantics: null equals nothing.
  equal: ([a, b], once) => {
    const x = once(a);
    const y = once(b);
    return sql(`(${x.sql} IS NOT NULL AND ${y.sql} IS NOT NULL AND ${equality(true, x, y)})`, 'boolean');
  },
  parse_int: ([x, radix]) => {
    if (radix !== undefined && !(radix.kind === 'int' && radix.sql === '10')) throw new UnsupportedExpression('op.parse_int with a radix other than 10');
    return x.kind === 'null' ? sql('CAST(NULL AS DOUBLE)', 'float') : sql(`fa_parse_int(${text(x)})`, 'float');
  },
  parse_float: ([x]) => (x.kind === 'null' ? sql('CAST(NULL AS DOUBLE)', 'float') : sql(`fa_parse_float(${text(x)})`, 'float')),
  lower: ([x]) => sql(`lower(${text(x)})`, 'text'),
  upper: ([x]) => sql(`upper(${text(x)})`, 'text'),
  trim: ([x]) => sql(`fa_js_trim(${text(x)})`, 'text'),
  substring: ([x, start, end], once) => {
    const s = textOnce(x, once);
    const len = `length(${s})`;
    const a = once({ sql: `least(greatest(${position(start, '0')}, 0), ${len})`, kind: 'int' }).sql;
    const b = end === undefined ? len : once({ sql: `least(greatest(${position(end, len)}, 0), ${len})`, kind: 'int' }).sql;
    return sql(`substr(${s}, least(${a}, ${b}) + 1, abs(${b} - ${a}))`, 'text');
  },
  slice: ([x, start, end], once) => {
    // String.prototype.slice / Array.prototype.slice: negative positions count from the end.
    const isList = x.kind === 'list';
    const s = isList ? once(x).sql : textOnce(x, once);
    const len = isList ? `len(${s})` : `length(${s})`;
    const pos = (p: SqlExpr | undefined, fallback: string) => {
      const v = once({ sql: position(p, fallback), kind: 'int' }).sql;
      return once({ sql: `(CASE WHEN ${v} < 0 THEN greatest(${len} + ${v}, 0) ELSE least(${v}, ${len}) END)`, kind: 'int' }).sql;
    };
    const a = pos(start, '0');
    const b = end === undefined ? len : pos(end, len);
    return isList
      ? sql(`(CASE WHEN ${b} > ${a} THEN list_slice(${s}, ${a} + 1, ${b}) ELSE list_slice(${s}, 1, 0) END)`, 'list')
      : sql(`(CASE WHEN ${b} > ${a} THEN substr(${s}, ${a} + 1, ${b} - ${a}) ELSE '' END)`, 'text');
  },
  startswith: ([x, search, pos]) => {
    const s = pos === undefined ? text(x) : `substr(${text(x)}, ${position(pos, '0')} + 1)`;
    return sql(`coalesce(starts_with(${s}, ${jsText(search)}), false)`, 'boolean');
  },
  endswith: ([x, search, len]) => {
    const s = len === undefined ? text(x) : `substr(${text(x)}, 1, greatest(${position(len, '0')}, 0))`;
    return sql(`coalesce(ends_with(${s}, ${jsText(search)}), false)`, 'boolean');
  },
  includes: ([seq, value]) => {
    if (seq.kind === 'list') {
      // Array.prototype.includes: strict, by kind; a list of text never includes a number.
      if (!(stringy(value.kind) || value.kind === 'null')) return sql('false', 'boolean');
      return sql(`coalesce(list_contains(${seq.sql}, ${text(value)}), false)`, 'boolean');
    }
    if (!stringy(seq.kind)) return sql('false', 'boolean');
    return sql(`coalesce(contains(${text(seq)}, ${jsText(value)}), false)`, 'boolean');
  },
  length: ([seq]) => sql(seq.kind === 'list' ? `coalesce(len(${seq.sql}), 0)` : stringy(seq.kind) ? `coalesce(length(${text(seq)}), 0)` : '0', 'int'),
  padstart: ([x, n, fill], once) => pad('lpad', x, n, fill, once),
  padend: ([x, n, fill], once) => pad('rpad', x, n, fill, once),
  split: ([x, sep, limit], once) => {
    const t = textOnce(x, once);
    const parts = `string_split(${t}, ${jsText(sep, once)})`;
    const limited = limit === undefined ? parts : `list_slice(${parts}, 1, greatest(${position(limit, '0')}, 0))`;
    return sql(`(CASE WHEN ${t} IS NULL THEN CAST([] AS VARCHAR[]) ELSE ${limited} END)`, 'list');
  },
  join: ([list, delim]) => {
    if (list.kind !== 'list') return sql('CAST(NULL AS VARCHAR)', 'text');
    const d = delim === undefined ? `','` : jsText(delim);
    return sql(`array_to_string(list_transform(${list.sql}, x -> coalesce(CAST(x AS VARCHAR), '')), ${d})`, 'text');
  },
  coalesce: (args, once) => {
    const kind = common(args.map((a) => a.kind));
    return withDay(sql(`coalesce(${args.map((a) => (a.kind === 'float' ? ((x) => `(CASE WHEN NOT isnan(${x}) THEN ${x} END)`)(once(a).sql) : as(a, kind))).join(', ')})`, kind), args);
  },
};

/**
 * The placeholder bound to the longest text a rule may make by padding (the executor binds it from the rule's
 * memory budget): padding is the one way a rule makes a long text out of a short one, and DuckDB makes a
 * batch of rows' values at once, so that a width of millions would take gigabytes before any check ran.
 */
export const TEXT_MAX = 'fa_text_max';
/** The start of the error a padding past TEXT_MAX raises (the executor reads it as the memory budget). */
export const TEXT_MAX_ERROR = 'fa_budget_text';

/** String.prototype.padStart / padEnd: never shortens, fills with spaces by default, an empty fill pads nothing. */
function pad(f: 'lpad' | 'rpad', x: SqlExpr, n: SqlExpr, fill: SqlExpr | undefined, once: Once): SqlExpr {
  const s = textOnce(x, once);
  const width = once({ sql: position(n, '0'), kind: 'int' }).sql;
  const with_ = fill === undefined ? `' '` : once({ sql: jsText(fill), kind: 'text' }).sql;
  return sql(
    `(CASE WHEN ${s} IS NULL THEN NULL WHEN length(${s}) >= ${width} OR ${with_} = '' THEN ${s} ` +
      `WHEN ${width} > $${TEXT_MAX} THEN error('${TEXT_MAX_ERROR} ' || CAST(${width} AS VARCHAR)) ` +
      `ELSE ${f}(${s}, CAST(${width} AS INTEGER), ${with_}) END)`,
    'text',
  );
}

type AggFn = (args: SqlExpr[], scope: AggregateScope) => SqlExpr;

/** Valid values only (not null, not NaN), as Arquero's aggregates see them. */
const validOnly = (x: SqlExpr) => (x.kind === 'float' ? ` FILTER (WHERE NOT isnan(${x.sql}))` : '');

/**
 * A group's valid values as a list, in the group's row order. DuckDB's ordered aggregates (`list(x ORDER BY
 * o)`) cost ten times an unordered one over many small groups; a list of (order, value) pairs sorted
 * afterwards gives the same list.
 */
function inOrder(x: SqlExpr, s: AggregateScope): string {
  const list = `list_transform(list_sort(list({'o': ${s.order}, 'v': ${x.sql}}) FILTER (WHERE ${isValid(x.sql, x.kind)})${s.over}), e -> e.v)`;
  return s.split ? s.split.list(list, x) : list;
}

/** Is a value valid (not null, not NaN), as Arquero's aggregates see it. */
export function isValid(value: string, kind: SqlKind): string {
  return `${value} IS NOT NULL${kind === 'float' ? ` AND NOT isnan(${value})` : ''}`;
}

/** A numeric list's running statistics as Arquero's reducers compute them, value by value (Welford's steps). */
function running(values: string, field: 'mean' | 'dev'): string {
  const steps = `list_transform(${values}, (v, i) -> {'v': CAST(v AS DOUBLE), 'k': i, 'm': CAST(0 AS DOUBLE), 'd': CAST(0 AS DOUBLE)})`;
  // mean += (v − mean) / k; dev += (v − mean_before) · (v − mean_after)
  const reduce = `list_reduce(${steps}, (a, b) -> {'v': b.v, 'k': b.k, 'm': a.m + (b.v - a.m) / b.k, 'd': a.d + (b.v - a.m) * (b.v - (a.m + (b.v - a.m) / b.k))}, {'v': CAST(0 AS DOUBLE), 'k': 0, 'm': CAST(0 AS DOUBLE), 'd': CAST(0 AS DOUBLE)})`;
  return field === 'mean' ? `(CASE WHEN len(${values}) > 0 THEN ${reduce}.m END)` : `${reduce}.d`;
}

/** Aggregates over a group's valid values, in the group's row order where the result depends on it. */
const AGGREGATES: Readonly<Record<string, AggFn>> = {
  count: (_, s) => sql(`count(*)${s.over}`, 'int'),
  valid: ([x], s) => sql(`count(${x.sql})${validOnly(x)}${s.over}`, 'int'),
  invalid: ([x], s) => sql(`(count(*)${s.over} - count(${x.sql})${validOnly(x)}${s.over})`, 'int'),
  // Distinct valid values, and one more when some value is invalid (Arquero counts null as a value here).
  distinct: ([x], s) => sql(`(count(DISTINCT ${x.sql})${validOnly(x)}${s.over} + (CASE WHEN count(*)${s.over} > count(${x.sql})${validOnly(x)}${s.over} THEN 1 ELSE 0 END))`, 'int'),
  sum: ([x], s) => {
    if (x.kind === 'int' || x.kind === 'boolean') return sql(`CAST(sum(${x.kind === 'boolean' ? `CAST(${x.sql} AS BIGINT)` : x.sql})${s.over} AS BIGINT)`, 'int');
    // Fractions add in row order, as JavaScript adds them, so that the last bit is the same.
    const n = x.kind === 'float' ? x : { sql: toNumber(x).sql, kind: 'float' as const };
    return sql(`list_sum(${inOrder(n, s)})`, 'float');
  },
  product: ([x], s) => sql(`product(CAST(${x.sql} AS DOUBLE))${validOnly(x)}${s.over}`, 'float'),
  min: ([x], s) => sql(`min(${x.sql})${validOnly(x)}${s.over}`, x.kind === 'null' ? 'null' : x.kind),
  max: ([x], s) => sql(`max(${x.sql})${validOnly(x)}${s.over}`, x.kind === 'null' ? 'null' : x.kind),
  // Arquero's mean adds (v − mean) / n value by value, in row order.
  mean: ([x], s) => sql(running(inOrder(x, s), 'mean'), 'float'),
  median: ([x], s) => quantile(x, '0.5', s),
  quantile: ([x, p], s) => {
    if (p.kind !== 'int' && p.kind !== 'float') throw new UnsupportedExpression('op.quantile needs a number for p');
    return quantile(x, p.sql, s);
  },
  mode: ([x], s) => sql(`fa_mode(${inOrder(x, s)})`, x.kind),
  // Of a sample: Arquero's running deviation over n − 1.
  stdev: ([x], s) => {
    const v = inOrder(x, s);
    return sql(`(CASE WHEN len(${v}) > 1 THEN sqrt(${running(v, 'dev')} / (len(${v}) - 1)) END)`, 'float');
  },
  variance: ([x], s) => {
    const v = inOrder(x, s);
    return sql(`(CASE WHEN len(${v}) > 1 THEN ${running(v, 'dev')} / (len(${v}) - 1) END)`, 'float');
  },
  // The first valid value in row order.
  any: ([x], s) => sql(`arg_min(${x.sql}, ${s.order}) FILTER (WHERE ${x.sql} IS NOT NULL${x.kind === 'float' ? ` AND NOT isnan(${x.sql})` : ''})${s.over}`, x.kind),
  array_agg: ([x], s) => sql(`coalesce(${inOrder(x, s)}, [])`, 'list'),
  array_agg_distinct: ([x], s) => sql(`coalesce(fa_distinct_in_order(${inOrder(x, s)}), [])`, 'list'),
};

/** Arquero's quantile: linear between the closest ranks (R-7), as DuckDB's quantile_cont. */
function quantile(x: SqlExpr, p: string, s: AggregateScope): SqlExpr {
  if (!(x.kind === 'int' || x.kind === 'float')) throw new UnsupportedExpression('a quantile of values that are not numbers');
  // DuckDB's quantile_cont takes only a constant p; a param's p goes through the sorted values instead.
  if (/^\(?-?\d+(\.\d+)?\)?$|^CAST\(-?[0-9.eE+-]+ AS DOUBLE\)$/.test(p)) {
    return sql(`quantile_cont(${x.sql}, greatest(least(CAST(${p} AS DOUBLE), 1), 0))${validOnly(x)}${s.over}`, 'float');
  }
  return sql(`fa_quantile(list_sort(list(CAST(${x.sql} AS DOUBLE))${validOnly(x)}${s.over}), CAST(${p} AS DOUBLE))`, 'float');
}

type WinFn = (args: SqlExpr[], w: NonNullable<Scope['window']>) => SqlExpr;

const over = (w: NonNullable<Scope['window']>, order: string, frame = '') => ` OVER (${w.partition}ORDER BY ${order}${frame})`;

/** Window functions over each group's rows in order; ranks treat rows equal in the orderby keys as peers. */
const WINDOWS: Readonly<Record<string, WinFn>> = {
  row_number: (_, w) => sql(`row_number()${over(w, w.order)}`, 'int'),
  rank: (_, w) => sql(w.peers ? `rank()${over(w, w.peers)}` : `1`, 'int'),
  dense_rank: (_, w) => sql(w.peers ? `dense_rank()${over(w, w.peers)}` : `1`, 'int'),
  cume_dist: (_, w) => sql(w.peers ? `cume_dist()${over(w, w.peers)}` : `CAST(1 AS DOUBLE)`, 'float'),
  lag: ([x, n, d], w) => shift('lag', x, n, d, w),
  lead: ([x, n, d], w) => shift('lead', x, n, d, w),
  first_value: ([x], w) => sql(`first_value(${x.sql})${over(w, w.order, ' ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING')}`, x.kind),
  last_value: ([x], w) => sql(`last_value(${x.sql})${over(w, w.order, ' ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING')}`, x.kind),
};

function shift(f: 'lag' | 'lead', x: SqlExpr, n: SqlExpr | undefined, d: SqlExpr | undefined, w: NonNullable<Scope['window']>): SqlExpr {
  // Arquero: offset = +offset || 1.
  const offset = n === undefined ? '1' : `(CASE WHEN coalesce(${toNumber(n).sql}, 0) = 0 THEN 1 ELSE CAST(trunc(${toNumber(n).sql}) AS BIGINT) END)`;
  const kind = d === undefined ? x.kind : common([x.kind, d.kind]);
  const fallback = d === undefined ? '' : `, ${as(d, kind)}`;
  return sql(`${f}(${as(x, kind)}, ${offset}${fallback})${over(w, w.order)}`, kind);
}

/** Macros the translation above relies on (created with the domain functions' macros). */
export const EXPRESSION_MACROS: string[] = [
  // Number(text): a plain decimal (optionally signed, exponent), blank or spaces (0), Infinity; anything else NaN (null).
  // Most texts are not numbers: DuckDB's own cast says so cheaply, and only the rest is read by JavaScript's
  // grammar (DuckDB also reads '1_000' and 'inf', which JavaScript does not; JavaScript trims more spaces).
  `CREATE MACRO fa_js_number(s) AS CASE
     WHEN s IS NULL THEN NULL
     WHEN TRY_CAST(s AS DOUBLE) IS NULL AND NOT contains(s, 'Infinity') AND NOT regexp_matches(s, '^${JS_SPACE_CLASS}|${JS_SPACE_CLASS}$') AND s <> '' THEN NULL
     WHEN regexp_full_match(s, '${JS_SPACE_CLASS}*') THEN CAST(0 AS DOUBLE)
     WHEN regexp_full_match(s, '${JS_SPACE_CLASS}*${JS_DECIMAL}${JS_SPACE_CLASS}*') THEN CAST(regexp_extract(s, '${JS_DECIMAL}', 0) AS DOUBLE)
     WHEN regexp_full_match(s, '${JS_SPACE_CLASS}*[+]?Infinity${JS_SPACE_CLASS}*') THEN CAST('inf' AS DOUBLE)
     WHEN regexp_full_match(s, '${JS_SPACE_CLASS}*-Infinity${JS_SPACE_CLASS}*') THEN CAST('-inf' AS DOUBLE)
   END`,
  // String(number) for a double: integers without '.0', as JavaScript prints them (up to 1e21).
  `CREATE MACRO fa_js_number_text(x) AS CASE
     WHEN x IS NULL THEN NULL
     WHEN isnan(x) THEN 'NaN'
     WHEN x = CAST('inf' AS DOUBLE) THEN 'Infinity'
     WHEN x = CAST('-inf' AS DOUBLE) THEN '-Infinity'
     WHEN x = trunc(x) AND abs(x) < 1e21 THEN CAST(CAST(x AS HUGEINT) AS VARCHAR)
     ELSE CAST(x AS VARCHAR)
   END`,
  // parseFloat / parseInt (radix 10): the longest number the text starts with, after leading spaces.
  `CREATE MACRO fa_parse_float(s) AS TRY_CAST(nullif(regexp_extract(regexp_replace(s, '^\\s+', ''), '^[+-]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][+-]?[0-9]+)?', 0), '') AS DOUBLE)`,
  `CREATE MACRO fa_parse_int(s) AS TRY_CAST(nullif(regexp_extract(regexp_replace(s, '^\\s+', ''), '^[+-]?[0-9]+', 0), '') AS DOUBLE)`,
  // Arquero's quantile of sorted values: the first for p ≤ 0 (or one value), the last for p ≥ 1, else linear between ranks.
  `CREATE MACRO fa_quantile(l, p) AS CASE
     WHEN l IS NULL OR len(l) = 0 THEN NULL
     WHEN p <= 0 OR len(l) < 2 THEN l[1]
     WHEN p >= 1 THEN l[len(l)]
     ELSE l[CAST(floor((len(l) - 1) * p) AS BIGINT) + 1] + (l[CAST(floor((len(l) - 1) * p) AS BIGINT) + 2] - l[CAST(floor((len(l) - 1) * p) AS BIGINT) + 1]) * ((len(l) - 1) * p - floor((len(l) - 1) * p))
   END`,
  // Distinct values of a list, each where it first appears.
  `CREATE MACRO fa_distinct_in_order(l) AS list_filter(l, (x, i) -> list_position(l, x) = i)`,
  // The most frequent value of a list, the first to reach the highest count (Arquero's mode): of the distinct
  // values d, the one at the first position of the highest of their counts n. List functions only, no subquery:
  // the list is an aggregate over a group (or a window), which a subquery cannot refer to.
  `CREATE MACRO fa_mode_at(d, n) AS d[list_position(n, list_max(n))]`,
  `CREATE MACRO fa_mode_in(d, l) AS fa_mode_at(d, list_transform(d, x -> len(list_filter(l, y -> y = x))))`,
  `CREATE MACRO fa_mode(l) AS fa_mode_in(fa_distinct_in_order(l), l)`,
];
