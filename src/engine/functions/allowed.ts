/**
 * Names of the functions rule expressions may call, by role. Names only, so
 * that the rule validator can check expressions without loading the engine.
 * FUNCTIONS.md is the specification.
 */

/** Domain functions the engine registers as `op.<name>` (implemented one per file beside this one). */
export const DOMAIN_FUNCTION_NAMES: string[] = [
  'id_valid', 'id_checksum_ok', 'id_birth_date', 'id_gender', 'age_on', 'months_between', 'add_months',
  'month_of', 'year_of', 'add_days', 'days_between', 'first_digit', 'first_two_digits', 'hour_of',
  'weekday', 'is_working_time', 'is_round_amount', 'seq_number', 'statutory_retire_age',
  'text_key', 'contains_any', 'receipt_series', 'receipt_counter', 'weekdays_between',
];

/** Whitelisted Arquero scalar functions (no regular expressions, no Arquero date functions). */
export const SCALAR_FUNCTIONS: Set<string> = new Set([
  'abs', 'ceil', 'floor', 'round', 'sqrt', 'exp', 'log', 'log10', 'pow', 'greatest', 'least',
  'is_valid', 'is_nan', 'is_finite', 'equal', 'parse_int', 'parse_float',
  'lower', 'upper', 'trim', 'substring', 'slice', 'startswith', 'endswith', 'includes',
  'length', 'padstart', 'padend', 'split', 'join', 'coalesce',
]);

/** Whitelisted aggregate functions (valid in rollup, and in derive over groups). */
export const AGGREGATE_FUNCTIONS: Set<string> = new Set([
  'count', 'distinct', 'valid', 'invalid', 'sum', 'min', 'max', 'mean', 'median', 'mode',
  'quantile', 'stdev', 'variance', 'any', 'array_agg', 'array_agg_distinct', 'product',
]);

/** Whitelisted window functions (valid in derive only). */
export const WINDOW_FUNCTIONS: Set<string> = new Set([
  'row_number', 'rank', 'dense_rank', 'lag', 'lead', 'first_value', 'last_value', 'cume_dist',
]);

/** Every `op.<name>` a rule expression may call: the built-in whitelist and the domain functions. */
export const ALLOWED_FUNCTIONS: Set<string> = new Set([
  ...SCALAR_FUNCTIONS,
  ...AGGREGATE_FUNCTIONS,
  ...WINDOW_FUNCTIONS,
  ...DOMAIN_FUNCTION_NAMES,
]);

