/**
 * The per-rule budget as executors enforce it: the one place an executor
 * looks to honour a rule's budget (settings in src/rules/budget.ts; docs in
 * docs/budgets.md).
 *
 * - time (`seconds`): the rule is stopped when it runs longer. The Arquero
 *   executor runs each rule in a child process and kills it; DuckDB
 *   interrupts the connection's query.
 * - memory (`memoryMb`, beyond the loaded data): the Arquero child process
 *   gets a V8 heap of the data's size plus this, and is killed when its
 *   resident memory grows past that; DuckDB's query is interrupted when the
 *   process's resident memory grows past it. DuckDB's own pool is the run's
 *   (`duckdb_memory`, fixed when the database opens): a rule that cannot fit
 *   in it even spilling is stopped with that limit, not this one.
 * - join growth (`joinGrowth`): before a join runs, its output is estimated
 *   from its inputs (`joinEstimate`) and the join refused when that is more
 *   than `joinGrowth` times its inputs' rows and more than JOIN_FLOOR rows.
 *
 * A rule over budget throws BudgetExceeded; the run reports it as skipped
 * (code `budget`, with which limit) and goes on with the other rules.
 */
export { BUDGET_DEFAULTS, BUDGET_SETTINGS, ruleBudget, type BudgetSettings } from '../rules/budget.js';
import { BUDGET_SETTINGS, type BudgetSettings } from '../rules/budget.js';

/**
 * Which limit a rule went over: the name of its setting in the config file's `budget:`, or `duckdb_memory`,
 * the run's own limit on DuckDB's memory (a setting of the whole run, not of one rule).
 */
export type BudgetLimit = 'seconds' | 'memory_mb' | 'join_growth' | 'duckdb_memory';

/** A join of at most this many output rows is always allowed, whatever its growth: small tables join freely. */
export const JOIN_FLOOR = 1_000_000;

/** A rule stopped, or a step refused, for going over its budget. */
export class BudgetExceeded extends Error {
  constructor(
    readonly limit: BudgetLimit,
    /** The limit's value (seconds, MiB, times). */
    readonly value: number,
    message: string,
  ) {
    super(message);
    this.name = 'BudgetExceeded';
  }
}

/** How a user raises a limit, for the reason a rule was skipped. */
function raise(limit: BudgetLimit, ruleId: string): string {
  const s = BUDGET_SETTINGS.find((x) => x.config === limit)!;
  return `raise it with --param ${ruleId}.${s.param}=N, or for every rule with budget: { ${s.config}: N } in the config file`;
}

/** The time budget ran out. */
export function overTime(ruleId: string, seconds: number): BudgetExceeded {
  return new BudgetExceeded('seconds', seconds, `stopped after ${seconds} s, its time budget; ${raise('seconds', ruleId)}`);
}

/** The memory budget ran out (`how`: what was seen, e.g. "its heap reached the limit"). */
export function overMemory(ruleId: string, memoryMb: number, how: string): BudgetExceeded {
  return new BudgetExceeded('memory_mb', memoryMb, `stopped when it needed more than ${memoryMb} MiB beyond the data, its memory budget (${how}); ${raise('memory_mb', ruleId)}`);
}

/** Sizes of a join's inputs and its estimated output. */
export interface JoinEstimate {
  left: number;
  right: number;
  /** Rows the join would output (for a predicate join, the pairs it would test: every left row with every right row). */
  rows: number;
  /** True when `rows` counts matching keys exactly; false for the upper bound of a predicate join. */
  exact: boolean;
}

/**
 * The rows an equi-join outputs, from the join keys of its inputs' rows:
 * for each key, the left rows with it times the right rows with it, plus
 * the unmatched rows an outer join keeps. (A null key is counted as matching,
 * an upper bound.) DuckDB can compute the same in SQL from
 * `GROUP BY key` counts on each side.
 */
export function equiJoinRows(leftKeys: Iterable<string>, rightKeys: Iterable<string>, how: 'inner' | 'left' | 'right' | 'full'): number {
  const left = new Map<string, number>();
  for (const k of leftKeys) left.set(k, (left.get(k) ?? 0) + 1);
  const right = new Map<string, number>();
  for (const k of rightKeys) right.set(k, (right.get(k) ?? 0) + 1);
  let rows = 0;
  for (const [k, n] of left) {
    const m = right.get(k);
    if (m !== undefined) rows += n * m;
    else if (how === 'left' || how === 'full') rows += n;
  }
  if (how === 'right' || how === 'full') for (const [k, m] of right) if (!left.has(k)) rows += m;
  return rows;
}

/**
 * Refuses a join whose output would be far beyond its inputs: more than
 * `joinGrowth` times their rows together, and more than JOIN_FLOOR rows.
 * `where` says which step it is, for the message.
 */
export function checkJoin(e: JoinEstimate, budget: BudgetSettings, ruleId: string, where: string): void {
  const allowed = Math.max(JOIN_FLOOR, budget.joinGrowth * (e.left + e.right));
  if (e.rows <= allowed) return;
  const what = e.exact ? `would output ${e.rows.toLocaleString('en')} rows` : `would test ${e.rows.toLocaleString('en')} pairs of rows (a join on a condition compares every row with every row)`;
  throw new BudgetExceeded(
    'join_growth',
    budget.joinGrowth,
    `${where}: the join of ${e.left.toLocaleString('en')} and ${e.right.toLocaleString('en')} rows ${what}, more than ${budget.joinGrowth} times its inputs; ` +
      `it was refused before it ran — join on a key that tells rows apart (an identity number, not a code shared by many), or ${raise('join_growth', ruleId)}`,
  );
}
