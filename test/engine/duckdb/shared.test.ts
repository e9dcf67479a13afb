/**
 * Sub-tables shared among the rules of a run (compile.ts SharedSubplan, executor.ts SharedTables): a semijoin's or
 * antijoin's sub-table whose rows are a rollup's groups is computed once into a table of its keys and read by
 * every rule testing rows against the same sub-table with the same values bound. The findings are those of each
 * rule computing its own; a rule's own SQL (`fundaudit rules sql`) still computes it; a sub-table with other
 * values bound, or too large to hold, is not shared.
 */
import { describe, expect, it } from 'vitest';
import type { DuckDBDataset } from '../../../src/engine/duckdb/dataset.js';
import { DuckDBExecutor, ruleSql } from '../../../src/engine/duckdb/executor.js';
import { MemoryDataset } from '../../../src/engine/dataset.js';
import { compareRuns } from '../../../src/engine/finding.js';
import { runRules } from '../../../src/engine/run.js';
import type { ParamDef } from '../../../src/rules/model.js';
import { compiled, rule, tables } from '../helpers.js';
import { evidenceRows, onDuckDB, SMALL_PAYOUTS } from './agree.js';

const DATA = { payouts: SMALL_PAYOUTS };
const person = { entity: { kind: 'person' as const, key: 'id_number' } };

/** The months in which at least $.busy people were paid (a null identity number is one more). */
const busyMonths = { from: 'payouts', steps: [{ groupby: ['period'] }, { rollup: { people: 'op.distinct(d.id_number)' } }, { filter: 'd.people >= $.busy' }, { select: ['period'] }] };
const busy = (value: number): Record<string, ParamDef> => ({ busy: { type: 'int', default: value, description: { zh: '人数', en: 'people' } } as ParamDef });
const pipeline = (id: string, steps: unknown[], params: Record<string, ParamDef> = {}) => compiled(rule(id, { kind: 'pipeline', from: 'payouts', steps } as never, person, { params }));

const RULES = [
  // Two rules testing rows against the busy months (3 people or more): one table for both.
  pipeline('QUIET-MONTHS', [{ filter: 'd.id_number != null' }, { antijoin: { with: busyMonths, on: 'period' } }], busy(3)),
  pipeline('BUSY-MONTHS', [{ filter: 'd.id_number != null && d.amount >= 100' }, { semijoin: { with: busyMonths, on: 'period' } }], busy(3)),
  // The same sub-table with another value: a table of its own.
  pipeline('QUIET-MONTHS-5', [{ filter: 'd.id_number != null' }, { antijoin: { with: busyMonths, on: 'period' } }], busy(5)),
  // A sub-table of rows, not groups: as large as its table, never shared.
  pipeline('NOT-SMALL', [{ filter: 'd.id_number != null' }, { semijoin: { with: { from: 'payouts', steps: [{ filter: 'd.amount >= 200' }] }, on: 'period' } }]),
];

/** The temporary tables the run left in the database, with their rows. */
async function sharedTables(dataset: DuckDBDataset): Promise<Array<[string, number]>> {
  const names = (await dataset.db.connection.runAndReadAll('SELECT table_name FROM duckdb_tables() WHERE temporary ORDER BY table_name')).getRows().map(([n]) => String(n));
  const out: Array<[string, number]> = [];
  for (const n of names) out.push([n, Number((await dataset.db.connection.runAndReadAll(`SELECT count(*) FROM "${n}"`)).getRows()[0][0])]);
  return out;
}

describe('sub-tables shared among the rules of a run on DuckDB', () => {
  it('finds what Arquero finds, each shared sub-table computed once per distinct values bound', async () => {
    const arquero = await runRules(RULES, new MemoryDataset(tables(DATA)));
    expect(arquero.skipped).toEqual([]);
    expect(new Set(arquero.findings.map((f) => f.ruleId))).toEqual(new Set(RULES.map((r) => r.rule.id)));
    const { duckdb, made } = await onDuckDB(DATA, async (dataset) => ({ duckdb: await runRules(RULES, dataset, { executor: new DuckDBExecutor() }), made: await sharedTables(dataset) }));
    expect(duckdb.skipped).toEqual([]);
    expect(compareRuns({ name: 'Arquero', findings: arquero.findings }, { name: 'DuckDB', findings: duckdb.findings })).toEqual([]);
    expect(evidenceRows(duckdb)).toEqual(evidenceRows(arquero));
    // The busy months at 3 people (2024-02) for two rules, at 5 (none) for the third; none for NOT-SMALL.
    expect(made).toEqual([
      ['fa_shared_1', 1],
      ['fa_shared_2', 0],
    ]);
  });

  it('gives the same findings when nothing is shared', async () => {
    const runs = [];
    // A database of its own per run: no table of the run before.
    for (const sharedRows of [0, undefined]) runs.push(await onDuckDB(DATA, async (dataset) => ({ run: await runRules(RULES, dataset, { executor: new DuckDBExecutor({ sharedRows }) }), made: await sharedTables(dataset) })));
    const [none, shared] = runs;
    expect(none.made).toEqual([]);
    expect(shared.made.length).toBe(2);
    expect(none.run.skipped).toEqual([]);
    expect(compareRuns({ name: 'shared', findings: shared.run.findings }, { name: 'not', findings: none.run.findings })).toEqual([]);
    expect(evidenceRows(none.run)).toEqual(evidenceRows(shared.run));
  });

  it('falls back to the rule computing a sub-table past the most rows a shared table may hold', async () => {
    // Busy months at 2 people: all three months, past a table of at most two rows.
    const wide = [RULES[0], RULES[1]].map((r) => compiled(rule(r.rule.id, r.rule.check, person, { params: busy(2) })));
    const arquero = await runRules(wide, new MemoryDataset(tables(DATA)));
    const { duckdb, made } = await onDuckDB(DATA, async (dataset) => ({ duckdb: await runRules(wide, dataset, { executor: new DuckDBExecutor({ sharedRows: 2 }) }), made: await sharedTables(dataset) }));
    expect(made).toEqual([]);
    expect(arquero.findings.length).toBeGreaterThan(0);
    expect(duckdb.skipped).toEqual([]);
    expect(compareRuns({ name: 'Arquero', findings: arquero.findings }, { name: 'DuckDB', findings: duckdb.findings })).toEqual([]);
  });

  it("keeps each rule's own SQL computing the sub-table, and lists it once as one to share", async () => {
    const shares = await onDuckDB(DATA, async (dataset) =>
      RULES.map((r) => {
        const q = ruleSql(r, dataset);
        return [r.rule.id, q.shares.length, /fa_shared|count\(DISTINCT/.exec(q.sql)?.[0]];
      }),
    );
    expect(shares).toEqual([
      ['QUIET-MONTHS', 1, 'count(DISTINCT'],
      ['BUSY-MONTHS', 1, 'count(DISTINCT'],
      ['QUIET-MONTHS-5', 1, 'count(DISTINCT'],
      ['NOT-SMALL', 0, undefined],
    ]);
  });
});
