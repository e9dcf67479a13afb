/**
 * The functions rule expressions may call, and their registration with
 * Arquero. FUNCTIONS.md is the specification; every domain function returns
 * null for a null or invalid argument and never throws.
 */
import * as aq from 'arquero';
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

export { DOMAIN_FUNCTION_NAMES, SCALAR_FUNCTIONS, AGGREGATE_FUNCTIONS, WINDOW_FUNCTIONS, ALLOWED_FUNCTIONS } from './allowed.js';

type Fn = (...args: never[]) => unknown;

/** Domain functions, registered as `op.<name>`. */
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

/** Whitelisted built-ins that Arquero 8 lacks; registered alongside the domain functions. */
const MISSING_BUILTINS: Record<string, Fn> = { is_valid, coalesce };

let registered = false;

/** Registers the domain functions (and the missing whitelisted built-ins) with Arquero. Safe to call repeatedly. */
export function registerFunctions(): void {
  if (registered) return;
  for (const [name, fn] of Object.entries({ ...DOMAIN_FUNCTIONS, ...MISSING_BUILTINS })) {
    // override: a second copy of this module (tests, dev reloads) must not trip Arquero's duplicate check.
    aq.addFunction(name, fn as (...args: unknown[]) => unknown, { override: true });
  }
  registered = true;
}
