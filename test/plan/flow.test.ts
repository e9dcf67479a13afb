import { describe, expect, it } from 'vitest';
import { compileCheck } from '../../src/plan/check.js';
import { compileRule } from '../../src/plan/compile.js';
import type { Pipeline } from '../../src/rules/model.js';

/** The column flow of a pipeline: tables and columns read, output columns and where they pass through from, problems (paths relative to the check). */
function analysePipeline(p: Pipeline, params?: Set<string>) {
  const c = params
    ? compileRule({ check: { kind: 'pipeline', ...p }, params: Object.fromEntries([...params].map((n) => [n, {}])) })
    : compileCheck({ kind: 'pipeline', ...p });
  const columns = c.relation?.out.columns ?? [];
  return {
    tables: c.tables,
    inputColumns: c.reads,
    output: columns.map((x) => x.name),
    outputOrigins: Object.fromEntries(columns.map((x) => [x.name, x.sources])),
    columns: Object.fromEntries(columns.map((x) => [x.name, x])),
    relation: c.relation,
    problems: c.problems.filter((x) => x.stage !== 'expression').map(({ stage: _stage, path, ...rest }) => ({ ...rest, path: path.slice(1) })),
  };
}

describe('analysePipeline: column flow', () => {
  it('follows the worked example: join, groupby, rollup', () => {
    const p: Pipeline = {
      from: 'payouts',
      steps: [
        { filter: "d.status == '成功' && !op.includes($.survivor_items, d.item)" },
        { join: { with: { from: 'deaths', steps: [{ select: ['id_number', 'death_date'] }] }, on: 'id_number' } },
        { filter: 'd.period > op.add_months(op.month_of(d.death_date), $.grace_months)' },
        { groupby: ['id_number', 'name', 'death_date'] },
        { rollup: { first_period: 'op.min(d.period)', total: 'op.sum(d.amount)' } },
      ],
    };
    const a = analysePipeline(p, new Set(['survivor_items', 'grace_months']));
    expect(a.problems).toEqual([]);
    expect(a.tables).toEqual(['payouts', 'deaths']);
    expect(a.inputColumns).toEqual({
      payouts: ['status', 'item', 'id_number', 'period', 'name', 'amount'],
      deaths: ['id_number', 'death_date'],
    });
    expect(a.output).toEqual(['id_number', 'name', 'death_date', 'first_period', 'total']);
    expect(a.outputOrigins.id_number).toEqual(['payouts.id_number', 'deaths.id_number']);
    expect(a.outputOrigins.total).toEqual([]);
  });

  it('suffixes clashing join columns _1/_2 and keeps equal-named keys once', () => {
    const a = analysePipeline({ from: 'payouts', steps: [{ select: ['id_number', 'name', 'amount'] }, { join: { with: 'deaths', on: 'id_number' } }] });
    expect(a.output).toEqual(['id_number', 'name_1', 'amount', 'name_2', 'death_date', 'source']);
  });

  it('keeps both keys of a left→right map, and honours custom suffixes', () => {
    const a = analysePipeline({
      from: 'payouts',
      steps: [{ select: ['operator_id', 'name'] }, { join: { with: 'staff', on: { operator_id: 'staff_id' }, suffix: ['', '_staff'] } }],
    });
    expect(a.output).toEqual(expect.arrayContaining(['operator_id', 'staff_id', 'name', 'name_staff']));
    expect(a.inputColumns.staff).toEqual(['staff_id']);
  });

  it('suffixes every clash of a predicate join and checks a. and b. separately', () => {
    const a = analysePipeline({
      from: 'payouts',
      steps: [
        { select: ['id_number', 'pay_date'] },
        { join: { with: 'prisoners', where: '(a, b) => a.id_number == b.id_number && a.pay_date >= b.sentence_start && b.pay_date != null' } },
      ],
    });
    expect(a.output).toEqual(['id_number_1', 'pay_date', 'id_number_2', 'name', 'sentence_start', 'sentence_end', 'release_date']);
    expect(a.problems).toEqual([expect.objectContaining({ code: 'unknown-column', message: 'unknown column `pay_date` in the joined table (b)', path: ['steps', 1, 'join', 'where'] })]);
  });

  it('outputs group keys and rollup names, group keys and count (or as)', () => {
    expect(analysePipeline({ from: 'payouts', steps: [{ groupby: ['operator_id'] }, { count: {} }] }).output).toEqual(['operator_id', 'count']);
    expect(analysePipeline({ from: 'payouts', steps: [{ groupby: ['operator_id'] }, { count: { as: 'n' } }] }).output).toEqual(['operator_id', 'n']);
    expect(analysePipeline({ from: 'payouts', steps: [{ rollup: { n: 'op.count()' } }] }).output).toEqual(['n']);
  });

  it('applies derive, select, rename, lookup, semijoin, concat', () => {
    const a = analysePipeline({
      from: 'payouts',
      steps: [
        { derive: { month: 'op.month_of(d.pay_date)' } },
        { select: ['id_number', 'month', 'amount'] },
        { rename: { amount: 'paid' } },
        { lookup: { with: 'persons', on: 'id_number', values: ['birth_date'] } },
        { semijoin: { with: 'deaths', on: 'id_number' } },
        { concat: ['payouts'] },
      ],
    });
    expect(a.problems).toEqual([]);
    expect(a.output).toEqual(['id_number', 'month', 'paid', 'birth_date']);
    expect(a.tables).toEqual(['payouts', 'persons', 'deaths']);
  });

  it('sees the columns before the step in derive (not its siblings)', () => {
    const a = analysePipeline({ from: 'payouts', steps: [{ derive: { x: 'd.amount * 2', y: 'd.x + 1' } }] });
    expect(a.problems).toEqual([expect.objectContaining({ code: 'unknown-column', path: ['steps', 0, 'derive', 'y'], offset: 2, length: 1 })]);
  });

  it('reports unknown tables and columns with a path, an offset and a fix', () => {
    const a = analysePipeline({
      from: 'payouts',
      steps: [{ filter: 'd.amout > 0' }, { join: { with: 'death', on: 'id_number' } }, { groupby: ['id_number'] }, { rollup: { n: 'op.count()' } }, { orderby: ['-amount'] }],
    });
    expect(a.problems).toEqual([
      { code: 'unknown-column', path: ['steps', 0, 'filter'], offset: 2, length: 5, message: 'unknown column `amout` at this step', fix: expect.stringMatching(/^did you mean `amount`\?/) },
      { code: 'unknown-table', path: ['steps', 1, 'join', 'with'], message: 'unknown table `death`', fix: expect.stringMatching(/^did you mean `deaths`\?/) },
    ]);
  });

  it('says which step dropped a column', () => {
    const a = analysePipeline({ from: 'payouts', steps: [{ groupby: ['id_number'] }, { rollup: { n: 'op.count()' } }, { orderby: ['-amount'] }] });
    expect(a.problems).toEqual([expect.objectContaining({ path: ['steps', 2, 'orderby', 0], message: 'column `amount` is no longer there at this step: the rollup at step 2 left it out' })]);
  });

  it('wants exactly one of on and where in a join', () => {
    const neither = analysePipeline({ from: 'payouts', steps: [{ semijoin: { with: 'deaths' } }] });
    expect(neither.problems).toEqual([expect.objectContaining({ code: 'join-condition', path: ['steps', 0, 'semijoin'], message: 'semijoin needs `on` or `where`' })]);
    const both = analysePipeline({ from: 'payouts', steps: [{ join: { with: 'deaths', on: 'id_number', where: '(a, b) => a.id_number == b.id_number' } }] });
    expect(both.problems).toEqual([expect.objectContaining({ code: 'join-condition', path: ['steps', 0, 'join', 'where'], message: 'join takes either `on` or `where`, not both' })]);
  });

  it('wants literals compared with code columns to be canonical values', () => {
    const a = analysePipeline({
      from: 'payouts',
      steps: [
        { filter: "d.status == 'success' && op.includes(['110', '养老'], d.scheme) && d.status != '成功'" },
        { join: { with: 'persons', on: 'id_number' } },
        { filter: "d.gender == '1' || d.retire_type == '离休'" },
      ],
    });
    expect(a.problems.map((p) => [p.path.join('.'), p.offset, p.message, p.fix])).toEqual([
      ['steps.0.filter', 12, '`success` is not how status values are loaded', "write '成功': every spelling of it in the exports, 'success' among them, is loaded as '成功'"],
      ['steps.0.filter', 45, '`养老` is not a value of payouts.scheme', "payouts.scheme holds one of: '110', '120', '170', '210', '310', '390', '410', '510'"],
      ['steps.2.filter', 12, '`1` is not how gender values are loaded', "write '男': every spelling of it in the exports, '1' among them, is loaded as '男'"],
      ['steps.2.filter', 36, '`离休` is not a value of persons.retire_type', "persons.retire_type holds one of: '正常退休', '提前退休', '因病退休', '特殊工种'"],
    ]);
  });

  it('wants literals compared with dates, months and money written as those are held', () => {
    const a = analysePipeline({
      from: 'payouts',
      steps: [{ filter: "d.pay_date >= '2024/01/01' && d.period < '2024-01-15' && d.amount > '100' && d.op_time > '2024-01-01' && d.amount > 0 && d.period != null" }],
    });
    expect(a.problems.map((p) => [p.code, p.offset, p.message, p.fix])).toEqual([
      ['literal-type', 14, '"2024/01/01" is compared with pay_date, which holds text \'YYYY-MM-DD\'', "write '2024-01-31'"],
      ['literal-type', 41, '"2024-01-15" is compared with period, which holds text \'YYYY-MM\'', "write '2024-01'"],
      ['literal-type', 68, '"100" is compared with amount, which holds a number of fen', 'write a number in fen (500000 for 5000 yuan), or a money param'],
    ]);
  });

  it('flags undeclared params when the rule is compiled', () => {
    const p: Pipeline = { from: 'payouts', steps: [{ filter: 'd.amount > $.min' }] };
    expect(analysePipeline(p).problems).toEqual([]);
    expect(analysePipeline(p, new Set()).problems).toEqual([expect.objectContaining({ code: 'undeclared-param', offset: 13 })]);
  });

  it('outputs a right join\'s equal-named keys from the right, and a full join\'s merged, in Arquero\'s order', () => {
    const join = (how: string) => analysePipeline({ from: 'payouts', steps: [{ select: ['id_number', 'amount'] }, { join: { with: { from: 'deaths', steps: [{ select: ['id_number', 'death_date'] }] }, on: 'id_number', how } }] } as Pipeline);
    expect(join('inner').output).toEqual(['id_number', 'amount', 'death_date']);
    expect(join('right').output).toEqual(['amount', 'id_number', 'death_date']);
    const full = join('full');
    expect(full.output).toEqual(['id_number', 'amount', 'death_date']);
    expect(full.relation!.steps[1]).toMatchObject({ verb: 'join', how: 'full', output: { merged: ['id_number'] } });
  });
});

describe('lineage and personal-data kinds of output columns', () => {
  const kinds = (p: Pipeline) => Object.fromEntries(Object.values(analysePipeline(p).columns).map((c) => [c.name, c.kind ?? null]));

  it('a rollup of a name is a name; counts, lengths and ages are not personal data', () => {
    const a = analysePipeline({
      from: 'payouts',
      steps: [{ groupby: ['operator_id'] }, { rollup: { who: 'op.max(d.name)', card: 'op.max(d.bank_account)', n: 'op.count()', people: 'op.distinct(d.id_number)', longest: 'op.max(op.length(d.name))' } }],
    });
    expect(Object.fromEntries(Object.entries(a.columns).map(([n, c]) => [n, c.kind ?? null]))).toEqual({ operator_id: null, who: 'name', card: 'account', n: null, people: null, longest: null });
    expect(a.columns.who).toMatchObject({ sources: [], lineage: ['payouts.name'], via: ['op.max', 'rollup'] });
  });

  it('a text built from an identity number is still one; a birth date or an age drawn from it is not', () => {
    expect(
      kinds({
        from: 'persons',
        steps: [
          { derive: { split: "op.substring(d.id_number, 0, 6) + ' ' + op.substring(d.id_number, 6, 18)", upper: 'op.upper(d.name)', born: 'op.id_birth_date(d.id_number)', age: "op.age_on(op.id_birth_date(d.id_number), '2024-01-01')", valid: 'op.id_valid(d.id_number)' } },
          { select: ['split', 'upper', 'born', 'age', 'valid'] },
        ],
      }),
    ).toEqual({ split: 'id', upper: 'name', born: null, age: null, valid: null });
  });

  it('kinds follow renames, join suffixes and lookups; mixed kinds take the stronger', () => {
    expect(
      kinds({
        from: 'payouts',
        steps: [
          { select: ['id_number', 'name', 'bank_account'] },
          { rename: { bank_account: 'card' } },
          { join: { with: 'deaths', where: '(a, b) => a.id_number == b.id_number' } },
          { derive: { both: 'd.name_1 + d.id_number_1', flag: 'd.name_1 == d.name_2' } },
        ],
      }),
    ).toEqual({ id_number_1: 'id', name_1: 'name', card: 'account', id_number_2: 'id', name_2: 'name', death_date: null, source: null, both: 'id', flag: null });
  });
});

describe('evidence slots', () => {
  const slots = (p: Pipeline) => analysePipeline(p).relation!.out.slots.map((s) => s.table);

  it('every read of a table is a slot; a self-join carries two', () => {
    expect(slots({ from: 'payouts', steps: [{ join: { with: 'payouts', on: 'id_number' } }] })).toEqual(['payouts', 'payouts']);
    expect(slots({ from: 'payouts', steps: [{ join: { with: 'deaths', on: 'id_number' } }, { groupby: ['id_number'] }, { count: {} }] })).toEqual(['payouts', 'deaths']);
  });

  it('semijoin and antijoin keep the left rows only; a lookup adds the looked-up row unless the rows carry its table already', () => {
    expect(slots({ from: 'payouts', steps: [{ semijoin: { with: 'deaths', on: 'id_number' } }, { antijoin: { with: 'prisoners', on: 'id_number' } }] })).toEqual(['payouts']);
    expect(slots({ from: 'payouts', steps: [{ lookup: { with: 'deaths', on: 'id_number', values: ['death_date'] } }] })).toEqual(['payouts', 'deaths']);
    expect(slots({ from: 'payouts', steps: [{ lookup: { with: { from: 'payouts', steps: [{ groupby: ['id_number'] }, { count: { as: 'n' } }] }, on: 'id_number', values: ['n'] } }] })).toEqual(['payouts']);
  });

  it('concat fills the slot of the same table, and adds the others', () => {
    const a = analysePipeline({ from: 'payouts', steps: [{ select: ['id_number'] }, { concat: [{ from: 'payouts', steps: [{ select: ['id_number'] }] }, { from: 'deaths', steps: [{ select: ['id_number'] }] }] }] });
    expect(a.relation!.out.slots.map((s) => s.table)).toEqual(['payouts', 'deaths']);
    const concat = a.relation!.steps[1];
    expect(concat.verb === 'concat' && concat.slots.map((pairs) => pairs.map(([, to]) => to))).toEqual([[a.relation!.slot.id], [a.relation!.out.slots[1].id]]);
  });
});

describe('analysePipeline: op.rank and its kin need an orderby in force', () => {
  const RANKS = { derive: { rk: 'op.rank()', dr: 'op.dense_rank()', cd: 'op.cume_dist()' } };
  const problems = (steps: unknown[]) => analysePipeline({ from: 'payouts', steps } as Pipeline).problems.filter((p) => p.code === 'rank-without-order');

  it.each([
    ['a filter, a select keeping the key, a rename of it', [{ orderby: ['period'] }, { filter: 'd.amount > 0' }, { select: ['period', 'id_number'] }, { rename: { period: 'p' } }, RANKS]],
    ['groupby and ungroup, a semijoin, an antijoin', [{ orderby: ['-period'] }, { groupby: ['id_number'] }, { ungroup: true }, { semijoin: { with: 'deaths', on: 'id_number' } }, { antijoin: { with: 'staff', on: { operator_id: 'staff_id' } } }, RANKS]],
    ['a lookup of other columns, a derive of other columns', [{ orderby: ['period'] }, { lookup: { with: 'deaths', on: 'id_number', values: ['death_date'] } }, { derive: { x: '1' } }, RANKS]],
    ['a filter by rank', [{ orderby: ['period'] }, { filter: 'op.rank() > 1' }]],
    ['a derive that writes over a key and ranks in one step (it reads the rows before it)', [{ orderby: ['amount'] }, { derive: { amount: '0 - d.amount', rk: 'op.rank()' } }]],
    ['an orderby again after a join', [{ join: { with: 'deaths', on: 'id_number' } }, { orderby: ['period'] }, RANKS]],
  ])('passes after %s', (_, steps) => {
    expect(problems(steps)).toEqual([]);
  });

  it.each([
    ['no orderby', [RANKS], 'no orderby comes before it', 'put an orderby'],
    ['a derive writing over a key', [{ orderby: ['amount'] }, { derive: { amount: '0 - d.amount' } }, RANKS], 'the derive at step 2 writes over `amount`, one of its keys', 'orderby again after the derive at step 2'],
    ['a lookup writing over a key', [{ orderby: ['name'] }, { lookup: { with: 'deaths', on: 'id_number', values: ['name'] } }, RANKS], 'the lookup at step 2 writes over `name`', 'orderby again'],
    ['a select dropping a key', [{ orderby: ['period', 'amount'] }, { select: ['id_number', 'period'] }, RANKS], 'the select at step 2 drops `amount`, one of its keys', 'keep `amount`'],
    ['a dedupe', [{ orderby: ['period'] }, { dedupe: ['id_number'] }, RANKS], 'the dedupe at step 2 ends its order', 'orderby again after the dedupe at step 2'],
    ['a join', [{ orderby: ['period'] }, { join: { with: 'deaths', on: 'id_number' } }, RANKS], 'the join at step 2 ends its order', 'orderby again'],
    ['a rollup', [{ orderby: ['period'] }, { groupby: ['id_number'] }, { rollup: { n: 'op.count()' } }, { filter: 'op.cume_dist() < 0.5' }], 'the rollup at step 3 ends its order', 'orderby again'],
  ])('is refused after %s, saying why and how to fix it', (_, steps, why, fix) => {
    const found = problems(steps);
    expect(found.length).toBeGreaterThan(0);
    for (const p of found) {
      expect(p.message).toMatch(/^op\.(rank|dense_rank|cume_dist)\(\) ranks rows by the keys of an orderby, and /);
      expect(p.message).toContain(why);
      expect(p.fix).toContain(fix);
    }
  });
});
