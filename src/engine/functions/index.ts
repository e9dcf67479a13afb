/**
 * The domain functions' implementations in JavaScript, one file each, for
 * executors that run in JavaScript (the Arquero executor registers them as
 * `op.<name>`). Their signatures, which the validator and the plan use, are
 * in src/plan/functions.ts; every domain function returns null for a null
 * or invalid argument and never throws.
 */
import { id_valid } from './id_valid.js';
import { id_checksum_ok } from './id_checksum_ok.js';
import { id_birth_date } from './id_birth_date.js';
import { id_gender } from './id_gender.js';
import { age_on } from './age_on.js';
import { months_between } from './months_between.js';
import { add_months } from './add_months.js';
import { month_of } from './month_of.js';
import { year_of } from './year_of.js';
import { add_days } from './add_days.js';
import { days_between } from './days_between.js';
import { first_digit } from './first_digit.js';
import { first_two_digits } from './first_two_digits.js';
import { hour_of } from './hour_of.js';
import { weekday } from './weekday.js';
import { is_working_time } from './is_working_time.js';
import { is_round_amount } from './is_round_amount.js';
import { seq_number } from './seq_number.js';
import { statutory_retire_age } from './statutory_retire_age.js';
import { text_key } from './text_key.js';
import { contains_any } from './contains_any.js';
import { receipt_series } from './receipt_series.js';
import { receipt_counter } from './receipt_counter.js';
import { weekdays_between } from './weekdays_between.js';
import { is_valid } from './is_valid.js';
import { coalesce } from './coalesce.js';

export { DOMAIN_FUNCTION_NAMES, SCALAR_FUNCTIONS, AGGREGATE_FUNCTIONS, WINDOW_FUNCTIONS, ALLOWED_FUNCTIONS } from '../../plan/functions.js';

type Fn = (...args: never[]) => unknown;

/** Domain functions, by the name rules call them as `op.<name>`. */
export const DOMAIN_FUNCTIONS: Record<string, Fn> = {
  id_valid,
  id_checksum_ok,
  id_birth_date,
  id_gender,
  age_on,
  months_between,
  add_months,
  month_of,
  year_of,
  add_days,
  days_between,
  first_digit,
  first_two_digits,
  hour_of,
  weekday,
  is_working_time,
  is_round_amount,
  seq_number,
  statutory_retire_age,
  text_key,
  contains_any,
  receipt_series,
  receipt_counter,
  weekdays_between,
};

/** Whitelisted built-ins that Arquero 8 lacks; an executor in JavaScript provides them alongside the domain functions. */
export const MISSING_BUILTINS: Record<string, Fn> = { is_valid, coalesce };
