/**
 * Params: every `$.name` used is declared, every declared param is used, and
 * defaults and per-test overrides have the declared type.
 */
import { reservedName } from '../../names.js';
import { isBudgetParam } from '../budget.js';
import type { ParamType } from '../model.js';
import { isDate, isMonth } from '../params.js';
import type { RuleFile } from './context.js';
import { compilationOf, isObject, report, reportStage, valueAt } from './context.js';

export function validateParams(f: RuleFile): void {
  const rule = f.parsed.value;
  if (!isObject(rule)) return;
  const declared = isObject(rule.params) ? rule.params : {};
  const compiled = compilationOf(f);
  reportStage(f, 'params');
  const used = new Set(compiled.params.map((p) => p.name));
  // When an expression does not parse or a step is not understood, the params it uses are unknown: no "unused" reports then.
  const complete = compiled.complete;

  for (const [name, def] of Object.entries(declared)) {
    const reserved = reservedName(name) ?? (isBudgetParam(name) ? `\`${name}\` is every rule's own budget param (docs/budgets.md), set by the user` : undefined);
    if (reserved) {
      report(f, ['params', name], 'reserved-name', `${reserved}: a param may not be named so`, 'choose another name for the param', { key: true });
      continue;
    }
    if (!used.has(name) && complete) {
      report(f, ['params', name], 'unused-param', `param \`${name}\` is declared but never used`,
        `use it as $.${name} in an expression, or remove it`, { key: true });
    }
    if (!isObject(def) || typeof def.type !== 'string' || !('default' in def)) continue;
    const problem = typeProblem(def.type as ParamType, def.default);
    if (problem) report(f, ['params', name, 'default'], 'param-type', `default of \`${name}\` ${problem.message}`, problem.fix);
  }

  if (!Array.isArray(rule.tests)) return;
  rule.tests.forEach((t, i) => {
    const overrides = valueAt(t, ['params']);
    if (!isObject(overrides)) return;
    for (const [name, value] of Object.entries(overrides)) {
      const def = Object.hasOwn(declared, name) ? declared[name] : undefined;
      if (!isObject(def)) {
        report(f, ['tests', i, 'params', name], 'undeclared-param', `test sets param \`${name}\`, which the rule does not declare`,
          `declared params: ${Object.keys(declared).join(', ') || '(none)'}`, { key: true });
        continue;
      }
      const problem = typeof def.type === 'string' ? typeProblem(def.type as ParamType, value) : undefined;
      if (problem) report(f, ['tests', i, 'params', name], 'param-type', `test value of \`${name}\` ${problem.message}`, problem.fix);
    }
  });
}

/** Why `value` is not a valid value of `type`, or undefined. */
export function typeProblem(type: ParamType, value: unknown): { message: string; fix: string } | undefined {
  const bad = (message: string, fix: string) => ({ message, fix });
  switch (type) {
    case 'int':
      return Number.isInteger(value) ? undefined : bad(`must be a whole number (type int), got ${show(value)}`, 'write an integer such as 3');
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? undefined : bad(`must be a number, got ${show(value)}`, 'write a number such as 1.5');
    case 'money':
      return (typeof value === 'number' && Number.isFinite(value) && Math.abs(Math.round(value * 100) - value * 100) < 1e-6) ||
        (typeof value === 'string' && /^-?\d+(\.\d{1,2})?$/.test(value))
        ? undefined
        : bad(`must be an amount in yuan with at most two decimals, got ${show(value)}`, 'write yuan, e.g. 5000 or "1234.50"; expressions see it as fen');
    case 'string':
      return typeof value === 'string' ? undefined : bad(`must be text, got ${show(value)}`, `quote it: "${String(value)}"`);
    case 'date':
      return typeof value === 'string' && isDate(value) ? undefined : bad(`must be a date YYYY-MM-DD, got ${show(value)}`, 'write e.g. 2024-01-31');
    case 'month':
      return typeof value === 'string' && isMonth(value) ? undefined : bad(`must be a month YYYY-MM, got ${show(value)}`, 'write e.g. 2024-01');
    case 'bool':
      return typeof value === 'boolean' ? undefined : bad(`must be true or false, got ${show(value)}`, 'write true or false (unquoted)');
    case 'list':
      if (!Array.isArray(value)) return bad(`must be a list of text, got ${show(value)}`, 'write a list, e.g. [丧葬补助金, 抚恤金]');
      return value.every((x) => typeof x === 'string')
        ? undefined
        : bad('must be a list of text, but holds non-text items', "quote codes and numbers so they compare as text: ['110', '120']");
    default:
      return undefined;
  }
}

function show(v: unknown): string {
  return typeof v === 'string' ? `"${v}"` : JSON.stringify(v) ?? String(v);
}
