/**
 * One measurement of the scale benchmark (bench/scale.ts runs each in its own
 * process, so that every peak RSS is that measurement's alone). Prints one
 * line of JSON: seconds per stage, CPU seconds, peak RSS, and what was found.
 *
 *   node dist/bench/scale-run.js duckdb-load    DIR [workers]   # the tool's loader into its DuckDB, every table
 *   node dist/bench/scale-run.js duckdb-checks  DIR [workers]   # load what they need + the two reference rules on DuckDB
 *   node dist/bench/scale-run.js duckdb-pack    DIR [workers]   # load + the whole default pack on DuckDB, rule by rule
 *   node dist/bench/scale-run.js handwritten    DIR             # DuckDB's own read_csv + the two reference checks by hand
 *   node dist/bench/scale-run.js duckdb-read    DIR             # the floor of any load: DuckDB's own read_csv of every file, untyped
 *   node dist/bench/scale-run.js arquero-checks DIR             # in-memory load + the two reference rules on Arquero
 *   node dist/bench/scale-run.js arquero-pack   DIR             # in-memory load + the whole pack on Arquero
 *   node dist/bench/scale-run.js audit          DIR             # `fundaudit audit DIR --format json --out FILE`, end to end
 *
 * The tool's runs go as `audit` runs the rules: each under the default budget (docs/budgets.md). Arquero
 * runs in this process (audit would run it in a child process holding a second copy of the data): the engine
 * itself is what is measured.
 */
import { closeSync, openSync, readdirSync, readSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../src/cli/main.js';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { loadPaths } from '../src/data/load.js';
import { loadRuleFiles } from '../src/rules/load.js';
import { BENCH_LIMITS } from './limits.js';
import { requiredTables, runRules } from '../src/engine/run.js';
import { MemoryDataset } from '../src/engine/dataset.js';
import type { Dataset, Executor } from '../src/engine/executor.js';
import { AuditDatabase } from '../src/engine/duckdb/database.js';
import { loadIntoDuckDB } from '../src/engine/duckdb/load.js';
import { openSession } from '../src/engine/duckdb/session.js';
import { ident } from '../src/engine/duckdb/schema.js';
import { DuckDBExecutor } from '../src/engine/duckdb/executor.js';
import { addReferenceTables } from '../src/data/reference.js';
import { HANDWRITTEN_CHECKS, handwrittenLoad, literal } from './handwritten.js';

/** The two reference checks of issue 10. */
export const REFERENCE_RULES = ['PAID-AFTER-DEATH', 'DUPLICATE-PAYOUT'];

const [what, dir, workersArg] = process.argv.slice(2);
const secs = (t0: number) => Number(((performance.now() - t0) / 1000).toFixed(2));
const cpu = () => {
  const u = process.cpuUsage();
  return Number(((u.user + u.system) / 1e6).toFixed(1));
};
const peakMb = () => Math.round((process.resourceUsage().maxRSS * 1024) / 1048576);

const LIMITS = BENCH_LIMITS;

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

/** A plain DuckDB with the tool's limits (threads, pool, spill folder), for the runs that use DuckDB's own reader; closed after `use`. */
async function withPlainDuckDB(use: (connection: DuckDBConnection) => Promise<Record<string, unknown>>): Promise<Record<string, unknown>> {
  const instance = await DuckDBInstance.create(':memory:', { threads: String(LIMITS.threads), memory_limit: `${LIMITS.memoryBytes >> 20}MiB`, temp_directory: join(dir, '.duckdb-tmp') });
  const connection = await instance.connect();
  try {
    return await use(connection);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

const handwritten = () =>
  withPlainDuckDB(async (connection) => {
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
  });

/**
 * The floor under any loader of these files: DuckDB's own parallel read_csv of every CSV in the folder into a
 * table of VARCHAR columns — no typing, no checks, no row provenance, nothing rejected or reported. The tool's
 * load does all of those, so it cannot beat this; the gap between the two is what a faster loader could win.
 */
const duckdbRead = () =>
  withPlainDuckDB(async (connection) => {
    const t0 = performance.now();
    const files: Record<string, number> = {};
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.csv')).sort()) {
      const t = performance.now();
      // Some exports put a title line above the header (the generator copies that habit): a first line without a comma.
      const skip = firstLine(join(dir, file)).includes(',') ? 0 : 1;
      await connection.run(`CREATE TABLE ${ident(file)} AS SELECT * FROM read_csv(${literal(join(dir, file))}, skip = ${skip}, header = true, all_varchar = true, ignore_errors = true)`);
      files[file] = secs(t);
    }
    const load = secs(t0);
    const counts = await connection.runAndReadAll(Object.keys(files).map((f) => `SELECT count(*) AS n FROM ${ident(f)}`).join(' UNION ALL '));
    return { load, rows: (counts.getRows() as bigint[][]).reduce((n, [x]) => n + Number(x), 0), files };
  });

function firstLine(file: string): string {
  const fd = openSync(file, 'r');
  try {
    const head = Buffer.alloc(4096);
    const n = readSync(fd, head);
    return head.subarray(0, n).toString('utf8').split('\n')[0];
  } finally {
    closeSync(fd);
  }
}

/** The whole audit through the CLI, as a user runs it: load, every rule under its budget, the JSON report written to a file. */
async function audit(): Promise<Record<string, unknown>> {
  const out = join(tmpdir(), `fundaudit-scale-report-${process.pid}.json`);
  try {
    const code = await main(['audit', dir, '--format', 'json', '--out', out, '--quiet', '--no-config']);
    const stopped = rulesNotRun(out);
    return { exit: code, reportMb: Math.round(statSync(out).size / 1e6), ...(stopped.length ? { stopped } : {}) };
  } finally {
    rmSync(out, { force: true });
  }
}

/**
 * The report's rules not run (its top-level `skipped` list, as `rule: reason`), read a chunk at a time: the
 * report can be hundreds of MB, and parsing it whole would add to the peak RSS being measured.
 */
function rulesNotRun(report: string): string[] {
  const start = Buffer.from('\n  "skipped": [');
  const end = Buffer.from('\n  "dataIssues"');
  const fd = openSync(report, 'r');
  const chunk = Buffer.alloc(1 << 24);
  let carry = Buffer.alloc(0);
  let found: Buffer | null = null;
  try {
    for (let n = readSync(fd, chunk); n > 0; n = readSync(fd, chunk)) {
      const buf = Buffer.concat([carry, chunk.subarray(0, n)]);
      if (!found) {
        const at = buf.indexOf(start);
        if (at < 0) {
          carry = buf.subarray(Math.max(0, buf.length - start.length));
          continue;
        }
        found = buf.subarray(at + start.length - 1);
      } else found = Buffer.concat([found, chunk.subarray(0, n)]);
      const stop = found.indexOf(end);
      if (stop >= 0) {
        const list = JSON.parse(found.subarray(0, stop).toString('utf8').replace(/,\s*$/, '')) as Array<{ ruleId: string; reason: string }>;
        return list.map((s) => `${s.ruleId}: ${s.reason}`);
      }
      carry = Buffer.alloc(0);
    }
  } finally {
    closeSync(fd);
  }
  throw new Error(`no "skipped" list in ${report}`);
}

type Loaded = { dataset: Dataset; executor?: Executor<Dataset>; close?: () => void; budget?: object };

/** Loads what the chosen rules need (timed), then runs each rule on its own (timed), as `audit` runs them. */
async function timeRules(only: string[] | undefined, load: (needed: ReturnType<typeof requiredTables>) => Promise<Loaded>): Promise<Record<string, unknown>> {
  const { rules: all } = await loadRuleFiles();
  const chosen = only ? all.filter((r) => only.includes(r.rule.id)) : all;
  let t = performance.now();
  const loaded = await load(requiredTables(chosen));
  try {
    const loadSecs = secs(t);
    const perRule: Record<string, number> = {};
    const found: Record<string, number> = {};
    /** Rules that did not run (over a budget, out of DuckDB's memory), with why: the pack's figures are only for the others. */
    const stopped: string[] = [];
    t = performance.now();
    for (const r of chosen) {
      const t0 = performance.now();
      const result = await runRules([r], loaded.dataset, loaded.executor ? { executor: loaded.executor, budget: loaded.budget } : {});
      perRule[r.rule.id] = secs(t0);
      found[r.rule.id] = result.findings.length;
      for (const s of result.skipped) stopped.push(`${r.rule.id}: ${s.reason}`);
    }
    const run = secs(t);
    const findings = Object.values(found).reduce((a, b) => a + b, 0);
    return { load: loadSecs, run, rules: chosen.length, findings, slowest: slowest(perRule), ...(only ? { checks: perRule, found } : {}), ...(stopped.length ? { stopped } : {}) };
  } finally {
    loaded.close?.();
  }
}

/** The tool on DuckDB. */
const duckdbRules = (only?: string[]) =>
  timeRules(only, async (needed) => {
    const session = await openSession([dir], { onlyTables: needed }, needed, LIMITS, workersArg === undefined ? {} : { workers: Number(workersArg) });
    return { dataset: session.dataset, executor: new DuckDBExecutor(), close: () => session.close(), budget: {} };
  });

/** The reference executor: the in-memory load. */
const arqueroRules = (only?: string[]) =>
  timeRules(only, async (needed) => {
    const data = await loadPaths([dir], { onlyTables: needed });
    addReferenceTables(data.tables, needed);
    return { dataset: new MemoryDataset(data.tables) };
  });

/** The slowest rules, slowest first. */
function slowest(perRule: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(perRule).sort((a, b) => b[1] - a[1]).slice(0, 6));
}

const RUNS: Record<string, () => Promise<Record<string, unknown>>> = {
  'duckdb-load': duckdbLoad,
  'duckdb-read': duckdbRead,
  handwritten,
  'duckdb-checks': () => duckdbRules(REFERENCE_RULES),
  'duckdb-pack': () => duckdbRules(),
  'arquero-checks': () => arqueroRules(REFERENCE_RULES),
  'arquero-pack': () => arqueroRules(),
  audit,
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
