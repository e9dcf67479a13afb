/**
 * Static column flow over a pipeline of verbs: which canonical tables and
 * columns it reads, which columns it outputs, and every reference to a table
 * or column that does not exist at that point. Nothing runs; the column sets
 * follow Arquero's rules for each verb (see docs/rules.md, "Verbs").
 */
import type { ExprContext } from './expression.js';
import { checkExpression } from './expression.js';
import type { JoinOn, Pipeline, Step, TableRef } from '../rules/model.js';
import { columnDef, TABLE_NAMES, tableDef } from '../data/tables.js';
import type { ColumnType } from '../data/tables.js';
import type { ValuePath } from '../rules/yaml.js';
import { nearestName } from './nearest.js';

/** A problem found by the flow analysis. `path` (relative to the pipeline object) and `offset` (into an expression) place it precisely. */
export interface PipelineProblem {
  message: string;
  /** Index of the top-level step (-1: the `from` table). */
  step: number;
  fix?: string;
  /** `unknown-table`, `unknown-column`, `unknown-code`, `literal-type`, `join-condition` or `undeclared-param`. */
  code: string;
  path: ValuePath;
  /** Point at the key of the last path element (a left column in an `on` map) rather than its value. */
  key?: boolean;
  offset?: number;
  length?: number;
}

export interface PipelineAnalysis {
  /** Canonical tables the pipeline reads, in order of first use. */
  tables: string[];
  /** Per canonical table, the columns the pipeline reads from it (referenced by an expression, key or column list). */
  inputColumns: Record<string, string[]>;
  /** Output columns, in order. */
  output: string[];
  /** For each output column, the canonical `table.column`s it passes through from (empty for computed columns). */
  outputOrigins: Record<string, string[]>;
  problems: PipelineProblem[];
}

/** The columns flowing between steps, each with the canonical columns it came from. */
type Columns = Map<string, Set<string>>;

/** For a column set, the columns earlier steps had and which step dropped them ("the rollup at step 3"), for clearer messages. */
const droppedBy = new WeakMap<Columns, Map<string, string>>();

interface Flow {
  tables: string[];
  used: Map<string, Set<string>>;
  problems: PipelineProblem[];
  params?: Set<string>;
}

/**
 * Analyse a pipeline. `params` (the declared param names), when given, also
 * flags `$.name` references to undeclared params.
 */
export function analysePipeline(p: Pipeline, params?: Set<string>): PipelineAnalysis {
  const flow: Flow = { tables: [], used: new Map(), problems: [], params };
  const columns = runPipeline(p, [], flow, -1);
  return result(flow, columns);
}

/**
 * Analyse a table reference (a canonical table name or a nested pipeline), as
 * the check kinds use them for their `table`. Paths in problems are relative
 * to the reference.
 */
export function analyseTableRef(ref: TableRef, params?: Set<string>): PipelineAnalysis {
  const flow: Flow = { tables: [], used: new Map(), problems: [], params };
  const columns = tableRef(ref, [], flow, -1);
  return result(flow, columns);
}

function result(flow: Flow, columns: Columns | undefined): PipelineAnalysis {
  const inputColumns: Record<string, string[]> = {};
  for (const t of flow.tables) inputColumns[t] = [...(flow.used.get(t) ?? [])];
  const outputOrigins: Record<string, string[]> = {};
  for (const [name, origins] of columns ?? []) outputOrigins[name] = [...origins];
  return { tables: flow.tables, inputColumns, output: [...(columns?.keys() ?? [])], outputOrigins, problems: flow.problems };
}

/** Columns of a canonical table or nested pipeline; undefined when unknown (a problem is recorded). */
function tableRef(ref: unknown, path: ValuePath, flow: Flow, step: number): Columns | undefined {
  if (typeof ref === 'string') return canonical(ref, path, flow, step);
  if (isObject(ref) && typeof ref.from === 'string') return runPipeline(ref as unknown as Pipeline, path, flow, step);
  return undefined;
}

function canonical(name: string, path: ValuePath, flow: Flow, step: number): Columns | undefined {
  const def = tableDef(name);
  if (!def) {
    const near = nearestName(name, TABLE_NAMES);
    flow.problems.push({
      code: 'unknown-table', step, path,
      message: `unknown table \`${name}\``,
      fix: `${near ? `did you mean \`${near}\`? ` : ''}the canonical tables are ${TABLE_NAMES.join(', ')}`,
    });
    return undefined;
  }
  if (!flow.tables.includes(name)) flow.tables.push(name);
  return new Map(def.columns.map((c) => [c.name, new Set([`${name}.${c.name}`])]));
}

function runPipeline(p: Pipeline, path: ValuePath, flow: Flow, outerStep: number): Columns | undefined {
  let cols = tableRef(p.from, [...path, 'from'], flow, outerStep);
  let groups: string[] = [];
  const steps = Array.isArray(p.steps) ? p.steps : [];
  steps.forEach((s, i) => {
    const step = outerStep === -1 && path.length === 0 ? i : outerStep;
    if (cols === undefined || !isObject(s)) return;
    const r = applyStep(s as Step, cols, groups, [...path, 'steps', i], flow, step);
    if (r && r.columns !== cols) {
      const dropped = new Map(droppedBy.get(cols));
      for (const name of cols.keys()) if (!r.columns.has(name)) dropped.set(name, `the ${Object.keys(s)[0]} at step ${i + 1}`);
      for (const name of r.columns.keys()) dropped.delete(name);
      droppedBy.set(r.columns, dropped);
    }
    cols = r?.columns;
    groups = r?.groups ?? [];
  });
  return cols;
}

interface StepResult {
  columns: Columns;
  groups: string[];
}

function applyStep(s: Step, cols: Columns, groups: string[], path: ValuePath, flow: Flow, step: number): StepResult | undefined {
  const verb = Object.keys(s)[0];
  const arg = (s as Record<string, unknown>)[verb];
  const at = [...path, verb];
  const need = (name: unknown, p: ValuePath, within: Columns = cols, where = 'at this step') => requireColumn(name, p, within, flow, step, where);

  switch (verb) {
    case 'filter':
      expression(arg, at, 'row', { d: cols }, flow, step);
      return { columns: cols, groups };
    case 'derive': {
      if (!isObject(arg)) return { columns: cols, groups };
      const next = new Map(cols);
      for (const [name, expr] of Object.entries(arg)) {
        expression(expr, [...at, name], 'row', { d: cols }, flow, step);
        next.set(name, new Set());
      }
      return { columns: next, groups };
    }
    case 'select': {
      const next: Columns = new Map();
      list(arg).forEach((name, i) => {
        if (need(name, [...at, i])) next.set(name, cols.get(name)!);
      });
      return { columns: next, groups: groups.filter((g) => next.has(g)) };
    }
    case 'rename': {
      if (!isObject(arg)) return { columns: cols, groups };
      const next: Columns = new Map();
      const renames = new Map(Object.entries(arg).filter(([, to]) => typeof to === 'string') as [string, string][]);
      for (const from of renames.keys()) need(from, [...at, from]);
      for (const [name, origins] of cols) next.set(renames.get(name) ?? name, origins);
      return { columns: next, groups: groups.map((g) => renames.get(g) ?? g) };
    }
    case 'join':
    case 'semijoin':
    case 'antijoin':
    case 'lookup': {
      if (!isObject(arg)) return { columns: cols, groups };
      if (verb !== 'lookup' && arg.on === undefined && arg.where === undefined) {
        flow.problems.push({
          code: 'join-condition', step, path: at, message: `${verb} needs \`on\` or \`where\``,
          fix: 'say how rows match: on: id_number (columns in both tables), or where: (a, b) => a.id_number == b.id_number',
        });
      } else if (arg.on !== undefined && arg.where !== undefined) {
        flow.problems.push({ code: 'join-condition', step, path: [...at, 'where'], key: true, message: `${verb} takes either \`on\` or \`where\`, not both`, fix: 'keep on for equal keys, or fold the keys into the where predicate' });
      }
      const right = tableRef(arg.with, [...at, 'with'], flow, step);
      if (!right) return verb === 'semijoin' || verb === 'antijoin' ? { columns: cols, groups } : undefined;
      const keys = joinKeys(arg.on as JoinOn | undefined, cols, right, [...at, 'on'], flow, step);
      if (typeof arg.where === 'string') {
        expression(arg.where, [...at, 'where'], 'join', { a: cols, b: right }, flow, step);
      }
      if (verb === 'semijoin' || verb === 'antijoin') return { columns: cols, groups };
      if (verb === 'lookup') {
        const next = new Map(cols);
        list(arg.values).forEach((name, i) => {
          if (need(name, [...at, 'values', i], right, 'in the lookup table')) next.set(name, right.get(name)!);
        });
        return { columns: next, groups };
      }
      return { columns: joined(cols, right, arg.where === undefined ? keys : [], suffixes(arg.suffix)), groups: [] };
    }
    case 'groupby': {
      const keys = list(arg).filter((name, i) => need(name, [...at, i]));
      return { columns: cols, groups: keys };
    }
    case 'ungroup':
      return { columns: cols, groups: [] };
    case 'rollup': {
      const next: Columns = new Map(groups.map((g) => [g, cols.get(g) ?? new Set()]));
      if (isObject(arg)) {
        for (const [name, expr] of Object.entries(arg)) {
          expression(expr, [...at, name], 'aggregate', { d: cols }, flow, step);
          next.set(name, new Set());
        }
      }
      return { columns: next, groups: [] };
    }
    case 'count': {
      const as = isObject(arg) && typeof arg.as === 'string' ? arg.as : 'count';
      const next: Columns = new Map(groups.map((g) => [g, cols.get(g) ?? new Set()]));
      next.set(as, new Set());
      return { columns: next, groups: [] };
    }
    case 'dedupe':
      list(arg).forEach((name, i) => need(name, [...at, i]));
      return { columns: cols, groups };
    case 'orderby':
      list(arg).forEach((name, i) => need(name.replace(/^-/, ''), [...at, i]));
      return { columns: cols, groups };
    case 'concat':
      // Arquero's concat keeps the columns of the first table; the others fill them by name.
      (Array.isArray(arg) ? arg : []).forEach((ref, i) => tableRef(ref, [...at, i], flow, step));
      return { columns: cols, groups };
    default:
      return { columns: cols, groups };
  }
}

/** Key pairs [left, right] of a join; records unknown key columns. Without `on`, Arquero joins on the shared names. */
function joinKeys(on: JoinOn | undefined, left: Columns, right: Columns, path: ValuePath, flow: Flow, step: number): [string, string][] {
  let pairs: [string, string, ValuePath, ValuePath][];
  const isMap = isObject(on);
  if (on === undefined) return [...left.keys()].filter((k) => right.has(k)).map((k) => [k, k]);
  if (typeof on === 'string') pairs = [[on, on, path, path]];
  else if (Array.isArray(on)) pairs = on.map((k, i) => [String(k), String(k), [...path, i], [...path, i]]);
  else if (isObject(on)) pairs = Object.entries(on).map(([l, r]) => [l, String(r), [...path, l], [...path, l]]);
  else return [];
  const ok: [string, string][] = [];
  for (const [l, r, pl, pr] of pairs) {
    const before = flow.problems.length;
    const hasL = requireColumn(l, pl, left, flow, step, 'on the left side of the join');
    if (isMap && flow.problems.length > before) flow.problems[before].key = true;
    const hasR = requireColumn(r, pr, right, flow, step, 'in the joined table');
    if (hasL && hasR) ok.push([l, r]);
  }
  return ok;
}

/** Output of a join: Arquero keeps both sides, drops the right copy of equal-named keys, and suffixes other clashes. */
function joined(left: Columns, right: Columns, keys: [string, string][], [s1, s2]: [string, string]): Columns {
  const shared = new Set(keys.filter(([l, r]) => l === r).map(([l]) => l));
  const out: Columns = new Map();
  const rightNames = [...right.keys()].filter((n) => !shared.has(n));
  const clash = new Set(rightNames.filter((n) => left.has(n)));
  for (const [name, origins] of left) {
    const merged = shared.has(name) ? new Set([...origins, ...(right.get(name) ?? [])]) : origins;
    out.set(clash.has(name) ? name + s1 : name, merged);
  }
  for (const name of rightNames) out.set(clash.has(name) ? name + s2 : name, right.get(name)!);
  return out;
}

function suffixes(s: unknown): [string, string] {
  return Array.isArray(s) && s.length === 2 ? [String(s[0]), String(s[1])] : ['_1', '_2'];
}

/** Check the column and param references of one expression against the columns in scope, and literals compared with code columns. */
function expression(expr: unknown, path: ValuePath, context: ExprContext, scope: Partial<Record<'d' | 'a' | 'b', Columns>>, flow: Flow, step: number): void {
  if (typeof expr !== 'string') return;
  const { columns, params, comparisons } = checkExpression(expr, context);
  for (const ref of columns) {
    const within = scope[ref.table];
    if (!within) continue;
    const where = ref.table === 'b' ? 'in the joined table (b)' : ref.table === 'a' ? 'on the left side of the join (a)' : 'at this step';
    requireColumn(ref.name, path, within, flow, step, where, ref.offset, ref.length);
  }
  for (const c of comparisons) {
    const problem = literalProblem(c.column.name, c.value, scope[c.column.table]?.get(c.column.name));
    if (problem) flow.problems.push({ step, path, offset: c.offset, length: c.length, ...problem });
  }
  if (flow.params) {
    for (const ref of params) {
      if (!flow.params.has(ref.name)) {
        flow.problems.push({
          code: 'undeclared-param', step, path, offset: ref.offset, length: ref.length,
          message: `param \`${ref.name}\` is used but not declared`,
          fix: `declare it under params: (${ref.name}: { type, default, description })`,
        });
      }
    }
  }
}

/** How values of each typed column are held, for literals compared with them. */
const LITERAL_FORMS: Partial<Record<ColumnType, { test: (v: string | number) => boolean; form: string; example: string }>> = {
  date: { test: (v) => typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v), form: "text 'YYYY-MM-DD'", example: "'2024-01-31'" },
  month: { test: (v) => typeof v === 'string' && /^\d{4}-\d{2}$/.test(v), form: "text 'YYYY-MM'", example: "'2024-01'" },
  datetime: { test: (v) => typeof v === 'string' && /^\d{4}-\d{2}-\d{2}( \d{2}(:\d{2}){0,2})?$/.test(v), form: "text 'YYYY-MM-DD HH:MM:SS'", example: "'2024-01-31 18:00:00'" },
  money: { test: (v) => typeof v === 'number', form: 'a number of fen', example: 'a number in fen (500000 for 5000 yuan), or a money param' },
  int: { test: (v) => typeof v === 'number', form: 'a whole number', example: 'a number without quotes' },
};

/**
 * A literal compared with a typed column must be written as the loader holds
 * that column's values: one of the canonical codes for code columns (the
 * loader turns every spelling into those, so `d.status == 'success'` would
 * never be true), 'YYYY-MM-DD' text for dates, a number for money, …
 */
function literalProblem(column: string, value: string | number, origins: Set<string> | undefined): { code: string; message: string; fix: string } | undefined {
  for (const origin of origins ?? []) {
    const [t, c] = origin.split('.');
    const def = columnDef(t, c);
    if (!def) continue;
    const text = String(value);
    if (text === '') return undefined; // a test for blank, as the kinds write it
    if (def.codes) {
      if (def.codes.some((v) => v.value === text)) return undefined;
      const alias = def.codes.find((v) => v.aliases.some((a) => a.trim().toLowerCase() === text.trim().toLowerCase()));
      return alias
        ? { code: 'unknown-code', message: `\`${text}\` is not how ${column} values are loaded`, fix: `write '${alias.value}': every spelling of it in the exports, '${text}' among them, is loaded as '${alias.value}'` }
        : { code: 'unknown-code', message: `\`${text}\` is not a value of ${t}.${c}`, fix: `${t}.${c} holds one of: ${def.codes.map((v) => `'${v.value}'`).join(', ')}` };
    }
    const form = LITERAL_FORMS[def.type];
    if (form && !form.test(value)) {
      return { code: 'literal-type', message: `${JSON.stringify(value)} is compared with ${column}, which holds ${form.form}`, fix: `write ${form.example}` };
    }
    return undefined;
  }
  return undefined;
}

/** Check one expression over columns known by name and canonical origins (a kind's table), as a pipeline step would be. */
export function analyseExpression(expr: string, context: ExprContext, columns: Record<string, string[]>): PipelineProblem[] {
  const cols: Columns = new Map(Object.entries(columns).map(([name, origins]) => [name, new Set(origins)]));
  const flow: Flow = { tables: [], used: new Map(), problems: [] };
  expression(expr, [], context, { d: cols }, flow, -1);
  return flow.problems;
}

/** True when `name` is a column of `within`; marks its canonical origins as read, or records the problem. */
function requireColumn(name: unknown, path: ValuePath, within: Columns, flow: Flow, step: number, where: string, offset?: number, length?: number): name is string {
  if (typeof name !== 'string') return false;
  const origins = within.get(name);
  if (origins) {
    for (const o of origins) {
      const [t, c] = o.split('.');
      if (!flow.used.has(t)) flow.used.set(t, new Set());
      flow.used.get(t)!.add(c);
    }
    return true;
  }
  const names = [...within.keys()];
  const near = nearestName(name, names);
  const dropped = droppedBy.get(within)?.get(name);
  flow.problems.push({
    code: 'unknown-column', step, path, offset, length,
    message: dropped ? `column \`${name}\` is no longer there ${where}: ${dropped} left it out` : `unknown column \`${name}\` ${where}`,
    fix: `${near ? `did you mean \`${near}\`? ` : ''}columns here: ${names.length > 30 ? names.slice(0, 30).join(', ') + ', …' : names.join(', ')}`,
  });
  return false;
}

function list(v: unknown): string[] {
  return Array.isArray(v) ? v.map((x) => (typeof x === 'string' ? x : String(x))) : [];
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
