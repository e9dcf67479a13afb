/**
 * Rule parameters: defaults from the rule file, overridden by `--param
 * RULE.NAME=VALUE` or a config file's `{ RULE: { name: value } }`. Values are
 * checked against the declared type; a wrong rule, an unknown name or a value
 * of the wrong type is a UsageError (exit 2) that names the valid choices.
 *
 * Expressions see money as integer fen; the manifest records what the user
 * wrote (money in yuan), so that a run can be repeated from it.
 */
import { UsageError } from '../errors.js';
import { dict, reservedName } from '../names.js';
import { formatYuan } from '../data/yuan.js';
import { parseMoney } from '../data/types/money.js';
import { isCalendarDate } from '../data/types/calendar.js';
import type { LoadedRule, ParamDef, Rule } from './model.js';
import { budgetParamDef, budgetValueProblem, isBudgetParam, BUDGET_SETTINGS } from './budget.js';

export type ParamValue = string | number | boolean | string[];
/** Parameter values as expressions see them (money in fen), by name. */
export type ParamValues = Record<string, ParamValue>;
/** Overrides per rule id, as written by the user. */
export type ParamOverrides = Record<string, Record<string, ParamValue>>;

/** A param value in both forms: for expressions, and as the user would write it. */
interface Typed {
  value: ParamValue;
  display: ParamValue;
}

class ParamTypeError extends Error {
  constructor(message: string, readonly fix: string) {
    super(message);
  }
}

const show = (v: unknown): string => (typeof v === 'string' ? JSON.stringify(v) : (JSON.stringify(v) ?? String(v)));

/** Yuan (number or text, at most two decimals) → integer fen, exactly (no float multiply); null when not an amount. */
export function yuanToFen(v: unknown): number | null {
  // The loader's money parser: the same spellings as in the exports, commas only as thousands separators.
  const fen = parseMoney(typeof v === 'number' ? (Number.isFinite(v) ? String(v) : '') : typeof v === 'string' ? v : '');
  return typeof fen === 'number' ? fen : null;
}

/** Converts a value (from YAML, a config file, or command-line text) to its declared type. */
function typed(def: ParamDef, raw: unknown): Typed {
  const text = typeof raw === 'string' ? raw.trim() : undefined;
  switch (def.type) {
    case 'int': {
      const n = typeof raw === 'number' ? raw : text !== undefined && /^-?\d+$/.test(text) ? Number(text) : NaN;
      if (!Number.isSafeInteger(n)) throw new ParamTypeError(`must be a whole number (int), got ${show(raw)}`, 'write an integer such as 3');
      return { value: n, display: n };
    }
    case 'number': {
      const n = typeof raw === 'number' ? raw : text !== undefined && text !== '' ? Number(text) : NaN;
      if (!Number.isFinite(n)) throw new ParamTypeError(`must be a number, got ${show(raw)}`, 'write a number such as 1.5');
      return { value: n, display: n };
    }
    case 'money': {
      const fen = yuanToFen(raw);
      if (fen === null) throw new ParamTypeError(`must be an amount in yuan with at most two decimals, got ${show(raw)}`, 'write yuan, e.g. 5000 or 1234.50');
      return { value: fen, display: formatYuan(fen) };
    }
    case 'string':
      if (typeof raw !== 'string' && typeof raw !== 'number') throw new ParamTypeError(`must be text, got ${show(raw)}`, 'write the text');
      return { value: String(raw), display: String(raw) };
    case 'date':
      if (text === undefined || !isDate(text)) {
        throw new ParamTypeError(`must be a date YYYY-MM-DD, got ${show(raw)}`, 'write e.g. 2024-01-31');
      }
      return { value: text, display: text };
    case 'month':
      if (text === undefined || !isMonth(text)) {
        throw new ParamTypeError(`must be a month YYYY-MM, got ${show(raw)}`, 'write e.g. 2024-01');
      }
      return { value: text, display: text };
    case 'bool': {
      const b = typeof raw === 'boolean' ? raw : text === 'true' ? true : text === 'false' ? false : undefined;
      if (b === undefined) throw new ParamTypeError(`must be true or false, got ${show(raw)}`, 'write true or false');
      return { value: b, display: b };
    }
    case 'list': {
      let items: unknown[];
      if (Array.isArray(raw)) items = raw;
      else if (text !== undefined) items = text === '' ? [] : text.split(',').map((x) => x.trim()).filter((x) => x !== '');
      else throw new ParamTypeError(`must be a list of text, got ${show(raw)}`, 'separate the items with commas: 丧葬补助金,抚恤金');
      const list = items.map((x) => (typeof x === 'number' ? String(x) : x));
      if (!list.every((x): x is string => typeof x === 'string')) throw new ParamTypeError('must be a list of text', 'write text items');
      return { value: list, display: list };
    }
    default:
      throw new ParamTypeError(`has an unknown type ${show((def as ParamDef).type)}`, 'use int, number, money, string, date, month, bool or list');
  }
}

/** True for a real calendar date written YYYY-MM-DD. */
export function isDate(text: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  return m !== null && isCalendarDate(+m[1], +m[2], +m[3]);
}

/** True for a month written YYYY-MM. */
export function isMonth(text: string): boolean {
  const m = /^(\d{4})-(\d{2})$/.exec(text);
  return m !== null && +m[2] >= 1 && +m[2] <= 12;
}

function declaredList(rule: Rule): string {
  const names = Object.entries(rule.params ?? {}).map(([n, d]) => `${n} (${d.type})`);
  const budget = `every rule's budget: ${BUDGET_SETTINGS.map((b) => b.param).join(', ')}`;
  return names.length ? `${names.join(', ')}; ${budget}` : `(none of its own); ${budget}`;
}

/** The declaration of a rule's param; a UsageError naming the declared ones when there is none. */
function paramDef(rule: Rule, name: string): ParamDef {
  const reserved = reservedName(name);
  if (reserved) throw new UsageError(`${reserved}, not a param of rule ${rule.id}`, `its params are: ${declaredList(rule)}`);
  const budget = budgetParamDef(name);
  if (budget) return budget;
  const params = rule.params ?? {};
  if (!Object.hasOwn(params, name)) throw new UsageError(`rule ${rule.id} has no param "${name}"`, `its params are: ${declaredList(rule)}`);
  return params[name];
}

function resolve(rule: Rule, overrides: Record<string, ParamValue> | undefined): { values: ParamValues; display: Record<string, ParamValue> } {
  const values: ParamValues = dict();
  const display: Record<string, ParamValue> = dict();
  const params = rule.params ?? {};
  for (const name of Object.keys(overrides ?? {})) {
    const def = paramDef(rule, name);
    // Budget params are the run's, not the expressions': checked and recorded, never seen as $.
    if (isBudgetParam(name)) display[name] = checkedValue(rule, name, def, overrides![name]).display;
  }
  for (const [name, def] of Object.entries(params)) {
    if (isBudgetParam(name)) continue;
    const given = overrides && Object.hasOwn(overrides, name);
    const t = checkedValue(rule, name, def, given ? overrides![name] : def.default, !given);
    values[name] = t.value;
    display[name] = t.display;
  }
  return { values, display };
}

/** A param value typed, or a UsageError naming the param (and whether its default is at fault). */
function checkedValue(rule: Rule, name: string, def: ParamDef, raw: unknown, isDefault = false): Typed {
  try {
    const t = typed(def, raw);
    const bound = typeof t.value === 'number' ? budgetValueProblem(name, t.value) : undefined;
    if (bound) throw new ParamTypeError(bound, `e.g. --param ${rule.id}.${name}=${def.default}`);
    return t;
  } catch (err) {
    if (!(err instanceof ParamTypeError)) throw err;
    const what = isDefault ? `the default of param ${rule.id}.${name}` : `param ${rule.id}.${name}`;
    throw new UsageError(`${what} ${err.message}`, err.fix);
  }
}

/**
 * The values a rule's expressions see (`$.name`): defaults overridden by
 * `overrides`, each converted to its type (money yuan → fen, list text split
 * on commas). Throws UsageError for an unknown name or a mistyped value.
 */
export function resolveParams(rule: Rule, overrides?: Record<string, ParamValue>): ParamValues {
  return resolve(rule, overrides).values;
}

/** The values in effect as the user would write them (money in yuan, "5000.00"), for the manifest. */
export function displayParams(rule: Rule, overrides?: Record<string, ParamValue>): Record<string, ParamValue> {
  return resolve(rule, overrides).display;
}

function ruleIds(rules: LoadedRule[]): string {
  return rules.map((r) => r.rule.id).sort().join(', ');
}

/** The rule a param override names (ids compare case-insensitively when nothing matches exactly). */
function findRule(id: string, rules: LoadedRule[]): Rule {
  const reserved = reservedName(id);
  if (reserved) throw new UsageError(`${reserved}, not a rule id`, 'name a rule by its id, e.g. PAID-AFTER-DEATH.grace_months');
  const hit = rules.find((r) => r.rule.id === id) ?? rules.find((r) => r.rule.id.toLowerCase() === id.toLowerCase());
  if (!hit) throw new UsageError(`unknown rule "${id}" in a param`, `rules with params: ${ruleIds(rules.filter((r) => Object.keys(r.rule.params ?? {}).length))}`);
  return hit.rule;
}

/**
 * Checks overrides against the rules: every rule id, param name and value's
 * type. The one place where an unknown id or name is found, for the command
 * line, the config file and callers of the engine alike.
 */
export function checkOverrides(overrides: ParamOverrides, rules: LoadedRule[]): void {
  for (const [id, values] of Object.entries(overrides)) resolve(findRule(id, rules), values);
}

/**
 * Parses one `--param RULE.NAME=VALUE` (a list is comma-separated) and checks
 * it against the rule's declared params. Returns the rule id, the name and the
 * typed value as the user wrote it.
 */
export function parseParamOption(option: string, rules: LoadedRule[]): { ruleId: string; name: string; value: ParamValue } {
  const eq = option.indexOf('=');
  const dot = eq < 0 ? -1 : option.lastIndexOf('.', eq);
  if (eq < 0 || dot <= 0 || dot === eq - 1) {
    throw new UsageError(`--param ${JSON.stringify(option)} is not RULE.NAME=VALUE`, 'write e.g. --param PAID-AFTER-DEATH.grace_months=1');
  }
  const rule = findRule(option.slice(0, dot).trim(), rules);
  const name = option.slice(dot + 1, eq).trim();
  const def = paramDef(rule, name);
  try {
    return { ruleId: rule.id, name, value: checkedValue(rule, name, def, option.slice(eq + 1)).display };
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    throw new UsageError(err.message.replace(/^param /, '--param '), err.fix);
  }
}

/**
 * Collects `--param` options and a config file's params object into
 * overrides; options win over the config file. Everything is checked.
 */
export function collectParams(options: string[] = [], config: unknown, rules: LoadedRule[]): ParamOverrides {
  const out: ParamOverrides = dict();
  if (config !== undefined && config !== null) {
    if (typeof config !== 'object' || Array.isArray(config)) {
      throw new UsageError('params in the config file must map rule ids to { name: value }', 'write params: { PAID-AFTER-DEATH: { grace_months: 1 } }');
    }
    for (const [id, values] of Object.entries(config as Record<string, unknown>)) {
      const rule = findRule(id, rules);
      if (typeof values !== 'object' || values === null || Array.isArray(values)) {
        throw new UsageError(`params for rule ${rule.id} in the config file must be { name: value }`, `its params are: ${declaredList(rule)}`);
      }
      resolve(rule, values as Record<string, ParamValue>); // checks names and types
      out[rule.id] = Object.assign(out[rule.id] ?? dict(), values as Record<string, ParamValue>);
    }
  }
  for (const option of options) {
    const { ruleId, name, value } = parseParamOption(option, rules);
    (out[ruleId] ??= dict())[name] = value;
  }
  return out;
}
