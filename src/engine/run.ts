/**
 * Runs compiled rules over a dataset with an executor. Each rule runs on its
 * own: a rule whose tables or columns are missing is skipped with the reason,
 * and an error in one rule becomes a skipped rule while the others run.
 */
import { columnDef, tableDef } from '../data/tables.js';
import { pathText, type CompiledRule } from '../plan/compile.js';
import { checkOverrides, displayParams, resolveParams, type ParamOverrides } from '../rules/params.js';
import { ArqueroExecutor } from './arquero/executor.js';
import { IsolatedArqueroExecutor } from './arquero/isolated.js';
import { BudgetExceeded, ruleBudget, type BudgetSettings } from './budget.js';
import type { Dataset, Executor } from './executor.js';
import { compareFindings, type Finding, type RunResult, type SkippedRule } from './finding.js';
import { buildFindings, type FindingOptions } from './findings.js';

export interface RunOptions<D extends Dataset> {
  /** Param overrides per rule id (as the user wrote them: money in yuan), budget params (`budget_seconds`, …) included. */
  params?: ParamOverrides;
  /**
   * The executor for `dataset` (default: Arquero, for an in-memory dataset: in this process without a budget, in a
   * child process it can stop with one).
   */
  executor?: Executor<D>;
  /** Evidence rows shown with their values per finding (default 50; Infinity: all). */
  evidence?: number;
  /**
   * Run every rule under a budget (see engine/budget.ts): these settings for every rule (the config file's
   * `budget:`), the defaults for the rest, a rule's own `budget_*` params over both. Without it, rules run unbounded
   * (inline rule tests).
   */
  budget?: Partial<BudgetSettings>;
  /** Told after each rule, run or skipped: progress for the CLI. */
  onRule?: (done: number, total: number, ruleId: string) => void;
}

/** A rule that cannot run on the loaded data; becomes a SkippedRule. */
class Skip extends Error {
  constructor(
    message: string,
    readonly code: 'missing-table' | 'missing-column' | 'error',
    readonly missing?: string[],
  ) {
    super(message);
  }
}

/** The canonical tables the rules read, so that the CLI loads only those. */
export function requiredTables(rules: CompiledRule[]): Set<string> {
  return new Set(rules.flatMap((r) => r.tables));
}

function label(table: string, column?: string): string {
  const l = column ? columnDef(table, column)?.label : tableDef(table)?.label;
  return l ? ` (${l})` : '';
}

/**
 * Checks the tables and columns the rule needs against the dataset —
 * including columns only its finding shows (a `name` kept for the message),
 * so that their absence is a clean "missing column" skip, not a run error.
 */
function checkInputs(rule: CompiledRule, dataset: Dataset): void {
  const missingTables = rule.tables.filter((t) => !dataset.hasTable(t));
  if (missingTables.length) {
    throw new Skip(`needs table ${missingTables.map((t) => t + label(t)).join(', ')}, which no input file was recognised as`, 'missing-table', missingTables);
  }
  const missing: string[] = [];
  for (const t of rule.tables) for (const c of rule.needs[t] ?? []) if (!dataset.hasColumn(t, c)) missing.push(`${t}.${c}`);
  if (missing.length) {
    const named = missing.map((m) => m + label(...(m.split('.') as [string, string])));
    throw new Skip(`needs column${missing.length > 1 ? 's' : ''} ${named.join(', ')}, which the loaded files lack`, 'missing-column', missing);
  }
}

async function runOne<D extends Dataset>(
  rule: CompiledRule,
  dataset: D,
  params: ReturnType<typeof resolveParams>,
  executor: Executor<D>,
  budget: BudgetSettings | undefined,
  opts: FindingOptions,
): Promise<Finding[]> {
  // Rules from files arrive without problems; a rule built in memory may not.
  const [problem] = rule.problems;
  if (problem) throw new Skip(`${pathText(problem.path)}: ${problem.message}${problem.fix ? `; ${problem.fix}` : ''}`, 'error');
  if (!rule.relation || !rule.finding) throw new Skip('the rule has no check or no finding to compile', 'error');
  checkInputs(rule, dataset);
  const result = await executor.run(rule, params, dataset, budget);
  return buildFindings(rule, result, dataset, opts);
}

/**
 * Runs rules over a dataset. Param problems are usage errors (thrown before
 * anything runs); problems of one rule on this data make it a SkippedRule.
 * Findings come sorted deterministically.
 */
export async function runRules<D extends Dataset>(rules: CompiledRule[], dataset: D, opts: RunOptions<D> = {}): Promise<RunResult> {
  const own = !opts.executor;
  const executor = opts.executor ?? ((opts.budget ? new IsolatedArqueroExecutor() : new ArqueroExecutor()) as unknown as Executor<D>);
  try {
    return await runAll(rules, dataset, executor, opts);
  } finally {
    if (own) await executor.close?.();
  }
}

async function runAll<D extends Dataset>(rules: CompiledRule[], dataset: D, executor: Executor<D>, opts: RunOptions<D>): Promise<RunResult> {
  // Every rule's params first: a typo must stop the run, not skip one rule.
  checkOverrides(opts.params ?? {}, rules);
  const resolved = rules.map((r) => ({
    rule: r,
    values: resolveParams(r.rule, opts.params?.[r.rule.id]),
    display: displayParams(r.rule, opts.params?.[r.rule.id]),
  }));

  const findings: Finding[] = [];
  const skipped: SkippedRule[] = [];
  const ran: Record<string, number> = {};
  const params: RunResult['params'] = {};
  let done = 0;
  for (const { rule, values, display } of resolved) {
    const id = rule.rule.id;
    params[id] = display;
    try {
      const budget = opts.budget ? ruleBudget(opts.budget, opts.params?.[id]) : undefined;
      const found = await runOne(rule, dataset, values, executor, budget, { evidence: opts.evidence });
      for (const f of found) findings.push(f);
      ran[id] = found.length;
    } catch (err) {
      if (err instanceof BudgetExceeded) {
        skipped.push({ ruleId: id, reason: err.message, code: 'budget', budget: { limit: err.limit, value: err.value } });
      } else {
        // A RunError names the step that failed; anything else the executor threw is still this rule's alone.
        const code = err instanceof Skip ? err.code : 'error';
        const missing = err instanceof Skip ? err.missing : undefined;
        skipped.push({ ruleId: id, reason: err instanceof Error ? err.message : String(err), code, ...(missing ? { missing } : {}) });
      }
    }
    opts.onRule?.(++done, resolved.length, id);
  }
  findings.sort(compareFindings);
  return { findings, skipped, ran, params };
}
