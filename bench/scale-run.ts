/**
 * One measurement of the scale benchmark (bench/scale.ts runs each in its own
 * process, so that every peak RSS is that measurement's alone). Prints one
 * line of JSON: seconds per stage, CPU seconds, peak RSS, and what was found.
 *
 *   node dist/bench/scale-run.js duckdb-load  DIR [workers]   # the tool's loader into its DuckDB, every table
 *   node dist/bench/scale-run.js handwritten  DIR             # DuckDB's own read_csv + the two reference checks by hand
 *   node dist/bench/scale-run.js arquero-checks DIR           # in-memory load + the two reference rules on Arquero
 */
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { loadPaths } from '../src/data/load.js';
import { loadRuleFiles } from '../src/rules/load.js';
import { requiredTables, runRules } from '../src/engine/run.js';
import { MemoryDataset } from '../src/engine/dataset.js';
import { AuditDatabase } from '../src/engine/duckdb/database.js';
import { loadIntoDuckDB } from '../src/engine/duckdb/load.js';
import { HANDWRITTEN_CHECKS, handwrittenLoad } from './handwritten.js';

/** The two reference checks of issue 10. */
export const REFERENCE_RULES = ['PAID-AFTER-DEATH', 'DUPLICATE-PAYOUT'];

const [what, dir, workersArg] = process.argv.slice(2);
const secs = (t0: number) => Number(((performance.now() - t0) / 1000).toFixed(2));
const cpu = () => {
  const u = process.cpuUsage();
  return Number(((u.user + u.system) / 1e6).toFixed(1));
};
const peakMb = () => Math.round((process.resourceUsage().maxRSS * 1024) / 1048576);

/** DuckDB's limits for a measurement: the share of memory the 2 GiB target leaves it, both cores. */
const LIMITS = { memoryBytes: 1280 << 20, threads: Math.min(2, availableParallelism()), maxTempBytes: 20 * 2 ** 30 };

async function duckdbLoad(): Promise<Record<string, unknown>> {
  const t = performance.now();
  const db = await AuditDatabase.open(LIMITS);
  try {
    const loaded = await loadIntoDuckDB([dir], {}, db, workersArg === undefined ? {} : { workers: Number(workersArg) });
    const load = secs(t);
    const rows = [...loaded.tables.values()].reduce((n, x) => n + x.rows, 0);
    const mem = await db.connection.runAndReadAll(`SELECT sum(memory_usage_bytes)::BIGINT, sum(temporary_storage_bytes)::BIGINT FROM duckdb_memory()`);
    const [[inMemory, spilled]] = mem.getRows() as bigint[][];
    return { load, rows, workers: loaded.workers, duckdbMb: Math.round(Number(inMemory) / 1048576), spilledMb: Math.round(Number(spilled) / 1048576) };
  } finally {
    db.close();
  }
}

async function handwritten(): Promise<Record<string, unknown>> {
  const instance = await DuckDBInstance.create(':memory:', { threads: String(LIMITS.threads), memory_limit: `${LIMITS.memoryBytes >> 20}MiB`, temp_directory: join(dir, '.duckdb-tmp') });
  const connection = await instance.connect();
  try {
    let t = performance.now();
    await handwrittenLoad(connection, dir);
    const load = secs(t);
    const checks: Record<string, number> = {};
    const found: Record<string, number> = {};
    for (const [id, sql] of Object.entries(HANDWRITTEN_CHECKS)) {
      t = performance.now();
      const reader = await connection.runAndReadAll(sql);
      checks[id] = secs(t);
      found[id] = reader.currentRowCount;
    }
    return { load, checks, found };
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

async function arqueroChecks(): Promise<Record<string, unknown>> {
  const { rules } = await loadRuleFiles();
  const chosen = rules.filter((r) => REFERENCE_RULES.includes(r.rule.id));
  let t = performance.now();
  const data = await loadPaths([dir], { onlyTables: requiredTables(chosen) });
  const load = secs(t);
  const checks: Record<string, number> = {};
  const found: Record<string, number> = {};
  for (const r of chosen) {
    t = performance.now();
    found[r.rule.id] = (await runRules([r], new MemoryDataset(data.tables))).findings.length;
    checks[r.rule.id] = secs(t);
  }
  return { load, checks, found };
}

const RUNS: Record<string, () => Promise<Record<string, unknown>>> = {
  'duckdb-load': duckdbLoad,
  handwritten,
  'arquero-checks': arqueroChecks,
};

const run = RUNS[what];
if (!run || !dir) {
  process.stderr.write(`usage: node dist/bench/scale-run.js ${Object.keys(RUNS).join('|')} DIR [workers]\n`);
  process.exitCode = 2;
} else {
  const t = performance.now();
  const result = await run();
  process.stdout.write(JSON.stringify({ what, ...result, total: secs(t), cpu: cpu(), peakMb: peakMb() }) + '\n');
}
