/**
 * What one rule may cost when it runs: its budget. Settings only (names,
 * defaults, how a user sets them); src/engine/budget.ts says how an executor
 * enforces them, and docs/budgets.md explains both to users.
 *
 * A user sets the budget of every rule in the config file
 * (`budget: { seconds: 60, memory_mb: 1024, join_growth: 100 }`) and of one
 * rule as if they were its params (`--param RULE.budget_seconds=600`, or
 * `params: { RULE: { budget_seconds: 600 } }` in the config file): every rule
 * has these three params, and no rule may declare them.
 */
import type { ParamDef } from './model.js';

/** A rule's budget. */
export interface BudgetSettings {
  /** Wall-clock seconds the rule may run. */
  seconds: number;
  /** Memory (MiB) the rule may use beyond the loaded data. */
  memoryMb: number;
  /** A join may output at most this many times the rows of its two inputs together (small joins are always allowed). */
  joinGrowth: number;
}

/**
 * Defaults: generous for what the Arquero executor meets on a county's data
 * (the slowest shipped rule takes seconds, the largest a few hundred MiB),
 * small enough that a runaway rule is stopped long before the machine is.
 */
export const BUDGET_DEFAULTS: Readonly<BudgetSettings> = { seconds: 300, memoryMb: 2048, joinGrowth: 100 };

/** Each setting: its key in the config file's `budget:`, its name as a param of every rule, its bounds and unit. */
export const BUDGET_SETTINGS: ReadonlyArray<{ key: keyof BudgetSettings; config: string; param: string; min: number; max: number; unit: string; what: string }> = [
  { key: 'seconds', config: 'seconds', param: 'budget_seconds', min: 1, max: 7 * 24 * 3600, unit: 's', what: 'time budget' },
  { key: 'memoryMb', config: 'memory_mb', param: 'budget_memory_mb', min: 16, max: 1 << 20, unit: 'MiB', what: 'memory budget' },
  { key: 'joinGrowth', config: 'join_growth', param: 'budget_join_growth', min: 1, max: 1e9, unit: '×', what: 'join growth budget' },
];

/**
 * The run's limit on DuckDB's memory (MiB), a setting of the whole run rather than of one rule: DuckDB's
 * memory limit is fixed when the database opens, and it spills to disk beyond it. `--duckdb-memory N` on the
 * command line, `duckdb_memory: N` in the config file; by default it fits the machine (engine/duckdb/session.ts).
 * A rule DuckDB cannot run within it even spilling is stopped with a reason naming this setting.
 */
export const DUCKDB_MEMORY = { option: '--duckdb-memory', config: 'duckdb_memory', min: 64, max: 1 << 20, unit: 'MiB' } as const;

const byParam = new Map(BUDGET_SETTINGS.map((s) => [s.param, s]));

/** True for the name of a budget param (`budget_seconds`, …), which every rule has. */
export function isBudgetParam(name: string): boolean {
  return byParam.has(name);
}

/** The declaration every rule has for a budget param. */
export function budgetParamDef(name: string): ParamDef | undefined {
  const s = byParam.get(name);
  if (!s) return undefined;
  return {
    type: 'int',
    default: BUDGET_DEFAULTS[s.key],
    description: { zh: `本规则的运行限额（${s.unit}）`, en: `this rule's ${s.what} (${s.unit})` },
  } as ParamDef;
}

/** Why a budget value is not allowed, or undefined. */
export function budgetValueProblem(name: string, value: number): string | undefined {
  const s = byParam.get(name) ?? BUDGET_SETTINGS.find((x) => x.config === name);
  if (!s) return undefined;
  if (!Number.isSafeInteger(value) || value < s.min || value > s.max) return `must be a whole number from ${s.min} to ${s.max} (${s.unit})`;
  return undefined;
}

/**
 * A rule's budget: the defaults, then the run's (`budget:` in the config
 * file), then the rule's own (`budget_*` params). Values are checked already.
 */
export function ruleBudget(run: Partial<BudgetSettings> | undefined, params: Readonly<Record<string, unknown>> | undefined): BudgetSettings {
  const out: BudgetSettings = { ...BUDGET_DEFAULTS, ...(run ?? {}) };
  for (const s of BUDGET_SETTINGS) {
    const v = params && Object.hasOwn(params, s.param) ? Number(params[s.param]) : undefined;
    if (v !== undefined && Number.isFinite(v)) out[s.key] = v;
  }
  return out;
}
