/**
 * The differential test (issue 10): the whole default pack on the demo county
 * and on counties freshly generated with two seeds, in both export styles,
 * gives the same findings on DuckDB as on the reference executor — the same
 * fingerprints, entities, periods, amounts, messages and evidence rows —
 * and skips the same rules. On small tables, the same for what the DuckDB
 * compiler does its own way: a sub-table read in several places computed
 * once, a lookup's last match, the day of a coalesced datetime.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadPaths } from '../../../src/data/load.js';
import { addReferenceTables } from '../../../src/data/reference.js';
import { MemoryDataset } from '../../../src/engine/dataset.js';
import { bindings, DuckDBExecutor, ruleSql } from '../../../src/engine/duckdb/executor.js';
import { openSession } from '../../../src/engine/duckdb/session.js';
import { compareRuns, type RunResult } from '../../../src/engine/finding.js';
import { requiredTables, runRules } from '../../../src/engine/run.js';
import { renderTemplate } from '../../../src/plan/template.js';
import { loadRuleFiles } from '../../../src/rules/load.js';
import { ArqueroExecutor } from '../../../src/engine/arquero/executor.js';
import { AuditDatabase } from '../../../src/engine/duckdb/database.js';
import { DuckDBDataset } from '../../../src/engine/duckdb/dataset.js';
import { loadTablesIntoDuckDB } from '../../../src/engine/duckdb/load.js';
import { generateCounty } from '../../../fixtures/generator/build.js';
import { writeCounty } from '../../../fixtures/generator/write.js';
import { compiled, rule, tables } from '../helpers.js';

const DEMO = join(import.meta.dirname, '../../../fixtures/demo');
const tmp = mkdtempSync(join(tmpdir(), 'fundaudit-differential-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function county(seed: number, style: 'gbk' | 'utf8', variety: 'plain' | 'varied'): string {
  const dir = join(tmp, `county-${seed}-${style}`);
  writeCounty(generateCounty({ seed, persons: 600, years: [2023, 2024], style, variety }), dir);
  return dir;
}

async function bothEngines(dir: string): Promise<{ arquero: RunResult; duckdb: RunResult; budgeted: RunResult }> {
  const { rules, problems } = await loadRuleFiles();
  expect(problems).toEqual([]);
  const needed = requiredTables(rules);
  const memory = await loadPaths([dir], { onlyTables: needed });
  memory.files.push(...addReferenceTables(memory.tables, needed));
  const arquero = await runRules(rules, new MemoryDataset(memory.tables));
  const session = await openSession([dir], { onlyTables: needed }, needed);
  try {
    expect(session.load.files.map((f) => [f.path, f.rowsRead, f.rowsLoaded, f.rowsRejected])).toEqual(memory.files.map((f) => [f.path, f.rowsRead, f.rowsLoaded, f.rowsRejected]));
    const duckdb = await runRules(rules, session.dataset, { executor: new DuckDBExecutor() });
    // As `audit` runs it, under the default budget, with every join whose input is computed sized inside the rule's query.
    const budgeted = await runRules(rules, session.dataset, { executor: new DuckDBExecutor({ smallInput: 0 }), budget: {} });
    return { arquero, duckdb, budgeted };
  } finally {
    session.close();
  }
}

/** Each finding's messages, rendered as the report renders them (unmasked). */
const messages = (r: RunResult) => r.findings.map((f) => `${f.fingerprint} ${renderTemplate(f.template.zh, f.details)} | ${renderTemplate(f.template.en, f.details)}`).sort();

/** `run` on a DuckDB of its own holding these tables (closed after). */
async function onDuckDB<T>(spec: Record<string, string>, run: (dataset: DuckDBDataset) => Promise<T>): Promise<T> {
  const db = await AuditDatabase.open({ memoryBytes: 256 << 20, threads: 1, maxTempBytes: 64 << 20 });
  try {
    return await run(DuckDBDataset.of(db, await loadTablesIntoDuckDB(tables(spec), db)));
  } finally {
    db.close();
  }
}

describe('DuckDB and Arquero find the same', () => {
  it.each([
    ['the demo county', () => DEMO],
    ['a county of seed 101, GBK exports, varied wording', () => county(101, 'gbk', 'varied')],
    ['a county of seed 202, UTF-8 exports, plain wording', () => county(202, 'utf8', 'plain')],
  ])('%s', async (_, dir) => {
    const { arquero, duckdb, budgeted } = await bothEngines(dir());
    // Not a vacuous agreement: the pack finds things here.
    expect(arquero.findings.length).toBeGreaterThan(20);
    expect(compareRuns({ name: 'Arquero', findings: arquero.findings }, { name: 'DuckDB', findings: duckdb.findings })).toEqual([]);
    expect(compareRuns({ name: 'Arquero', findings: arquero.findings }, { name: 'DuckDB under a budget', findings: budgeted.findings })).toEqual([]);
    expect(budgeted.skipped).toEqual(arquero.skipped);
    expect(messages(duckdb)).toEqual(messages(arquero));
    expect(duckdb.skipped).toEqual(arquero.skipped);
    expect(duckdb.ran).toEqual(arquero.ran);
  });
});

describe('a sub-table a rule reads in several places', () => {
  // The same steps over payouts three times (two sides of a join and a lookup): DuckDB computes them once and
  // reads them under each place's own evidence, which must still name the rows each place read.
  const SAME = { from: 'payouts', steps: [{ filter: 'd.amount > 100' }, { derive: { month: 'op.month_of(d.pay_date)' } }] };
  const twice = compiled(
    rule('TWICE', {
      kind: 'pipeline',
      ...SAME,
      steps: [
        ...SAME.steps,
        { join: { with: { ...SAME, steps: [...SAME.steps, { groupby: ['month'] }, { rollup: { n: 'op.count()' } }] }, on: 'month' } },
        { lookup: { with: { ...SAME, steps: [...SAME.steps, { filter: "d.name == '李四'" }] }, on: 'month', values: ['name'] } },
        { filter: 'd.name != null' },
      ],
    } as never, { entity: { kind: 'person', key: 'id_number' } }),
  );
  const PAYOUTS = [
    'id_number,name,period,amount,pay_date',
    '11010519491231002X,张三,2024-01,300.00,2024-01-05',
    '110105195001010012,李四,2024-01,200.00,2024-01-06',
    '110105195203150021,王五,2024-02,50.00,2024-02-05',
    '11010519550610003X,李四,2024-02,400.00,2024-02-06',
    '110105196003150013,赵六,2024-03,500.00,2024-03-05',
  ].join('\n');

  // A lookup takes the last matching row: rows deduped on the key need no second look, rows whose key a derive
  // wrote over after the dedupe do.
  const lastMatch = compiled(
    rule('LAST-MATCH', {
      kind: 'pipeline',
      from: 'payouts',
      steps: [
        { lookup: { with: { from: 'payouts', steps: [{ dedupe: ['period'] }, { derive: { period: "'2024-01'", last: 'd.name' } }] }, on: 'period', values: ['last'] } },
        { lookup: { with: { from: 'payouts', steps: [{ dedupe: ['period'] }, { derive: { first: 'd.name' } }] }, on: 'period', values: ['first'] } },
      ],
    } as never, { entity: { kind: 'person', key: 'id_number' } }),
  );

  it('looks up the last matching row, as Arquero does', async () => {
    const arquero = await new ArqueroExecutor().run(lastMatch, {}, new MemoryDataset(tables({ payouts: PAYOUTS })));
    const duckdb = await onDuckDB({ payouts: PAYOUTS }, (dataset) => new DuckDBExecutor().run(lastMatch, {}, dataset));
    expect(arquero.rows.map((r) => [r.last, r.first])).toEqual([['赵六', '张三'], ['赵六', '张三'], [null, '王五'], [null, '王五'], [null, '赵六']]);
    expect(duckdb.rows).toEqual(arquero.rows);
  });

  it('gives every place its own evidence, as Arquero does', async () => {
    const arquero = await runRules([twice], new MemoryDataset(tables({ payouts: PAYOUTS })));
    const duckdb = await onDuckDB({ payouts: PAYOUTS }, (dataset) => runRules([twice], dataset, { executor: new DuckDBExecutor() }));
    expect(arquero.findings).toHaveLength(4);
    const evidence = (r: RunResult) => r.findings.map((f) => [f.fingerprint, f.details.name, f.evidence.map((e) => e.line)]);
    expect(evidence(duckdb)).toEqual(evidence(arquero));
  });
});

describe('the day of a coalesce of a datetime and a date', () => {
  // DuckDB takes the day from the values (rather than parsing their text back): the same days as JavaScript's.
  const days = compiled(
    rule('DAYS', {
      kind: 'pipeline',
      from: 'contributions',
      steps: [
        {
          derive: {
            year: 'op.year_of(op.coalesce(d.op_time, d.received_date))',
            month: 'op.month_of(d.op_time ?? d.received_date)',
            series: 'op.receipt_series(d.receipt_no, op.coalesce(d.op_time, d.received_date))',
            text: 'op.coalesce(d.op_time, d.received_date)',
          },
        },
        { select: ['receipt_no', 'year', 'month', 'series', 'text'] },
      ],
    } as never, { entity: { kind: 'document', key: 'receipt_no' } }),
  );
  const CONTRIBUTIONS = [
    'id_number,period,paid_amount,received_date,receipt_no,op_time',
    '11010519491231002X,2024-01,300.00,2024-01-05,A001,2023-12-31 23:59:59',
    '11010519491231002X,2024-02,300.00,2024-02-29,A002,',
    '11010519491231002X,2024-03,300.00,,A003,2024-03-01 00:00',
    '11010519491231002X,2024-04,300.00,,A004,',
    '11010519491231002X,2024-05,300.00,1000-01-01,A005,9999-12-31 12:00:00',
  ].join('\n');

  it('is the day JavaScript reads from its text', async () => {
    const arquero = await new ArqueroExecutor().run(days, {}, new MemoryDataset(tables({ contributions: CONTRIBUTIONS })));
    const duckdb = await onDuckDB({ contributions: CONTRIBUTIONS }, (dataset) => new DuckDBExecutor().run(days, {}, dataset));
    expect(arquero.rows.map((r) => r.year)).toEqual([2023, 2024, 2024, null, 9999]);
    expect(duckdb.rows).toEqual(arquero.rows);
  });
});

describe('lists in row order over groups of one and of several rows', () => {
  // DuckDB makes these lists only for the groups with several rows and gives a group of one row its list from
  // its value (compile.ts, Split): the same lists, sums and means as Arquero's, null keys one group, nulls and
  // NaN left out.
  const PAYOUTS = [
    'id_number,name,scheme,item,period,amount',
    '11010519491231002X,张三,110,基本养老金,2024-01,300.00',
    '11010519491231002X,张三,170,,2024-01,180.00',
    '11010519491231002X,张三,110,基本养老金,2024-02,300.00',
    '110105195001010012,李四,170,基础养老金,2024-01,300.00',
    '110105195001010012,,110,,2024-01,200.00',
    '110105195001010012,,170,基础养老金,2024-01,250.00',
    '110105195001010012,,,,2024-02,300.00',
    '110105195203150021,王五,,基础养老金,,120.00',
    '110105195203150021,王五,120,基础养老金,,300.00',
    ',赵六,120,基础养老金,,300.00',
    '110105196003150013,赵六,120,基本养老金,2024-03,300.00',
  ].join('\n');
  const STEPS = [
    // NaN where the amount is 300.00 (30000 fen: 0 / 0), a fraction elsewhere.
    { derive: { ratio: '(d.amount - 30000) / (d.amount - 30000) * d.amount / 7', third: 'd.amount / 3' } },
  ];
  const VALUES = {
    n: 'op.count()',
    schemes: 'op.array_agg(d.scheme)',
    items: 'op.array_agg_distinct(d.item)',
    ratios: 'op.array_agg(d.ratio)',
    ratio_sum: 'op.sum(d.ratio)',
    third_mean: 'op.mean(d.third)',
    third_sum: 'op.sum(d.third)',
    third_dev: 'op.stdev(d.third)',
    ratio_variance: 'op.variance(d.ratio)',
    top: 'op.max(d.amount)',
  };
  const groups = compiled(
    rule('GROUPS', { kind: 'pipeline', from: 'payouts', steps: [...STEPS, { groupby: ['name', 'period'] }, { rollup: VALUES }] } as never, {
      entity: { kind: 'person', key: 'name' },
    }),
  );
  // As PENSION-TWO-SCHEMES: groups of several rows kept, then rolled up again (their evidence found late).
  const twoSchemes = compiled(
    rule('TWO-SCHEMES', {
      kind: 'pipeline',
      from: 'payouts',
      steps: [
        ...STEPS,
        { groupby: ['id_number', 'period'] },
        { rollup: { ...VALUES, name: 'op.max(d.name)' } },
        { filter: 'd.n >= 2' },
        { derive: { scheme_text: "op.join(d.schemes, '+')" } },
        { groupby: ['id_number'] },
        { rollup: { name: 'op.max(d.name)', schemes: 'op.max(d.scheme_text)', months: 'op.count()', total: 'op.sum(d.third_sum)' } },
      ],
    } as never, { entity: { kind: 'person', key: 'id_number', label: 'name' } }),
  );
  const data = () => tables({ payouts: PAYOUTS });

  it('gives every group the values Arquero gives', async () => {
    const arquero = await new ArqueroExecutor().run(groups, {}, new MemoryDataset(data()));
    const duckdb = await onDuckDB({ payouts: PAYOUTS }, (dataset) => new DuckDBExecutor().run(groups, {}, dataset));
    // Not vacuous: groups of one row and of several, a null key, null and NaN values.
    expect(arquero.rows.map((r) => [r.name, r.period, r.n])).toEqual([
      ['张三', '2024-01', 2],
      ['张三', '2024-02', 1],
      ['李四', '2024-01', 1],
      [null, '2024-01', 2],
      [null, '2024-02', 1],
      ['王五', null, 2],
      ['赵六', null, 1],
      ['赵六', '2024-03', 1],
    ]);
    expect(arquero.rows[4].schemes).toEqual([]);
    expect(arquero.rows[2].ratios).toEqual([]);
    expect(arquero.rows[0].third_dev).toBeGreaterThan(0);
    expect(duckdb.rows).toEqual(arquero.rows);
  });

  it('finds the same, with the same evidence, after a later rollup', async () => {
    const arquero = await runRules([twoSchemes], new MemoryDataset(data()));
    const duckdb = await onDuckDB({ payouts: PAYOUTS }, (dataset) => runRules([twoSchemes], dataset, { executor: new DuckDBExecutor() }));
    expect(arquero.findings).toHaveLength(3);
    const seen = (r: RunResult) => r.findings.map((f) => [f.fingerprint, f.details, f.evidence.map((e) => e.line)]);
    expect(seen(duckdb)).toEqual(seen(arquero));
  });
});

describe('op.mode over a group', () => {
  // fa_mode was a macro with a subquery, which cannot refer to the group's aggregate list: every rule with
  // op.mode in a rollup failed to bind on DuckDB ("Referenced table … not found") and ran on Arquero.
  const modes = compiled(
    rule('MODES', {
      kind: 'pipeline',
      from: 'payouts',
      steps: [
        { derive: { row_mode: 'op.mode(d.name)' } },
        { groupby: ['period'] },
        { derive: { period_mode: 'op.mode(d.amount)' } },
        { rollup: { amount: 'op.mode(d.amount)', name: 'op.mode(d.name)', day: 'op.mode(d.pay_date)', first: 'op.max(d.period_mode)', all: 'op.max(d.row_mode)' } },
        { orderby: ['period'] },
      ],
    } as never, { entity: { kind: 'person', key: 'period' } }),
  );
  const PAYOUTS = [
    'id_number,name,period,amount,pay_date',
    // Ties go to the value that reaches the highest count first.
    '11010519491231002X,张三,2024-01,300.00,2024-01-05',
    '110105195001010012,李四,2024-01,200.00,2024-01-06',
    '110105195203150021,李四,2024-01,200.00,2024-01-05',
    '11010519550610003X,张三,2024-01,300.00,2024-01-06',
    // Nulls are not values.
    '110105196003150013,,2024-02,,',
    '110105196003150013,,2024-02,,',
    '110105196003150013,赵六,2024-02,500.00,2024-02-05',
    // Only nulls: no mode.
    '110105196003150013,,2024-03,,',
  ].join('\n');

  it('is the most frequent value, the first to reach the highest count, as Arquero gives it', async () => {
    const arquero = await new ArqueroExecutor().run(modes, {}, new MemoryDataset(tables({ payouts: PAYOUTS })));
    const duckdb = await onDuckDB({ payouts: PAYOUTS }, (dataset) => new DuckDBExecutor().run(modes, {}, dataset));
    expect(arquero.rows.map((r) => [r.period, r.amount, r.name, r.first, r.all])).toEqual([
      ['2024-01', 30000, '张三', 30000, '张三'],
      ['2024-02', 50000, '赵六', 50000, '张三'],
      ['2024-03', null, null, null, '张三'],
    ]);
    expect(duckdb.rows).toEqual(arquero.rows);
    expect(duckdb.evidence).toEqual(arquero.evidence);
  });
});

describe('a costly value of a column whose values repeat', () => {
  // DuckDB computes such a value once per distinct value of the column and joins it back (compile.ts, Lets):
  // over the rows a filter keeps, after a join (whose unmatched rows hold nulls) and after a rollup (its keys).
  // Each identity number, item and month here is on four rows or more; the payout ids are all different.
  const ids = ['110105194912310021', '11010519491231002X', '110105194902300020', ''];
  const items = ['基本养老金', '丧葬补助金', ''];
  const periods = ['2024-01', '2024-12', ''];
  const PAYOUTS = [
    'payout_id,id_number,name,item,period,amount,status,op_time',
    ...Array.from({ length: 36 }, (_, i) => `P${i},${ids[i % 4]},某${i % 4},${items[i % 3]},${periods[Math.floor(i / 12)]},${100 + i}.00,${i % 5 ? '成功' : '退回'},${['2024-01-05 08:30:00', '2024-01-06 00:00:00', ''][i % 3]}`),
  ].join('\n');
  // Persons without an identity number match no payment, and make the birth date repeat.
  const PERSONS = ['id_number,name,birth_date', '11010519491231002X,张三,1949-12-31', '110105194902300020,李四,1950-01-01', ...Array.from({ length: 6 }, (_, i) => `,某${i},1949-12-31`)].join('\n');
  const memo = compiled(
    rule(
      'MEMO',
      {
        kind: 'pipeline',
        from: 'payouts',
        steps: [
          { filter: "d.status == '成功' && !op.contains_any(d.item, $.items) && d.payout_id != 'P7'" },
          { derive: { valid: 'op.id_valid(d.id_number)', born: 'op.id_birth_date(d.id_number)', month_end: "op.add_days(op.add_months(d.period, 1) + '-01', -1)", key: 'op.text_key(d.payout_id)', time: 'op.substring(d.op_time, 11, 19)', time_key: 'op.text_key(d.op_time)' } },
          { join: { with: { from: 'persons', steps: [{ select: ['id_number', 'birth_date'] }] }, on: 'id_number', how: 'left' } },
          // An unmatched row's birth date is null, which the persons table does not hold: false, not null.
          { derive: { gender: 'op.id_gender(d.id_number)', birth_month: 'op.month_of(d.birth_date)', item_key: 'op.text_key(d.item)', forties: 'op.contains_any(d.birth_date, $.years)' } },
          { groupby: ['id_number', 'period', 'valid', 'gender', 'birth_month', 'forties'] },
          { rollup: { n: 'op.count()', total: 'op.sum(d.amount)', keys: 'op.array_agg(d.key)', born: 'op.max(d.born)', ends: 'op.array_agg_distinct(d.month_end)', item_keys: 'op.array_agg_distinct(d.item_key)', times: 'op.array_agg_distinct(d.time)', time_keys: 'op.array_agg_distinct(d.time_key)' } },
          { derive: { year: 'op.year_of(d.period)', next: 'op.add_months(d.period, 1)' } },
          { orderby: ['id_number', 'period'] },
        ],
      } as never,
      { entity: { kind: 'person', key: 'id_number' } },
      { params: { items: { type: 'list', default: ['丧葬'] }, years: { type: 'list', default: ['1949'] } } } as never,
    ),
  );

  const PARAMS = { items: ['丧葬'], years: ['1949'] };

  it('is what Arquero computes row by row, with the same evidence', async () => {
    const arquero = await new ArqueroExecutor().run(memo, PARAMS, new MemoryDataset(tables({ payouts: PAYOUTS, persons: PERSONS })));
    const { duckdb, sql } = await onDuckDB({ payouts: PAYOUTS, persons: PERSONS }, async (dataset) => ({
      duckdb: await new DuckDBExecutor().run(memo, PARAMS, dataset),
      sql: ruleSql(memo, dataset).sql,
    }));
    // Not vacuous: the values were computed per distinct value (identity numbers, items, months, birth dates
    // after the join, months after the rollup), never for the payout ids, which do not repeat.
    for (const column of ['id_number', 'item', 'period', 'birth_date', 'op_time']) expect(sql).toContain(`UNION ALL SELECT NULL) GROUP BY "${column}" HAVING count(*) > 0`);
    expect(sql).not.toContain('GROUP BY "payout_id"');
    expect(arquero.rows.length).toBeGreaterThan(6);
    expect(arquero.rows.some((r) => r.valid === true) && arquero.rows.some((r) => r.valid === false) && arquero.rows.some((r) => r.id_number === null)).toBe(true);
    expect(arquero.rows.some((r) => r.forties === true) && arquero.rows.some((r) => r.forties === false)).toBe(true);
    expect(duckdb.rows).toEqual(arquero.rows);
    expect(duckdb.evidence).toEqual(arquero.evidence);
  });

  it('builds each join back on the few values, not on the rows', async () => {
    // DuckDB builds a hash join on the side it estimates smaller: as a DISTINCT, the values were estimated as many
    // as the rows they come from, and the join turned RIGHT to build on the step's rows.
    const joins = await onDuckDB({ payouts: PAYOUTS, persons: PERSONS }, async (dataset) => {
      let q = ruleSql(memo, dataset);
      await dataset.measure(q.unmeasured);
      q = ruleSql(memo, dataset);
      const { values, types } = bindings(memo, q, PARAMS);
      const reader = await dataset.db.connection.runAndReadAll(`EXPLAIN (FORMAT JSON) ${q.sql}`, values, types);
      const out: string[] = [];
      const walk = (n: { name?: string; extra_info?: Record<string, unknown>; children?: unknown[] }) => {
        const info = n.extra_info ?? {};
        if (n.name === 'HASH_JOIN' && /^"?(\w+)"? IS NOT DISTINCT FROM "?\1"?$/.test(String(info.Conditions))) out.push(String(info['Join Type']));
        for (const c of n.children ?? []) walk(c as never);
      };
      for (const n of JSON.parse(String(reader.getRows()[0][1]))) walk(n);
      return out;
    });
    expect(joins.length).toBeGreaterThan(2);
    expect(new Set(joins)).toEqual(new Set(['LEFT']));
  });

  // A value that only casts or pads costs about what its lookup does: computed once per distinct value only of a
  // column with 64 rows a value or more (compile.ts, LIGHT_REPEATS), row by row over one with fewer (a time of day).
  const light = compiled(
    rule(
      'LIGHT',
      { kind: 'pipeline', from: 'payouts', steps: [{ derive: { day: 'op.substring(d.op_time, 0, 10)', hh: 'op.substring(d.op_time, 11, 13)' } }, { groupby: ['day', 'hh'] }, { rollup: { n: 'op.count()' } }, { orderby: ['day', 'hh'] }] } as never,
      { entity: { kind: 'person', key: 'day' } },
    ),
  );
  const times = (rows: number, each: number) =>
    ['payout_id,amount,op_time', ...Array.from({ length: rows }, (_, i) => `P${i},1.00,${i % each === 0 ? '' : `2024-01-${String(1 + (i % each) % 9).padStart(2, '0')} ${String((i % each) % 24).padStart(2, '0')}:00:00`}`)].join('\n');

  it.each([
    ['computed row by row over a column of a few rows a value', times(40, 10), false],
    ['computed once per value over a column of many rows a value', times(260, 4), true],
  ])('a cast is %s', async (_, payouts, memoized) => {
    const arquero = await new ArqueroExecutor().run(light, {}, new MemoryDataset(tables({ payouts })));
    const { duckdb, sql } = await onDuckDB({ payouts }, async (dataset) => {
      await dataset.measure(ruleSql(light, dataset).unmeasured);
      return { duckdb: await new DuckDBExecutor().run(light, {}, dataset), sql: ruleSql(light, dataset).sql };
    });
    expect(sql.includes('GROUP BY "op_time"')).toBe(memoized);
    expect(arquero.rows.length).toBeGreaterThan(2);
    expect(duckdb.rows).toEqual(arquero.rows);
    expect(duckdb.evidence).toEqual(arquero.evidence);
  });
});
