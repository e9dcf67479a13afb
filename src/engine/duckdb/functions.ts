/**
 * The domain functions (src/engine/functions/, one per file) in DuckDB SQL,
 * meaning exactly what the JavaScript ones mean on the same values: the same
 * result for every input, null in and null out, never an error.
 *
 * A function's SQL depends on what its arguments are (`SqlKind`): a DATE
 * column needs no parsing, a month column is known to be canonical, a text
 * must be read as the JavaScript reads a string ('2024-01-05', '2024-01', a
 * datetime), a number is never a date. Helper macros (fa_…) are created once
 * per database (`FUNCTION_MACROS`); the SQL text of a call is built here from
 * the arguments' SQL, which the compiler makes from the checked expression
 * tree — never from data.
 */
import { TODAY } from '../../data/types/id.js';

/**
 * What a SQL value stands for: text (VARCHAR); month (VARCHAR, canonical 'YYYY-MM' or null); date (DATE);
 * datetime (TIMESTAMP); int (BIGINT); float (DOUBLE); boolean; null (a literal null, of no type); list.
 */
export type SqlKind = 'text' | 'month' | 'date' | 'datetime' | 'int' | 'float' | 'boolean' | 'null' | 'list';

/** A compiled expression: its SQL and what it stands for. */
export interface SqlExpr {
  sql: string;
  kind: SqlKind;
}

const sql = (text: string, kind: SqlKind): SqlExpr => ({ sql: text, kind });
const isNumber = (e: SqlExpr) => e.kind === 'int' || e.kind === 'float';
const isTemporal = (e: SqlExpr) => e.kind === 'date' || e.kind === 'datetime' || e.kind === 'month';

/** JavaScript's String.prototype.trim: these are the characters it removes (\s and line terminators). */
const JS_SPACE = '[\\t\\n\\x{0B}\\f\\r \\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}\\x{FEFF}]';

/** The highest safe integer of JavaScript (2^53 − 1): integers past it are not exact there. */
const MAX_SAFE = '9007199254740991';

/** Days from 1970-01-01 to 0001-01-01 and to 9999-12-31: calendar arithmetic gives null outside these years. */
const FIRST_DAY = -719162;
const LAST_DAY = 2932896;

/**
 * Helper macros, created once per database. Each mirrors one piece of src/engine/functions/dates.ts or of
 * the identity-number rules in src/data/types/id.ts. SQL's AND does not stop at a false left side: every
 * conversion of a piece of text is a TRY_CAST, so that a value a regular expression has already ruled out
 * cannot raise an error on its way to being ignored.
 */
export const FUNCTION_MACROS: string[] = [
  // JavaScript's trim().
  `CREATE MACRO fa_js_trim(s) AS regexp_replace(regexp_replace(s, '^${JS_SPACE}+', ''), '${JS_SPACE}+$', '')`,
  `CREATE MACRO fa_days_in_month(y, m) AS CASE WHEN m = 2 THEN (CASE WHEN (y % 4 = 0 AND y % 100 <> 0) OR y % 400 = 0 THEN 29 ELSE 28 END) WHEN m IN (4, 6, 9, 11) THEN 30 ELSE 31 END`,
  // realDay: a calendar date, years 1–9999 (SQL has no year 0).
  `CREATE MACRO fa_real_day(y, m, d) AS y BETWEEN 1 AND 9999 AND m BETWEEN 1 AND 12 AND d BETWEEN 1 AND fa_days_in_month(y, m)`,
  `CREATE MACRO fa_make_day(y, m, d) AS CASE WHEN fa_real_day(y, m, d) THEN make_date(CAST(y AS BIGINT), CAST(m AS BIGINT), CAST(d AS BIGINT)) END`,
  // parseDay: 'YYYY-MM-DD', a datetime's date part, or a month's first day.
  `CREATE MACRO fa_day(s) AS CASE
     WHEN regexp_full_match(s, '[0-9]{4}-[0-9]{2}-[0-9]{2}([ T][0-9]{2}:[0-9]{2}(:[0-9]{2})?)?')
       THEN fa_make_day(TRY_CAST(substr(s, 1, 4) AS INTEGER), TRY_CAST(substr(s, 6, 2) AS INTEGER), TRY_CAST(substr(s, 9, 2) AS INTEGER))
     WHEN regexp_full_match(s, '[0-9]{4}-[0-9]{2}')
       THEN fa_make_day(TRY_CAST(substr(s, 1, 4) AS INTEGER), TRY_CAST(substr(s, 6, 2) AS INTEGER), 1)
   END`,
  // isMonthString: a real month 'YYYY-MM'.
  `CREATE MACRO fa_is_month(s) AS CASE WHEN regexp_full_match(s, '[0-9]{4}-[0-9]{2}') THEN fa_real_day(TRY_CAST(substr(s, 1, 4) AS INTEGER), TRY_CAST(substr(s, 6, 2) AS INTEGER), 1) ELSE false END`,
  // parseMoment: a datetime with a real date and time (seconds optional).
  `CREATE MACRO fa_moment(s) AS CASE
     WHEN regexp_full_match(s, '[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9]{2}:[0-9]{2}(:[0-9]{2})?')
       AND TRY_CAST(substr(s, 12, 2) AS INTEGER) <= 23 AND TRY_CAST(substr(s, 15, 2) AS INTEGER) <= 59
       AND (length(s) = 16 OR TRY_CAST(substr(s, 18, 2) AS INTEGER) <= 59)
       THEN fa_day(s) + to_seconds(TRY_CAST(substr(s, 12, 2) AS INTEGER) * 3600 + TRY_CAST(substr(s, 15, 2) AS INTEGER) * 60 + (CASE WHEN length(s) = 16 THEN 0 ELSE TRY_CAST(substr(s, 18, 2) AS INTEGER) END))
   END`,
  // A day as the tool prints it, 'YYYY-MM-DD', and a month, 'YYYY-MM'.
  `CREATE MACRO fa_month_text(d) AS lpad(CAST(year(d) AS VARCHAR), 4, '0') || '-' || lpad(CAST(month(d) AS VARCHAR), 2, '0')`,
  `CREATE MACRO fa_day_text(d) AS fa_month_text(d) || '-' || lpad(CAST(day(d) AS VARCHAR), 2, '0')`,
  // A month index y*12 + (m − 1) back to a day: the day clamped to the month's end; null outside years 1–9999.
  `CREATE MACRO fa_month_index_day(i, d) AS CASE WHEN i BETWEEN 12 AND 119999
     THEN make_date(CAST(i // 12 AS BIGINT), CAST(i % 12 + 1 AS BIGINT), CAST(least(d, fa_days_in_month(i // 12, i % 12 + 1)) AS BIGINT)) END`,
  // toInt: an integer count given as a number or as digits.
  `CREATE MACRO fa_text_int(s) AS CASE WHEN regexp_full_match(fa_js_trim(s), '-?[0-9]+') THEN TRY_CAST(fa_js_trim(s) AS BIGINT) END`,
  // GB 11643: the MOD 11-2 check character of 17 digits.
  `CREATE MACRO fa_id_check(s) AS substr('10X98765432', 1 + CAST((
     (ascii(s[1]) - 48) * 7 + (ascii(s[2]) - 48) * 9 + (ascii(s[3]) - 48) * 10 + (ascii(s[4]) - 48) * 5 + (ascii(s[5]) - 48) * 8 +
     (ascii(s[6]) - 48) * 4 + (ascii(s[7]) - 48) * 2 + (ascii(s[8]) - 48) * 1 + (ascii(s[9]) - 48) * 6 + (ascii(s[10]) - 48) * 3 +
     (ascii(s[11]) - 48) * 7 + (ascii(s[12]) - 48) * 9 + (ascii(s[13]) - 48) * 10 + (ascii(s[14]) - 48) * 5 + (ascii(s[15]) - 48) * 8 +
     (ascii(s[16]) - 48) * 4 + (ascii(s[17]) - 48) * 2) % 11 AS INTEGER), 1)`,
  `CREATE MACRO fa_id_shape18(u) AS regexp_full_match(u, '[0-9]{17}[0-9X]')`,
  `CREATE MACRO fa_id_shape15(u) AS regexp_full_match(u, '[0-9]{15}')`,
  // The birth date an upper-cased identity number holds (18: YYYYMMDD at 7; 15: YYMMDD at 7, 19YY), or null.
  `CREATE MACRO fa_id_birth(u) AS CASE
     WHEN fa_id_shape18(u) THEN fa_make_day(TRY_CAST(substr(u, 7, 4) AS INTEGER), TRY_CAST(substr(u, 11, 2) AS INTEGER), TRY_CAST(substr(u, 13, 2) AS INTEGER))
     WHEN fa_id_shape15(u) THEN fa_make_day(1900 + TRY_CAST(substr(u, 7, 2) AS INTEGER), TRY_CAST(substr(u, 9, 2) AS INTEGER), TRY_CAST(substr(u, 11, 2) AS INTEGER))
   END`,
  // valid: 18 characters, the check digit right, a real birth date from 1800 to today (as src/data/types/id.ts).
  `CREATE MACRO fa_id_valid(s) AS CASE WHEN s IS NOT NULL THEN coalesce(length(s) = 18 AND fa_id_shape18(upper(s))
     AND fa_id_check(upper(s)) = substr(upper(s), 18, 1) AND fa_id_birth(upper(s)) BETWEEN DATE '1800-01-01' AND ${todayLiteral()}, false) END`,
];

/** TODAY (src/data/types/id.ts: from SOURCE_DATE_EPOCH when set) as a DATE literal: made here from a number, never from input. */
function todayLiteral(): string {
  const y = Math.floor(TODAY / 10000);
  const m = Math.floor(TODAY / 100) % 100;
  const d = TODAY % 100;
  return `DATE '${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}'`;
}

/** The value as the JavaScript function sees a string argument: dates and months as their ISO text. */
function asText(e: SqlExpr): string {
  if (e.kind === 'date' || e.kind === 'datetime') return `CAST(${e.sql} AS VARCHAR)`;
  return e.sql;
}

/** parseDay: the DATE a value stands for, or null (numbers and booleans are never days). */
function day(e: SqlExpr): string {
  switch (e.kind) {
    case 'date':
      return e.sql;
    case 'datetime':
      return `CAST(${e.sql} AS DATE)`;
    case 'month':
      return `CAST(${e.sql} || '-01' AS DATE)`;
    case 'text':
      return `fa_day(${e.sql})`;
    default:
      return 'CAST(NULL AS DATE)';
  }
}

/** parseMoment: the TIMESTAMP of a datetime, or null (a bare date or month has no time of day). */
function moment(e: SqlExpr): string {
  if (e.kind === 'datetime') return e.sql;
  if (e.kind === 'text') return `fa_moment(${e.sql})`;
  return 'CAST(NULL AS TIMESTAMP)';
}

/** toInt: an integer count (a number that is whole, or digits), or null. */
function int(e: SqlExpr): string {
  switch (e.kind) {
    case 'int':
      return e.sql;
    case 'float':
      return `(CASE WHEN isfinite(${e.sql}) AND ${e.sql} = trunc(${e.sql}) THEN TRY_CAST(${e.sql} AS BIGINT) END)`;
    case 'text':
      return `fa_text_int(${e.sql})`;
    default:
      return 'CAST(NULL AS BIGINT)';
  }
}

/** A number's value as JavaScript's `typeof x === 'number'` sees it; null for anything else. */
function number(e: SqlExpr): string {
  return isNumber(e) ? e.sql : 'CAST(NULL AS DOUBLE)';
}

/**
 * significantDigits: the significant digits of |x| as text ('12345' for 123.45), or null for 0, null and what
 * is not a number. A text counts when it is a plain decimal number.
 */
function significant(e: SqlExpr): string {
  if (e.kind === 'int') return `(CASE WHEN ${e.sql} <> 0 THEN CAST(abs(${e.sql}) AS VARCHAR) END)`;
  const x =
    e.kind === 'float'
      ? e.sql
      : e.kind === 'text'
        ? `(CASE WHEN regexp_full_match(fa_js_trim(${e.sql}), '[+-]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][+-]?[0-9]+)?') THEN TRY_CAST(fa_js_trim(${e.sql}) AS DOUBLE) END)`
        : null;
  if (x === null) return 'CAST(NULL AS VARCHAR)';
  // Whole values print as integers; others by the shortest decimal that reads back as the same double,
  // as JavaScript's toExponential() does, taken apart into digits.
  return `(CASE WHEN isfinite(${x}) AND ${x} <> 0 THEN (CASE WHEN abs(${x}) <= ${MAX_SAFE} AND ${x} = trunc(${x})
      THEN CAST(CAST(abs(${x}) AS BIGINT) AS VARCHAR)
      ELSE rtrim(ltrim(replace(split_part(lower(CAST(abs(${x}) AS VARCHAR)), 'e', 1), '.', ''), '0'), '0') END) END)`;
}

type DomainSql = (args: SqlExpr[]) => SqlExpr;

/** Each domain function's SQL, by its name in rules (`op.<name>`). */
export const DOMAIN_SQL: Readonly<Record<string, DomainSql>> = {
  id_valid: ([id]) => sql(id.kind === 'text' || isTemporal(id) ? `fa_id_valid(${asText(id)})` : 'CAST(NULL AS BOOLEAN)', 'boolean'),

  id_checksum_ok: ([id]) => {
    if (!(id.kind === 'text' || isTemporal(id))) return sql('CAST(NULL AS BOOLEAN)', 'boolean');
    const u = `upper(${asText(id)})`;
    return sql(`(CASE WHEN fa_id_shape18(${u}) THEN fa_id_check(${u}) = substr(${u}, 18, 1) END)`, 'boolean');
  },

  id_birth_date: ([id]) => (id.kind === 'text' || isTemporal(id) ? sql(`fa_id_birth(upper(${asText(id)}))`, 'date') : sql('CAST(NULL AS DATE)', 'date')),

  id_gender: ([id]) => {
    if (!(id.kind === 'text' || isTemporal(id))) return sql('CAST(NULL AS VARCHAR)', 'text');
    const u = `upper(${asText(id)})`;
    return sql(
      `(CASE WHEN fa_id_shape18(${u}) THEN (CASE WHEN (ascii(substr(${u}, 17, 1)) - 48) % 2 = 1 THEN '男' ELSE '女' END)
         WHEN fa_id_shape15(${u}) THEN (CASE WHEN (ascii(substr(${u}, 15, 1)) - 48) % 2 = 1 THEN '男' ELSE '女' END) END)`,
      'text',
    );
  },

  age_on: ([birth, on]) => {
    const b = day(birth);
    const d = day(on);
    return sql(`(year(${d}) - year(${b}) - (CASE WHEN month(${d}) < month(${b}) OR (month(${d}) = month(${b}) AND day(${d}) < day(${b})) THEN 1 ELSE 0 END))`, 'int');
  },

  months_between: ([a, b]) => sql(`((year(${day(b)}) * 12 + month(${day(b)})) - (year(${day(a)}) * 12 + month(${day(a)})))`, 'int'),

  add_months: ([value, n]) => {
    const d = day(value);
    const k = int(n);
    // The month index, guarded so that no count however large overflows (any past ±240,000 months is out of range).
    const index = `(CASE WHEN abs(${k}) <= 240000 THEN year(${d}) * 12 + month(${d}) - 1 + ${k} END)`;
    const target = `fa_month_index_day(${index}, day(${d}))`;
    if (value.kind === 'month') return sql(`fa_month_text(${target})`, 'month');
    if (value.kind === 'date' || value.kind === 'datetime') return sql(target, 'date');
    if (value.kind === 'text') return sql(`(CASE WHEN fa_is_month(${value.sql}) THEN fa_month_text(${target}) ELSE fa_day_text(${target}) END)`, 'text');
    return sql('CAST(NULL AS DATE)', 'date');
  },

  month_of: ([value]) => (value.kind === 'month' ? value : sql(`fa_month_text(${day(value)})`, 'month')),

  year_of: ([value]) => sql(`year(${day(value)})`, 'int'),

  add_days: ([value, n]) => {
    const k = int(n);
    const z = `(${day(value)} - DATE '1970-01-01' + (CASE WHEN abs(${k}) <= 4000000 THEN ${k} END))`;
    return sql(`(CASE WHEN ${z} BETWEEN ${FIRST_DAY} AND ${LAST_DAY} THEN DATE '1970-01-01' + CAST(${z} AS INTEGER) END)`, 'date');
  },

  days_between: ([a, b]) => sql(`(${day(b)} - ${day(a)})`, 'int'),

  first_digit: ([x]) => sql(`TRY_CAST(substr(${significant(x)}, 1, 1) AS BIGINT)`, 'int'),

  first_two_digits: ([x]) => sql(`TRY_CAST(substr(${significant(x)} || '0', 1, 2) AS BIGINT)`, 'int'),

  hour_of: ([value]) => sql(`hour(${moment(value)})`, 'int'),

  weekday: ([value]) => sql(`isodow(${day(value)})`, 'int'),

  is_working_time: ([value, start, end]) => {
    const t = moment(value);
    const s = number(start);
    const e = number(end);
    // NaN compares false in JavaScript, and above every number in DuckDB.
    const nan = [start, end].filter((x) => x.kind === 'float').map((x) => ` AND NOT isnan(${x.sql})`).join('');
    return sql(`(CASE WHEN ${t} IS NOT NULL AND ${s} IS NOT NULL AND ${e} IS NOT NULL THEN isodow(${t}) <= 5 AND ${s} <= hour(${t}) AND hour(${t}) < ${e}${nan} END)`, 'boolean');
  },

  is_round_amount: ([fen, unit]) => {
    const f = number(fen);
    const u = number(unit);
    return sql(`(CASE WHEN isfinite(${f}) AND isfinite(${u}) AND ${u} > 0 THEN ${f} <> 0 AND ${f} % ${u} = 0 END)`, 'boolean');
  },

  seq_number: ([text]) => {
    if (text.kind === 'int') return sql(`(CASE WHEN ${text.sql} BETWEEN 0 AND ${MAX_SAFE} THEN ${text.sql} END)`, 'int');
    if (text.kind === 'float') return sql(`(CASE WHEN ${text.sql} = trunc(${text.sql}) AND ${text.sql} BETWEEN 0 AND ${MAX_SAFE} THEN CAST(${text.sql} AS BIGINT) END)`, 'int');
    if (!(text.kind === 'text' || isTemporal(text))) return sql('CAST(NULL AS BIGINT)', 'int');
    const digits = `regexp_extract(fa_js_trim(${asText(text)}), '([0-9]+)$', 1)`;
    // Past 2^53 − 1 a JavaScript number is not exact: null, as there.
    return sql(`(CASE WHEN ${digits} <> '' AND TRY_CAST(${digits} AS HUGEINT) <= ${MAX_SAFE} THEN CAST(${digits} AS BIGINT) END)`, 'int');
  },

  statutory_retire_age: ([gender, scheme, job]) => {
    // JavaScript compares with ===: only a text equals '170', '男', '女' or '干部'.
    const is = (e: SqlExpr, text: string) => (e.kind === 'text' ? `coalesce(${e.sql} = '${text}', false)` : 'false');
    return sql(`(CASE WHEN ${is(scheme, '170')} THEN 60 WHEN ${is(gender, '男')} THEN 60 WHEN ${is(gender, '女')} THEN (CASE WHEN ${is(job, '干部')} THEN 55 ELSE 50 END) END)`, 'int');
  },
};
