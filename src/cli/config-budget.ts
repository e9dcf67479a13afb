/**
 * The config file's `budget:` mapping (docs/budgets.md): every rule's time,
 * memory and join growth budget, each a whole number within its bounds.
 */
import { isMap, isScalar, type Node } from 'yaml';
import { InputError } from './errors.js';
import { BUDGET_SETTINGS, budgetValueProblem, type BudgetSettings } from '../rules/budget.js';

const EXAMPLE = `budget: { ${BUDGET_SETTINGS.map((s) => `${s.config}: N`).join(', ')} }`;

/** Reads `budget:`; throws InputError at file:line:col for an unknown key or a value out of bounds. */
export function readBudget(node: Node | null, at: (node: Node | null | undefined) => string): Partial<BudgetSettings> {
  if (!isMap(node)) throw new InputError(`${at(node)}: "budget" must be a mapping of ${BUDGET_SETTINGS.map((s) => s.config).join(', ')}`, `write e.g. ${EXAMPLE}`, at(node));
  const out: Partial<BudgetSettings> = {};
  for (const pair of node.items) {
    const keyNode = pair.key as Node;
    const key = isScalar(keyNode) ? String(keyNode.value) : '';
    const setting = BUDGET_SETTINGS.find((s) => s.config === key);
    if (!setting) throw new InputError(`${at(keyNode)}: unknown key "${key}" under budget`, `use ${BUDGET_SETTINGS.map((s) => s.config).join(', ')}`, at(keyNode));
    const valueNode = pair.value as Node | null;
    const value = isScalar(valueNode) ? Number(valueNode.value) : NaN;
    const problem = budgetValueProblem(key, value);
    if (problem || Number.isNaN(value)) throw new InputError(`${at(valueNode ?? keyNode)}: budget ${key} ${problem ?? 'must be a number'}`, `write e.g. ${EXAMPLE}`, at(valueNode ?? keyNode));
    out[setting.key] = value;
  }
  return out;
}
