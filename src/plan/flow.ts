/**
 * Reads a pipeline of verbs into a plan relation, following its columns step
 * by step: which canonical tables and columns it reads, which columns each
 * step outputs (with their lineage and personal-data kind), the evidence
 * slots, and every reference to a table or column that does not exist at
 * that point. Nothing runs. The column rules are the rule language's (see
 * docs/rules.md, "The check: verbs"); every executor implements them.
 *
 * Input steps come from a rule file (expressions as text, parsed once by the
 * caller and looked up by path) or from a check kind (expressions as trees).
 * The reader never trusts the shape: the schema check reports malformed steps,
 * and the reader notes that it could not read them.
 */
import { TABLE_NAMES, columnDef, tableDef, type ColumnType } from '../data/tables.js';
import type { RulePath } from '../errors.js';
import { columnRefs, nodes, type Expr, type Side } from './ast.js';
import type { ExprContext, ParsedExpression } from './expression.js';
import { computedColumn, exprLineage, loadedColumn, mergedColumn } from './lineage.js';
import type { JoinHow, JoinOutput, KeyPair, NamedExpr, Output, PlanColumn, PlanProblem, PlanStep, Relation, Slot, StepSpec } from './model.js';
import { nearestName } from './nearest.js';
import { reservedName } from '../names.js';

/** The columns flowing between steps, by name, in order. */
export type Columns = Map<string, PlanColumn>;

/** Columns in scope, with those that earlier steps had and which step dropped them ("the rollup at step 3"), for clearer messages. */
interface Scope {
  columns: Columns;
  dropped: Map<string, string>;
}

/** What the reader carries from step to step. */
interface State extends Scope {
  groups: string[];
  slots: Slot[];
  /** The orderby whose keys rank rows (`op.rank` and its kin), or what ended it; undefined: there was none. */
  order?: Order;
}

/** The keys of the orderby in force (by their names now), or why none is (docs/rules.md, "Order of rows"). */
type Order = { keys: string[] } | { ended: string; fix: string };

/** Window functions that compare rows by the orderby's keys: they need one in force. */
const PEER_FUNCTIONS = new Set(['rank', 'dense_rank', 'cume_dist']);
/** Steps after which rows no longer carry an orderby's keys as it sorted them. */
const ENDS_ORDER = new Set(['join', 'rollup', 'count', 'dedupe', 'concat']);

/** An expression slot as read: parsed from the rule's text (with places) or built by a kind; undefined when malformed. */
interface ExprIn {
  parsed?: ParsedExpression;
  built?: Expr;
}

/** Looks up the parse of the expression text at a path of the rule file. */
export type ExpressionLookup = (path: RulePath) => ParsedExpression | undefined;

const VERBS = new Set(['filter', 'derive', 'select', 'rename', 'join', 'semijoin', 'antijoin', 'lookup', 'groupby', 'ungroup', 'rollup', 'count', 'dedupe', 'orderby', 'concat']);

/** How values of each typed column are held, for literals compared with them. */
const LITERAL_FORMS: Partial<Record<ColumnType, { test: (v: string | number) => boolean; form: string; example: string }>> = {
  date: { test: (v) => typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v), form: "text 'YYYY-MM-DD'", example: "'2024-01-31'" },
  month: { test: (v) => typeof v === 'string' && /^\d{4}-\d{2}$/.test(v), form: "text 'YYYY-MM'", example: "'2024-01'" },
  datetime: { test: (v) => typeof v === 'string' && /^\d{4}-\d{2}-\d{2}( \d{2}(:\d{2}){0,2})?$/.test(v), form: "text 'YYYY-MM-DD HH:MM:SS'", example: "'2024-01-31 18:00:00'" },
  money: { test: (v) => typeof v === 'number', form: 'a number of fen', example: 'a number in fen (500000 for 5000 yuan), or a money param' },
  int: { test: (v) => typeof v === 'number', form: 'a whole number', example: 'a number without quotes' },
};

export const isExpr = (v: unknown): v is Expr => isObject(v) && typeof v.type === 'string' && !('from' in v);
/** A relation a kind has already built (and that is not read again). */
const isRelation = (v: unknown): v is Relation => isObject(v) && isObject(v.slot) && isObject(v.out);

/**
 * Reads relations and records what they read and every problem. One reader
 * serves one check, so that slots are numbered across all its relations.
 */
export class PipelineReader {
  /** Canonical tables read, in order of first use. */
  readonly tables: string[] = [];
  /** Per canonical table, the columns read (referenced by an expression, a key or a column list). */
  readonly used = new Map<string, Set<string>>();
  readonly problems: PlanProblem[] = [];
  /** False once a step could not be read (malformed: the schema check says why); the plan is then incomplete. */
  complete = true;
  private nextSlot = 0;
  /** The dropped-columns note of each relation's output, for messages about a column read after it. */
  private readonly droppedAt = new WeakMap<Output, Map<string, string>>();
  /** The orderby in force at each relation's output, for steps a kind adds to it later. */
  private readonly orderAt = new WeakMap<Output, Order>();

  constructor(readonly parsed: ExpressionLookup) {}

  /** A canonical table name or a nested pipeline `{ from, steps }`; undefined (with a problem) when its table is unknown. */
  relation(ref: unknown, path: RulePath): Relation | undefined {
    if (isRelation(ref)) return ref;
    if (typeof ref === 'string') return this.base(ref, path);
    if (isObject(ref) && typeof ref.from === 'string') return this.pipeline(ref.from, ref.steps, path);
    this.complete = false;
    return undefined;
  }

  /** Reads `from` then each step (raw, as in a rule file, or as a kind writes them); undefined when `from` is unknown. */
  pipeline(from: string, steps: unknown, path: RulePath): Relation | undefined {
    const start = this.base(from, [...path, 'from']);
    if (!start) return undefined;
    return this.steps(start, Array.isArray(steps) ? steps : [], [...path, 'steps']);
  }

  /**
   * Applies more steps to a relation. `at` is where the steps are in the file
   * (each at `[...at, i]`), or a fixed path for a kind's own. Undefined when a
   * step joins a table that is unknown: what follows it cannot be known either.
   */
  steps(rel: Relation, steps: unknown[], at: RulePath, fixed = false): Relation | undefined {
    let state: State = { ...stateOf(rel.out), dropped: new Map(this.droppedAt.get(rel.out)), order: this.orderAt.get(rel.out) };
    const out: PlanStep[] = [...rel.steps];
    for (const [i, raw] of steps.entries()) {
      const path = fixed ? at : [...at, i];
      const verb = isObject(raw) && Object.keys(raw).length === 1 ? Object.keys(raw)[0] : undefined;
      if (!verb || !VERBS.has(verb)) {
        this.complete = false;
        continue;
      }
      const r = this.step(verb, (raw as Record<string, unknown>)[verb], state, path, fixed);
      if (!r) {
        this.complete = false;
        return undefined;
      }
      const dropped = new Map(state.dropped);
      for (const name of state.columns.keys()) if (!r.state.columns.has(name)) dropped.set(name, `the ${verb} at step ${i + 1}`);
      for (const name of r.state.columns.keys()) dropped.delete(name);
      const order = orderAfter(verb, r.spec, state, r.state, `the ${verb} at step ${i + 1}`);
      state = { ...r.state, dropped, order };
      if (r.spec) out.push({ ...r.spec, path, out: outputOf(state) } as PlanStep);
    }
    const output = outputOf(state);
    this.droppedAt.set(output, state.dropped);
    if (state.order) this.orderAt.set(output, state.order);
    return { ...rel, steps: out, out: output };
  }

  /** The scope of a relation's output. */
  private scopeOf(rel: Relation): Scope {
    return { columns: columnsOf(rel.out), dropped: this.droppedAt.get(rel.out) ?? new Map() };
  }

  private base(name: string, path: RulePath): Relation | undefined {
    const def = tableDef(name);
    if (!def) {
      const near = nearestName(name, TABLE_NAMES);
      this.problems.push({
        stage: 'columns', code: 'unknown-table', path,
        message: `unknown table \`${name}\``,
        fix: `${near ? `did you mean \`${near}\`? ` : ''}the canonical tables are ${TABLE_NAMES.join(', ')}`,
      });
      return undefined;
    }
    if (!this.tables.includes(name)) this.tables.push(name);
    const slot: Slot = { id: this.nextSlot++, table: name };
    const columns = def.columns.map((c) => loadedColumn(name, c.name));
    return { from: name, slot, steps: [], out: { columns, groups: [], slots: [slot] } };
  }

  /** One step: its spec for the plan (undefined when it cannot be read) and the state after it (undefined: the flow stops). */
  private step(verb: string, arg: unknown, s: State, path: RulePath, fixed: boolean): { spec?: StepSpec; state: State } | undefined {
    const at = fixed ? path : [...path, verb];
    switch (verb) {
      case 'filter': {
        const where = this.expression(arg, at, 'row', { d: s });
        if (where) this.needOrder(where, s, at);
        return { spec: where && { verb, where }, state: s };
      }
      case 'derive':
      case 'rollup':
        return this.named(verb, arg, s, at, fixed);
      case 'select': {
        const names = list(arg).filter((name, i) => this.need(name, fixed ? at : [...at, i], s));
        const columns: Columns = new Map(names.map((n) => [n, s.columns.get(n)!]));
        return { spec: this.shaped(Array.isArray(arg), { verb, names }), state: { ...s, columns, groups: s.groups.filter((g) => columns.has(g)) } };
      }
      case 'rename':
        return this.rename(arg, s, at, fixed);
      case 'join':
      case 'semijoin':
      case 'antijoin':
      case 'lookup':
        return this.join(verb, arg, s, at, fixed);
      case 'groupby': {
        const keys = list(arg).filter((name, i) => this.need(name, fixed ? at : [...at, i], s));
        return { spec: this.shaped(Array.isArray(arg), { verb, keys }), state: { ...s, groups: keys } };
      }
      case 'ungroup':
        return { spec: { verb }, state: { ...s, groups: [] } };
      case 'count': {
        const as = isObject(arg) && typeof arg.as === 'string' ? arg.as : 'count';
        this.define(as, fixed ? at : [...at, 'as']);
        const columns = groupColumns(s);
        columns.set(as, { name: as, sources: [], lineage: [], via: ['count'] });
        return { spec: this.shaped(isObject(arg), { verb, as }), state: { ...s, columns, groups: [] } };
      }
      case 'dedupe': {
        const keys = list(arg);
        keys.forEach((name, i) => this.need(name, fixed ? at : [...at, i], s));
        return { spec: this.shaped(Array.isArray(arg), { verb, keys }), state: s };
      }
      case 'orderby': {
        const keys = list(arg).map((spec) => ({ name: spec.replace(/^-/, ''), desc: spec.startsWith('-') }));
        keys.forEach((k, i) => this.need(k.name, fixed ? at : [...at, i], s));
        return { spec: this.shaped(Array.isArray(arg), { verb, keys }), state: s };
      }
      case 'concat':
        return this.concat(arg, s, at, fixed);
      default:
        return { state: s };
    }
  }

  /** The spec, when its argument had the shape the verb needs; else the plan is incomplete. */
  private shaped<T extends StepSpec>(ok: boolean, spec: T): T | undefined {
    if (!ok) this.complete = false;
    return ok ? spec : undefined;
  }

  /** derive (adds or replaces columns in place) and rollup (group keys plus the new columns); each expression sees the columns before the step. */
  private named(verb: 'derive' | 'rollup', arg: unknown, s: State, at: RulePath, fixed: boolean): { spec?: StepSpec; state: State } {
    if (!isObject(arg)) {
      this.complete = false;
      return { state: s };
    }
    const columns: Columns = verb === 'derive' ? new Map(s.columns) : groupColumns(s);
    const values: NamedExpr[] = [];
    let readable = true;
    for (const [name, raw] of Object.entries(arg)) {
      this.define(name, fixed ? at : [...at, name], !fixed);
      const expr = this.expression(raw, fixed ? at : [...at, name], verb === 'rollup' ? 'aggregate' : 'row', { d: s });
      if (expr && verb === 'derive') this.needOrder(expr, s, fixed ? at : [...at, name]);
      if (expr) values.push({ name, expr });
      else readable = false;
      columns.set(name, computedColumn(name, verb, expr ? exprLineage(expr, { d: s.columns }) : { lineage: new Set(), via: new Set() }));
    }
    return { spec: readable ? { verb, values } : undefined, state: { ...s, columns, groups: verb === 'rollup' ? [] : s.groups } };
  }

  private rename(arg: unknown, s: State, at: RulePath, fixed: boolean): { spec?: StepSpec; state: State } {
    if (!isObject(arg)) {
      this.complete = false;
      return { state: s };
    }
    const renames = new Map(Object.entries(arg).filter((e): e is [string, string] => typeof e[1] === 'string'));
    for (const [from, to] of renames) {
      this.need(from, fixed ? at : [...at, from], s);
      this.define(to, fixed ? at : [...at, from]);
    }
    const columns: Columns = new Map();
    for (const [name, c] of s.columns) {
      const to = renames.get(name);
      columns.set(to ?? name, to === undefined ? c : { ...c, name: to, via: [...new Set([...c.via, 'rename'])] });
    }
    return { spec: { verb: 'rename', renames: [...renames] }, state: { ...s, columns, groups: s.groups.map((g) => renames.get(g) ?? g) } };
  }

  /** join, semijoin, antijoin and lookup: the other table, how rows match, and the columns and slots that come out. */
  private join(verb: 'join' | 'semijoin' | 'antijoin' | 'lookup', arg: unknown, s: State, at: RulePath, fixed: boolean): { spec?: StepSpec; state: State } | undefined {
    if (!isObject(arg)) {
      this.complete = false;
      return { state: s };
    }
    let conditionOk = true;
    if (verb !== 'lookup' && arg.on === undefined && arg.where === undefined) {
      conditionOk = false;
      this.problems.push({
        stage: 'columns', code: 'join-condition', path: at, message: `${verb} needs \`on\` or \`where\``,
        fix: 'say how rows match: on: id_number (columns in both tables), or where: (a, b) => a.id_number == b.id_number',
      });
    } else if (arg.on !== undefined && arg.where !== undefined) {
      conditionOk = false;
      this.problems.push({ stage: 'columns', code: 'join-condition', path: fixed ? at : [...at, 'where'], key: !fixed, message: `${verb} takes either \`on\` or \`where\`, not both`, fix: 'keep on for equal keys, or fold the keys into the where predicate' });
    }
    const right = this.relation(arg.with, fixed ? at : [...at, 'with']);
    if (!right) return verb === 'semijoin' || verb === 'antijoin' ? { state: s } : undefined;
    const rightScope = this.scopeOf(right);
    const rightColumns = rightScope.columns;
    const keys = this.joinKeys(arg.on, s, rightScope, fixed ? at : [...at, 'on'], fixed);
    const where = typeof arg.where === 'string' || isExpr(arg.where) ? this.expression(arg.where, fixed ? at : [...at, 'where'], 'join', { a: s, b: rightScope }) : undefined;
    const on = arg.on !== undefined ? keys : undefined;
    const condition = conditionOk && (on !== undefined || where !== undefined);
    if (!condition) this.complete = false;
    if (verb === 'semijoin' || verb === 'antijoin') {
      return { spec: condition ? { verb, with: right, on, where } : undefined, state: s };
    }
    if (verb === 'lookup') return this.lookup(arg, s, right, keys, at, fixed);
    const how: JoinHow = arg.how === 'left' || arg.how === 'right' || arg.how === 'full' ? arg.how : 'inner';
    const suffix = suffixes(arg.suffix);
    // Without a condition (a problem already), the flow goes on as if joined on the shared names.
    const output = joinOutput(s.columns, rightColumns, where === undefined ? keys : undefined, how, suffix);
    const columns = joinedColumns(s.columns, rightColumns, output);
    for (const [from, to] of [...output.left, ...output.right]) if (from !== to) this.define(to, fixed ? at : [...at, 'suffix']);
    if (columns.size !== output.left.length + output.right.length) {
      this.complete = false;
      this.problems.push({
        stage: 'columns', code: 'join-condition', path: fixed ? at : [...at, 'suffix'], message: 'the join would output two columns of one name',
        fix: 'give the two suffixes different values, or rename the clashing columns before the join',
      });
    }
    const state: State = { ...s, columns, groups: [], slots: [...s.slots, ...right.out.slots] };
    return { spec: condition ? { verb: 'join', with: right, how, on, where, output } : undefined, state };
  }

  private lookup(arg: Record<string, unknown>, s: State, right: Relation, keys: KeyPair[], at: RulePath, fixed: boolean): { spec?: StepSpec; state: State } {
    const rightScope = this.scopeOf(right);
    const rightColumns = rightScope.columns;
    const columns = new Map(s.columns);
    const values = list(arg.values).filter((name, i) => {
      if (!this.need(name, fixed ? at : [...at, 'values', i], rightScope, 'in the lookup table')) return false;
      columns.set(name, { ...rightColumns.get(name)!, via: [...new Set([...rightColumns.get(name)!.via, 'lookup'])] });
      return true;
    });
    // The looked-up row is evidence too, unless the rows already carry that table (a lookup of a summary of the same table).
    const mine = new Set(s.slots.map((x) => x.table));
    const added = right.out.slots.filter((x) => !mine.has(x.table));
    const ok = Array.isArray(arg.values) && arg.on !== undefined;
    if (!ok) this.complete = false;
    return {
      spec: ok ? { verb: 'lookup', with: right, on: keys, values, slots: added.map((x) => x.id) } : undefined,
      state: { ...s, columns, slots: [...s.slots, ...added] },
    };
  }

  /** Rows of other tables appended under this relation's columns; each of their slots fills this relation's slot of the same table. */
  private concat(arg: unknown, s: State, at: RulePath, fixed: boolean): { spec?: StepSpec; state: State } {
    const refs = Array.isArray(arg) ? arg : [];
    if (!Array.isArray(arg)) this.complete = false;
    const tables: Relation[] = [];
    const mapping: Array<Array<[number, number]>> = [];
    let slots = [...s.slots];
    refs.forEach((ref, i) => {
      const r = this.relation(ref, fixed ? at : [...at, i]);
      if (!r) return;
      tables.push(r);
      const taken = new Set<number>();
      const pairs: Array<[number, number]> = [];
      for (const slot of r.out.slots) {
        let to = slots.find((x) => x.table === slot.table && !taken.has(x.id));
        if (!to) slots = [...slots, (to = slot)];
        taken.add(to.id);
        pairs.push([slot.id, to.id]);
      }
      mapping.push(pairs);
    });
    const ok = tables.length === refs.length;
    // A column holds the appended tables' values of the same name too: its lineage and kind are theirs as well.
    const columns: Columns = new Map(s.columns);
    for (const r of tables) {
      for (const c of r.out.columns) {
        const mine = columns.get(c.name);
        if (mine) columns.set(c.name, { ...mergedColumn(c.name, mine, c), sources: mine.sources, via: [...new Set([...mine.via, ...c.via, 'concat'])] });
      }
    }
    return { spec: ok ? { verb: 'concat', tables, slots: mapping } : undefined, state: { ...s, columns, slots } };
  }

  /** Key pairs of a join, each checked on its side. Without `on`, the names both sides share. */
  private joinKeys(on: unknown, left: Scope, right: Scope, path: RulePath, fixed: boolean): KeyPair[] {
    if (on === undefined) return [...left.columns.keys()].filter((k) => right.columns.has(k)).map((k) => [k, k]);
    let pairs: [string, string, RulePath][];
    const isMap = isObject(on);
    if (typeof on === 'string') pairs = [[on, on, path]];
    else if (Array.isArray(on)) pairs = on.map((k, i) => [String(k), String(k), fixed ? path : [...path, i]]);
    else if (isMap) pairs = Object.entries(on).map(([l, r]) => [l, String(r), fixed ? path : [...path, l]]);
    else {
      this.complete = false;
      return [];
    }
    const ok: KeyPair[] = [];
    for (const [l, r, p] of pairs) {
      const before = this.problems.length;
      const hasL = this.need(l, p, left, 'on the left side of the join');
      if (isMap && !fixed && this.problems.length > before) this.problems[before].key = true;
      const hasR = this.need(r, p, right, 'in the joined table');
      if (hasL && hasR) ok.push([l, r]);
    }
    if (ok.length !== pairs.length) this.complete = false;
    return ok;
  }

  /**
   * Reads one expression slot and checks its column references against the
   * columns in scope, and literals compared with code and typed columns.
   * Returns its tree, or undefined when it has none (not text, or problems).
   */
  private expression(raw: unknown, path: RulePath, context: ExprContext, scope: Partial<Record<Side, Scope>>): Expr | undefined {
    if (isExpr(raw)) {
      // A kind's own expression: its columns are the kind's to get right; a wrong one is still found.
      for (const ref of columnRefs(raw)) {
        const within = scope[ref.side];
        if (within) this.need(ref.name, path, within, whereOf(ref.side));
      }
      return raw;
    }
    const parsed = typeof raw === 'string' ? this.parsed(path) : undefined;
    if (!parsed) {
      this.complete = false;
      return undefined;
    }
    for (const ref of parsed.columns) {
      const within = scope[ref.table];
      if (within) this.need(ref.name, path, within, whereOf(ref.table), ref.offset, ref.length);
    }
    for (const c of parsed.comparisons) {
      const problem = literalProblem(c.column.name, c.value, scope[c.column.table]?.columns.get(c.column.name));
      if (problem) this.problems.push({ stage: 'columns', path, offset: c.offset, length: c.length, ...problem });
    }
    if (!parsed.ast) this.complete = false;
    return parsed.ast;
  }

  /**
   * `op.rank`, `op.dense_rank` and `op.cume_dist` treat rows equal in the keys of the orderby in force as peers:
   * without one (none came before, or a step ended it or changed a key) the engines could only guess which rows are
   * peers, and would guess differently. Refused here, at its place, with how to give them one.
   */
  private needOrder(e: Expr, s: State, path: RulePath): void {
    if (s.order && 'keys' in s.order) return;
    const fn = [...nodes(e)].find((n): n is Extract<Expr, { type: 'call' }> => n.type === 'call' && PEER_FUNCTIONS.has(n.fn))?.fn;
    if (!fn) return;
    const why = s.order ? s.order.ended : 'no orderby comes before it';
    const fix = s.order ? s.order.fix : `put an orderby on the columns to rank by before this step (op.row_number() numbers rows in their order without one)`;
    this.problems.push({ stage: 'columns', code: 'rank-without-order', path, message: `op.${fn}() ranks rows by the keys of an orderby, and ${why}`, fix });
  }

  /**
   * A column name the step defines: names starting with `__` are the engine's
   * own (evidence slots), and prototype names (`constructor`, `__proto__`, …)
   * are what every object answers to; both are refused here, at their place.
   */
  private define(name: string, path: RulePath, key = false): void {
    const why = reservedName(name);
    if (!why) return;
    this.problems.push({ stage: 'columns', code: 'reserved-name', path, ...(key ? { key } : {}), message: `${why}: a column may not be named so`, fix: 'choose another name for the column' });
  }

  /**
   * True when `name` is a column of `within`; marks its canonical sources as
   * read, or records the problem (saying which step dropped it, when one did).
   */
  private need(name: unknown, path: RulePath, within: Scope, where = 'at this step', offset?: number, length?: number): name is string {
    if (typeof name !== 'string') return false;
    const c = within.columns.get(name);
    if (c) {
      for (const o of c.sources) {
        const [t, col] = o.split('.');
        if (!this.used.has(t)) this.used.set(t, new Set());
        this.used.get(t)!.add(col);
      }
      return true;
    }
    const names = [...within.columns.keys()];
    const near = nearestName(name, names);
    const dropped = within.dropped.get(name);
    this.problems.push({
      stage: 'columns', code: 'unknown-column', path, offset, length,
      message: dropped ? `column \`${name}\` is no longer there ${where}: ${dropped} left it out` : `unknown column \`${name}\` ${where}`,
      fix: `${near ? `did you mean \`${near}\`? ` : ''}columns here: ${names.length > 30 ? names.slice(0, 30).join(', ') + ', …' : names.join(', ')}`,
    });
    return false;
  }
}

function whereOf(side: Side): string {
  return side === 'b' ? 'in the joined table (b)' : side === 'a' ? 'on the left side of the join (a)' : 'at this step';
}

/**
 * The orderby in force after a step: an orderby sets it; a rename renames its keys; a join, rollup, count, dedupe or
 * concat ends it; a step that writes over a key (derive, lookup) or drops one (select) ends it too, since the rows
 * no longer carry the values it sorted by.
 */
function orderAfter(verb: string, spec: StepSpec | undefined, before: State, after: State, step: string): Order | undefined {
  if (verb === 'orderby') return spec?.verb === 'orderby' && spec.keys.length ? { keys: spec.keys.map((k) => k.name) } : before.order;
  const order = before.order;
  if (!order || !('keys' in order)) return order;
  if (ENDS_ORDER.has(verb)) return { ended: `${step} ends its order`, fix: `orderby again after ${step}` };
  if (verb === 'rename') {
    const renames = new Map(spec?.verb === 'rename' ? spec.renames : []);
    return { keys: order.keys.map((k) => renames.get(k) ?? k) };
  }
  for (const key of order.keys) {
    const now = after.columns.get(key);
    if (!now) return { ended: `${step} drops \`${key}\`, one of its keys`, fix: `keep \`${key}\` until the rank, or orderby again after ${step}` };
    if (now !== before.columns.get(key)) return { ended: `${step} writes over \`${key}\`, one of its keys`, fix: `give the new values another name, or orderby again after ${step}` };
  }
  return order;
}

function stateOf(out: Output): Omit<State, 'dropped'> {
  return { columns: columnsOf(out), groups: [...out.groups], slots: [...out.slots] };
}

function outputOf(s: State): Output {
  return { columns: [...s.columns.values()], groups: [...s.groups], slots: [...s.slots] };
}

/** The columns of an output, by name. */
export function columnsOf(out: Output): Columns {
  return new Map(out.columns.map((c) => [c.name, c]));
}

/** The group keys' columns, which a rollup or count keeps. */
function groupColumns(s: State): Columns {
  return new Map(s.groups.map((g) => [g, s.columns.get(g) ?? { name: g, sources: [], lineage: [], via: [] }]));
}

/**
 * The columns of a join, as the rule language defines them (and Arquero
 * behaves): the left's columns then the right's; keys of equal name on both
 * sides appear once (from the right in a right join, merged in a full join);
 * any other name on both sides takes the suffixes (`_1`, `_2` by default);
 * a `where` join has no keys, so every shared name is suffixed.
 */
export function joinOutput(left: Columns, right: Columns, keys: KeyPair[] | undefined, how: JoinHow, [s1, s2]: [string, string]): JoinOutput {
  const isect = new Set((keys ?? []).filter(([l, r]) => l === r).map(([l]) => l));
  const leftNames = [...left.keys()].filter((n) => how !== 'right' || !isect.has(n));
  const rightNames = [...right.keys()].filter((n) => how === 'right' || !isect.has(n));
  const clash = new Set(rightNames.filter((n) => leftNames.includes(n)));
  return {
    left: leftNames.map((n) => [n, clash.has(n) ? n + s1 : n]),
    right: rightNames.map((n) => [n, clash.has(n) ? n + s2 : n]),
    merged: how === 'full' ? [...isect] : [],
  };
}

function joinedColumns(left: Columns, right: Columns, output: JoinOutput): Columns {
  const out: Columns = new Map();
  const isect = (n: string) => right.has(n) && !output.right.some(([r]) => r === n);
  for (const [from, to] of output.left) {
    const l = left.get(from)!;
    // An equal-named key holds the same value on both sides (or the left's, where a left join found none).
    out.set(to, isect(from) ? mergedColumn(to, l, right.get(from)!) : { ...l, name: to });
  }
  for (const [from, to] of output.right) {
    const r = right.get(from)!;
    const key = left.has(from) && !output.left.some(([l]) => l === from);
    out.set(to, key ? mergedColumn(to, left.get(from)!, r) : { ...r, name: to });
  }
  return out;
}

function suffixes(s: unknown): [string, string] {
  return Array.isArray(s) && s.length === 2 ? [String(s[0]), String(s[1])] : ['_1', '_2'];
}

/**
 * A literal compared with a typed column must be written as the loader holds
 * that column's values: one of the canonical codes for code columns (the
 * loader turns every spelling into those, so `d.status == 'success'` would
 * never be true), 'YYYY-MM-DD' text for dates, a number for money, …
 */
export function literalProblem(column: string, value: string | number, col: PlanColumn | undefined): { code: string; message: string; fix: string } | undefined {
  for (const origin of col?.sources ?? []) {
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

function list(v: unknown): string[] {
  return Array.isArray(v) ? v.map((x) => (typeof x === 'string' ? x : String(x))) : [];
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
