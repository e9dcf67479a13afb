/**
 * The DuckDB executor: runs a rule's plan as one SQL query (compile.ts) on
 * the tool's locked-down DuckDB, its params bound as values of a prepared
 * statement, and returns plain rows and evidence references like the
 * reference executor. Each rule's SQL is compiled once per run.
 */
import { BIGINT, BOOLEAN, DOUBLE, LIST, listValue, VARCHAR, type DuckDBType, type DuckDBValue } from '@duckdb/node-api';
import { RunError } from '../../errors.js';
import { pathText, type CompiledRule } from '../../plan/compile.js';
import type { ParamDef } from '../../rules/model.js';
import type { ParamValue, ParamValues } from '../../rules/params.js';
import type { EvidenceRef, ExecutionResult, Executor } from '../executor.js';
import { CompileError, compilePlan, paramKind, type CompiledSql } from './compile.js';
import type { DuckDBDataset } from './dataset.js';
import { plainValue } from './read.js';
import { KEYS_PREFIX } from './functions.js';
import { text_key } from '../functions/text_key.js';

/** A rule's SQL for the data it runs on (compiled once per dataset). */
export function ruleSql(rule: CompiledRule, dataset: Pick<DuckDBDataset, 'columns'>): CompiledSql {
  if (!rule.relation) throw new Error(`rule ${rule.rule.id} has no plan`);
  try {
    return compilePlan(rule.relation, rule.rule.params ?? {}, { columns: (t) => dataset.columns(t) });
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

/**
 * What one rule may cost. Time: past it the query is interrupted. Memory: the database's memory limit
 * (set when it was opened, locked since) stops a query that needs more with an out-of-memory error; rows:
 * a rule with more output rows than this is stopped before they are all read into JavaScript.
 * Each is reported as the rule skipped, with the reason, while the others run.
 */
export interface RuleBudget {
  seconds: number;
  rows: number;
}

export const DEFAULT_BUDGET: RuleBudget = { seconds: 600, rows: 1_000_000 };

/** The values and types a rule's SQL binds: each param it reads, and the text keys of a list param contains_any reads. */
export function bindings(rule: CompiledRule, q: CompiledSql, params: ParamValues): { values: Record<string, DuckDBValue>; types: Record<string, DuckDBType> } {
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
  return { values, types };
}

export class DuckDBExecutor implements Executor<DuckDBDataset> {
  readonly name = 'duckdb';
  private readonly compiled = new WeakMap<DuckDBDataset, Map<CompiledRule, CompiledSql>>();
  private readonly budget: RuleBudget;

  constructor(budget: Partial<RuleBudget> = {}) {
    this.budget = { ...DEFAULT_BUDGET, ...budget };
  }

  async run(rule: CompiledRule, params: ParamValues, dataset: DuckDBDataset): Promise<ExecutionResult> {
    let cache = this.compiled.get(dataset);
    if (!cache) this.compiled.set(dataset, (cache = new Map()));
    let q = cache.get(rule);
    if (!q) cache.set(rule, (q = ruleSql(rule, dataset)));
    const { values, types } = bindings(rule, q, params);
    const place = `${rule.file} ${pathText(['check'])}`;
    const connection = dataset.db.connection;
    let interrupted = false;
    const timer = setTimeout(() => {
      interrupted = true;
      connection.interrupt();
    }, this.budget.seconds * 1000);
    try {
      const result = await connection.stream(q.sql, values, types);
      const rows: DuckDBValue[][] = [];
      for (;;) {
        const chunk = await result.fetchChunk();
        if (!chunk || chunk.rowCount === 0) break;
        for (const r of chunk.getRows()) rows.push(r);
        if (rows.length > this.budget.rows) {
          throw new RunError(`the rule gives more than ${this.budget.rows.toLocaleString('en')} rows; it was stopped, since so many findings say the rule is wrong rather than the data`, place, 'narrow the rule (a filter, a stricter threshold)');
        }
      }
      return toResult(q, rows);
    } catch (err) {
      if (err instanceof RunError) throw err;
      const message = (err as Error).message.split('\n')[0];
      if (interrupted) throw new RunError(`the rule ran past its time budget of ${this.budget.seconds} s and was stopped`, place, 'narrow the rule, or raise the budget');
      if (/out of memory/i.test(message)) throw new RunError(`the rule needs more memory than DuckDB may use (${message})`, place, 'narrow the rule, or give DuckDB more memory');
      throw new RunError(`DuckDB: ${message}`, place);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Rows of the query as plain objects, and their evidence: the rows of each slot (a number, or a list of them). */
function toResult(q: CompiledSql, raw: DuckDBValue[][]): ExecutionResult {
  const columns = q.columns.map((c) => c.name);
  const n = columns.length;
  const rows: Record<string, unknown>[] = [];
  const evidence: EvidenceRef[][] = [];
  for (const r of raw) {
    const row: Record<string, unknown> = {};
    for (let k = 0; k < n; k++) row[columns[k]] = plain(r[k]);
    rows.push(row);
    const refs: EvidenceRef[] = [];
    q.slots.forEach((s, k) => {
      const indexes = rowNumbers(r[n + k]);
      const same = refs.find((x) => x.table === s.table);
      if (same) for (const i of indexes) same.rows.push(i);
      else refs.push({ table: s.table, rows: indexes });
    });
    evidence.push(refs);
  }
  return { columns, rows, evidence };
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

/** Row numbers held in an evidence cell: a number, or a list of them (nulls skipped). */
function rowNumbers(cell: DuckDBValue): number[] {
  if (cell === null) return [];
  if (typeof cell === 'bigint' || typeof cell === 'number') return [Number(cell)];
  if (typeof cell === 'object' && 'items' in cell) return (cell.items as DuckDBValue[]).flatMap(rowNumbers);
  return [];
}
