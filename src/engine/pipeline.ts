/**
 * Runs a Pipeline (plain data, see src/rules/model.ts) on Arquero: one verb
 * per step, params bound as `$`, provenance columns carried through every
 * verb (see provenance.ts). Errors name the step that failed.
 */
import * as aq from 'arquero';
import type { ColumnTable } from 'arquero';
import type { LoadedTable, Value } from '../data/model.js';
import type { JoinOn, Pipeline, Step, TableRef } from '../rules/model.js';
import { registerFunctions } from './functions/index.js';
import { isProvenanceColumn, provenanceColumn, provenanceTable } from './provenance.js';

/** Parameter values as expressions see them (money in fen). */
export type ParamValues = Record<string, string | number | boolean | string[]>;

export interface PipelineContext {
  tables: Map<string, LoadedTable>;
  params: ParamValues;
  /** Arquero tables built from `tables`, shared by the rules of one run. */
  cache?: Map<string, ColumnTable>;
}

/** A step failed; `where` names it by its 0-based index (`check.steps[2]`; nested pipelines prefix theirs). */
export class PipelineError extends Error {
  constructor(message: string, readonly where: string) {
    super(`${where}: ${message}`);
    this.name = 'PipelineError';
  }
}

/** The Arquero table of a loaded table, with its provenance column `__<name>` (row index). */
export function arqueroTable(table: LoadedTable): ColumnTable {
  const columns: Record<string, ArrayLike<Value> | Int32Array> = {};
  for (const [name, values] of Object.entries(table.columns)) {
    // Arrays and typed arrays are used as they are (no copy of a million-row column); other array-likes are copied.
    columns[name] = Array.isArray(values) || ArrayBuffer.isView(values) ? values : Array.from(values);
  }
  const index = new Int32Array(table.rows);
  for (let i = 0; i < table.rows; i++) index[i] = i;
  columns[provenanceColumn(table.name)] = index;
  return aq.table(columns as Record<string, ArrayLike<unknown>>);
}

function baseTable(name: string, ctx: PipelineContext): ColumnTable {
  const cached = ctx.cache?.get(name);
  if (cached) return cached;
  const loaded = ctx.tables.get(name);
  if (!loaded) throw new PipelineError(`table ${name} is not loaded`, `from ${name}`);
  const t = arqueroTable(loaded);
  ctx.cache?.set(name, t);
  return t;
}

function provenanceOf(t: ColumnTable): string[] {
  return t.columnNames().filter(isProvenanceColumn);
}

/** Join keys as Arquero wants them: [left keys, right keys]. */
function keys(on: JoinOn): [string[], string[]] {
  if (typeof on === 'string') return [[on], [on]];
  if (Array.isArray(on)) return [on, on];
  return [Object.keys(on), Object.values(on)];
}

/**
 * A two-table predicate as an expression string that Arquero parses rather
 * than takes for a key column name: Arquero treats a plain string `on` as a
 * column, but parses any other value through its text, and never evaluates
 * anything but the parsed, rewritten expression.
 */
function predicate(expr: string): object {
  return { toString: () => expr };
}

/** `on` keys, a `where` predicate, or neither: Arquero then joins on the columns both tables share. */
function joinCondition(on: JoinOn | undefined, where: string | undefined, verb: string): unknown {
  if (where !== undefined && on !== undefined) throw new Error(`${verb} takes either on or where, not both`);
  if (where !== undefined) return predicate(where);
  return on === undefined ? undefined : keys(on);
}

function orderKey(spec: string): unknown {
  return spec.startsWith('-') ? aq.desc(spec.slice(1)) : spec;
}

/** New column names must not look like provenance columns, or evidence could point anywhere. */
function checkNames(names: string[]): void {
  const bad = names.filter(isProvenanceColumn);
  if (bad.length) throw new Error(`column names starting with __ are reserved for the engine: ${bad.join(', ')}; rename them`);
}

function applyStep(t: ColumnTable, step: Step, ctx: PipelineContext, where: string): ColumnTable {
  const verb = Object.keys(step)[0];
  const s = step as Record<string, any>;
  if (verb === 'derive' || verb === 'rollup') checkNames(Object.keys(s[verb] ?? {}));
  if (verb === 'rename') checkNames([...Object.keys(s.rename ?? {}), ...Object.values(s.rename ?? {}).map(String)]);
  if (verb === 'count' && s.count?.as) checkNames([String(s.count.as)]);
  switch (verb) {
    case 'filter':
      return t.filter(s.filter);
    case 'derive':
      return t.derive(s.derive);
    case 'select': {
      const cols = [...new Set([...(s.select as string[]), ...provenanceOf(t)])];
      return t.select(cols);
    }
    case 'rename':
      return t.rename(s.rename);
    case 'join': {
      const j = s.join as { with: TableRef; on?: JoinOn; where?: string; how?: string; suffix?: [string, string] };
      const other = resolve(j.with, ctx, `${where}.join.with`);
      const how = j.how ?? 'inner';
      const options: Record<string, unknown> = { left: how === 'left' || how === 'full', right: how === 'right' || how === 'full' };
      if (j.suffix) options.suffix = j.suffix;
      return t.join(other, joinCondition(j.on, j.where, 'join') as never, undefined, options);
    }
    case 'semijoin':
    case 'antijoin': {
      const j = s[verb] as { with: TableRef; on?: JoinOn; where?: string };
      const other = resolve(j.with, ctx, `${where}.${verb}.with`);
      const cond = joinCondition(j.on, j.where, verb) as never;
      return verb === 'semijoin' ? t.semijoin(other, cond) : t.antijoin(other, cond);
    }
    case 'lookup': {
      const j = s.lookup as { with: TableRef; on: JoinOn; values: string[] };
      const other = resolve(j.with, ctx, `${where}.lookup.with`);
      // The looked-up row is evidence too, unless the left already tracks that table (under any join suffix).
      const tableOf = (c: string) => provenanceTable(c, ctx.tables.keys()) ?? c;
      const mine = new Set(provenanceOf(t).map(tableOf));
      const extra = provenanceOf(other).filter((c) => !mine.has(tableOf(c)));
      return t.lookup(other, keys(j.on) as never, [...j.values, ...extra]);
    }
    case 'groupby':
      return t.groupby(s.groupby);
    case 'ungroup':
      return t.ungroup();
    case 'rollup':
      return t.rollup({ ...s.rollup, ...provenanceRollup(t) });
    case 'count':
      return t.rollup({ [s.count?.as ?? 'count']: 'op.count()', ...provenanceRollup(t) });
    case 'dedupe': {
      const cols = s.dedupe as string[];
      return t.dedupe(cols.length ? cols : t.columnNames().filter((c) => !isProvenanceColumn(c)));
    }
    case 'orderby':
      return t.orderby(...(s.orderby as string[]).map(orderKey) as never[]);
    case 'concat': {
      const others = (s.concat as TableRef[]).map((ref, i) => resolve(ref, ctx, `${where}.concat[${i}]`));
      // Arquero's concat keeps the first table's columns: give it every provenance column first.
      const mine = new Set(t.columnNames());
      const extra: Record<string, string> = {};
      for (const o of others) for (const c of provenanceOf(o)) if (!mine.has(c)) extra[c] = '() => null';
      return (Object.keys(extra).length ? t.derive(extra) : t).concat(...others);
    }
    default:
      throw new Error(`unknown step ${JSON.stringify(verb)}`);
  }
}

function provenanceRollup(t: ColumnTable): Record<string, string> {
  const out: Record<string, string> = {};
  for (const c of provenanceOf(t)) out[c] = `op.array_agg(d[${JSON.stringify(c)}])`;
  return out;
}

/** A view of a (shared, cached) base table with this rule's params: Arquero's params() mutates, so never on the base itself. */
function withParams(t: ColumnTable, params: ParamValues): ColumnTable {
  return t.create({}).params(params) as ColumnTable;
}

function resolve(ref: TableRef, ctx: PipelineContext, where: string): ColumnTable {
  return typeof ref === 'string' ? withParams(baseTable(ref, ctx), ctx.params) : execute(ref, ctx, where);
}

function execute(p: Pipeline, ctx: PipelineContext, where: string): ColumnTable {
  let t = withParams(baseTable(p.from, ctx), ctx.params);
  (p.steps ?? []).forEach((step, i) => {
    const here = `${where}.steps[${i}]`;
    try {
      t = applyStep(t, step, ctx, here);
    } catch (err) {
      if (err instanceof PipelineError) throw err;
      const verb = Object.keys(step)[0];
      throw new PipelineError(`${verb} failed: ${(err as Error).message}`, here);
    }
  });
  return t;
}

/**
 * Runs a pipeline and returns its Arquero table (provenance columns included).
 * Throws PipelineError naming the failing step (`check.steps[2]`).
 */
export function runPipeline(p: Pipeline, ctx: PipelineContext): ColumnTable {
  registerFunctions();
  return execute(p, ctx, 'check');
}
