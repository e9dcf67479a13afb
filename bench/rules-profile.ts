/**
 * Where the DuckDB executor's time goes, rule by rule: loads a county once (as scale-run's duckdb-pack does)
 * and, for each rule of the default pack, times the run as `audit` runs it (DuckDBExecutor.run under the
 * default budget: join sizing and the query; wall and CPU seconds, DuckDB's threads included) and the findings
 * built from its rows (evidence read back). Prints one JSON line per rule, then the totals.
 *
 *   node dist/bench/rules-profile.js DIR [RULE,RULE…] [--split] [--explain]
 *
 * --split also times each rule's query without a budget (no join sizing), before the budgeted run;
 * --explain prints DuckDB's EXPLAIN ANALYZE of each chosen rule's query (its params bound).
 */
import { loadRuleFiles } from '../src/rules/load.js';
import { BENCH_LIMITS } from './limits.js';
import { requiredTables } from '../src/engine/run.js';
import { openSession } from '../src/engine/duckdb/session.js';
import { bindings, DuckDBExecutor, ruleSql } from '../src/engine/duckdb/executor.js';
import { buildFindings } from '../src/engine/findings.js';
import { resolveParams } from '../src/rules/params.js';
import { ruleBudget } from '../src/rules/budget.js';

const args = process.argv.slice(2);
const explain = args.includes('--explain');
const split = args.includes('--split');
const [dir, onlyArg] = args.filter((a) => !a.startsWith('--'));
const only = onlyArg ? onlyArg.split(',') : undefined;
const LIMITS = BENCH_LIMITS;
const secs = (t0: number) => Number(((performance.now() - t0) / 1000).toFixed(3));

const { rules: all } = await loadRuleFiles();
const chosen = only ? all.filter((r) => only.includes(r.rule.id)) : all;
let t = performance.now();
const session = await openSession([dir], { onlyTables: requiredTables(all) }, requiredTables(all), LIMITS);
process.stdout.write(JSON.stringify({ load: secs(t) }) + '\n');
const executor = new DuckDBExecutor();
const totals = { unbudgeted: 0, run: 0, findings: 0 };
try {
  for (const r of chosen) {
    const id = r.rule.id;
    const params = resolveParams(r.rule);
    // The default budget, as `audit` runs each rule.
    const budget = ruleBudget({}, undefined);
    let q;
    try {
      q = ruleSql(r, session.dataset);
    } catch (err) {
      process.stdout.write(JSON.stringify({ id, skipped: (err as Error).message }) + '\n');
      continue;
    }
    t = performance.now();
    if (split) await executor.run(r, params, session.dataset);
    const unbudgeted = secs(t);
    t = performance.now();
    const c0 = process.cpuUsage();
    let result;
    try {
      result = await executor.run(r, params, session.dataset, budget);
    } catch (err) {
      process.stdout.write(JSON.stringify({ id, error: (err as Error).message }) + '\n');
      continue;
    }
    const run = secs(t);
    const c1 = process.cpuUsage(c0);
    const cpu = Number(((c1.user + c1.system) / 1e6).toFixed(3));
    t = performance.now();
    const findings = await buildFindings(r, result, session.dataset, {});
    const built = secs(t);
    totals.unbudgeted += unbudgeted;
    totals.run += run;
    totals.findings += built;
    process.stdout.write(JSON.stringify({ id, joins: q.joins.length, ...(split ? { unbudgeted } : {}), run, cpu, findings: built, rows: findings.length }) + '\n');
    if (explain) {
      // Every binding the query reads (no budget: the padding bound is DuckDB's own).
      const { values, types } = bindings(r, q, params);
      const reader = await session.database.connection.runAndReadAll(`EXPLAIN ANALYZE ${q.sql}`, values, types);
      for (const row of reader.getRows()) process.stdout.write(String(row[1]) + '\n');
    }
  }
} finally {
  session.close();
}
process.stdout.write(JSON.stringify({ totals: Object.fromEntries(Object.entries(totals).map(([k, v]) => [k, Number(v.toFixed(2))])) }) + '\n');
