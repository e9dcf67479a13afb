/**
 * The reference executor: runs a plan on Arquero, in memory. One Arquero
 * verb per plan step, expressions printed from the plan's trees (params bound
 * as `$`), and the plan's evidence slots carried as hidden columns `__e<slot>`
 * holding row indexes (arrays of them after a rollup). Nothing outside this
 * folder sees an Arquero table or those columns: a run returns plain rows
 * and evidence references. After every step the columns are checked against
 * the plan's, so that what the plan says a step outputs is what ran.
 */
import * as aq from 'arquero';
import type { ColumnTable } from 'arquero';
import type { LoadedTable, Value } from '../../data/model.js';
import { RunError } from '../../errors.js';
import type { CompiledRule } from '../../plan/compile.js';
import { pathText } from '../../plan/compile.js';
import type { KeyPair, NamedExpr, PlanStep, Relation, Slot } from '../../plan/model.js';
import type { ParamValues } from '../../rules/params.js';
import type { MemoryDataset } from '../dataset.js';
import type { EvidenceRef, ExecutionResult, Executor } from '../executor.js';
import { joinPredicate, rowExpression, type ColumnNames } from './expression.js';
import { registerFunctions } from './functions.js';
import { BudgetExceeded, checkJoin, equiJoinRows, type BudgetSettings, type JoinEstimate } from '../budget.js';

/** Prefix of the engine's own columns; rule authors' names may not start with it. */
const RESERVED = '__';
/** The row index column of a base table, renamed to its slot's column when read. */
const ROW = '__row';

const slotColumn = (id: number) => `__e${id}`;
const isInternal = (name: string) => name.startsWith(RESERVED);

interface Context {
  dataset: MemoryDataset;
  params: ParamValues;
  bases: Map<string, ColumnTable>;
  /** The rule's budget: joins are estimated against it before they run. */
  budget?: BudgetSettings;
  ruleId: string;
}

/** Runs plans on MemoryDatasets. Base tables are built once per dataset and shared by the rules of a run. */
export class ArqueroExecutor implements Executor<MemoryDataset> {
  readonly name = 'arquero';
  private readonly bases = new WeakMap<MemoryDataset, Map<string, ColumnTable>>();

  async run(rule: CompiledRule, params: ParamValues, dataset: MemoryDataset, budget?: BudgetSettings): Promise<ExecutionResult> {
    if (!rule.relation) throw new Error(`rule ${rule.rule.id} has no plan`);
    registerFunctions();
    let bases = this.bases.get(dataset);
    if (!bases) this.bases.set(dataset, (bases = new Map()));
    const t = relation(rule.relation, { dataset, params, bases, budget, ruleId: rule.rule.id });
    return result(t, rule.relation);
  }
}

/** The plain rows and evidence of the final table. Arquero's row objects are reused, their slot columns taken out. */
function result(t: ColumnTable, rel: Relation): ExecutionResult {
  const columns = t.columnNames().filter((c) => !isInternal(c));
  const slots = rel.out.slots.map((s) => ({ table: s.table, column: slotColumn(s.id) }));
  const rows = t.objects() as Record<string, unknown>[];
  const evidence: EvidenceRef[][] = [];
  for (const row of rows) {
    const refs: EvidenceRef[] = [];
    for (const s of slots) {
      const indexes = rowIndexes(row[s.column]);
      delete row[s.column];
      const same = refs.find((r) => r.table === s.table);
      if (same) for (const i of indexes) same.rows.push(i);
      else refs.push({ table: s.table, rows: indexes });
    }
    for (const c of columns) if (row[c] === undefined) row[c] = null;
    evidence.push(refs);
  }
  return { columns, rows, evidence };
}

/** Row indexes held in a slot cell: a number, or (after rollups) arrays of them, flattened. */
export function rowIndexes(cell: unknown, out: number[] = []): number[] {
  if (typeof cell === 'number') {
    if (Number.isInteger(cell) && cell >= 0) out.push(cell);
  } else if (cell && typeof cell === 'object' && typeof (cell as ArrayLike<unknown>).length === 'number') {
    const arr = cell as ArrayLike<unknown>;
    for (let i = 0; i < arr.length; i++) rowIndexes(arr[i], out);
  }
  return out;
}

/** The Arquero table of a loaded table, with its row index column. */
function baseTable(table: LoadedTable): ColumnTable {
  const columns: Record<string, ArrayLike<Value> | Int32Array> = {};
  for (const [name, values] of Object.entries(table.columns)) {
    // Arrays and typed arrays are used as they are (no copy of a million-row column); other array-likes are copied.
    columns[name] = Array.isArray(values) || ArrayBuffer.isView(values) ? values : Array.from(values);
  }
  const index = new Int32Array(table.rows);
  for (let i = 0; i < table.rows; i++) index[i] = i;
  columns[ROW] = index;
  return aq.table(columns as Record<string, ArrayLike<unknown>>);
}

/** A read of a base table into its slot, with this rule's params (a view: Arquero's params() mutates, so never the shared base). */
function read(slot: Slot, ctx: Context): ColumnTable {
  let base = ctx.bases.get(slot.table);
  if (!base) ctx.bases.set(slot.table, (base = baseTable(ctx.dataset.table(slot.table))));
  return base.rename({ [ROW]: slotColumn(slot.id) }).params(ctx.params) as ColumnTable;
}

function relation(rel: Relation, ctx: Context): ColumnTable {
  let t = read(rel.slot, ctx);
  for (const step of rel.steps) {
    try {
      t = apply(t, step, ctx);
    } catch (err) {
      if (err instanceof RunError || err instanceof BudgetExceeded) throw err;
      throw new RunError(`${step.verb} failed: ${(err as Error).message}`, pathText(step.path));
    }
    checkColumns(t, step);
  }
  return t;
}

/**
 * The executor did what the plan says: only the plan's columns, and its
 * evidence slots. A loaded table holds the canonical columns its files have,
 * in their header's order, so a plan column whose source the files lack (and
 * the rule does not need) is simply absent, and a table's own columns keep
 * the order they were loaded in (see docs/rules.md, "Columns").
 */
function checkColumns(t: ColumnTable, step: PlanStep): void {
  const names = t.columnNames();
  const visible = names.filter((n) => !isInternal(n));
  const planned = new Set(step.out.columns.map((c) => c.name));
  const slots = names.filter(isInternal).sort().join();
  const plannedSlots = step.out.slots.map((s) => slotColumn(s.id)).sort().join();
  if (!visible.every((n) => planned.has(n)) || slots !== plannedSlots) {
    throw new RunError(`the Arquero executor's ${step.verb} output [${visible.join(', ')}] (slots ${slots}), the plan [${[...planned].join(', ')}] (slots ${plannedSlots})`, pathText(step.path), 'this is a bug in fundaudit: report it with the rule');
  }
}

/** New column names must not look like the engine's own, or evidence could point anywhere. */
function checkNames(names: string[]): void {
  const bad = names.filter(isInternal);
  if (bad.length) throw new Error(`column names starting with ${RESERVED} are reserved for the engine: ${bad.join(', ')}; rename them`);
}

const derived = (values: NamedExpr[]) => Object.fromEntries(values.map((v) => [v.name, rowExpression(v.expr)]));
const slotsOf = (t: ColumnTable) => t.columnNames().filter(isInternal);
const keyArrays = (on: KeyPair[]): [string[], string[]] => [on.map(([l]) => l), on.map(([, r]) => r)];

/**
 * A predicate as Arquero takes it for a join: Arquero reads a plain string as
 * a key column's name, but parses any other value through its text.
 */
function predicate(text: string): object {
  return { toString: () => text };
}

/** Every slot's row index gathered per group. */
function slotRollup(t: ColumnTable): Record<string, string> {
  return Object.fromEntries(slotsOf(t).map((c) => [c, `op.array_agg(d[${JSON.stringify(c)}])`]));
}

function apply(t: ColumnTable, step: PlanStep, ctx: Context): ColumnTable {
  switch (step.verb) {
    case 'filter':
      return t.filter(rowExpression(step.where));
    case 'derive':
      checkNames(step.values.map((v) => v.name));
      return t.derive(derived(step.values));
    case 'select':
      return t.select([...new Set([...step.names, ...slotsOf(t)])]);
    case 'rename':
      checkNames(step.renames.flat());
      return t.rename(Object.fromEntries(step.renames));
    case 'join':
      return join(t, relation(step.with, ctx), step, ctx);
    case 'semijoin':
    case 'antijoin': {
      const other = relation(step.with, ctx);
      const cond = (step.on ? keyArrays(step.on) : predicate(joinPredicate(step.where!))) as never;
      return step.verb === 'semijoin' ? t.semijoin(other, cond) : t.antijoin(other, cond);
    }
    case 'lookup':
      return t.lookup(inOrder(relation(step.with, ctx)), keyArrays(step.on) as never, [...step.values, ...step.slots.map(slotColumn)]);
    case 'groupby':
      return t.groupby(step.keys);
    case 'ungroup':
      return t.ungroup();
    case 'rollup':
      checkNames(step.values.map((v) => v.name));
      return groupsInOrder(t).rollup({ ...derived(step.values), ...slotRollup(t) });
    case 'count':
      checkNames([step.as]);
      return groupsInOrder(t).rollup({ [step.as]: 'op.count()', ...slotRollup(t) });
    case 'dedupe':
      return t.dedupe(step.keys.length ? step.keys : t.columnNames().filter((c) => !isInternal(c)));
    case 'orderby':
      // Stable over the order before (docs/rules.md): Arquero's own orderby breaks ties by table order.
      return inOrder(t).orderby(...(step.keys.map((k) => (k.desc ? aq.desc(k.name) : k.name)) as never[]));
    case 'concat':
      return concat(t, step, ctx);
  }
}

/**
 * The table's rows in its order (docs/rules.md, "Order of rows"): Arquero
 * keeps an orderby as a sort over the rows, which a later orderby replaces
 * (its ties broken by table order) and which its groupby, lookup and concat
 * do not read (they scan rows by table order). Reified, the rows are in
 * that order.
 */
function inOrder(t: ColumnTable): ColumnTable {
  return t.isOrdered() ? (t.reify() as ColumnTable) : t;
}

/**
 * Groups numbered by their first row in the table's order, as a rollup's output lists them (docs/rules.md).
 * (Arquero's aggregates themselves read the rows in order: an ungrouped table is left as it is.)
 */
function groupsInOrder(t: ColumnTable): ColumnTable {
  return t.isOrdered() && t.isGrouped() ? (inOrder(t).ungroup().groupby(t.groups().names) as ColumnTable) : t;
}

/**
 * A join whose output columns are the plan's: clashing names are renamed to
 * their output names on each side before Arquero joins, so that Arquero's
 * own naming has nothing left to decide; the slots never clash.
 */
function join(left: ColumnTable, right: ColumnTable, step: Extract<PlanStep, { verb: 'join' }>, ctx: Context): ColumnTable {
  if (ctx.budget) checkJoin(estimateJoin(left, right, step), ctx.budget, ctx.ruleId, pathText(step.path));
  // Only columns the loaded files have: a plan column whose source is not loaded is absent.
  const renames = (pairs: Array<[string, string]>, t: ColumnTable) => new Map(pairs.filter(([from, to]) => from !== to && t.columnNames().includes(from)));
  const l = renames(step.output.left, left);
  const r = renames(step.output.right, right);
  const lt = l.size ? left.rename(Object.fromEntries(l)) : left;
  const rt = r.size ? right.rename(Object.fromEntries(r)) : right;
  const options = { left: step.how === 'left' || step.how === 'full', right: step.how === 'right' || step.how === 'full' };
  // Each side's row numbers in its own order, so that the joined rows can be put in the rule language's order.
  const lo = lt.ungroup().derive({ [JOIN_LEFT]: 'op.row_number()' }) as ColumnTable;
  const ro = rt.ungroup().derive({ [JOIN_RIGHT]: 'op.row_number()' }) as ColumnTable;
  let joined: ColumnTable;
  if (step.on) {
    const keys: [string[], string[]] = [step.on.map(([k]) => l.get(k) ?? k), step.on.map(([, k]) => r.get(k) ?? k)];
    joined = lo.join(ro, keys as never, undefined, options);
  } else {
    const names: ColumnNames = { a: (n) => l.get(n) ?? n, b: (n) => r.get(n) ?? n };
    joined = lo.join(ro, predicate(joinPredicate(step.where!, names)) as never, undefined, options);
  }
  return inJoinOrder(joined, lt.numRows(), rt.numRows());
}

const JOIN_LEFT = '__jl';
const JOIN_RIGHT = '__jr';
const JOIN_ORDER = '__jo';

/**
 * Joined rows in the rule language's order (docs/rules.md, "Joins"): the left
 * table's order, each left row's matches in the right table's order, then the
 * right rows no left row matched. Arquero's own order depends on which side it
 * hashes, that is on the tables' sizes.
 */
function inJoinOrder(t: ColumnTable, leftRows: number, rightRows: number): ColumnTable {
  const order = `(d) => (d.${JOIN_LEFT} == null ? ${leftRows + 1} : d.${JOIN_LEFT}) * ${rightRows + 2} + (d.${JOIN_RIGHT} == null ? 0 : d.${JOIN_RIGHT})`;
  const keep = t.columnNames().filter((c) => c !== JOIN_LEFT && c !== JOIN_RIGHT);
  return t.derive({ [JOIN_ORDER]: order }).orderby(JOIN_ORDER).reify().select(keep) as ColumnTable;
}

/**
 * A join's output estimated from its inputs before it runs: exact for a join
 * on keys (counted per key value on each side, one pass over each input), the
 * pairs it would test for a join on a condition.
 */
function estimateJoin(left: ColumnTable, right: ColumnTable, step: Extract<PlanStep, { verb: 'join' }>): JoinEstimate {
  const l = left.numRows();
  const r = right.numRows();
  if (!step.on) return { left: l, right: r, rows: l * r, exact: false };
  const keys = (t: ColumnTable, names: string[]) => {
    const columns = names.filter((n) => t.columnNames().includes(n)).map((n) => t.array(n) as ArrayLike<unknown>);
    const out: string[] = new Array(t.numRows());
    for (let i = 0; i < out.length; i++) out[i] = columns.map((c) => String(c[i])).join('\u0001');
    return out;
  };
  const rows = equiJoinRows(keys(left, step.on.map(([k]) => k)), keys(right, step.on.map(([, k]) => k)), step.how);
  return { left: l, right: r, rows, exact: true };
}

/** Appends the other tables' rows; their slots are renamed to the slots they fill, and slots missing here hold null. */
function concat(t: ColumnTable, step: Extract<PlanStep, { verb: 'concat' }>, ctx: Context): ColumnTable {
  const others = step.tables.map((rel, i) => {
    const o = relation(rel, ctx);
    const pairs = step.slots[i].filter(([from, to]) => from !== to).map(([from, to]) => [slotColumn(from), slotColumn(to)]);
    return pairs.length ? o.rename(Object.fromEntries(pairs)) : o;
  });
  const mine = new Set(t.columnNames());
  const missing: Record<string, string> = {};
  for (const s of step.out.slots) if (!mine.has(slotColumn(s.id))) missing[slotColumn(s.id)] = '() => null';
  return inOrder(Object.keys(missing).length ? t.derive(missing) : t).concat(...others.map(inOrder));
}
