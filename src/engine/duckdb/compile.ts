/**
 * A rule's plan (plan/model.ts) compiled to one DuckDB query: a chain of
 * CTEs, one per step, ending in a SELECT of the plan's output columns and
 * evidence slots. The SQL text holds only quoted identifiers the plan and the
 * table definitions named, literals of the rule's expression tree, and
 * `$p_<name>` placeholders for its params, bound as values when it runs.
 *
 * Every CTE carries, besides the visible columns:
 * - per evidence slot, hidden columns that say which base rows it rests on (the slot's `Evidence`, below):
 *   a base row's `__row` as `__e<slot>`; after a rollup, a reference to the row's group (its key values);
 * - `__o`: the rows' order (increasing; BIGINT, HUGEINT once a join multiplies it: `Current.wide`), which order-dependent steps read: dedupe keeps the
 *   first row, lookup the last match, rollups see groups' rows in it and groups come out by their first row,
 *   window functions and array_agg follow it, orderby reorders it (stably). After a join it is the left
 *   row's order, then the right row's; a right or full join's unmatched right rows follow all others.
 *
 * Evidence is built late: a rollup does not gather its groups' rows (lists of millions of row numbers that
 * DuckDB cannot spill, carried through every later step); each output row carries its group's keys instead,
 * and only the final SELECT, once the rule's filters have left few rows, turns the references of the rows
 * left into lists of base rows (`evidenceLists`), going back through each rollup's input on its keys.
 */
import type { Expr } from '../../plan/ast.js';
import type { KeyPair, NamedExpr, PlanStep, Relation } from '../../plan/model.js';
import { tableDef } from '../../data/tables.js';
import type { ParamDef } from '../../rules/model.js';
import { compileExpr, isValid, truthy, UnsupportedExpression, type ListSplit, type Scope, type SqlExpr, type SqlKind } from './expression.js';
import type { Once } from './functions.js';
import { ident } from './schema.js';
import { JOIN_FLOOR } from '../budget.js';

/** What the compiler needs of the loaded data: each table's columns as loaded, and how their values repeat. */
export interface TableShapes {
  columns(table: string): string[] | undefined;
  /**
   * Does a column hold few distinct values for its rows (dataset.ts, `repeats`): each on `times` rows or more on
   * average (the dataset's own measure when omitted)? Undefined when not measured yet: the compiler then lists the
   * column in `CompiledSql.unmeasured` and compiles as if it did not.
   */
  repeats?(table: string, column: string, times?: number): boolean | undefined;
  /** A table's rows as loaded (undefined: not known, and the compiler assumes nothing of it). */
  tableRows?(table: string): number | undefined;
  /**
   * The table holding a shared sub-table's keys (SharedSubplan), when the executor has computed it for the run:
   * the semijoin or antijoin then reads it instead of computing the sub-table. Undefined: computed in the query.
   */
  shared?(plan: SharedSubplan): string | undefined;
}

/**
 * A semijoin's or antijoin's sub-table whose rows are a rollup's groups (`sharedSubplan`), as a query of its own
 * giving the distinct values of the join's keys: all the join needs of it. Several rules of a run test rows against
 * the same sub-table (the batch runs of BENFORD-BY-OPERATOR and OPERATOR-OUTLIER-SHARE): the executor computes it
 * once for them (executor.ts, SharedTables).
 */
export interface SharedSubplan {
  /** The query with its slots' hidden columns numbered in order: equal for the same sub-table in any rule. */
  key: string;
  /** The query (params as `$p_<name>`). */
  sql: string;
  /** The key columns it gives, in the join's order. */
  columns: string[];
}

interface Col {
  name: string;
  kind: SqlKind;
  /** The base table's column whose values it holds, as loaded (no step has computed it). */
  origin?: { table: string; column: string };
  /**
   * A `light` CTE (cheap to read again) and its column among whose values (null aside) every value of this
   * one is: the latest such CTE the values passed through unchanged.
   */
  source?: { cte: string; column: string };
}

/**
 * What a slot's hidden columns hold, named from the slot's stem (`__e<slot>`):
 * - row: one base row's number, `<stem>` (null: none, as on a left join's unmatched side);
 * - group: a group of a rollup whose input is `cte`, by its key values `<stem>k<i>` (null keys are a group
 *   too), with `<stem>g` true (null: no group); the group's rows hold the slot as `inner` says, in `cte`.
 *   The slots a rollup outputs share one set of these columns, named from the first slot's stem: the others
 *   name it as their `owner`;
 * - list: the base rows' numbers themselves, `<stem>` (a BIGINT[]), gathered by a rollup that needs no
 *   lateness (`eagerRollup`);
 * - union: rows of a concat's parts, `<stem>p` the part's index and the part's columns under `<stem>u<part>_`.
 */
type Evidence =
  | { kind: 'row' }
  | { kind: 'list' }
  | { kind: 'group'; cte: string; keys: string[]; inner: Slot; owner?: number }
  | { kind: 'union'; parts: Array<Evidence | null> };

interface Slot {
  id: number;
  ev: Evidence;
}

const ROW: Evidence = { kind: 'row' };

/** A relation as compiled so far: the CTE its rows are in, and what those rows hold. */
interface Current {
  cte: string;
  columns: Col[];
  /** Evidence slots, and what their hidden columns hold. */
  slots: Slot[];
  groups: string[];
  /** The keys of the orderby in force (renamed with their columns): rows equal in them are peers for rank(). */
  peers: SortKey[] | null;
  /** Sets of columns the rows are known to be unique on (a dedupe's keys, a rollup's groups), for the join budget. */
  unique?: string[][];
  /** `__o` may pass BIGINT's range (it multiplies at each join); else row numbers or their sums. */
  wide?: boolean;
  /**
   * Only filters and row-by-row values over a base table's scan made the rows (no join, group, window or
   * sort): reading the CTE again costs a scan, so later steps may read it again (a column's `source`).
   */
  light?: boolean;
  /**
   * The rows are groups of a rollup a filter has since narrowed (say, the person-months a rule flags), no
   * join since: few, as rules keep the exceptions. Read again for the evidence, they are held rather than
   * computed again with the rollup under them (`Compiler.held`).
   */
  narrowed?: boolean;
  /** A rollup made the rows, with no join since (what `narrowed` needs before a filter). */
  grouped?: boolean;
  /**
   * The rows are some of the base table's (its scan's), each once: no join, rollup or concat made them — as many as
   * the table has at most, however computed (Compiler.metKeys).
   */
  subset?: boolean;
  /**
   * The rows are the groups of a rollup on keys (`cte`, made by Compiler.grouped), one for one, only row values,
   * groupings and selects since: these columns (and `__o`) hold the same values there. Aggregates over the rows
   * that read only them are computed from that CTE (GroupPass), which is read again anyway, rather than from the
   * step's input, which a second read would make DuckDB hold whole.
   */
  groupsOf?: { cte: string; columns: string[] };
  /**
   * An orderby whose order is not numbered yet: the rows' order is by these columns, then `__o` (which still holds
   * the order before it). Window functions order by them; the first step that reads `__o` otherwise, and the end of
   * the relation, number the rows then (`Compiler.settle`) — once the rule's filters have left few rows, rather than a
   * sort of every row besides the windows' own (RECEIPT-NUMBER-GAPS: 1.2M contributions sorted whole at 2M payout
   * rows, to number the 12 rows before a gap). Any numbering in the same order serves: the order is read only by
   * comparing two rows' (joins, concat and the evidence combine it so as to keep that).
   */
  sorted?: SortKey[];
  /**
   * Each row is made of one row of `cte` (an inner or left join's left input, unique on each set of `unique`) and
   * holds its values of `columns` unchanged: only filters, row values, groupings and selects since the join. A rollup
   * on keys among those columns holding such a set has one group per row of `cte` met (Compiler.fromLeft).
   */
  joined?: { cte: string; columns: string[]; unique: string[][] };
}

/** A column the rows are ordered by (an orderby's key). */
interface SortKey {
  name: string;
  desc: boolean;
}

/** The ORDER BY terms of sort keys. */
const sortTerms = (keys: readonly SortKey[]) => keys.map((k) => `${ident(k.name)} ${k.desc ? 'DESC NULLS LAST' : 'ASC NULLS FIRST'}`);

/** The ORDER BY terms of the rows' order: `__o`, after the columns of an orderby not numbered yet. */
const orderTerms = (cur: Current) => [...sortTerms(cur.sorted ?? []), ORDER].join(', ');

/** A CTE of base rows (`__f` the output row's order, and columns of row numbers), and the output slot `k` each is of. */
interface Leaf {
  src: string;
  rows: Array<{ k: number; stem: string; list: boolean }>;
}

/** One CTE of a rule's query: `name AS (body)`. */
export interface Cte {
  name: string;
  body: string;
}

/**
 * A join of the plan, as its budget check needs it (engine/budget.ts): the CTEs up to it, its two inputs, and
 * its keys on each side (null for a join on a condition, which tests every pair of rows).
 */
export interface JoinInputs {
  /** The join step's path in the rule file, for the message. */
  path: PlanStep['path'];
  how: 'inner' | 'left' | 'right' | 'full';
  /** How many of the query's CTEs define the two inputs. */
  ctes: number;
  left: string;
  right: string;
  keys: Array<[string, string]> | null;
  /**
   * The rows of one input are unique on its join keys (and the keys meet as they are): each row of the other
   * input matches at most one, so the join outputs at most its inputs' rows together, within any growth.
   */
  bounded: boolean;
  /** The tables the right input reads. */
  tables: string[];
}

/** A compiled rule: its SQL, the params it binds, and what its rows hold. */
export interface CompiledSql {
  sql: string;
  /** The CTEs the query is made of, in order (`sql` is WITH these, then the final SELECT). */
  ctes: Cte[];
  /** Every join step, in the order its CTE comes. */
  joins: JoinInputs[];
  /**
   * The query with the first sizing of some joins inside it (guardJoins), for a run under a budget: `joins` are
   * their indexes in `joins`; the others are sized before the query runs.
   */
  guarded?: { sql: string; joins: number[] };
  /** Params the SQL reads, by name (each as `$p_<name>`). */
  params: string[];
  /** Base columns the compiler asked `TableShapes.repeats` about that were not measured: measured, it may compile better. */
  unmeasured: Array<{ table: string; column: string }>;
  columns: Col[];
  /** The output's evidence columns: `__e<id>` per slot (a row number, or a list of them), with the slot's table. */
  slots: Array<{ id: number; table: string }>;
  /** The sub-tables it tests rows against that could be shared (SharedSubplan), each once, whether read from a table or not. */
  shares: SharedSubplan[];
}

/** A step the DuckDB compiler cannot translate (names the step). */
export class CompileError extends Error {
  constructor(
    message: string,
    readonly step?: PlanStep,
  ) {
    super(message);
  }
}

const KIND_OF_TYPE: Record<string, SqlKind> = { text: 'text', id: 'text', enum: 'text', month: 'month', date: 'date', datetime: 'datetime', money: 'int', int: 'int' };
const KIND_OF_PARAM: Record<ParamDef['type'], SqlKind> = { int: 'int', money: 'int', number: 'float', string: 'text', date: 'date', month: 'month', bool: 'boolean', list: 'list' };
const slotColumn = (id: number) => `__e${id}`;

/** The hidden columns of a slot whose columns are named from `stem`. */
function evidenceColumns(ev: Evidence, stem: string): string[] {
  switch (ev.kind) {
    case 'row':
    case 'list':
      return [stem];
    case 'group':
      return [`${stem}g`, ...ev.keys.map((_, i) => `${stem}k${i}`)];
    case 'union':
      return [`${stem}p`, ...ev.parts.flatMap((p, j) => (p ? evidenceColumns(p, `${stem}u${j}_`) : []))];
  }
}

/** The slot whose stem names a slot's columns (another, for a group shared with it). */
const ownerOf = (s: Slot) => (s.ev.kind === 'group' && s.ev.owner !== undefined ? s.ev.owner : s.id);

/** The hidden columns a slot carries itself (none for a group whose columns another slot carries). */
const slotColumns = (s: Slot) => (ownerOf(s) === s.id ? evidenceColumns(s.ev, slotColumn(s.id)) : []);

/** The hidden columns a slot's evidence is read from (its owner's, for a shared group). */
const readColumns = (s: Slot) => evidenceColumns(s.ev, slotColumn(ownerOf(s)));

/**
 * Some of a relation's slots, read from `alias`, as SELECT terms and the slots as they then are: a slot whose
 * group columns another slot carried, and that one is not among them, carries them itself.
 */
function carry(slots: Slot[], alias = ''): { select: string[]; slots: Slot[] } {
  const p = alias ? `${alias}.` : '';
  const ids = new Set(slots.map((s) => s.id));
  const select: string[] = [];
  const out = slots.map((s): Slot => {
    if (s.ev.kind !== 'group' || ids.has(ownerOf(s))) {
      select.push(...slotColumns(s).map((c) => p + ident(c)));
      return s;
    }
    const own: Slot = { id: s.id, ev: { ...s.ev, owner: undefined } };
    const names = slotColumns(own);
    select.push(...readColumns(s).map((c, i) => `${p}${ident(c)} AS ${ident(names[i])}`));
    return own;
  });
  return { select, slots: out };
}
const ORDER = '"__o"';

/** SQL kinds of a param as it is bound: a date as DATE, a list as VARCHAR[]. */
export function paramKind(def: ParamDef): SqlKind {
  return KIND_OF_PARAM[def.type];
}

/** Compiles a rule's plan. `params` are the rule's declared params (their types decide their kinds). */
export function compilePlan(relation: Relation, params: Record<string, ParamDef>, shapes: TableShapes): CompiledSql {
  const c = new Compiler(params, shapes, relation);
  const out = c.relation(relation);
  const evidence = c.evidenceLists(out);
  const select = [
    ...out.columns.map((col) => `${col.kind === 'date' || col.kind === 'datetime' ? `CAST(o.${ident(col.name)} AS VARCHAR)` : `o.${ident(col.name)}`} AS ${ident(col.name)}`),
    ...evidence.select,
  ];
  const tables = new Map(slotTables(relation));
  const final = `SELECT ${select.join(', ') || '1 AS "__empty"'} FROM ${out.cte} AS o${evidence.joins.join('')} ORDER BY o.${ORDER}`;
  const { held, cheap, notMaterialized } = c.materializing(final);
  const guarded = guardJoins(c.ctes, c.joins, final, new Set(cheap), notMaterialized);
  return {
    sql: withCtes(c.ctes, final, held, notMaterialized),
    guarded: guarded && { sql: withCtes(guarded.ctes, final, held, notMaterialized), joins: guarded.joins },
    ctes: c.ctes,
    joins: c.joins,
    params: [...c.used],
    unmeasured: [...c.unmeasured.values()],
    columns: out.columns,
    slots: out.slots.map((s) => ({ id: s.id, table: tables.get(s.id)! })),
    shares: [...new Map(c.shares.map((p) => [p.key, p])).values()],
  };
}

/** Steps after a sub-table's last rollup that keep its rows groups (one row per group at most). */
const KEEPS_GROUPS: ReadonlySet<PlanStep['verb']> = new Set(['filter', 'select', 'rename', 'derive', 'groupby', 'ungroup', 'dedupe', 'orderby']);

/**
 * Is a semijoin's or antijoin's sub-table one to share among rules (SharedSubplan): its rows a rollup's groups
 * (a filter after it keeps the exceptions: few), so that its keys are few beside the table it was computed from;
 * no join in it or under it, whose growth the rule's budget sizes in the rule's own query.
 */
function sharedSubplan(rel: Relation): boolean {
  let last = -1;
  rel.steps.forEach((s, i) => {
    if (s.verb === 'rollup' || s.verb === 'count') last = i;
  });
  return last >= 0 && rel.steps.slice(last + 1).every((s) => KEEPS_GROUPS.has(s.verb)) && !joinsIn(rel);
}

/** Does a relation or one it reads have a join or a concat? */
function joinsIn(rel: Relation): boolean {
  return rel.steps.some((s) => s.verb === 'join' || s.verb === 'concat' || ('with' in s && !!s.with && joinsIn(s.with)));
}

/** A query's text with the hidden columns of its slots (`__e<id>…`) numbered in the order they first appear. */
function slotsInOrder(sql: string): string {
  const seen = new Map<string, number>();
  return sql.replace(/"__e(\d+)/g, (_, id: string) => {
    if (!seen.has(id)) seen.set(id, seen.size);
    return `"__e${seen.get(id)}`;
  });
}

/** Every slot of a relation and its sub-relations, with its table. */
function slotTables(rel: Relation): Array<[number, string]> {
  const out: Array<[number, string]> = [[rel.slot.id, rel.slot.table]];
  for (const step of rel.steps) {
    if ('with' in step && step.with) out.push(...slotTables(step.with));
    if (step.verb === 'concat') for (const t of step.tables) out.push(...slotTables(t));
  }
  return out;
}

/** SQL that is safe to repeat as it is: a quoted column, a param, a literal. */
const SIMPLE = /^(?:"(?:[^"]|"")*"|\$p_\w+|CAST\(\$p_\w+ AS DATE\)|\(?-?\d+(?:\.\d+)?\)?|'(?:[^']|'')*'|NULL|true|false|CAST\(-?[0-9.eE+-]+ AS DOUBLE\))$/;

/**
 * The quoted identifiers an expression's SQL reads, or null when it reads a qualified one (`x."c"`), which is
 * not a column of the step's input. String literals are skipped; params and lambda variables are not quoted.
 */
function identifiers(text: string): string[] | null {
  const out: string[] = [];
  for (let i = 0; i < text.length; i++) {
    const quote = text[i];
    if (quote !== "'" && quote !== '"') continue;
    if (quote === '"' && text[i - 1] === '.') return null;
    let name = '';
    for (i++; i < text.length; i++) {
      if (text[i] === quote) {
        if (text[i + 1] !== quote) break;
        i++;
      }
      name += text[i];
    }
    if (quote === '"') out.push(name);
  }
  return out;
}

/**
 * Of COSTLY SQL, what costs much more than a lookup (a helper macro, a regular expression, a character map, a
 * function over a list, a parse): computed once per distinct value of a column whose values repeat at all. A cast
 * or padding alone (CAST_OR_PAD) costs about what the lookup does (a GROUP BY of the column and a join of every row
 * back on it): it is computed once per distinct value only of a column with far fewer (LIGHT_REPEATS rows a value)
 * — a month or a day, not a time of day or a person (OFF-HOURS-PAYOUT at 1M payout rows: three joins on op_time,
 * 207k values of 964k rows, and their grouping, 0.9 of the query's 1.5 operator-seconds, to cast each time to text).
 */
const HEAVY = /\b(?:fa_\w+|regexp_\w+|translate|list_transform|strptime)\(/;
const CAST_OR_PAD = /\blpad\(|AS (?:DATE|TIMESTAMP|VARCHAR)\)/;

/**
 * SQL worth computing once per distinct value rather than once per row: a helper macro (dates, identity
 * numbers), a regular expression, a character map, a function over a list, a text parsed as a date or a date
 * printed as text. Arithmetic and comparisons cost less than looking the value up.
 */
const COSTLY = new RegExp(`${HEAVY.source}|${CAST_OR_PAD.source}`);

/** Rows per distinct value from which a value of a column that is only COSTLY, not HEAVY, is computed once per value. */
const LIGHT_REPEATS = 64;

/** A group's aggregate computed by a GroupPass, which a step's input does not hold. */
const GROUPED = /"__x\d+"/;

/** Kinds of column a value is looked up by (exact equality: no NaN or -0 of a float, no list). */
const MEMO_KINDS: ReadonlySet<SqlKind> = new Set(['text', 'month', 'date', 'datetime', 'int']);

interface Let {
  name: string;
  sql: string;
  level: number;
  /** The step input's columns the value depends on (through the values it reads); null: something else. */
  deps: Set<string> | null;
}

/**
 * Values a step's expressions use more than once, computed as hidden columns (`__t<n>`) in CTEs before the
 * step, so that nested calls never multiply the SQL (a domain function reads its argument several times).
 *
 * Values of one column that cost more than a lookup (COSTLY), over a column whose values repeat (an identity
 * number on every month's payment, a month, a benefit item), are computed once per distinct value of the
 * column and joined back on it (null equal to null). The distinct values are read from the column's `source`,
 * the latest CTE cheap to read again that its values passed through unchanged (the step's input itself when
 * that is one), and null: the values of the rows that reach the step and of rows with the same lineage that
 * a join or group left out — the step's values are those of the rows, computed the same way.
 */
class Lets {
  private readonly items: Let[] = [];

  constructor(
    private readonly next: () => number,
    /**
     * Where to read the distinct values of a column of the step's input, when its values are computed once per
     * distinct value (`times`: rows per value it takes at least, when not the dataset's own measure).
     */
    private readonly keyed: (column: string, times?: number) => { cte: string; column: string } | undefined = () => undefined,
  ) {}

  /** The columns a value depends on, through the values it reads; null when it reads anything else. */
  private depsOf(text: string): Set<string> | null {
    const names = identifiers(text);
    if (!names) return null;
    const deps = new Set<string>();
    for (const n of names) {
      const item = this.items.find((i) => i.name === n);
      if (!item) deps.add(n);
      else if (!item.deps) return null;
      else for (const d of item.deps) deps.add(d);
    }
    return deps;
  }

  private add(e: SqlExpr, deps: Set<string> | null): SqlExpr {
    let item = this.items.find((i) => i.sql === e.sql);
    if (!item) {
      const level = 1 + Math.max(-1, ...this.items.filter((i) => e.sql.includes(ident(i.name))).map((i) => i.level));
      item = { name: `__t${this.next()}`, sql: e.sql, level, deps };
      this.items.push(item);
    }
    return { sql: ident(item.name), kind: e.kind };
  }

  readonly once: Once = (e) => {
    // Aggregates over groups and window functions are not values of a row: never computed ahead.
    if (SIMPLE.test(e.sql) || e.sql.includes(' OVER (') || GROUPED.test(e.sql)) return e;
    return this.add(e, this.depsOf(e.sql));
  };

  /**
   * A value computed ahead when it is one of a single column that may be computed once per distinct value
   * (`emit` does, when a value of the column is COSTLY: the cheap ones then come along); else as it is.
   */
  readonly memo: Once = (e) => {
    if (SIMPLE.test(e.sql) || e.sql.includes(' OVER (') || GROUPED.test(e.sql)) return e;
    const deps = this.depsOf(e.sql);
    if (!deps || deps.size !== 1 || !this.keyed([...deps][0])) return e;
    return this.add(e, deps);
  };

  /** The column a value is computed per distinct value of, if it is. */
  private keyOf(item: Let): string | null {
    if (!item.deps || item.deps.size !== 1) return null;
    const [column] = item.deps;
    if (!COSTLY.test(item.sql)) return null;
    return this.keyed(column, HEAVY.test(item.sql) ? undefined : LIGHT_REPEATS) ? column : null;
  }

  /**
   * Emits the CTEs computing the values over `from`, level by level; returns the CTE the step reads.
   * `again(name)`: the CTE is read twice and computed again where read.
   */
  emit(from: string, cte: (body: string, over?: string) => string, again: (name: string) => void = () => {}): string {
    const keys = new Set(this.items.map((i) => this.keyOf(i)).filter((k): k is string => k !== null));
    const done = new Set<Let>();
    for (const key of keys) {
      // Every value of the column alone (cheap ones too, as costly ones read them), and the constants they read.
      const mine = this.items.filter((i) => i.deps?.size === 1 && i.deps.has(key));
      const needed = new Set<Let>(mine);
      for (const i of needed) for (const j of this.items) if (j.deps?.size === 0 && i.sql.includes(ident(j.name))) needed.add(j);
      const source = this.keyed(key)!;
      // The distinct values as a GROUP BY, whose rows DuckDB estimates from the column's statistics (a DISTINCT it
      // estimated as many as its input, and so built the join's hash table on the step's rows instead: SHARED-PAYEE-
      // ACCOUNT's 963k payouts hashed to look up 38 items at 1M payout rows), and a HAVING that every group passes
      // (a group has a row), which DuckDB cannot push below the grouping and counts as a filter: the few values are
      // what the join builds on.
      const distinct = `SELECT ${ident(source.column)} AS ${ident(key)} FROM (SELECT ${ident(source.column)} FROM ${source.cte} UNION ALL SELECT NULL) GROUP BY ${ident(source.column)} HAVING count(*) > 0`;
      const values = this.levels([...needed], cte(distinct), cte);
      again(source.cte);
      const on = `"__l".${ident(key)} IS NOT DISTINCT FROM "__m".${ident(key)}`;
      from = cte(`SELECT "__l".*, ${mine.map((i) => `"__m".${ident(i.name)}`).join(', ')} FROM ${from} AS "__l" LEFT JOIN ${values} AS "__m" ON ${on}`, from);
      for (const i of mine) done.add(i);
    }
    return this.levels(this.items.filter((i) => !done.has(i)), from, cte);
  }

  /** CTEs computing some values over `from`, level by level. */
  private levels(items: Let[], from: string, cte: (body: string, over?: string) => string): string {
    const top = Math.max(-1, ...items.map((i) => i.level));
    for (let level = 0; level <= top; level++) {
      const here = items.filter((i) => i.level === level);
      if (here.length) from = cte(`SELECT *, ${here.map((i) => `${i.sql} AS ${ident(i.name)}`).join(', ')} FROM ${from}`, from);
    }
    return from;
  }
}

class Compiler {
  readonly ctes: Cte[] = [];
  readonly joins: JoinInputs[] = [];
  readonly used = new Set<string>();
  /** Rollup inputs the evidence reads again. */
  readonly reread = new Set<string>();
  /** Of those, the `narrowed` ones: materialized, as their rollup's input would cost more to compute again than they hold. */
  readonly held = new Set<string>();
  /** CTEs read again by a rollup's passes (Split): computed again rather than held whole in memory. */
  readonly again = new Set<string>();
  /**
   * CTEs of base rows that a scan computes again at little cost: a base table's scan, then filters, row values and
   * joins to the values of a column computed per distinct value (none COSTLY). Read more than once, DuckDB 1.5
   * would materialize one whole, every column, which at millions of rows spills past its pool and costs more than
   * the scan (HOLDER-NOT-BENEFICIARY at 5M payout rows: 12 s of its 16 s were such CTEs written and read back):
   * they are computed again where read.
   */
  readonly cheap = new Set<string>();
  /**
   * CTEs made row by row of one input CTE (`input`, named once in the body): each output row is made of one input
   * row (a join's of several of the right side's rows) and of nothing else of the input — no group, window or
   * order over its rows — and holds that row's values of `keeps` (null: every column) unchanged. Made of only the
   * input rows with some values of those columns, such a CTE holds just its rows with those values (`narrowTo`).
   */
  private readonly rowwise = new Map<string, { input: string; keeps: ReadonlySet<string> | null }>();
  /** CTEs a dedupe made: its input, keys and body (of any input with the input's columns), for `metKeys`. */
  private readonly dedupes = new Map<string, { from: string; keys: string[]; body: (src: string) => string }>();
  /** CTEs a rollup on keys made without Split (Compiler.grouped): their input, keys and body. */
  private readonly rollups = new Map<string, { from: string; keys: string[]; body: (src: string) => string }>();
  private lets = 0;
  /** Relations compiled so far, by prefixKey of their table and first steps, with their slots (prefixSlots). */
  private readonly made = new Map<string, { cur: Current; slots: number[] }>();

  /** Base columns asked about and not measured (TableShapes.repeats), by `table.column`. */
  readonly unmeasured = new Map<string, { table: string; column: string }>();
  /** The sub-tables met that could be shared (SharedSubplan). */
  readonly shares: SharedSubplan[] = [];

  /**
   * Which CTEs the query (ending in `final`) holds (`held`: materialized) and computes again where read
   * (`notMaterialized`, of which `cheap` ones): see Compiler.held, again, cheap and `inlined`.
   */
  materializing(final: string): { held: Set<string>; cheap: string[]; notMaterialized: Set<string> } {
    const held = new Set([...this.held].filter((n) => !this.again.has(n)));
    const reread = new Set([...this.reread].filter((n) => !held.has(n)));
    const cheap = [...this.cheap].filter((n) => !held.has(n));
    return { held, cheap, notMaterialized: new Set([...inlined(this.ctes, final, reread), ...this.again, ...cheap]) };
  }

  /** Values a step over `cur` computes ahead: once per distinct value of a column where that pays (Lets). */
  private newLets(cur?: Current): Lets {
    const keyed = (name: string, times?: number) => {
      const col = cur?.columns.find((c) => c.name === name);
      if (!col?.origin || !col.source || !MEMO_KINDS.has(col.kind)) return undefined;
      const { table, column } = col.origin;
      const repeats = this.shapes.repeats?.(table, column, times);
      if (repeats === undefined) this.unmeasured.set(`${table}.${column}`, { table, column });
      return repeats ? col.source : undefined;
    };
    return new Lets(() => ++this.lets, keyed);
  }

  private emitLets(lets: Lets, from: string): string {
    return lets.emit(
      from,
      // Values of each row, or joined on a column's value: row by row.
      (b, over) => this.byRow(this.cte(b, over), over),
      (name) => this.again.add(name),
    );
  }

  /** The rollup being compiled gathers its rows' numbers at once (eagerRollup). */
  private eager = false;

  constructor(
    private readonly params: Record<string, ParamDef>,
    private readonly shapes: TableShapes,
    /** The rule's own relation (not one a step reads). */
    private readonly root?: Relation,
  ) {}

  /**
   * A new CTE. `over`: the CTE its rows are computed from row by row (a filter, row values, a join to the values of
   * a column computed once per distinct value); when that one is `cheap` and the new one computes nothing COSTLY,
   * it is cheap too.
   */
  private cte(body: string, over?: string): string {
    const name = `s${this.ctes.length + 1}`;
    this.ctes.push({ name, body });
    if (over !== undefined && this.cheap.has(over) && !COSTLY.test(body)) this.cheap.add(name);
    return name;
  }

  /** Records a CTE as made row by row of `input` (Compiler.rowwise), keeping `keeps` (all columns when omitted); returns it. */
  private byRow(name: string, input: string | undefined, keeps: Iterable<string> | null = null): string {
    if (input !== undefined) this.rowwise.set(name, { input, keeps: keeps && new Set(keeps) });
    return name;
  }

  private param(name: string): SqlExpr {
    const def = this.params[name];
    if (!def) throw new UnsupportedExpression(`$.${name} is not a param of the rule`);
    this.used.add(name);
    const kind = paramKind(def);
    const ref = `$p_${name}`;
    return { sql: kind === 'date' ? `CAST(${ref} AS DATE)` : ref, kind, param: name };
  }

  /**
   * A relation's CTEs. Steps a relation of the same rule computed before (the same table and first steps, as
   * rules repeat a sub-table in several places) are not computed again: their CTE is read under this
   * relation's slots, and DuckDB computes a CTE read more than once only once.
   */
  relation(rel: Relation): Current {
    const def = tableDef(rel.from);
    const present = this.shapes.columns(rel.from);
    if (!def || !present) throw new CompileError(`table ${rel.from} is not loaded`);
    let start = rel.steps.length;
    let cur: Current | undefined;
    for (; start > 0 && !cur; start--) {
      const made = this.made.get(prefixKey(rel, start));
      if (made) cur = this.alias(made, prefixSlots(rel, start));
    }
    if (cur) start++;
    else {
      const columns = present.map((name): Col => ({ name, kind: KIND_OF_TYPE[def.columns.find((c) => c.name === name)?.type ?? 'text'], origin: { table: rel.from, column: name } }));
      const cte = this.cte(`SELECT ${[...columns.map((c) => ident(c.name)), `"__row" AS ${ident(slotColumn(rel.slot.id))}`, `"__row" AS ${ORDER}`].join(', ')} FROM ${ident(rel.from)}`);
      this.cheap.add(cte);
      cur = sourced({ cte, columns, slots: [{ id: rel.slot.id, ev: ROW }], groups: [], peers: null, light: true, subset: true });
    }
    for (let i = start; i < rel.steps.length; i++) {
      const step = rel.steps[i];
      if (!keepsSorted(cur, step)) cur = this.settle(cur);
      this.eager = eagerRollup(cur, rel.steps.slice(i + 1), rel === this.root, this.cheap.has(cur.cte));
      try {
        const next = this.step(cur, step);
        cur = sourced({
          ...next,
          unique: uniqueAfter(cur, step),
          light: !!cur.light && LIGHT.has(step.verb) && next.light !== false,
          subset: !!cur.subset && SUBSET.has(step.verb),
          ...narrowing(cur, step),
          groupsOf: this.groupsAfter(cur, step, next),
          joined: joinedAfter(cur, step, next),
        });
      } catch (err) {
        if (err instanceof CompileError) throw err;
        if (err instanceof UnsupportedExpression) throw new CompileError(err.message, step);
        throw err;
      }
      this.check(cur, step);
      this.made.set(prefixKey(rel, i + 1), { cur, slots: prefixSlots(rel, i + 1) });
    }
    return this.settle(cur);
  }

  /** The rows of an orderby not numbered yet (`Current.sorted`) numbered in their order; others as they are. */
  private settle(cur: Current): Current {
    if (!cur.sorted) return cur;
    // Stable: rows equal in the keys keep their order.
    const select = [...cur.columns.map((c) => ident(c.name)), ...slotsHidden(cur.slots), `row_number() OVER (ORDER BY ${orderTerms(cur)}) AS ${ORDER}`];
    return { ...cur, sorted: undefined, wide: false, light: false, cte: this.cte(`SELECT ${select.join(', ')} FROM ${cur.cte}`) };
  }

  /** What `groupsOf` is after a step (`before` its input, `after` its output). */
  private groupsAfter(before: Current, step: PlanStep, after: Current): Current['groupsOf'] {
    const was = before.groupsOf;
    switch (step.verb) {
      case 'rollup':
      case 'count':
        return this.rollups.has(after.cte) ? { cte: after.cte, columns: [...after.columns.map((c) => c.name), '__o'] } : undefined;
      case 'derive': {
        const written = new Set(step.values.map((v) => v.name));
        return was && { cte: was.cte, columns: was.columns.filter((c) => !written.has(c)) };
      }
      case 'select':
        return was && { cte: was.cte, columns: was.columns.filter((c) => c === '__o' || step.names.includes(c)) };
      case 'groupby':
      case 'ungroup':
        return was;
      default:
        return undefined;
    }
  }

  /** Where a step's GroupPass aggregates: the rollup's groups the rows are (`groupsOf`) when it reads only their columns, else `from`. */
  private passSource(cur: Current, pass: GroupPass, from: string): string {
    return cur.groupsOf && pass.within(cur.groupsOf.columns, cur.groups) ? cur.groupsOf.cte : from;
  }

  /** A relation computed before, read under the slots of another that computes the same (`slots` in the same order as its). */
  private alias(made: { cur: Current; slots: number[] }, slots: number[]): Current {
    const to = new Map(made.slots.map((id, k) => [id, slots[k]]));
    const cur = made.cur;
    if (cur.slots.every((s) => to.get(s.id) === s.id)) return cur;
    const renamed = cur.slots.map((s): Slot => ({ id: to.get(s.id)!, ev: s.ev.kind === 'group' && s.ev.owner !== undefined ? { ...s.ev, owner: to.get(s.ev.owner)! } : s.ev }));
    const hidden = cur.slots.flatMap((s, k) => {
      const names = slotColumns(renamed[k]);
      return slotColumns(s).map((from, i) => `${ident(from)} AS ${ident(names[i])}`);
    });
    const select = [...cur.columns.map((c) => ident(c.name)), ...hidden, ORDER];
    return { ...cur, cte: this.byRow(this.cte(`SELECT ${select.join(', ')} FROM ${cur.cte}`, cur.cte), cur.cte), slots: renamed };
  }

  /** The compiler did what the plan says: only the plan's columns, and its slots. */
  private check(cur: Current, step: PlanStep): void {
    const planned = new Set(step.out.columns.map((c) => c.name));
    const extra = cur.columns.filter((c) => !planned.has(c.name)).map((c) => c.name);
    const slots = cur.slots.map((s) => s.id).sort().join();
    const plannedSlots = step.out.slots.map((s) => s.id).sort().join();
    if (extra.length || slots !== plannedSlots) {
      throw new CompileError(`the DuckDB compiler's ${step.verb} output [${cur.columns.map((c) => c.name).join(', ')}] (slots ${slots}), the plan [${[...planned].join(', ')}] (slots ${plannedSlots}); this is a bug in fundaudit: report it with the rule`, step);
    }
  }

  private scope(cur: Current, alias = ''): Scope {
    const prefix = alias ? `${alias}.` : '';
    return {
      column: (_side, name) => {
        const col = cur.columns.find((c) => c.name === name);
        if (!col) throw new UnsupportedExpression(`column ${name} is not in the data`);
        return { sql: prefix + ident(name), kind: col.kind };
      },
      param: (name) => this.param(name),
    };
  }

  /** Hidden columns carried along unchanged. */
  private hidden(cur: Current, alias = ''): string[] {
    const p = alias ? `${alias}.` : '';
    return [...slotsHidden(cur.slots, alias), p + ORDER];
  }

  private partition(cur: Current): string {
    return cur.groups.length ? `PARTITION BY ${cur.groups.map(ident).join(', ')} ` : '';
  }

  /**
   * A scope with aggregates over each group and window functions in it (derive, filter). The aggregates are
   * computed by `pass`, a GROUP BY of the step's input (GroupPass).
   */
  private rowScope(cur: Current, lets: Lets, pass: GroupPass): Scope {
    const partition = this.partition(cur);
    return {
      ...this.scope(cur),
      aggregate: { over: '', order: orderOf(cur), hoist: (e) => pass.hoist(e) },
      window: { partition, order: orderTerms(cur), peers: cur.peers ? sortTerms(cur.peers).join(', ') : null },
      once: lets.once,
      rowOnce: lets.once,
      memo: lets.memo,
      rowMemo: lets.memo,
    };
  }

  private step(cur: Current, step: PlanStep): Current {
    switch (step.verb) {
      case 'filter': {
        const lets = this.newLets(cur);
        const pass = new GroupPass();
        const scope = this.rowScope(cur, lets, pass);
        const where = truthy(compileExpr(step.where, scope), lets.once);
        // Aggregates over groups read the rows' order as one value: numbered first.
        if (pass.used && cur.sorted) return this.step(this.settle(cur), step);
        // Window functions are evaluated after WHERE: they filter in QUALIFY.
        const windowed = !!scope.window?.used;
        const aggregated = windowed || pass.used;
        const from = this.emitLets(lets, cur.cte);
        const body = `SELECT ${[...cur.columns.map((c) => ident(c.name)), ...this.hidden(cur)].join(', ')} FROM ${pass.joined(from, cur.groups, (b) => this.cte(b), this.passSource(cur, pass, from))} ${windowed ? 'QUALIFY' : 'WHERE'} ${where}`;
        // Aggregates over groups are computed apart, of every row (GroupPass): each row is kept or dropped by itself.
        return { ...cur, light: !aggregated, cte: this.byRow(this.cte(body, aggregated ? undefined : from), windowed ? undefined : from) };
      }
      case 'derive':
        return this.derive(cur, step.values);
      case 'select': {
        const columns = step.names.map((n) => cur.columns.find((c) => c.name === n)).filter((c): c is Col => c !== undefined);
        return { ...cur, columns, cte: this.byRow(this.cte(`SELECT ${[...columns.map((c) => ident(c.name)), ...this.hidden(cur)].join(', ')} FROM ${cur.cte}`, cur.cte), cur.cte, columns.map((c) => c.name)) };
      }
      case 'rename': {
        const map = new Map(step.renames);
        const columns = cur.columns.map((c) => ({ ...c, name: map.get(c.name) ?? c.name }));
        const select = cur.columns.map((c) => (map.has(c.name) ? `${ident(c.name)} AS ${ident(map.get(c.name)!)}` : ident(c.name)));
        const renamed = (keys: SortKey[]) => keys.map((k) => ({ ...k, name: map.get(k.name) ?? k.name }));
        const sorted = cur.sorted && renamed(cur.sorted);
        const peers = cur.peers && renamed(cur.peers);
        const kept = cur.columns.map((c) => c.name).filter((n) => !map.has(n) && !columns.some((c, i) => c.name === n && cur.columns[i].name !== n));
        return { ...cur, columns, groups: cur.groups.map((g) => map.get(g) ?? g), sorted, peers, cte: this.byRow(this.cte(`SELECT ${[...select, ...this.hidden(cur)].join(', ')} FROM ${cur.cte}`, cur.cte), cur.cte, kept) };
      }
      case 'groupby':
        return { ...cur, groups: step.keys.filter((k) => cur.columns.some((c) => c.name === k)) };
      case 'ungroup':
        return { ...cur, groups: [] };
      case 'rollup':
        return this.rollup(cur, step.values);
      case 'count':
        return this.rollup(cur, [{ name: step.as, expr: { type: 'call', fn: 'count', args: [] } }]);
      case 'dedupe': {
        const keys = step.keys.length ? step.keys : cur.columns.map((c) => c.name);
        const partition = keys.filter((k) => cur.columns.some((c) => c.name === k)).map(ident).join(', ');
        const first = partition ? `QUALIFY row_number() OVER (PARTITION BY ${partition} ORDER BY ${ORDER}) = 1` : `QUALIFY row_number() OVER (ORDER BY ${ORDER}) = 1`;
        const body = (src: string) => `SELECT * FROM ${src} ${first}`;
        const cte = this.cte(body(cur.cte));
        this.dedupes.set(cte, { from: cur.cte, keys: keys.filter((k) => cur.columns.some((c) => c.name === k)), body });
        return { ...cur, groups: [], peers: null, cte };
      }
      case 'orderby': {
        const keys = step.keys.filter((k) => cur.columns.some((c) => c.name === k.name)).map((k): SortKey => ({ name: k.name, desc: !!k.desc }));
        // Numbered later (settle). Stable: rows equal in the keys keep their order, an earlier orderby's included.
        return { ...cur, peers: keys.length ? keys : null, sorted: [...keys, ...(cur.sorted ?? [])] };
      }
      case 'join':
        return this.join(cur, step);
      case 'semijoin':
      case 'antijoin': {
        const sub = existenceOf(step.with, step.on);
        const other = this.sharedTable(sub, step.on) ?? this.relation(sub);
        const cond = this.condition(cur, other, step.on, step.where, 'l', 'r');
        // A SEMI or ANTI join rather than [NOT] EXISTS: DuckDB decorrelated the subquery of a sub-table that
        // groups or joins with a delim join, twice as slow (BENFORD-BY-OPERATOR's three antijoins at 2M payout
        // rows: 12.7 s, 6.1 s as joins). A pair whose condition is null (a null key) matches in neither: the same rows.
        // It keeps or drops each row by itself: as cheap as its input to compute again.
        return { ...cur, cte: this.byRow(this.cte(`SELECT l.* FROM ${cur.cte} AS l ${step.verb === 'antijoin' ? 'ANTI' : 'SEMI'} JOIN ${other.cte} AS r ON ${cond}`, cur.cte), cur.cte) };
      }
      case 'lookup':
        return this.lookup(cur, step);
      case 'concat':
        return this.concat(cur, step);
    }
  }

  /**
   * The table of a sub-table's keys (SharedSubplan) that the executor computed for the run, as the relation a
   * semijoin or antijoin on `on` reads (its key columns alone: the rows of such a sub-table are not evidence);
   * undefined when the sub-table is not one to share or the executor has no table of it. The sub-table is
   * compiled alone, with its params as the rule declares them, as a query of its own (`SharedSubplan.sql`).
   */
  private sharedTable(sub: Relation, on: KeyPair[] | undefined): Current | undefined {
    if (!on?.length || !sharedSubplan(sub)) return undefined;
    const c = new Compiler(this.params, { ...this.shapes, shared: undefined });
    const out = c.relation(sub);
    const keys = [...new Set(on.map(([, b]) => b))];
    const columns = keys.map((k) => out.columns.find((col) => col.name === k));
    if (columns.some((col) => !col)) return undefined;
    for (const [k, v] of c.unmeasured) this.unmeasured.set(k, v);
    for (const p of c.used) this.used.add(p);
    const final = `SELECT DISTINCT ${keys.map(ident).join(', ')} FROM ${out.cte}`;
    const { held, notMaterialized } = c.materializing(final);
    const sql = withCtes(c.ctes, final, held, notMaterialized);
    const plan: SharedSubplan = { key: slotsInOrder(sql), sql, columns: keys };
    this.shares.push(plan);
    const table = this.shapes.shared?.(plan);
    if (!table) return undefined;
    return { cte: ident(table), columns: columns.map((col) => ({ name: col!.name, kind: col!.kind })), slots: [], groups: [], peers: null };
  }

  /** A rollup's CTE of groups over `from` on `keys` (its body, of any input with `from`'s columns, kept for `regrouped`). */
  private grouped(from: string, keys: string[], body: (src: string) => string): string {
    const name = this.cte(body(from));
    this.rollups.set(name, { from, keys, body });
    return name;
  }

  /**
   * A rollup's groups (`cte`) made again of only the input rows whose keys (`keys`, among the rollup's own) are in
   * `several` (columns `__k<i>`, null keys equal): when a rollup on fewer keys needs the rows of its groups with
   * several rows (Split), those rows' groups are these, and the input rows of the other groups are never grouped
   * again (PENSION-TWO-SCHEMES's and ONE-ID-SEVERAL-PERSONS's person-months, nearly all of one row). Undefined when
   * `cte` is not a rollup on keys holding them.
   */
  private regrouped(cte: string, keys: Col[], several: string, same: (a: string, b: string) => string): string | undefined {
    const made = this.rollups.get(cte);
    if (!made || !keys.every((k) => made.keys.includes(k.name))) return undefined;
    return this.cte(made.body(`(SELECT "__I".* FROM ${made.from} AS "__I" SEMI JOIN ${several} AS "__S" ON ${same('"__I"', '"__S"')})`));
  }

  /**
   * A rollup's values read from the left input of the join its rows are made of (Current.joined), rather than
   * aggregated: when its keys are columns the rows hold unchanged from that input and include a set it is unique on,
   * each group's rows are made of one of its rows, so that the max or min of a column they hold unchanged from it is
   * that row's value (NO-CERTIFICATION's person-months joined to certifications and grouped back: six of its eight
   * aggregates, of 1.1M rows at 1M payout rows). Undefined when none is, or the rows are not such.
   */
  private fromLeft(cur: Current, keys: Col[], compiled: Array<{ name: string; expr: SqlExpr }>): { cte: string; values: Map<string, string> } | undefined {
    const j = cur.joined;
    const names = keys.map((k) => k.name);
    if (!j || !names.length || !names.every((n) => j.columns.includes(n)) || !j.unique.some((u) => u.length && u.every((n) => names.includes(n)))) return undefined;
    const values = new Map<string, string>();
    for (const v of compiled) {
      if (names.includes(v.name)) return undefined;
      const m = /^(?:max|min)\("((?:[^"]|"")*)"\)$/.exec(v.expr.sql);
      const column = m?.[1].replace(/""/g, '"');
      const col = cur.columns.find((c) => c.name === column);
      if (column !== undefined && col && col.kind !== 'float' && j.columns.includes(column)) values.set(v.name, column);
    }
    return values.size ? { cte: j.cte, values } : undefined;
  }

  private derive(cur: Current, values: NamedExpr[]): Current {
    const lets = this.newLets(cur);
    const pass = new GroupPass();
    const scope = this.rowScope(cur, lets, pass);
    const compiled = values.map((v) => ({ name: v.name, expr: compileExpr(v.expr, scope) }));
    // Aggregates over groups read the rows' order as one value: numbered first.
    if (pass.used && cur.sorted) return this.derive(this.settle(cur), values);
    const from = this.emitLets(lets, cur.cte);
    const { columns, select } = placeValues([...cur.columns], compiled);
    const aggregated = !!scope.window?.used || pass.used;
    const body = `SELECT ${[...select, ...this.hidden(cur)].join(', ')} FROM ${pass.joined(from, cur.groups, (b) => this.cte(b), this.passSource(cur, pass, from))}`;
    const written = new Set(values.map((v) => v.name));
    const row = scope.window?.used ? undefined : from;
    return { ...cur, columns, light: !aggregated, cte: this.byRow(this.cte(body, aggregated ? undefined : from), row, cur.columns.map((c) => c.name).filter((n) => !written.has(n))) };
  }

  private rollup(cur: Current, values: NamedExpr[]): Current {
    const keys = cur.groups.map((g) => cur.columns.find((c) => c.name === g)!);
    const split = keys.length ? new Split() : undefined;
    let lets = this.newLets(cur);
    // Values of rows inside the aggregates are computed ahead; the aggregates themselves are not values of rows.
    const compileIn = (split?: Split) => {
      const scope: Scope = { ...this.scope(cur), aggregate: { over: '', order: orderOf(cur), split }, rowOnce: lets.once, rowMemo: lets.memo };
      return values.map((v) => ({ name: v.name, expr: compileExpr(v.expr, scope) }));
    };
    let compiled = compileIn(split);
    if (split && !split.usable()) {
      lets = this.newLets(cur);
      compiled = compileIn();
    }
    const from = this.emitLets(lets, cur.cte);
    const { columns, select } = placeValues([...keys], compiled);
    const group = keys.length ? ` GROUP BY ${keys.map((k) => ident(k.name)).join(', ')}` : '';
    // The groups' pass (FROM and GROUP BY): as it is, or with the lists made apart (Split.emit).
    const groups = (extra: Array<[string, string]>, after: string[]) =>
      split?.usable()
        ? split.emit(from, keys, select, extra, after, (b) => this.cte(b), (name) => this.again.add(name), (several, same) => this.regrouped(from, keys, several, same))
        : this.grouped(from, keys.map((k) => k.name), (src) => `SELECT ${[...select, ...extra.map(([e, name]) => `${e} AS ${name}`), ...after].join(', ')} FROM ${src}${group}`);
    if (this.eager) {
      // Every row of the group is its evidence, gathered here: the groups are what the rule outputs.
      // Lists of lists (a rollup of such a rollup) are flattened.
      const lists = cur.slots.map((s): [string, string] => [`${s.ev.kind === 'list' ? `flatten(list(${ident(slotColumn(s.id))}))` : `list(${ident(slotColumn(s.id))})`}`, ident(slotColumn(s.id))]);
      return {
        cte: groups([...lists, [`min(${ORDER})`, ORDER]], []),
        columns,
        slots: cur.slots.map((s) => ({ id: s.id, ev: { kind: 'list' } })),
        groups: [],
        peers: null,
        wide: cur.wide,
      };
    }
    // Every row of the group is its evidence: each slot refers to the group by its keys (evidenceLists).
    if (cur.narrowed) this.held.add(cur.cte);
    const slots: Slot[] = cur.slots.map((s, k) => ({ id: s.id, ev: { kind: 'group', cte: cur.cte, keys: keys.map((c) => c.name), inner: s, owner: k > 0 ? cur.slots[0].id : undefined } }));
    const [marker, ...names] = slotColumns(slots[0]);
    const refs = [`true AS ${ident(marker)}`, ...keys.map((k, i) => `${ident(k.name)} AS ${ident(names[i])}`)];
    const left = split?.usable() ? undefined : this.fromLeft(cur, keys, compiled);
    if (left) {
      // The groups' other values, then each group's row of the left input (exactly one) for the values read from it.
      const inner = [...select.filter((_, i) => !left.values.has(columns[i].name)), `min(${ORDER}) AS ${ORDER}`, ...refs];
      const outer = [...columns.map((c) => (left.values.has(c.name) ? `"__L".${ident(left.values.get(c.name)!)} AS ${ident(c.name)}` : `"__G".${ident(c.name)}`)), `"__G".${ORDER}`, ...[marker, ...names].map((n) => `"__G".${ident(n)}`)];
      const on = keys.map((k) => `"__G".${ident(k.name)} IS NOT DISTINCT FROM "__L".${ident(k.name)}`).join(' AND ');
      return {
        cte: this.grouped(from, keys.map((k) => k.name), (src) => `SELECT ${outer.join(', ')} FROM (SELECT ${inner.join(', ')} FROM ${src}${group}) AS "__G" JOIN ${left.cte} AS "__L" ON ${on}`),
        columns,
        slots,
        groups: [],
        peers: null,
        wide: cur.wide,
      };
    }
    return {
      cte: groups([[`min(${ORDER})`, ORDER]], refs),
      columns,
      slots,
      groups: [],
      peers: null,
      wide: cur.wide,
    };
  }

  /**
   * The final SELECT's evidence: per output slot, a column `__e<slot>` (on `o`, the output CTE) — the row's
   * number as it is, or the list of every base row its references stand for, joined on the output row's order
   * (unique per row). Built here, after the last step, from the few rows left.
   */
  evidenceLists(out: Current): { select: string[]; joins: string[] } {
    const select: string[] = [];
    const joins: string[] = [];
    const early = (s: Slot) => s.ev.kind === 'row' || s.ev.kind === 'list';
    const late = out.slots.filter((s) => !early(s));
    const leaves: Leaf[] = [];
    if (late.length) {
      const top = this.cte(`SELECT ${[`${ORDER} AS "__f"`, ...slotsHidden(late)].join(', ')} FROM ${out.cte}`);
      this.expand(
        out.slots.flatMap((s, k) => (early(s) ? [] : [{ k, ev: s.ev, stem: slotColumn(ownerOf(s)) }])),
        top,
        leaves,
      );
    }
    // Each CTE that holds base rows read once: every slot's list of them in one pass.
    const lists = leaves.flatMap((leaf, n) => {
      const alias = ident(`x${n}`);
      const terms = leaf.rows.map((r, i) => `${r.list ? 'flatten(list' : 'list'}(${ident(r.stem)}) FILTER (WHERE ${ident(r.stem)} IS NOT NULL)${r.list ? ')' : ''} AS ${ident(`__l${i}`)}`);
      joins.push(` LEFT JOIN ${this.cte(`SELECT "__f", ${terms.join(', ')} FROM ${leaf.src} GROUP BY "__f"`)} AS ${alias} ON ${alias}."__f" = o.${ORDER}`);
      return leaf.rows.map((r, i) => ({ k: r.k, sql: `${alias}.${ident(`__l${i}`)}` }));
    });
    out.slots.forEach((s, k) => {
      const name = ident(slotColumn(s.id));
      const mine = lists.filter((l) => l.k === k).map((l) => l.sql);
      if (early(s)) select.push(`o.${name} AS ${name}`);
      else if (mine.length === 0) select.push(`CAST(NULL AS BIGINT[]) AS ${name}`);
      else if (mine.length === 1) select.push(`${mine[0]} AS ${name}`);
      else select.push(`list_concat(${mine.map((m) => `coalesce(${m}, [])`).join(', ')}) AS ${name}`);
    });
    return { select, joins };
  }

  /**
   * The base rows some evidence stands for, in `src`'s rows (`__f`, and each item's columns named from its
   * `stem`): adds to `into` the CTEs whose columns hold them, for the item of output slot k. Groups go back to their
   * rollup's input rows with the same keys (null keys equal), whose own evidence is expanded in turn; the slots
   * of one rollup go back together.
   */
  private expand(items: Array<{ k: number; ev: Evidence; stem: string }>, src: string, into: Leaf[]): void {
    const groups = new Map<string, Array<{ k: number; ev: Extract<Evidence, { kind: 'group' }> }>>();
    const rows: Leaf['rows'] = [];
    for (const { k, ev, stem } of items) {
      if (ev.kind === 'row' || ev.kind === 'list') rows.push({ k, stem, list: ev.kind === 'list' });
      else if (ev.kind === 'union') {
        const [tag] = evidenceColumns(ev, stem);
        ev.parts.forEach((p, j) => {
          if (p) this.expand([{ k, ev: p, stem: `${stem}u${j}_` }], this.cte(`SELECT * FROM ${src} WHERE ${ident(tag)} = ${j}`), into);
        });
      } else {
        let same = groups.get(stem);
        if (!same) groups.set(stem, (same = []));
        same.push({ k, ev });
      }
    }
    if (rows.length) into.push({ src, rows });
    for (const [stem, same] of groups) {
      const { cte, keys } = same[0].ev;
      const [marker, ...names] = evidenceColumns(same[0].ev, stem);
      const on = keys.map((key, i) => `x.${ident(key)} IS NOT DISTINCT FROM s.${ident(names[i])}`).join(' AND ') || 'true';
      const inner = carry(
        same.map((g) => g.ev.inner).filter((slot, i, all) => all.findIndex((o) => o.id === slot.id) === i),
        'x',
      );
      const rows = this.narrowTo(cte, keys, src, marker, names);
      const next = this.cte(`SELECT ${['s."__f"', ...inner.select].join(', ')} FROM ${src} AS s JOIN ${rows} AS x ON ${on} WHERE s.${ident(marker)}`);
      this.expand(
        same.map((g) => {
          const slot = inner.slots.find((o) => o.id === g.ev.inner.id)!;
          return { k: g.k, ev: slot.ev, stem: slotColumn(ownerOf(slot)) };
        }),
        next,
        into,
      );
    }
  }

  /**
   * Rows of a rollup's input `cte` among which are those whose `keys` are those of some group `src` refers to (its
   * columns `names`, where `marker`; null keys equal), for the evidence of those groups (the caller joins them on
   * every key): `cte` itself when DuckDB holds it, else `cte` made again of only rows with such keys. Down from `cte`, every CTE made row by row of the next (rowwise) that keeps
   * the keys is made again, in order, of the one below it made again; the lowest, a CTE DuckDB holds or computes
   * anyhow, is semi-joined with the groups' keys. So the steps above it run over the few rows of the groups left,
   * not over every row to keep a few (NO-CERTIFICATION's person-months joined to every certification, at 5M payout
   * rows, for the 66 months it flags). The same rows: each of those CTEs holds the rows with given keys that its
   * input's rows with those keys make, and reads nothing else of that input; the other CTEs it reads are read as
   * they are. Each CTE read so once more than before is computed again if it was read once (`reread`).
   */
  private narrowTo(cte: string, keys: string[], src: string, marker: string, names: string[]): string {
    const held = (name: string) => this.held.has(name) && !this.again.has(name);
    if (!keys.length || held(cte)) {
      this.reread.add(cte);
      return cte;
    }
    const reads = readCounts(this.ctes, '');
    const bodies = new Map(this.ctes.map((c) => [c.name, c.body]));
    // A CTE DuckDB holds (read more than once and neither computed again nor cheap), scanned rather than made again.
    const kept = (name: string) => held(name) || ((reads.get(name) ?? 0) >= 2 && !this.again.has(name) && !this.cheap.has(name));
    const chain: string[] = [];
    let base = cte;
    // The keys whose values every CTE of the chain so far keeps: a CTE that computes some of them (BENFORD-BY-OPERATOR's
    // first digit of the amount, grouped with the operator) is made again of the rows with the groups' values of the
    // others, a superset of the rows the groups hold, which the caller's join on every key then narrows.
    let live = keys.map((k, i) => ({ key: k, name: names[i] }));
    for (;;) {
      const made = this.rowwise.get(base);
      if (!made || (chain.length && kept(base))) break;
      const still = live.filter((k) => made.keeps?.has(k.key) ?? true);
      if (!still.length) break;
      if (renameCte(bodies.get(base)!, made.input, made.input) === undefined) break;
      live = still;
      chain.push(base);
      base = made.input;
    }
    if (!chain.length) {
      this.reread.add(cte);
      return cte;
    }
    const on = live.map((k) => `"__I".${ident(k.key)} IS NOT DISTINCT FROM "__S".${ident(k.name)}`).join(' AND ');
    let rows = this.cte(`SELECT "__I".* FROM ${base} AS "__I" SEMI JOIN (SELECT ${live.map((k) => ident(k.name)).join(', ')} FROM ${src} WHERE ${ident(marker)}) AS "__S" ON ${on}`);
    this.reread.add(base);
    for (const name of chain.reverse()) {
      const body = renameCte(bodies.get(name)!, this.rowwise.get(name)!.input, rows)!;
      for (const other of cteNamesIn(body)) if (other !== rows) this.reread.add(other);
      rows = this.cte(body);
    }
    return rows;
  }

  /** The match condition of two relations: equal keys (a null key matches nothing; kinds must agree) or a predicate over a and b. */
  private condition(left: Current, right: Current, on: KeyPair[] | undefined, where: Expr | undefined, l: string, r: string): string {
    if (on) {
      return (
        on
          .map(([a, b]) => {
            const x = this.scope(left, l).column('a', a);
            const y = this.scope(right, r).column('b', b);
            return keyEquals(x, y);
          })
          .join(' AND ') || 'true'
      );
    }
    const a = this.scope(left, l);
    const b = this.scope(right, r);
    const scope: Scope = { column: (side, name) => (side === 'b' ? b.column(side, name) : a.column(side, name)), param: (name) => this.param(name) };
    return truthy(compileExpr(where!, scope));
  }

  private join(cur: Current, step: Extract<PlanStep, { verb: 'join' }>): Current {
    const other = this.metGroups(cur, this.relation(step.with), step);
    const cond = this.condition(cur, other, step.on, step.where, 'l', 'r');
    const keys = step.on ? step.on.map(([a, b]) => estimateKeys(this.scope(cur).column('a', a), this.scope(other).column('b', b))) : null;
    const bounded = !!step.on && step.on.every(([a, b]) => injectiveKeys(this.scope(cur).column('a', a), this.scope(other).column('b', b))) && (uniqueOn(cur, step.on.map(([a]) => a)) || uniqueOn(other, step.on.map(([, b]) => b)));
    this.joins.push({ path: step.path, how: step.how, ctes: this.ctes.length, left: cur.cte, right: other.cte, keys, bounded, tables: [...new Set(slotTables(step.with).map(([, t]) => t))] });
    const merged = new Set(step.output.merged);
    const columns: Col[] = [];
    const select: string[] = [];
    for (const [from, to] of step.output.left) {
      const col = cur.columns.find((c) => c.name === from);
      if (!col) continue;
      const rightKey = merged.has(from) ? other.columns.find((c) => c.name === from) : undefined;
      select.push(rightKey ? `coalesce(l.${ident(from)}, r.${ident(from)}) AS ${ident(to)}` : `l.${ident(from)} AS ${ident(to)}`);
      columns.push(rightKey ? { name: to, kind: col.kind } : { ...col, name: to });
    }
    for (const [from, to] of step.output.right) {
      const col = other.columns.find((c) => c.name === from);
      if (!col) continue;
      select.push(`r.${ident(from)} AS ${ident(to)}`);
      columns.push({ ...col, name: to });
    }
    const how = { inner: 'JOIN', left: 'LEFT JOIN', right: 'RIGHT JOIN', full: 'FULL JOIN' }[step.how];
    // Left row's order, then the right row's; unmatched right rows after every left row.
    const lmax = `(SELECT coalesce(max(${ORDER}), 0) FROM ${cur.cte})`;
    const rmax = `(SELECT coalesce(max(${ORDER}), 0) FROM ${other.cte})`;
    // An inner or left join has a left row in every output row: the input's largest order is not read (a scan of
    // it, materialized when it is a rollup's groups: NO-CERTIFICATION's person-months at 5M payout rows, 2 s).
    // In HUGEINT: the product passes BIGINT's range at a few joins (the orders of a BIGINT input are row numbers).
    const matched = `CAST(l.${ORDER} AS HUGEINT) * (${rmax} + 2) + coalesce(r.${ORDER} + 1, 0)`;
    const order = step.how === 'inner' || step.how === 'left' ? matched : `CASE WHEN l.${ORDER} IS NOT NULL THEN ${matched} ELSE (CAST(${lmax} AS HUGEINT) + 1) * (${rmax} + 2) + r.${ORDER} + 1 END`;
    const slots = [...slotsHidden(cur.slots, 'l'), ...slotsHidden(other.slots, 'r')];
    const cte = this.cte(`SELECT ${[...select, ...slots, `${order} AS ${ORDER}`].join(', ')} FROM ${cur.cte} AS l ${how} ${other.cte} AS r ON ${cond}`);
    // Each output row of an inner or left join is a left row's, with its matches.
    const kept = step.output.left.filter(([from, to]) => from === to && !merged.has(from)).map(([from]) => from);
    if (step.how === 'inner' || step.how === 'left') this.byRow(cte, cur.cte, kept);
    // The merged keys hold the left row's values too (a left key is null, or the right key equals it), when alike.
    const alike = [...merged].filter((k) => cur.columns.find((c) => c.name === k)?.kind === other.columns.find((c) => c.name === k)?.kind && step.output.left.some(([from, to]) => from === k && to === k));
    const joined = (step.how === 'inner' || step.how === 'left') && cur.unique?.length ? { cte: cur.cte, columns: [...kept, ...alike], unique: cur.unique } : undefined;
    return { cte, columns, slots: [...cur.slots, ...other.slots], groups: [], peers: null, wide: true, joined };
  }

  /**
   * The right side of an inner or left join on keys, when it is a rollup on just those keys and the left side is
   * `light` (a scan to compute again): its groups made of only the input rows whose keys a left row holds (a semi
   * join), not every group to keep a few (UNEMPLOYMENT-AND-PENSION: 1.65M pension person-months at 2M payout rows,
   * for 24k unemployment rows: 1.8 s of CPU, 0.6 s so). The same output: a group meets a left row on its keys, and
   * every input row with those keys is in it; null keys meet nothing either way. Only when the rollup reads a table
   * of at least MET_GROUPS_SHARE of the left side's rows: the semi join reads the left side again, which costs more
   * than the rollup it spares of a much smaller table (PAID-AFTER-DEATH's deaths, 1% of the payouts: 17% slower so),
   * and less than the rollup of a table of a few tenths of its rows and the join's hash table built on every group
   * (UNEMPLOYMENT-WHILE-EMPLOYED's 1.2M contributions, 0.6 of the payouts: 0.98M person-months grouped, each with a
   * list, for 24k unemployment rows). Unchanged otherwise.
   */
  private metGroups(left: Current, right: Current, step: Extract<PlanStep, { verb: 'join' }>): Current {
    const made = this.rollups.get(right.cte);
    const keys = step.on?.map(([, b]) => b) ?? [];
    if (!made || !left.light || !keys.length || (step.how !== 'inner' && step.how !== 'left')) return right;
    if (made.keys.length !== keys.length || !made.keys.every((k) => keys.includes(k))) return right;
    const [l, r] = [this.tableRows(left), this.shapes.tableRows?.(step.with.from)];
    if (l === undefined || r === undefined || r < l * MET_GROUPS_SHARE) return right;
    // Read twice now, the left side is computed again rather than held whole.
    this.again.add(left.cte);
    return this.madeOfMet(made, left, right, step.on!);
  }

  /**
   * The other side of a lookup on keys, when it ends with a dedupe whose keys hold the lookup's and the left side's
   * rows are at most MET_GROUPS_SHARE of its table's: the dedupe made of only the rows whose keys a left row meets (a
   * semi join on the lookup's condition), not every row deduped to look a few up (PAYOUT-BANK-MISMATCH's payments
   * per account, day and amount at 5M payout rows: 4.6M groups, twice, 5 s, for 50 outflows). The same rows for
   * every left row: a row's keys meet a left row's as all the rows of its dedupe group do (they hold the same values
   * of the lookup's keys), so each group is kept or left whole; null keys meet nothing either way. The left side is
   * read again: computed again, or held (no more rows than its table's, a quarter of the other's at most).
   */
  private metKeys(left: Current, right: Current, on: KeyPair[]): Current {
    const made = this.dedupes.get(right.cte);
    if (!made || !on.length || !on.every(([, b]) => made.keys.includes(b)) || !(left.light || left.subset)) return right;
    const [l, r] = [this.tableRows(left), this.tableRows(right)];
    if (l === undefined || r === undefined || l > r * MET_GROUPS_SHARE) return right;
    if (left.light) this.again.add(left.cte);
    return this.madeOfMet(made, left, right, on);
  }

  /** The rows of the table a relation's columns come from (the first that has an origin), when the dataset knows them. */
  private tableRows(cur: Current): number | undefined {
    const table = cur.columns.find((c) => c.origin)?.origin?.table;
    return table === undefined ? undefined : this.shapes.tableRows?.(table);
  }

  /**
   * A rollup's or dedupe's CTE (`made`: its input and body) made again of only the input rows whose keys a row of
   * `left` meets on `on`: a semi join, the condition over `right`'s columns (the keys, as in the input).
   */
  private madeOfMet(made: { from: string; body: (src: string) => string }, left: Current, right: Current, on: KeyPair[]): Current {
    const met = this.condition(left, right, on, undefined, '"__L"', '"__I"');
    return { ...right, cte: this.cte(made.body(`(SELECT "__I".* FROM ${made.from} AS "__I" SEMI JOIN ${left.cte} AS "__L" ON ${met})`)) };
  }

  private lookup(cur: Current, step: Extract<PlanStep, { verb: 'lookup' }>): Current {
    const other = this.metKeys(cur, this.relation(step.with), step.on);
    const keys = step.on.map(([, b]) => ident(b));
    const values = step.values.filter((v) => other.columns.some((c) => c.name === v));
    const kept = carry(other.slots.filter((s) => step.slots.includes(s.id)));
    const slots = kept.slots;
    // The last matching row of the other table (Arquero keeps the last row of each key); null keys match nothing.
    // Rows unique on the keys (a dedupe or a rollup on them) have one row per key: that one.
    const last = uniqueOn(other, step.on.map(([, b]) => b)) ? '' : ` QUALIFY row_number() OVER (PARTITION BY ${keys.join(', ') || '1'} ORDER BY ${ORDER} DESC) = 1`;
    const right = this.cte(`SELECT ${[...keys, ...values.map(ident), ...kept.select].join(', ')} FROM ${other.cte} WHERE ${keys.map((k) => `${k} IS NOT NULL`).join(' AND ') || 'true'}${last}`);
    const rightCur: Current = { cte: right, columns: other.columns, slots, groups: [], peers: null };
    const cond = this.condition(cur, rightCur, step.on, undefined, 'l', 'r');
    const columns = [...cur.columns];
    const select = cur.columns.map((c) => (values.includes(c.name) ? `r.${ident(c.name)} AS ${ident(c.name)}` : `l.${ident(c.name)}`));
    for (const v of values) {
      const col = other.columns.find((c) => c.name === v)!;
      const k = columns.findIndex((c) => c.name === v);
      if (k >= 0) columns[k] = col;
      else {
        columns.push(col);
        select.push(`r.${ident(v)}`);
      }
    }
    const cte = this.byRow(
      this.cte(`SELECT ${[...select, ...this.hidden(cur, 'l'), ...slotsHidden(slots, 'r')].join(', ')} FROM ${cur.cte} AS l LEFT JOIN ${right} AS r ON ${cond}`),
      cur.cte,
      cur.columns.map((c) => c.name).filter((n) => !values.includes(n)),
    );
    return { ...cur, cte, columns, slots: [...cur.slots, ...slots] };
  }

  private concat(cur: Current, step: Extract<PlanStep, { verb: 'concat' }>): Current {
    const outSlots = step.out.slots.map((s) => s.id);
    const parts = [cur, ...step.tables.map((t) => this.relation(t))];
    const maps: Array<Map<number, number>> = [new Map(cur.slots.map((s) => [s.id, s.id])), ...step.slots.map((pairs) => new Map(pairs.map(([from, to]) => [to, from])))];
    // Each output slot, in each part (absent: the part has no rows of it).
    const partSlot = (id: number, i: number): Slot | undefined => parts[i].slots.find((s) => s.id === (i === 0 ? id : maps[i].get(id)));
    // A slot of single rows in every part stays one; else the parts' evidence is told apart by the part's index.
    const evOf = new Map<number, Evidence>(
      outSlots.map((id) => {
        const each = parts.map((_, i): Evidence | null => {
          const ev = partSlot(id, i)?.ev;
          return ev?.kind === 'group' ? { ...ev, owner: undefined } : (ev ?? null);
        });
        return [id, each.every((e) => !e || e.kind === 'row') ? ROW : { kind: 'union', parts: each }];
      }),
    );
    let offset = '0';
    const selects: string[] = [];
    parts.forEach((p, i) => {
      const cols = cur.columns.map((c) => {
        const src = p.columns.find((x) => x.name === c.name);
        if (!src) return `CAST(NULL AS ${sqlType(c.kind)}) AS ${ident(c.name)}`;
        return `${src.kind === c.kind ? ident(c.name) : castTo(ident(c.name), src.kind, c.kind)} AS ${ident(c.name)}`;
      });
      const slots = outSlots.flatMap((id) => {
        const slot = partSlot(id, i);
        const ev = evOf.get(id)!;
        if (ev.kind !== 'union') return [`${slot ? ident(slotColumn(slot.id)) : 'CAST(NULL AS BIGINT)'} AS ${ident(slotColumn(id))}`];
        const [tag] = evidenceColumns(ev, slotColumn(id));
        const out = [`${slot ? i : 'CAST(NULL AS INTEGER)'} AS ${ident(tag)}`];
        ev.parts.forEach((e, j) => {
          if (!e) return;
          const names = evidenceColumns(e, `${slotColumn(id)}u${j}_`);
          const mine = j === i && slot ? readColumns(slot) : undefined;
          names.forEach((n, k) => out.push(`${mine ? ident(mine[k]) : 'NULL'} AS ${ident(n)}`));
        });
        return out;
      });
      selects.push(`SELECT ${[...cols, ...slots, `${ORDER} + ${offset} AS ${ORDER}`].join(', ')} FROM ${p.cte}`);
      offset = `${offset} + (SELECT coalesce(max(${ORDER}), 0) + 1 FROM ${p.cte})`;
    });
    const cte = this.cte(selects.join(' UNION ALL '));
    // The other parts' values are neither the first part's base column's nor among its source's.
    const columns = cur.columns.map((c): Col => ({ name: c.name, kind: c.kind }));
    return { ...cur, cte, columns, slots: outSlots.map((id) => ({ id, ev: evOf.get(id)! })), groups: [], peers: null, wide: parts.some((p) => p.wide) };
  }
}

/**
 * The aggregates of a derive or filter over groups (or over all rows, without groups), each a value of its row's
 * group: computed in one GROUP BY of the step's input, joined back on the group keys (null keys equal, as
 * PARTITION BY groups them) — the same values as `agg(…) OVER (PARTITION BY keys)` over the whole partition,
 * without the window operator's sort of every partition (NO-CERTIFICATION's first and last month per person at
 * 1M payout rows: a 1.5 s window).
 */
class GroupPass {
  private readonly made: string[] = [];
  /** The aggregates' SQL, as `made` names them. */
  private readonly sqls: string[] = [];

  get used(): boolean {
    return this.made.length > 0;
  }

  hoist(e: SqlExpr): SqlExpr {
    const name = ident(`__x${this.made.length}`);
    this.made.push(`${e.sql} AS ${name}`);
    this.sqls.push(e.sql);
    return { sql: name, kind: e.kind };
  }

  /** The keys and every aggregate read only these columns (plain identifiers, nothing qualified). */
  within(columns: readonly string[], keys: readonly string[]): boolean {
    const have = new Set(columns);
    return keys.every((k) => have.has(k)) && this.sqls.every((sql) => identifiers(sql)?.every((n) => have.has(n)) ?? false);
  }

  /**
   * What the step reads: `from`, and when aggregates were made, each row's group's values beside its columns,
   * computed over `over` (the same rows as `from`, holding what the aggregates read).
   */
  joined(from: string, keys: string[], cte: (body: string) => string, over = from): string {
    if (!this.used) return from;
    const k = keys.map(ident);
    const g = cte(`SELECT ${[...k.map((c, i) => `${c} AS ${ident(`__xk${i}`)}`), ...this.made].join(', ')} FROM ${over}${k.length ? ` GROUP BY ${k.join(', ')}` : ''}`);
    if (!k.length) return `${from} CROSS JOIN ${g}`;
    return `${from} AS "__R" LEFT JOIN ${g} AS "__X" ON ${k.map((c, i) => `"__R".${c} IS NOT DISTINCT FROM "__X".${ident(`__xk${i}`)}`).join(' AND ')}`;
  }
}

/**
 * A rollup over group keys whose aggregates keep the rows' order in lists (array_agg, array_agg_distinct, a sum
 * of fractions, mean, mode…), computed without a list for every group: DuckDB cannot spill such a list state,
 * and millions of groups of one row (PENSION-TWO-SCHEMES's person-months at 5M payout rows) hold more than the
 * pool. One pass groups every row and computes the other aggregates, the rows' count and a group's one value;
 * a second pass makes the lists only over the rows of groups with several rows (null keys equal, as GROUP BY
 * groups them); the two are joined on the keys. A group of one row gets its list from its value — [v] when v
 * is valid, NULL when not, as `list(…) FILTER (WHERE valid)` gives over one row.
 */
class Split implements ListSplit {
  private readonly hoisted: string[] = [];
  private readonly made: Array<{ list: string; x: SqlExpr }> = [];

  get lists(): number {
    return this.made.length;
  }

  /** Lists were made apart, each of values of a known type (a list of untyped nulls stays as it was). */
  usable(): boolean {
    return this.made.length > 0 && this.made.every((m) => m.x.kind !== 'null');
  }

  hoist(e: SqlExpr): SqlExpr {
    const name = ident(`__g${this.hoisted.length}`);
    this.hoisted.push(`${e.sql} AS ${name}`);
    return { sql: `"__G".${name}`, kind: e.kind };
  }

  list(list: string, x: SqlExpr): string {
    const i = this.made.length;
    this.made.push({ list, x });
    const v = `"__G".${ident(`__v${i}`)}`;
    return `(CASE WHEN "__G"."__n" > 1 THEN "__M".${ident(`__l${i}`)} WHEN ${isValid(v, x.kind)} THEN [${v}] END)`;
  }

  /**
   * The passes over `from` grouped on `keys`: `select` (the rollup's values, over the passes' columns),
   * `extra` aggregates computed in the groups' pass, `after` scalars of the keys. Returns the CTE of the groups.
   * `from` and the groups' pass are each read twice: both are computed again where read (`again`) rather than
   * materialized, which would hold them whole in memory, the memory the split saves. The second pass keeps the
   * rows of groups with several rows by a SEMI join (an EXISTS became a delim join: PENSION-TWO-SCHEMES at 2M
   * payout rows 4.5 CPU seconds, 3.3 with the join).
   */
  emit(
    from: string,
    keys: Col[],
    select: string[],
    extra: Array<[string, string]>,
    after: string[],
    cte: (body: string) => string,
    again: (name: string) => void,
    narrowed: (several: string, same: (a: string, b: string) => string) => string | undefined = () => undefined,
  ): string {
    again(from);
    const k = keys.map((c) => ident(c.name));
    const one = this.made.map((m, i) => `any_value(${m.x.sql}) AS ${ident(`__v${i}`)}`);
    const g = cte(`SELECT ${[...k, ...this.hoisted, 'count(*) AS "__n"', ...one, ...extra.map(([e, name]) => `${e} AS ${name}`)].join(', ')} FROM ${from} GROUP BY ${k.join(', ')}`);
    again(g);
    const same = (a: string, b: string) => k.map((c, i) => `${a}.${c} IS NOT DISTINCT FROM ${b}.${ident(`__k${i}`)}`).join(' AND ');
    const keysAs = k.map((c, i) => `${c} AS ${ident(`__k${i}`)}`);
    const several = cte(`SELECT ${keysAs.join(', ')} FROM ${g} WHERE "__n" > 1`);
    // The rows of the groups with several rows: `from` itself, or (a rollup on more keys) it made again of those rows' input only.
    const rows = narrowed(several, same) ?? from;
    const lists = cte(
      `SELECT ${[...keysAs, ...this.made.map((m, i) => `${m.list} AS ${ident(`__l${i}`)}`)].join(', ')} ` +
        `FROM ${rows} AS "__F" SEMI JOIN ${several} AS "__S" ON ${same('"__F"', '"__S"')} GROUP BY ${k.join(', ')}`,
    );
    return cte(`SELECT ${[...select, ...extra.map(([, name]) => `"__G".${name}`), ...after].join(', ')} FROM ${g} AS "__G" LEFT JOIN ${lists} AS "__M" ON ${same('"__G"', '"__M"')}`);
  }
}

/**
 * The rows' order as aggregates that keep it read it (array_agg's pairs of order and value, one list per group):
 * as BIGINT where it fits, which shrinks what millions of small groups' lists hold (ONE-ID-SEVERAL-PERSONS and
 * PENSION-TWO-SCHEMES at 2M payout rows run in a 512 MiB pool with it, not without).
 */
function orderOf(cur: Current): string {
  return cur.wide ? ORDER : `CAST(${ORDER} AS BIGINT)`;
}

/**
 * Does a rollup gather its rows at once, as lists (no group references in them), rather than late: when
 * its groups are what the rule outputs (a rollup of the rule's own relation that only light steps follow),
 * or what a step reads of another table (the last step of a sub-table: a join's or lookup's few summary
 * rows). Then the lists are built once for rows that stay, and the rollup's input (often an expensive
 * filter of a whole table, or a join) is not computed again for the evidence.
 */
function eagerRollup(cur: Current, after: PlanStep[], root: boolean, cheap = false): boolean {
  const light = new Set<PlanStep['verb']>(['filter', 'derive', 'select', 'rename', 'orderby', 'groupby', 'ungroup', 'dedupe', 'semijoin', 'antijoin']);
  if (!cur.slots.every((s) => s.ev.kind === 'row' || s.ev.kind === 'list')) return false;
  // A filter that follows keeps the exceptions: over an input a scan computes again at little cost (`cheap`), the
  // few groups left go back to their rows (late) rather than every group gathering its list (SPLIT-BELOW-THRESHOLD
  // at 1M payout rows: 485k lists, 0.39 of the query's 0.47 operator-seconds, for 3 groups).
  if (root && cheap && after.some((s) => s.verb === 'filter')) return false;
  return root ? after.every((s) => light.has(s.verb)) : after.length === 0;
}

/** A relation whose rows are `light`: each column's values are in its CTE, as they are (Col.source). */
function sourced(cur: Current): Current {
  if (!cur.light) return cur;
  return { ...cur, columns: cur.columns.map((c) => ({ ...c, source: { cte: cur.cte, column: c.name } })) };
}

/** `grouped` and `narrowed` after a step. */
function narrowing(before: Current, step: PlanStep): Pick<Current, 'grouped' | 'narrowed'> {
  switch (step.verb) {
    case 'rollup':
    case 'count':
      return { grouped: true, narrowed: false };
    case 'filter':
      return { grouped: before.grouped, narrowed: before.narrowed || before.grouped };
    case 'join':
    case 'lookup':
    case 'concat':
      return { grouped: false, narrowed: false };
    default:
      return { grouped: before.grouped, narrowed: before.narrowed };
  }
}

/**
 * The least rows of the table a join's rollup reads, as a share of the left side's table, for the rollup to make
 * only the groups a left row meets (Compiler.metGroups).
 */
const MET_GROUPS_SHARE = 0.25;

/**
 * Does a step keep an orderby not numbered yet (`Current.sorted`) as it is: a filter, a derive and a select that
 * keep its columns' values, a rename that writes over none of them, a groupby. Every other step reads `__o`
 * itself (or the rows' order as one value): the rows are numbered before it.
 */
function keepsSorted(cur: Current, step: PlanStep): boolean {
  if (!cur.sorted) return true;
  const names = new Set(cur.sorted.map((k) => k.name));
  switch (step.verb) {
    case 'filter':
    case 'groupby':
    case 'ungroup':
      return true;
    case 'derive':
      return !step.values.some((v) => names.has(v.name));
    case 'select':
      return [...names].every((n) => step.names.includes(n));
    case 'rename':
      return !step.renames.some(([, to]) => names.has(to));
    default:
      return false;
  }
}

/** Steps whose rows are some of their input's, each once (`Current.subset`). */
const SUBSET = new Set<PlanStep['verb']>(['filter', 'derive', 'select', 'rename', 'groupby', 'ungroup', 'orderby', 'dedupe', 'semijoin', 'antijoin', 'lookup']);

/** Steps after which the rows may still be `light` (a filter and a derive only without windows or aggregates over groups). */
const LIGHT = new Set<PlanStep['verb']>(['filter', 'derive', 'select', 'rename', 'groupby', 'ungroup']);

/** The hidden columns of some slots, read from `alias` when given. */
function slotsHidden(slots: Slot[], alias = ''): string[] {
  const p = alias ? `${alias}.` : '';
  return slots.flatMap((s) => slotColumns(s).map((c) => p + ident(c)));
}

/**
 * Named values put among columns (derive: the table's; rollup: the group keys): one of an existing name in its
 * place, a new one after them. Returns the columns and their SELECT terms.
 */
function placeValues(columns: Col[], values: Array<{ name: string; expr: SqlExpr }>): { columns: Col[]; select: string[] } {
  for (const v of values) {
    const col = { name: v.name, kind: v.expr.kind === 'null' ? ('text' as SqlKind) : v.expr.kind };
    const k = columns.findIndex((c) => c.name === v.name);
    if (k >= 0) columns[k] = col;
    else columns.push(col);
  }
  const byName = new Map(values.map((v) => [v.name, v.expr]));
  const select = columns.map((c) => {
    const e = byName.get(c.name);
    return e ? `${e.kind === 'null' ? 'CAST(NULL AS VARCHAR)' : e.sql} AS ${ident(c.name)}` : ident(c.name);
  });
  return { columns, select };
}

/** The slots a relation's table and first `n` steps read, in order: its own, then each sub-relation's (slotTables' order). */
function prefixSlots(rel: Relation, n: number): number[] {
  return slotTables({ ...rel, steps: rel.steps.slice(0, n) }).map(([id]) => id);
}

/**
 * What a relation's table and first `n` steps compute, as text: equal for two relations that compute the same
 * rows. Where steps are in the file, and what the plan records of each step's output, are left out; slots are
 * numbered in the order they are read (prefixSlots), as two copies of a sub-table read different slots.
 */
function prefixKey(rel: Relation, n: number): string {
  const ordinal = new Map(prefixSlots(rel, n).map((id, k) => [id, k]));
  const slot = (id: number) => ordinal.get(id) ?? `?${id}`;
  return JSON.stringify([rel.from, rel.steps.slice(0, n)], function (key, value) {
    if (key === 'path' || key === 'out') return undefined;
    if (key === 'slot' && value && typeof value === 'object') return [slot(value.id), value.table];
    if (key === 'slots' && Array.isArray(value) && (this as { verb?: string }).verb === 'lookup') return (value as number[]).map(slot);
    if (key === 'slots' && Array.isArray(value) && (this as { verb?: string }).verb === 'concat') return (value as Array<Array<[number, number]>>).map((pairs) => pairs.map(([a, b]) => [slot(a), slot(b)]));
    return value;
  });
}

/** What `joined` is after a step (`before` its input, `after` its output): the rows made of the same left rows. */
function joinedAfter(before: Current, step: PlanStep, after: Current): Current['joined'] {
  if (step.verb === 'join') return after.joined;
  const was = before.joined;
  switch (step.verb) {
    case 'filter':
    case 'groupby':
    case 'ungroup':
    case 'orderby':
    case 'semijoin':
    case 'antijoin':
      return was;
    case 'derive': {
      const written = new Set(step.values.map((v) => v.name));
      return was && { ...was, columns: was.columns.filter((c) => !written.has(c)) };
    }
    case 'select':
      return was && { ...was, columns: was.columns.filter((c) => step.names.includes(c)) };
    default:
      return undefined;
  }
}

/** Column sets the rows are unique on after a step, from those before it (as far as the plan shows; none after a join or concat). */
function uniqueAfter(before: Current, step: PlanStep): string[][] {
  const unique = before.unique ?? [];
  const without = (names: Iterable<string>) => {
    const gone = new Set(names);
    return unique.filter((k) => !k.some((n) => gone.has(n)));
  };
  switch (step.verb) {
    case 'filter':
    case 'orderby':
    case 'groupby':
    case 'ungroup':
    case 'semijoin':
    case 'antijoin':
      return unique;
    case 'select':
      return unique.filter((k) => k.every((n) => step.names.includes(n)));
    case 'rename': {
      const map = new Map(step.renames);
      // A column a rename writes over is no longer what the set was unique on.
      return unique.filter((k) => !k.some((n) => !map.has(n) && [...map.values()].includes(n))).map((k) => k.map((n) => map.get(n) ?? n));
    }
    case 'derive':
      return without(step.values.map((v) => v.name));
    case 'lookup':
      // The other table's last matching row only: as many rows as before.
      return without(step.values);
    case 'dedupe': {
      const keys = step.keys.length ? step.keys : before.columns.map((c) => c.name);
      return [...unique, keys.filter((k) => before.columns.some((c) => c.name === k))];
    }
    case 'rollup':
      // One row per group (one in all without groups), unless a value takes a key's name.
      return step.values.some((v) => before.groups.includes(v.name)) ? [] : [before.groups];
    case 'count':
      return before.groups.includes(step.as) ? [] : [before.groups];
    default:
      return [];
  }
}

/**
 * The relation a semijoin or antijoin on keys tests rows against: without the dedupes it ends with whose keys hold
 * the join's keys (every column, when a dedupe names none). Such a dedupe keeps a row of every combination of its
 * keys, so of every combination of the join's: the same keys exist with it and without it, and the rows of the
 * other table are not evidence. HOLDER-NOT-BENEFICIARY's two antijoins deduped every payout row first.
 */
function existenceOf(rel: Relation, on: KeyPair[] | undefined): Relation {
  if (!on) return rel;
  let n = rel.steps.length;
  for (; n > 0; n--) {
    const step = rel.steps[n - 1];
    if (step.verb !== 'dedupe' || !(step.keys.length === 0 || on.every(([, b]) => step.keys.includes(b)))) break;
  }
  // A dedupe outputs the columns and slots it reads: the relation's output stays as it was.
  return n === rel.steps.length ? rel : { ...rel, steps: rel.steps.slice(0, n) };
}

/** Are the rows unique on these columns (some set they are unique on lies within them)? */
function uniqueOn(cur: Current, columns: string[]): boolean {
  return (cur.unique ?? []).some((k) => k.every((n) => columns.includes(n)));
}

/** Does the join estimate group a key pair as the values are (no cast that could make two values one: a number as another kind of number)? */
function injectiveKeys(x: SqlExpr, y: SqlExpr): boolean {
  const numeric = (k: SqlKind) => k === 'int' || k === 'float';
  return x.kind === y.kind || !(numeric(x.kind) && numeric(y.kind));
}

/** Two keys equal as the rule language means it: same kind and value (dates and text meet as text); null matches nothing. */
function keyEquals(x: SqlExpr, y: SqlExpr): string {
  const textual = (k: SqlKind) => k === 'text' || k === 'month' || k === 'date' || k === 'datetime';
  if (x.kind === y.kind) return `${x.sql} = ${y.sql}`;
  if (textual(x.kind) && textual(y.kind)) {
    const t = (e: SqlExpr) => (e.kind === 'date' || e.kind === 'datetime' ? `CAST(${e.sql} AS VARCHAR)` : e.sql);
    return `${t(x)} = ${t(y)}`;
  }
  if ((x.kind === 'int' || x.kind === 'float') && (y.kind === 'int' || y.kind === 'float')) return `${x.sql} = ${y.sql}`;
  return 'false';
}

/**
 * A key pair as the join estimate groups it: each side as it is when the kinds agree, both as text or as
 * numbers when the join compares them so, and two keys that never meet when it compares nothing.
 */
function estimateKeys(x: SqlExpr, y: SqlExpr): [string, string] {
  const textual = (k: SqlKind) => k === 'text' || k === 'month' || k === 'date' || k === 'datetime';
  const numeric = (k: SqlKind) => k === 'int' || k === 'float';
  if (x.kind === y.kind) return [x.sql, y.sql];
  if (textual(x.kind) && textual(y.kind)) return [`CAST(${x.sql} AS VARCHAR)`, `CAST(${y.sql} AS VARCHAR)`];
  if (numeric(x.kind) && numeric(y.kind)) return [`CAST(${x.sql} AS DOUBLE)`, `CAST(${y.sql} AS DOUBLE)`];
  return [`'a'`, `'b'`];
}

/**
 * The CTEs computed again where they are read rather than materialized: the rollup inputs that only the
 * evidence reads again (past the rule's last filter, for the few groups left), and the CTEs that only they read
 * — materialized, each would hold all its rows, every column, in memory. CTEs read more than that DuckDB
 * materializes, as it did before.
 */
function inlined(ctes: readonly Cte[], final: string, reread: ReadonlySet<string>): Set<string> {
  const count = readCounts(ctes, final);
  const body = new Map(ctes.map((c) => [c.name, c.body]));
  const out = new Set<string>();
  const add = (name: string) => {
    if (out.has(name) || !body.has(name)) return;
    out.add(name);
    for (const n of cteNamesIn(body.get(name)!)) if (count.get(n) === 1) add(n);
  };
  for (const name of reread) if (count.get(name) === 2) add(name);
  return out;
}

/**
 * A CTE's body reading `to` where it reads `from`, when it names `from` once (outside quoted names and text); else
 * undefined.
 */
function renameCte(body: string, from: string, to: string): string | undefined {
  const at: number[] = [];
  const name = /\bs\d+\b/y;
  for (let i = 0; i < body.length; i++) {
    const ch = body[i];
    if (ch === "'" || ch === '"') {
      // To the closing quote (a doubled one is inside).
      for (i++; i < body.length && (body[i] !== ch || body[i + 1] === ch); i++) if (body[i] === ch) i++;
      continue;
    }
    name.lastIndex = i;
    const m = name.exec(body);
    if (!m) continue;
    if (m[0] === from) at.push(i);
    i += m[0].length - 1;
  }
  if (at.length !== 1) return undefined;
  return body.slice(0, at[0]) + to + body.slice(at[0] + from.length);
}

/** The names of the compiler's CTEs (`s<n>`) a query text reads, once per mention. */
export function cteNamesIn(text: string): string[] {
  return text.match(/\bs\d+\b/g) ?? [];
}

/** How many times each CTE is read, by the others and by `final`. */
function readCounts(ctes: readonly Cte[], final: string): Map<string, number> {
  const count = new Map<string, number>();
  for (const text of [...ctes.map((c) => c.body), final]) for (const n of cteNamesIn(text)) count.set(n, (count.get(n) ?? 0) + 1);
  return count;
}

/** A query: WITH the CTEs (those named in `materialized` AS MATERIALIZED), then `final`. */
export function withCtes(ctes: readonly Cte[], final: string, materialized: ReadonlySet<string> = new Set(), inlined: ReadonlySet<string> = new Set()): string {
  if (!ctes.length) return final;
  return `WITH\n${ctes.map((c) => `${c.name} AS ${materialized.has(c.name) ? 'MATERIALIZED ' : inlined.has(c.name) ? 'NOT MATERIALIZED ' : ''}(\n  ${c.body}\n)`).join(',\n')}\n${final}`;
}

/** The placeholder of a guarded join's growth, `$fa_join_<k>` for the join `joins[k]` (guardJoins). */
export const JOIN_GUARD = 'fa_join_';
/** What a guarded join's error says, followed by the join's index. */
export const JOIN_GUARD_ERROR = 'fa_join_over';

/**
 * The query's CTEs with the first sizing of some joins inside them (the executor sizes the others before the
 * query, joinSideSql): a join neither `bounded` nor on a right input that is `cheap` to compute again has its
 * right input's CTE counted by a window — its rows per key value, or all its rows for a join on a condition —
 * that raises JOIN_GUARD_ERROR when a count passes the growth bound at `$fa_join_<k>`. The window holds every
 * row of the input before it gives one, so the error comes before the join has met one row past the growth.
 * Sized by a query of its own, such an input was computed twice, with everything under it the query computes
 * once (RECEIPT-NUMBER-GAPS at 2M payout rows: 2.1 s to compute the receipt series of every contribution again,
 * to count 24 series and collectors).
 *
 * A join on a condition passes the bound as soon as its right input has more rows than the growth; the guard
 * then counts the left input too, when that costs nothing more (cheap to compute again, or read more than once,
 * which DuckDB holds), and fires only when the pairs pass what the budget allows (engine/budget.ts checkJoin):
 * RECEIPT-NUMBER-GAPS pairs its 64 series and collectors at 5M with themselves.
 */
function guardJoins(ctes: readonly Cte[], joins: readonly JoinInputs[], final: string, cheap: ReadonlySet<string>, notMaterialized: ReadonlySet<string>): { ctes: Cte[]; joins: number[] } | undefined {
  const reads = readCounts(ctes, final);
  const at = new Map(ctes.map((c, i) => [c.name, i]));
  // A CTE reads only those before it: the left input is counted in the right's when it comes first.
  const countable = (name: string, from: string) => at.get(name)! < at.get(from)! && (cheap.has(name) || ((reads.get(name) ?? 0) >= 2 && !notMaterialized.has(name)));
  const out = ctes.map((c) => ({ ...c }));
  const guarded: number[] = [];
  joins.forEach((j, k) => {
    if (j.bounded || cheap.has(j.right)) return;
    const cte = out.find((c) => c.name === j.right)!;
    const g = `$${JOIN_GUARD}${k}`;
    const r = `CAST(count(*) OVER (${j.keys?.length ? `PARTITION BY ${j.keys.map(([, b]) => b).join(', ')}` : ''}) AS DOUBLE)`;
    const l = `(SELECT CAST(count(*) AS DOUBLE) FROM ${j.left})`;
    const over = !j.keys && countable(j.left, j.right) ? `${r} > ${g} AND ${r} * ${l} > greatest(${JOIN_FLOOR}, ${g} * (${l} + ${r}))` : `${r} > ${g}`;
    cte.body = `SELECT * FROM (${cte.body}) QUALIFY CASE WHEN ${over} THEN error('${JOIN_GUARD_ERROR} ${k}') ELSE true END`;
    guarded.push(k);
  });
  return guarded.length ? { ctes: out, joins: guarded } : undefined;
}

/**
 * The query that sizes a join before it runs: its inputs' rows and, for a join on keys, the rows it would
 * output, counted per key value on each side (a null key counted as matching, an upper bound, as
 * engine/budget.ts's equiJoinRows counts). A join on a condition outputs no count: it tests every pair.
 */
export function joinEstimateSql(q: Pick<CompiledSql, 'ctes'>, j: JoinInputs): string {
  const prefix = q.ctes.slice(0, j.ctes);
  if (!j.keys) return withCtes(prefix, `SELECT (SELECT count(*) FROM ${j.left}), (SELECT count(*) FROM ${j.right}), NULL`);
  const side = (t: string, k: number) => `SELECT ${[...j.keys!.map((pair, i) => `${pair[k]} AS "k${i}"`), 'count(*) AS "n"'].join(', ')} FROM ${t}${j.keys!.length ? ' GROUP BY ALL' : ''}`;
  const on = j.keys.map((_, i) => `lk."k${i}" IS NOT DISTINCT FROM rk."k${i}"`).join(' AND ') || 'true';
  const leftAlone = j.how === 'left' || j.how === 'full' ? 'lk."n"' : '0';
  const rightAlone = j.how === 'right' || j.how === 'full' ? 'rk."n"' : '0';
  const rows = `CASE WHEN lk."n" IS NOT NULL AND rk."n" IS NOT NULL THEN CAST(lk."n" AS DOUBLE) * rk."n" WHEN rk."n" IS NULL THEN ${leftAlone} ELSE ${rightAlone} END`;
  const ctes: Cte[] = [...prefix, { name: 'fa_lk', body: side(j.left, 0) }, { name: 'fa_rk', body: side(j.right, 1) }];
  return withCtes(
    ctes,
    `SELECT (SELECT coalesce(sum("n"), 0) FROM fa_lk), (SELECT coalesce(sum("n"), 0) FROM fa_rk), ` +
      `(SELECT coalesce(sum(${rows}), 0) FROM fa_lk AS lk FULL JOIN fa_rk AS rk ON ${on})`,
    new Set(['fa_lk', 'fa_rk']),
  );
}

/**
 * The query that sizes a join's right input alone (its own CTEs, not the left's): its rows, and for a join on
 * keys the most rows any one key value has (a null key counted as one value, as joinEstimateSql counts).
 * When either is within the join's growth, so is the join (engine/budget.ts's `withinGrowth`).
 */
export function joinSideSql(q: Pick<CompiledSql, 'ctes'>, j: JoinInputs): string {
  const prefix = q.ctes.slice(0, j.ctes);
  if (!j.keys) return withCtes(prefix, `SELECT count(*), NULL FROM ${j.right}`);
  const keys = j.keys.map((pair, i) => `${pair[1]} AS "k${i}"`);
  const counts = keys.length ? `SELECT ${keys.join(', ')}, count(*) AS "n" FROM ${j.right} GROUP BY ALL` : `SELECT count(*) AS "n" FROM ${j.right}`;
  return withCtes(prefix, `SELECT coalesce(sum("n"), 0), coalesce(max("n"), 0) FROM (${counts})`);
}

function sqlType(kind: SqlKind): string {
  return { text: 'VARCHAR', month: 'VARCHAR', date: 'DATE', datetime: 'TIMESTAMP', int: 'BIGINT', float: 'DOUBLE', boolean: 'BOOLEAN', null: 'VARCHAR', list: 'VARCHAR[]' }[kind];
}

function castTo(sql: string, from: SqlKind, to: SqlKind): string {
  if ((from === 'date' || from === 'datetime') && (to === 'text' || to === 'month')) return `CAST(${sql} AS VARCHAR)`;
  return `CAST(${sql} AS ${sqlType(to)})`;
}
