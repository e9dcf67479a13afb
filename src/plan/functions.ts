/**
 * The functions rule expressions may call, with what the validator and the
 * plan need to know of each: its role (scalar, aggregate, window), how many
 * arguments it takes, what it returns, and whether a personal-data argument
 * survives into its result. Data only: nothing here loads an engine. Each
 * executor implements every function listed (the Arquero executor through
 * src/engine/functions/, one file per domain function); docs/rules.md
 * documents them for rule authors.
 */

/** What a function returns. `arg`: the type of its (first) argument. */
export type ReturnType = 'number' | 'boolean' | 'text' | 'date' | 'month' | 'list' | 'arg';

export interface FunctionSignature {
  role: 'scalar' | 'aggregate' | 'window';
  /** Fewest and most arguments (Infinity: any number). */
  min: number;
  max: number;
  returns: ReturnType;
  /**
   * True when personal data in an argument can survive into the result
   * (`op.upper(d.name)`, `op.max(d.name)`, `op.substring(d.id_number, 0, 6)`);
   * false only when the function provably removes it: counts, lengths,
   * booleans, ages, a weekday. See lineage.ts.
   */
  keepsPersonalData: boolean;
}

const fn = (role: FunctionSignature['role'], min: number, max: number, returns: ReturnType, keepsPersonalData: boolean): FunctionSignature =>
  ({ role, min, max, returns, keepsPersonalData });
const scalar = (min: number, max: number, returns: ReturnType, keeps: boolean) => fn('scalar', min, max, returns, keeps);
const aggregate = (args: number, returns: ReturnType, keeps: boolean) => fn('aggregate', args, args, returns, keeps);
const window = (min: number, max: number, returns: ReturnType, keeps: boolean) => fn('window', min, max, returns, keeps);

/**
 * Domain functions, registered by the engine as `op.<name>` (implemented one
 * per file in src/engine/functions/). Null in, null out; they never throw.
 */
export const DOMAIN_SIGNATURES: Readonly<Record<string, FunctionSignature>> = {
  id_valid: scalar(1, 1, 'boolean', false),
  id_checksum_ok: scalar(1, 1, 'boolean', false),
  // A birth date or a gender is not the identity number it came from (and neither is masked as a column).
  id_birth_date: scalar(1, 1, 'date', false),
  id_gender: scalar(1, 1, 'text', false),
  age_on: scalar(2, 2, 'number', false),
  months_between: scalar(2, 2, 'number', false),
  add_months: scalar(2, 2, 'arg', false),
  month_of: scalar(1, 1, 'month', false),
  year_of: scalar(1, 1, 'number', false),
  add_days: scalar(2, 2, 'date', false),
  days_between: scalar(2, 2, 'number', false),
  first_digit: scalar(1, 1, 'number', false),
  first_two_digits: scalar(1, 1, 'number', false),
  hour_of: scalar(1, 1, 'number', false),
  weekday: scalar(1, 1, 'number', false),
  is_working_time: scalar(3, 3, 'boolean', false),
  is_round_amount: scalar(2, 2, 'boolean', false),
  // The digits of '110101199001011234' are the whole identity number.
  seq_number: scalar(1, 1, 'number', true),
  statutory_retire_age: scalar(3, 3, 'number', false),
  // The key of a name is that name; a receipt series or counter built from an identity number keeps its digits.
  text_key: scalar(1, 1, 'text', true),
  contains_any: scalar(2, 2, 'boolean', false),
  receipt_series: scalar(2, 2, 'text', true),
  receipt_counter: scalar(1, 1, 'number', true),
  weekdays_between: scalar(2, 2, 'number', false),
};

/** Whitelisted built-in scalar functions (no regular expressions, no Arquero date functions). */
const BUILTIN_SCALARS: Record<string, FunctionSignature> = {
  // Numbers keep what they hold: op.abs of an identity number is that number.
  abs: scalar(1, 1, 'number', true),
  ceil: scalar(1, 1, 'number', true),
  floor: scalar(1, 1, 'number', true),
  round: scalar(1, 1, 'number', true),
  sqrt: scalar(1, 1, 'number', true),
  exp: scalar(1, 1, 'number', true),
  log: scalar(1, 1, 'number', true),
  log10: scalar(1, 1, 'number', true),
  pow: scalar(2, 2, 'number', true),
  greatest: scalar(1, Infinity, 'arg', true),
  least: scalar(1, Infinity, 'arg', true),
  is_valid: scalar(1, 1, 'boolean', false),
  is_nan: scalar(1, 1, 'boolean', false),
  is_finite: scalar(1, 1, 'boolean', false),
  equal: scalar(2, 2, 'boolean', false),
  parse_int: scalar(1, 2, 'number', true),
  parse_float: scalar(1, 1, 'number', true),
  lower: scalar(1, 1, 'text', true),
  upper: scalar(1, 1, 'text', true),
  trim: scalar(1, 1, 'text', true),
  substring: scalar(1, 3, 'text', true),
  slice: scalar(1, 3, 'arg', true),
  startswith: scalar(2, 3, 'boolean', false),
  endswith: scalar(2, 3, 'boolean', false),
  includes: scalar(2, 3, 'boolean', false),
  length: scalar(1, 1, 'number', false),
  padstart: scalar(2, 3, 'text', true),
  padend: scalar(2, 3, 'text', true),
  split: scalar(1, 3, 'list', true),
  join: scalar(1, 2, 'text', true),
  coalesce: scalar(1, Infinity, 'arg', true),
};

/** Whitelisted aggregate functions (valid in rollup, and in derive over groups). */
const AGGREGATES: Record<string, FunctionSignature> = {
  count: aggregate(0, 'number', false),
  distinct: aggregate(1, 'number', false),
  valid: aggregate(1, 'number', false),
  invalid: aggregate(1, 'number', false),
  // A sum of text concatenates it; a median or mean of identity numbers is near one.
  sum: aggregate(1, 'arg', true),
  min: aggregate(1, 'arg', true),
  max: aggregate(1, 'arg', true),
  mean: aggregate(1, 'number', true),
  median: aggregate(1, 'arg', true),
  mode: aggregate(1, 'arg', true),
  quantile: aggregate(2, 'arg', true),
  stdev: aggregate(1, 'number', true),
  variance: aggregate(1, 'number', true),
  any: aggregate(1, 'arg', true),
  array_agg: aggregate(1, 'list', true),
  array_agg_distinct: aggregate(1, 'list', true),
  product: aggregate(1, 'number', true),
};

/** Whitelisted window functions (valid in derive only). */
const WINDOWS: Record<string, FunctionSignature> = {
  row_number: window(0, 0, 'number', false),
  rank: window(0, 0, 'number', false),
  dense_rank: window(0, 0, 'number', false),
  cume_dist: window(0, 0, 'number', false),
  lag: window(1, 3, 'arg', true),
  lead: window(1, 3, 'arg', true),
  first_value: window(1, 1, 'arg', true),
  last_value: window(1, 1, 'arg', true),
};

/** Every `op.<name>` a rule expression may call, with its signature. A null prototype: `toString` is no function here. */
export const FUNCTIONS: Readonly<Record<string, FunctionSignature>> = Object.assign(Object.create(null), BUILTIN_SCALARS, AGGREGATES, WINDOWS, DOMAIN_SIGNATURES);

/** The signature of an allowed function, or undefined. */
export function signature(name: string): FunctionSignature | undefined {
  return FUNCTIONS[name];
}

const names = (role: FunctionSignature['role']) => new Set(Object.keys(FUNCTIONS).filter((n) => FUNCTIONS[n].role === role));

/** Domain function names, in the order docs/rules.md lists them. */
export const DOMAIN_FUNCTION_NAMES: string[] = Object.keys(DOMAIN_SIGNATURES);
/** Whitelisted built-in scalar functions (the domain functions are scalars too, listed apart). */
export const SCALAR_FUNCTIONS: Set<string> = new Set(Object.keys(BUILTIN_SCALARS));
export const AGGREGATE_FUNCTIONS: Set<string> = names('aggregate');
export const WINDOW_FUNCTIONS: Set<string> = names('window');
/** Every `op.<name>` a rule expression may call: the built-in whitelist and the domain functions. */
export const ALLOWED_FUNCTIONS: Set<string> = new Set(Object.keys(FUNCTIONS));
