/**
 * Evidence built late (issue 10): on DuckDB a rollup carries its groups' keys rather than their rows, and the
 * final SELECT goes back through each rollup for the rows left. Every shape that could lose or mix rows on the
 * way gives the same findings, fingerprints and evidence rows as the reference executor.
 */
import { describe, expect, it } from 'vitest';
import { DuckDBExecutor, ruleSql } from '../../../src/engine/duckdb/executor.js';
import { runRules } from '../../../src/engine/run.js';
import { everyEvidenceRow } from '../../../src/engine/finding.js';
import { compiled, rule } from '../helpers.js';
import { expectDuckDBAgrees, month, onDuckDB, person, SMALL_PAYOUTS as PAYOUTS } from './agree.js';

const CERTIFICATIONS = ['id_number,cert_date', '11010519491231002X,2023-06-01', '11010519491231002X,2024-01-15', '110105195001010012,2023-03-01'].join('\n');
const DATA = { payouts: PAYOUTS, certifications: CERTIFICATIONS };

const pipeline = (id: string, from: string, steps: unknown[], finding: object) => compiled(rule(id, { kind: 'pipeline', from, steps } as never, finding));
const perPerson = { from: 'payouts', steps: [{ filter: 'd.id_number != null' }, { groupby: ['id_number'] }, { rollup: { total: 'op.sum(d.amount)' } }] };

const RULES = [
  // A rollup of a rollup, then a left join to a rollup of another table: both slots go back two levels.
  pipeline(
    'ROLLUP-ROLLUP-JOIN',
    'payouts',
    [
      { filter: 'd.id_number != null' },
      { groupby: ['id_number', 'period'] },
      { rollup: { total: 'op.sum(d.amount)' } },
      { groupby: ['id_number'] },
      { rollup: { months: 'op.count()', total: 'op.sum(d.total)' } },
      { join: { with: { from: 'certifications', steps: [{ groupby: ['id_number'] }, { rollup: { certs: 'op.count()' } }] }, on: 'id_number', how: 'left' } },
      { filter: 'd.total > 100' },
    ],
    person,
  ),
  // Null keys are a group of their own, at both levels.
  pipeline('NULL-KEYS', 'payouts', [{ groupby: ['period', 'name'] }, { rollup: { n: 'op.count()' } }, { groupby: ['period'] }, { rollup: { names: 'op.count()', rows: 'op.sum(d.n)' } }], month),
  // A rollup, with raw rows appended (and the other way round), rolled up again.
  pipeline(
    'ROLLUP-THEN-ROWS',
    'payouts',
    [{ groupby: ['period'] }, { rollup: { amount: 'op.sum(d.amount)' } }, { concat: [{ from: 'payouts', steps: [{ filter: "d.period == '2024-02'" }, { select: ['period', 'amount'] }] }] }, { groupby: ['period'] }, { rollup: { n: 'op.count()', total: 'op.sum(d.amount)' } }],
    month,
  ),
  pipeline(
    'ROWS-THEN-ROLLUP',
    'payouts',
    [{ filter: "d.period != '2024-03'" }, { select: ['period', 'amount'] }, { concat: [{ from: 'payouts', steps: [{ groupby: ['period'] }, { rollup: { amount: 'op.max(d.amount)' } }] }] }, { filter: 'd.amount >= 200' }],
    month,
  ),
  // A lookup that brings the second slot of a rollup over a join (its first, payouts, the rows carry already);
  // a step after the rollup keeps its evidence late.
  pipeline(
    'LOOKUP-OF-ROLLUP',
    'payouts',
    [
      { lookup: { with: { from: 'payouts', steps: [{ join: { with: 'certifications', on: 'id_number' } }, { groupby: ['id_number'] }, { rollup: { certs: 'op.count()' } }, { filter: 'd.certs > 0' }] }, on: 'id_number', values: ['certs'] } },
      { filter: 'd.certs != null' },
    ],
    person,
  ),
  // Groups reordered, filtered, then joined: each keeps its own rows.
  pipeline(
    'AFTER-ORDERBY',
    'payouts',
    [...perPerson.steps, { orderby: ['-total', 'id_number'] }, { derive: { rank: 'op.row_number()' } }, { filter: 'd.rank <= 3' }, { join: { with: 'certifications', on: 'id_number', how: 'left' } }],
    person,
  ),
  // A rollup the rule ends with: followed by a filter over rows a scan makes again at little cost, its groups left
  // go back to their rows; with no filter, or over rows made by a costly value, it gathers its rows at once.
  pipeline('LAST-ROLLUP', 'payouts', [{ filter: 'd.amount >= 200' }, { groupby: ['id_number'] }, { rollup: { total: 'op.sum(d.amount)' } }, { filter: 'd.total > 300' }], person),
  pipeline('LAST-ROLLUP-UNFILTERED', 'payouts', [{ filter: 'd.amount >= 200' }, { groupby: ['id_number'] }, { rollup: { total: 'op.sum(d.amount)' } }], person),
  pipeline('LAST-ROLLUP-COSTLY', 'payouts', [{ filter: "d.amount >= 200 && op.text_key(d.name) != '王五'" }, { groupby: ['id_number'] }, { rollup: { total: 'op.sum(d.amount)' } }, { filter: 'd.total > 300' }], person),
  // A rollup over every row (no keys: one group) joined to each row.
  pipeline(
    'ONE-GROUP',
    'payouts',
    [{ derive: { k: '1' } }, { join: { with: { from: 'payouts', steps: [{ rollup: { all: 'op.sum(d.amount)' } }, { derive: { k: '1' } }] }, on: 'k' } }, { filter: 'd.amount * 6 > d.all' }],
    person,
  ),
  // A rollup's groups a filter narrows, rolled up again (as DUPLICATE-PAYOUT, NO-CERTIFICATION): the narrowed
  // groups are held (MATERIALIZED) for the evidence rather than computed again; null keys included.
  pipeline(
    'NARROWED-GROUPS',
    'payouts',
    [{ groupby: ['id_number', 'period'] }, { rollup: { total: 'op.sum(d.amount)', n: 'op.count()' } }, { filter: 'd.total >= 7000' }, { groupby: ['id_number'] }, { rollup: { months: 'op.count()', total: 'op.sum(d.total)' } }, { filter: 'd.months >= 1' }],
    person,
  ),
  // A rollup's groups joined to another table and grouped back on their keys (NO-CERTIFICATION's shape, left and
  // inner): the values read unchanged from the groups are taken from them, not aggregated again; null keys included.
  ...(['left', 'inner'] as const).map((how) =>
    pipeline(
      `GROUPED-BACK-${how.toUpperCase()}`,
      'payouts',
      [
        { groupby: ['id_number', 'period'] },
        { rollup: { total: 'op.sum(d.amount)', name: 'op.max(d.name)' } },
        { join: { with: { from: 'certifications', steps: [{ select: ['id_number', 'cert_date'] }] }, on: 'id_number', how } },
        { derive: { certified: "d.cert_date != null && op.month_of(d.cert_date) <= d.period ? 1 : 0" } },
        { filter: 'd.total != 0' },
        { groupby: ['id_number', 'period'] },
        { rollup: { name: 'op.max(d.name)', total: 'op.min(d.total)', certified: 'op.max(d.certified)', rows: 'op.count()', sum: 'op.sum(d.total)' } },
        // Left: months no certification covers; inner: months of people certified twice.
        { filter: how === 'left' ? 'd.certified == 0' : 'd.rows >= 2' },
      ],
      person,
    ),
  ),
  // A rollup's groups rolled up on fewer keys into lists in row order (PENSION-TWO-SCHEMES's shape): the lists of
  // the groups with several rows are made of those groups' rows alone, regrouped; null keys (no id, no name) too.
  pipeline(
    'LISTS-OF-GROUPS',
    'payouts',
    [{ groupby: ['id_number', 'period', 'name'] }, { rollup: { amount: 'op.sum(d.amount)' } }, { groupby: ['id_number'] }, { rollup: { months: 'op.array_agg(d.period)', n: 'op.count()', total: 'op.sum(d.amount)' } }, { filter: 'd.n >= 2' }],
    person,
  ),
  // The same rollup on both sides of a join (computed once, read under each side's slot).
  pipeline('SELF-JOIN', 'payouts', [...perPerson.steps, { join: { with: perPerson, on: 'id_number' } }, { filter: 'd.total_1 >= 300' }], person),
];

/**
 * Rollups whose input the evidence reads again made row by row of a CTE below it (NO-CERTIFICATION's shape: person-
 * months, each person's first month and the last month of all, a join to certifications, a value of each row, then
 * rolled up again): made again of only the rows of the groups left. Null keys (无名 has no identity number), a key
 * that a step writes over or renames, a window and a concat stop the narrowing where they are, and lose no row.
 */
const NARROWED = [
  pipeline(
    'ROWS-OF-GROUPS-LEFT',
    'payouts',
    [
      { groupby: ['id_number', 'period'] },
      { rollup: { total: 'op.sum(d.amount)', paid_on: 'op.max(d.pay_date)' } },
      { groupby: ['id_number'] },
      { derive: { first: 'op.min(d.period)' } },
      { ungroup: true },
      { derive: { last: 'op.max(d.period)' } },
      { filter: "d.period >= d.first && d.total > 0" },
      { join: { with: { from: 'certifications', steps: [{ select: ['id_number', 'cert_date'] }] }, on: 'id_number', how: 'left' } },
      { lookup: { with: { from: 'payouts', steps: [{ groupby: ['name'] }, { rollup: { people: 'op.count()' } }] }, on: { id_number: 'name' }, values: ['people'] } },
      { derive: { certified: "d.cert_date != null && op.month_of(d.cert_date) <= d.period ? 1 : 0" } },
      { semijoin: { with: 'payouts', on: ['id_number', 'period'] } },
      { rename: { total: 'paid' } },
      { groupby: ['id_number', 'period'] },
      { rollup: { paid: 'op.max(d.paid)', certified: 'op.max(d.certified)', last: 'op.max(d.last)' } },
      { filter: "d.certified == 0 && d.paid >= 50" },
      { groupby: ['id_number'] },
      { rollup: { months: 'op.count()', total: 'op.sum(d.paid)' } },
    ],
    person,
  ),
  // A key a step computes just before the rollup (BENFORD-BY-OPERATOR's first digit, grouped with the operator): the
  // rows are made again of those with the groups' values of the other key (null included), then joined on both.
  pipeline(
    'KEY-COMPUTED',
    'payouts',
    [
      { filter: 'd.amount != null' },
      { derive: { band: "d.amount >= 3000 ? 'high' : 'low'" } },
      { groupby: ['id_number', 'band'] },
      { rollup: { n: 'op.count()', total: 'op.sum(d.amount)' } },
      { filter: 'd.n >= 2' },
    ],
    person,
  ),
  // A key written over, then a window: the rollup's input is read again from there, as it is.
  pipeline(
    'KEY-WRITTEN-OVER',
    'payouts',
    [
      { groupby: ['id_number', 'period'] },
      { rollup: { total: 'op.sum(d.amount)' } },
      { derive: { period: "op.coalesce(d.period, '2024-01')" } },
      { groupby: ['id_number'] },
      { orderby: ['period'] },
      { derive: { k: 'op.row_number()' } },
      { ungroup: true },
      { filter: 'd.k >= 1' },
      { groupby: ['id_number', 'period'] },
      { rollup: { total: 'op.sum(d.total)' } },
      { filter: 'd.total >= 100' },
      { groupby: ['id_number'] },
      { rollup: { months: 'op.count()' } },
    ],
    person,
  ),
];

describe('evidence built late on DuckDB', () => {
  it.each(RULES.map((r) => [r.rule.id, r] as const))('%s gives the rows Arquero gives', async (_, r) => {
    await expectDuckDBAgrees(r, DATA);
  });

  it.each(NARROWED.map((r) => [r.rule.id, r] as const))('%s gives the rows Arquero gives, made again of the groups left', async (_, r) => {
    await expectDuckDBAgrees(r, DATA);
  });

  it('reads the rows of the groups left from below the steps made row by row, not those steps over every row', async () => {
    const [narrowed, computed, asItIs] = await onDuckDB(DATA, async (dataset) => NARROWED.map((r) => ruleSql(r, dataset).sql));
    // The join to certifications and the lookup are made again, over the person-months of the groups left only.
    const semi = /FROM (s\d+) AS "__I" SEMI JOIN \(SELECT "__e\d+k0", "__e\d+k1" FROM s\d+ WHERE "__e\d+g"\)/g;
    const bases = [...narrowed.matchAll(semi)].map((m) => m[1]);
    expect(bases.length).toBe(1);
    // Down to the person-months' rollup itself (DuckDB holds it: its aggregates over each person read it too).
    expect(narrowed).toMatch(new RegExp(`${bases[0]} AS \\(\\n  SELECT "id_number", "period", CAST\\(sum`));
    expect(narrowed.match(/LEFT JOIN s\d+ AS r ON l\."id_number" = r\."id_number"/g)?.length).toBe(2);
    // A key computed by the step below the rollup: the rows are made again of the base rows with the groups' other key.
    expect(computed).toMatch(/FROM s1 AS "__I" SEMI JOIN \(SELECT "__e0k0" FROM s\d+ WHERE "__e0g"\) AS "__S" ON "__I"\."id_number" IS NOT DISTINCT FROM "__S"\."__e0k0"\n/);
    // A window after a key written over: nothing below is made again; the rollup's input is read as it is.
    expect(asItIs).not.toMatch(/SEMI JOIN \(SELECT "__e\d+k0", "__e\d+k1"/);
  });

  it("takes a rollup's values held unchanged from the groups a join's rows are made of from those groups", async () => {
    const sql = await onDuckDB(DATA, async (dataset) => RULES.filter((r) => r.rule.id.startsWith('GROUPED-BACK')).map((r) => ruleSql(r, dataset).sql));
    for (const s of sql) {
      // max and min of the groups' own columns read from them; the join's values, the count and the sum aggregated.
      expect(s).toMatch(/SELECT "__G"\."id_number", "__G"\."period", "__L"\."name" AS "name", "__L"\."total" AS "total", "__G"\."certified", "__G"\."rows", "__G"\."sum"/);
      expect(s).toMatch(/FROM \(SELECT "id_number", "period", max\("certified"\) AS "certified", count\(\*\) AS "rows", CAST\(sum\("total"\) AS BIGINT\) AS "sum", min\("__o"\) AS "__o"/);
    }
  });

  it('gathers the rows of a last rollup at once unless a filter keeps few of its groups of cheap rows', async () => {
    const eager = await onDuckDB(DATA, async (dataset) => RULES.filter((r) => r.rule.id.startsWith('LAST-ROLLUP')).map((r) => [r.rule.id, /list\("__e0"\) AS "__e0"/.test(ruleSql(r, dataset).sql)]));
    expect(eager).toEqual([
      ['LAST-ROLLUP', false],
      ['LAST-ROLLUP-UNFILTERED', true],
      ['LAST-ROLLUP-COSTLY', true],
    ]);
  });

  it('holds narrowed groups read again for the evidence, and only those', async () => {
    const sql = await onDuckDB(DATA, async (dataset) => RULES.map((r) => [r.rule.id, /AS MATERIALIZED/.test(ruleSql(r, dataset).sql)]));
    expect(sql.filter(([, held]) => held).map(([id]) => id)).toEqual(['NARROWED-GROUPS']);
  });

  it('goes back through both rollups to every row of a group, null keys included', async () => {
    const duckdb = await onDuckDB(DATA, (dataset) => runRules([RULES[1]], dataset, { executor: new DuckDBExecutor() }));
    // 2024-02: 张三, 王五, 无名 and a row without a name (110105195001010012) — four groups of one row each.
    const feb = duckdb.findings.find((f) => f.period === '2024-02' || f.entity.key === '2024-02')!;
    expect(feb.details.names).toBe(4);
    expect([...everyEvidenceRow(feb)].map((e) => e.line)).toEqual([4, 6, 7, 8]);
  });
});
