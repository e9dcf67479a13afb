/**
 * The DuckDB executor: runs a rule's plan as one SQL query (compile.ts) on
 * the tool's locked-down DuckDB, its params bound as values of a prepared
 * statement, and returns plain rows and evidence references like the
 * reference executor. Each rule's SQL is compiled once per run.
 */
import { BIGINT, BOOLEAN, DOUBLE, DuckDBListVector, LIST, listValue, VARCHAR, type DuckDBConnection, type DuckDBType, type DuckDBValue, type DuckDBVector } from '@duckdb/node-api';
import { RunError } from '../../errors.js';
import { pathText, type CompiledRule } from '../../plan/compile.js';
import type { ParamDef } from '../../rules/model.js';
import type { ParamValue, ParamValues } from '../../rules/params.js';
import type { EvidenceRef, ExecutionResult, Executor } from '../executor.js';
import { releaseHeap } from './heap.js';
import { BudgetExceeded, overMemory, overTime, type BudgetSettings } from '../budget.js';
import { CompileError, compilePlan, paramKind, type CompiledSql, type SharedSubplan } from './compile.js';
import { ident } from './schema.js';
import { JoinSizing, SMALL_INPUT, type Bound } from './sizing.js';
import { TEXT_MAX, TEXT_MAX_ERROR } from './expression.js';
import type { DuckDBDataset } from './dataset.js';
import { moreMemoryHint } from './database.js';
import { plainValue } from './read.js';
import { KEYS_PREFIX } from './functions.js';
import { text_key } from '../functions/text_key.js';

/**
 * A rule's SQL for the data it runs on (compiled once per dataset). `shared`: the tables of shared sub-tables
 * the run has computed (compile.ts SharedSubplan), by key; without it, the rule's own query computes them.
 */
export function ruleSql(rule: CompiledRule, dataset: Pick<DuckDBDataset, 'columns'> & Partial<Pick<DuckDBDataset, 'repeats' | 'tableRows'>>, shared?: ReadonlyMap<string, string>): CompiledSql {
  if (!rule.relation) throw new Error(`rule ${rule.rule.id} has no plan`);
  try {
    return compilePlan(rule.relation, rule.rule.params ?? {}, { columns: (t) => dataset.columns(t), repeats: (t, c, times) => dataset.repeats?.(t, c, times), tableRows: (t) => dataset.tableRows?.(t), shared: (plan) => shared?.get(plan.key) });
  } catch (err) {
    if (err instanceof CompileError) {
      const where = err.step ? pathText(err.step.path) : pathText(['check']);
      throw new RunError(`the DuckDB executor cannot run ${err.step ? `${err.step.verb}: ` : ''}${err.message}`, `${rule.file} ${where}`);
    }
    throw err;
  }
}

/** The DuckDB type a param is bound as, and its value. */
export function bindParam(def: ParamDef, value: ParamValue): { type: DuckDBType; value: DuckDBValue } {
  switch (paramKind(def)) {
    case 'int':
      return { type: BIGINT, value: BigInt(value as number) };
    case 'float':
      return { type: DOUBLE, value: value as number };
    case 'boolean':
      return { type: BOOLEAN, value: value as boolean };
    case 'list':
      return { type: LIST(VARCHAR), value: listValue(value as string[]) };
    default:
      // Text, months and dates (cast to DATE in the SQL) are bound as text.
      return { type: VARCHAR, value: String(value) };
  }
}

/** Output rows a rule may give before it is stopped: so many findings say the rule is wrong rather than the data. */
export const MAX_ROWS = 1_000_000;

/** The padding bound when no budget applies (rules test): as long as DuckDB's lpad may make. */
const TEXT_UNBOUNDED = 2 ** 31 - 1;
/** How often the process's resident memory is looked at while a rule runs. */
const WATCH_MS = 50;
const MIB = 1 << 20;

/**
 * The longest padded text (characters) a rule's memory budget allows: DuckDB makes the values of a batch of
 * 2,048 rows at once on each thread, at up to 4 bytes a character; half the budget for them.
 */
export function textMax(budget: BudgetSettings, threads: number): number {
  return Math.max(1024, Math.floor((budget.memoryMb * MIB) / (2 * 2048 * 4 * Math.max(1, threads))));
}

/** The values and types a rule's SQL binds: each param it reads, the text keys of a list param contains_any reads, and the padding bound. */
export function bindings(rule: CompiledRule, q: Pick<CompiledSql, 'sql' | 'params'>, params: ParamValues, maxText = TEXT_UNBOUNDED): Bound {
  const values: Record<string, DuckDBValue> = {};
  const types: Record<string, DuckDBType> = {};
  for (const name of q.params) {
    if (usesPlaceholder(q.sql, `p_${name}`)) {
      const bound = bindParam(rule.rule.params[name], params[name]);
      values[`p_${name}`] = bound.value;
      types[`p_${name}`] = bound.type;
    }
    if (usesPlaceholder(q.sql, `${KEYS_PREFIX}${name}`)) {
      values[`${KEYS_PREFIX}${name}`] = listValue(textKeys(params[name]));
      types[`${KEYS_PREFIX}${name}`] = LIST(VARCHAR);
    }
  }
  if (usesPlaceholder(q.sql, TEXT_MAX)) {
    values[TEXT_MAX] = BigInt(maxText);
    types[TEXT_MAX] = BIGINT;
  }
  return { values, types };
}

/** The bindings a piece of the query reads (DuckDB refuses a value for a placeholder the SQL does not have). */
function only(sql: string, b: Bound): Bound {
  const names = Object.keys(b.values).filter((n) => usesPlaceholder(sql, n));
  return { values: Object.fromEntries(names.map((n) => [n, b.values[n]])), types: Object.fromEntries(names.map((n) => [n, b.types[n]])) };
}

/**
 * A rule's time and memory budget while its queries run (engine/budget.ts): past `seconds` the connection's
 * query is interrupted; when the process's resident memory grows by more than `memoryMb` from where it stood
 * when the rule started (checked every 50 ms, as for the Arquero child), too. `stopped` says which.
 */
class Watch {
  stopped: BudgetExceeded | undefined;
  private readonly timer: NodeJS.Timeout;
  private readonly memory: NodeJS.Timeout;

  constructor(connection: DuckDBConnection, budget: BudgetSettings, ruleId: string) {
    const stop = (err: BudgetExceeded) => {
      if (this.stopped) return;
      this.stopped = err;
      connection.interrupt();
    };
    this.timer = setTimeout(() => stop(overTime(ruleId, budget.seconds)), budget.seconds * 1000);
    const base = process.memoryUsage.rss();
    this.memory = setInterval(() => {
      const grown = process.memoryUsage.rss() - base;
      if (grown > budget.memoryMb * MIB) stop(overMemory(ruleId, budget.memoryMb, `the process grew by ${Math.round(grown / MIB)} MiB`));
    }, WATCH_MS);
  }

  stop(): void {
    clearTimeout(this.timer);
    clearInterval(this.memory);
  }
}

/** Most rows a shared sub-table's table may hold (SharedTables): past it, each rule computes the sub-table in its query. */
export const SHARED_ROWS = 1_000_000;
/** Most rows all of a run's shared sub-tables' tables hold together (they are kept to the run's end). */
const SHARED_ROWS_ALL = 4_000_000;

/**
 * The sub-tables (compile.ts SharedSubplan) the rules of one run test rows against, each computed once into a
 * temporary table of its keys by the first rule that needs it, with that rule's params, and read by every rule
 * whose sub-table has the same query and the same values bound (BENFORD-BY-OPERATOR and OPERATOR-OUTLIER-SHARE
 * the batch runs: 3.2 s and 3.8 s of their queries at 5M payout rows). A sub-table too large to hold
 * (SHARED_ROWS), or one DuckDB fails to compute alone, is computed again in each rule's query, as before.
 */
class SharedTables {
  private readonly made = new Map<string, { table: string; rows: number } | { skip: string }>();
  private rows = 0;

  constructor(
    private readonly connection: DuckDBConnection,
    /** SHARED_ROWS, or what the executor was given. */
    private readonly most: number,
  ) {}

  /**
   * The table of a sub-table's keys with these values bound, computed now if no rule did; undefined when each rule
   * computes it in its own query. A query stopped by the rule's budget throws (the rule is stopped; the next rule
   * needing the sub-table computes it under its own).
   */
  async table(plan: SharedSubplan, bound: Bound, stopped: () => boolean): Promise<string | undefined> {
    const key = `${plan.key}\n${boundKey(bound)}`;
    const was = this.made.get(key);
    if (was) return 'table' in was ? was.table : undefined;
    if (this.most <= 0 || this.rows >= SHARED_ROWS_ALL) return undefined;
    const table = `fa_shared_${this.made.size + 1}`;
    try {
      await this.connection.run(`CREATE TEMP TABLE ${ident(table)} AS SELECT * FROM (${plan.sql}) LIMIT ${this.most + 1}`, bound.values, bound.types);
      const rows = Number((await this.connection.runAndReadAll(`SELECT count(*) FROM ${ident(table)}`)).getRows()[0][0]);
      if (rows > this.most) {
        await this.connection.run(`DROP TABLE ${ident(table)}`);
        this.made.set(key, { skip: `more than ${this.most} rows` });
        return undefined;
      }
      this.rows += rows;
      this.made.set(key, { table, rows });
      return table;
    } catch (err) {
      await this.connection.run(`DROP TABLE IF EXISTS ${ident(table)}`).catch(() => {});
      if (stopped()) throw err;
      this.made.set(key, { skip: (err as Error).message.split('\n')[0] });
      return undefined;
    }
  }
}

/** Bound values as text: equal for equal values of equal types. */
function boundKey(b: Bound): string {
  const names = Object.keys(b.values).sort();
  return JSON.stringify(names.map((n) => [n, b.types[n].toString(), b.values[n]]), (_, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
}

export class DuckDBExecutor implements Executor<DuckDBDataset> {
  readonly name = 'duckdb';
  private readonly compiled = new WeakMap<DuckDBDataset, Map<CompiledRule, CompiledSql>>();
  /** Per rule, its SQL reading the shared sub-tables' tables, by their names. */
  private readonly sharing = new WeakMap<DuckDBDataset, Map<CompiledRule, Map<string, CompiledSql>>>();
  private readonly shared = new WeakMap<DuckDBDataset, SharedTables>();
  private readonly maxRows: number;
  private readonly smallInput: number;
  private readonly sharedRows: number;

  /**
   * `smallInput`: see sizing.ts SMALL_INPUT (tests give 0: every join the query can size, it sizes). `sharedRows`:
   * most rows of a shared sub-table's table (SHARED_ROWS; 0: none shared, each rule computes its own).
   */
  constructor(opts: { maxRows?: number; smallInput?: number; sharedRows?: number } = {}) {
    this.maxRows = opts.maxRows ?? MAX_ROWS;
    this.smallInput = opts.smallInput ?? SMALL_INPUT;
    this.sharedRows = opts.sharedRows ?? SHARED_ROWS;
  }

  /**
   * Runs the rule's query. With a budget: each join is sized first and refused when it would grow past
   * `joinGrowth` (checkJoin, as the Arquero executor does), padding is bounded by the memory budget, and the
   * queries are interrupted past the time or memory budget — each a BudgetExceeded.
   */
  async run(rule: CompiledRule, params: ParamValues, dataset: DuckDBDataset, budget?: BudgetSettings): Promise<ExecutionResult> {
    // The last rule's garbage, if it left much, goes before this rule's query fills DuckDB's pool beside it.
    releaseHeap();
    let cache = this.compiled.get(dataset);
    if (!cache) this.compiled.set(dataset, (cache = new Map()));
    let own = cache.get(rule);
    if (!own) {
      own = ruleSql(rule, dataset);
      // The columns whose repeating values decide how it computes, measured once: then compiled with them.
      if (own.unmeasured.length) {
        await dataset.measure(own.unmeasured);
        own = ruleSql(rule, dataset);
      }
      cache.set(rule, own);
    }
    const maxText = budget ? textMax(budget, dataset.db.threads) : TEXT_UNBOUNDED;
    const id = rule.rule.id;
    const place = `${rule.file} ${pathText(['check'])}`;
    const connection = dataset.db.connection;
    const watch = budget ? new Watch(connection, budget, id) : undefined;
    try {
      const q = await this.withShared(rule, own, params, dataset, maxText, () => !!watch?.stopped);
      const bound = bindings(rule, q, params, maxText);
      if (!budget) return await this.fetch(connection, q, { sql: q.sql, ...bound }, place);
      const row = async (sql: string) => {
        const b = only(sql, bound);
        return (await connection.runAndReadAll(sql, b.values, b.types)).getRows()[0].map((v) => (v === null ? null : Number(v)));
      };
      const large = (k: number) => q.joins[k].tables.reduce((n, t) => n + (dataset.tableRows(t) ?? 0), 0) > this.smallInput;
      const sizing = new JoinSizing(row, q, bound, budget, id, large);
      await sizing.before();
      for (;;) {
        try {
          return await this.fetch(connection, q, sizing.query(), place);
        } catch (err) {
          // A join the query sized past the growth, sized whole and allowed: the query runs again.
          if (!(await sizing.fired(err))) throw err;
        }
      }
    } catch (err) {
      if (err instanceof RunError || err instanceof BudgetExceeded) throw err;
      if (watch?.stopped) throw watch.stopped;
      const message = (err as Error).message.split('\n')[0];
      const padded = new RegExp(`${TEXT_MAX_ERROR} ([0-9.]+)`).exec(message);
      if (padded && budget) throw overMemory(id, budget.memoryMb, `a text padded to ${Number(padded[1]).toLocaleString('en')} characters on every row`);
      if (/out of memory/i.test(message)) {
        // DuckDB's limit is the run's (fixed when the database opened), not the rule's budget: say the setting that raises it.
        const mib = dataset.db.memoryMb;
        if (budget) throw outOfDuckDBMemory(mib, message);
        throw new RunError(`the rule needs more memory than DuckDB may use, ${mib} MiB, even spilling to disk (${message})`, place, `narrow the rule, or ${moreMemoryHint(mib)}`);
      }
      throw new RunError(`DuckDB: ${message}`, place);
    } finally {
      watch?.stop();
    }
  }

  /**
   * The rule's SQL reading the tables of the shared sub-tables it tests rows against (SharedTables), those not
   * computed yet computed now; as it is when it has none.
   */
  private async withShared(rule: CompiledRule, q: CompiledSql, params: ParamValues, dataset: DuckDBDataset, maxText: number, stopped: () => boolean): Promise<CompiledSql> {
    if (!q.shares.length) return q;
    let tables = this.shared.get(dataset);
    if (!tables) this.shared.set(dataset, (tables = new SharedTables(dataset.db.connection, this.sharedRows)));
    const names = new Map<string, string>();
    for (const plan of q.shares) {
      const table = await tables.table(plan, bindings(rule, { sql: plan.sql, params: q.params }, params, maxText), stopped);
      if (table) names.set(plan.key, table);
    }
    if (!names.size) return q;
    let cache = this.sharing.get(dataset);
    if (!cache) this.sharing.set(dataset, (cache = new Map()));
    let byNames = cache.get(rule);
    if (!byNames) cache.set(rule, (byNames = new Map()));
    const key = JSON.stringify([...names]);
    let out = byNames.get(key);
    if (!out) byNames.set(key, (out = ruleSql(rule, dataset, names)));
    return out;
  }

  /**
   * A query's rows as plain objects, and their evidence: the rows of each slot (a number, or a list of them),
   * read from each chunk's vectors as they come (no row of DuckDB values kept); stopped past `maxRows`.
   */
  private async fetch(connection: DuckDBConnection, q: CompiledSql, query: { sql: string } & Bound, place: string): Promise<ExecutionResult> {
    const result = await connection.stream(query.sql, query.values, query.types);
    const columns = q.columns.map((c) => c.name);
    const n = columns.length;
    const rows: Record<string, unknown>[] = [];
    const evidence: EvidenceRef[][] = [];
    for (;;) {
      const chunk = await result.fetchChunk();
      if (!chunk || chunk.rowCount === 0) break;
      const vectors = Array.from({ length: chunk.columnCount }, (_, k) => chunk.getColumnVector(k));
      for (let r = 0; r < chunk.rowCount; r++) {
        const row: Record<string, unknown> = {};
        for (let k = 0; k < n; k++) row[columns[k]] = plain(vectors[k].getItem(r));
        rows.push(row);
        const refs: EvidenceRef[] = [];
        q.slots.forEach((s, k) => {
          let same = refs.find((x) => x.table === s.table);
          if (!same) refs.push((same = { table: s.table, rows: [] }));
          addRowNumbers(vectors[n + k], r, same.rows);
        });
        evidence.push(refs);
      }
      if (rows.length > this.maxRows) {
        throw new RunError(`the rule gives more than ${this.maxRows.toLocaleString('en')} rows; it was stopped, since so many findings say the rule is wrong rather than the data`, place, 'narrow the rule (a filter, a stricter threshold)');
      }
    }
    return { columns, rows, evidence };
  }
}

/** A rule stopped because DuckDB could not run it within the run's memory limit (`mib`), spilling to disk beyond it. */
export function outOfDuckDBMemory(mib: number, duckdbMessage: string): BudgetExceeded {
  return new BudgetExceeded(
    'duckdb_memory',
    mib,
    `stopped: DuckDB could not hold what the rule needs within its memory limit for the run, ${mib} MiB, even spilling to disk beyond it (${duckdbMessage}); ${moreMemoryHint(mib)}, or narrow the rule`,
  );
}

/** Does the SQL read the placeholder `$<name>` (not only a longer one it begins)? */
export function usesPlaceholder(sql: string, name: string): boolean {
  return new RegExp(`\\$${name}(?![A-Za-z0-9_])`).test(sql);
}

/** The text keys of a list param's items (src/engine/functions/text_key.ts), empty ones left out: what contains_any looks for. */
export function textKeys(value: ParamValue): string[] {
  return (Array.isArray(value) ? value : []).map((v) => text_key(v)).filter((k): k is string => !!k);
}

/** A value as the reference executor gives it: lists as arrays, 64-bit integers as numbers. */
function plain(v: DuckDBValue): unknown {
  if (v !== null && typeof v === 'object' && 'items' in v) return (v.items as DuckDBValue[]).map(plain);
  return plainValue(v);
}

/**
 * Adds the row numbers held in row `r` of an evidence column (a number, or a list of them, nested or not; nulls
 * skipped) to `into`, read from the list's flat child vector: no value object per row number.
 */
function addRowNumbers(vector: DuckDBVector, r: number, into: number[]): void {
  if (!(vector instanceof DuckDBListVector)) {
    const cell = vector.getItem(r);
    if (typeof cell === 'bigint' || typeof cell === 'number') into.push(Number(cell));
    return;
  }
  const items = vector.getItemVector(r);
  if (items) for (let i = 0; i < items.itemCount; i++) addRowNumbers(items, i, into);
}
