/**
 * A rule's joins sized under its budget on DuckDB (engine/budget.ts): each join is sized before it meets a
 * row, and refused when it would grow past `joinGrowth` (checkJoin, as the Arquero executor sizes it), spending
 * as little as it can:
 * - a join one of whose inputs is unique on its keys (`bounded`) outputs at most its inputs' rows: nothing;
 * - else its right input alone is sized: a join on keys none of whose right values has more than `joinGrowth`
 *   rows, or a join on a condition with no more than `joinGrowth` right rows, outputs at most `joinGrowth`
 *   times its inputs (each left row meets that many at most);
 * - else both inputs are sized and the output counted (joinEstimateSql), as the Arquero executor counts it.
 *
 * The right input is sized by the rule's own query where it can (`CompiledSql.guarded`, compile.ts guardJoins:
 * a window over the input raises an error when a count passes the growth), so that it and all it reads are
 * computed once; by a query of its own (joinSideSql) before the rule's otherwise — a right input that reads
 * small tables only, which costs little to compute again while the query's guard would fire whenever it passes
 * the growth, and a join after which another is sized by a query of its own. A guard that fires has its join
 * sized whole and, allowed, the rule's query runs again with that guard open.
 */
import { DOUBLE, type DuckDBType, type DuckDBValue } from '@duckdb/node-api';
import { pathText } from '../../plan/compile.js';
import { checkJoin, type BudgetSettings, type JoinEstimate } from '../budget.js';
import { cteNamesIn, JOIN_GUARD, JOIN_GUARD_ERROR, joinEstimateSql, joinSideSql, type CompiledSql, type Cte } from './compile.js';

/** Values bound to a query's placeholders, and their types. */
export interface Bound {
  values: Record<string, DuckDBValue>;
  types: Record<string, DuckDBType>;
}

/**
 * The rows of base tables a join's right input may read and still be sized by a query of its own before the
 * rule's (a few milliseconds): CASH-HELD-BACK's calendar, 400 days joined on a condition, passes the growth of
 * 100 on every county, and its guard would have the rule's query run twice.
 */
export const SMALL_INPUT = 100_000;

/** A guard's growth once its join is sized otherwise: no count passes it. */
const OPEN = Number.MAX_VALUE;

export class JoinSizing {
  /** Each guard's growth (the budget's while the query sizes its join, OPEN once it is sized otherwise), by join. */
  private readonly growth = new Map<number, number>();

  /**
   * `row`: runs a sizing query, its one row of numbers; `large(k)`: join k's right input reads large tables (more
   * than SMALL_INPUT rows), which its guard sizes.
   */
  constructor(
    private readonly row: (sql: string) => Promise<Array<number | null>>,
    private readonly q: CompiledSql,
    private readonly bound: Bound,
    private readonly budget: BudgetSettings,
    private readonly ruleId: string,
    large: (k: number) => boolean,
  ) {
    for (const k of q.guarded?.joins ?? []) this.growth.set(k, large(k) ? budget.joinGrowth : OPEN);
  }

  /** Sizes, before the rule's query, each join the query does not size itself. */
  async before(): Promise<void> {
    for (const [k, j] of this.q.joins.entries()) if (!j.bounded && !this.closed(k)) await this.size(k);
  }

  /** The rule's query, with its guards' growth bound when the query sizes a join. */
  query(): { sql: string } & Bound {
    const closed = [...this.growth.keys()].some((k) => this.closed(k));
    if (!closed || !this.q.guarded) return { sql: this.q.sql, ...this.bound };
    const values = { ...this.bound.values };
    const types = { ...this.bound.types };
    for (const [k, g] of this.growth) {
      values[`${JOIN_GUARD}${k}`] = g;
      types[`${JOIN_GUARD}${k}`] = DOUBLE;
    }
    return { sql: this.q.guarded.sql, values, types };
  }

  /**
   * After the rule's query failed: when a guard fired, sizes its join whole — refused, a BudgetExceeded — and
   * says the query may run again (true); false for any other error.
   */
  async fired(err: unknown): Promise<boolean> {
    const m = new RegExp(`^(?:Invalid Input Error: )?${JOIN_GUARD_ERROR} (\\d+)$`).exec(String((err as Error)?.message ?? '').split('\n')[0]);
    const k = m ? Number(m[1]) : -1;
    if (!this.closed(k)) return false;
    await this.size(k);
    return true;
  }

  private closed(k: number): boolean {
    const g = this.growth.get(k);
    return g !== undefined && g !== OPEN;
  }

  /** Sizes join k by queries of its own (its guard, if any, open from now on). */
  private async size(k: number): Promise<void> {
    const j = this.q.joins[k];
    if (this.growth.has(k)) this.growth.set(k, OPEN);
    // A sizing query computes the joins under what it reads without their guards: a guarded one it may read is
    // sized first (the estimate reads the left input too: every one before). So is one the reference would refuse first.
    const reads = closure(this.q.ctes, j.right);
    for (const g of this.guardedBefore(k)) if (this.closed(g) && reads.has(this.q.joins[g].right)) await this.size(g);
    const [rows, most] = await this.row(joinSideSql(this.q, j));
    if ((j.keys ? most! : rows!) <= this.budget.joinGrowth) return;
    for (const g of this.guardedBefore(k)) if (this.closed(g)) await this.size(g);
    const [l, r, out] = await this.row(joinEstimateSql(this.q, j));
    const estimate: JoinEstimate = out === null ? { left: l!, right: r!, rows: l! * r!, exact: false } : { left: l!, right: r!, rows: out, exact: true };
    checkJoin(estimate, this.budget, this.ruleId, pathText(j.path));
  }

  /** The joins before k the query still sizes. */
  private guardedBefore(k: number): number[] {
    return [...this.growth.keys()].filter((g) => g < k && this.closed(g)).sort((a, b) => a - b);
  }
}

/** The CTEs a CTE reads, itself and through others (names of the compiler's CTEs, `s<n>`). */
function closure(ctes: readonly Cte[], from: string): Set<string> {
  const body = new Map(ctes.map((c) => [c.name, c.body]));
  const seen = new Set<string>();
  const visit = (name: string) => {
    if (seen.has(name) || !body.has(name)) return;
    seen.add(name);
    for (const n of cteNamesIn(body.get(name)!)) visit(n);
  };
  visit(from);
  return seen;
}
