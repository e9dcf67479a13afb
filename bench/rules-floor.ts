/**
 * How far above a hand-written floor is each heavy rule (bench/handwritten-rules.ts: the least DuckDB SQL that
 * answers the same question as the rule with its default params, over the tool's OWN loaded tables (after
 * loadIntoDuckDB, so the load is left out and the tables and types are identical), returning the findings' keys
 * and amounts but no evidence rows and no masking), as bench/handwritten.ts mirrors the two reference checks.
 *
 *   node dist/bench/rules-floor.js DIR [RULE,RULE…] [--runs N]
 *
 * Loads once (as rules-profile does), then for each rule times the tool's run as `audit` runs it (DuckDBExecutor.run
 * under the default budget: join sizing, the query, its evidence lists) and the hand-written query, N times each
 * (default 2), alternating which goes first; wall and CPU seconds (DuckDB's threads included). The first tool run's
 * findings are compared with the hand-written rows (count, and the multiset of entity key and amount): a mismatch
 * is printed, and counted in the totals, so that a floor that answers another question is never taken for a floor.
 * Prints one JSON line per rule and the totals. A rule without a hand-written query is timed alone (the tool's
 * times, to compare two builds side by side).
 *
 * The hand-written queries are bench/handwritten-rules.ts.
 */
import { loadRuleFiles } from '../src/rules/load.js';
import { BENCH_LIMITS } from './limits.js';
import { requiredTables } from '../src/engine/run.js';
import { openSession } from '../src/engine/duckdb/session.js';
import { DuckDBExecutor } from '../src/engine/duckdb/executor.js';
import { buildFindings } from '../src/engine/findings.js';
import { resolveParams } from '../src/rules/params.js';
import { ruleBudget } from '../src/rules/budget.js';
import { HANDWRITTEN_RULES } from './handwritten-rules.js';

const args = process.argv.slice(2);
const runsAt = args.indexOf('--runs');
const runs = runsAt >= 0 ? Number(args[runsAt + 1]) : 2;
const [dir, onlyArg] = args.filter((a, i) => !a.startsWith('--') && !(runsAt >= 0 && i === runsAt + 1));
const only = onlyArg ? onlyArg.split(',') : Object.keys(HANDWRITTEN_RULES);
const secs = (t0: number) => Number(((performance.now() - t0) / 1000).toFixed(3));
const cpuOf = (c: NodeJS.CpuUsage) => Number(((c.user + c.system) / 1e6).toFixed(3));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

const { rules: all } = await loadRuleFiles();
let t = performance.now();
const session = await openSession([dir], { onlyTables: requiredTables(all) }, requiredTables(all), BENCH_LIMITS);
process.stdout.write(JSON.stringify({ load: secs(t) }) + '\n');
const executor = new DuckDBExecutor();
const connection = session.database.connection;
const totals = { toolCpu: 0, handCpu: 0, toolWall: 0, handWall: 0, mismatches: 0 };
try {
  for (const id of only) {
    const r = all.find((x) => x.rule.id === id);
    const sql = HANDWRITTEN_RULES[id];
    if (!r) {
      process.stdout.write(JSON.stringify({ id, skipped: 'no such rule' }) + '\n');
      continue;
    }
    const params = resolveParams(r.rule);
    const tool = { wall: [] as number[], cpu: [] as number[] };
    const hand = { wall: [] as number[], cpu: [] as number[] };
    let toolKeys: string[] | undefined;
    let handKeys: string[] | undefined;
    const runTool = async () => {
      t = performance.now();
      const c0 = process.cpuUsage();
      const result = await executor.run(r, params, session.dataset, ruleBudget({}, undefined));
      tool.cpu.push(cpuOf(process.cpuUsage(c0)));
      tool.wall.push(secs(t));
      if (!toolKeys) {
        const findings = await buildFindings(r, result, session.dataset, {});
        toolKeys = findings.map((f) => `${f.entity.kind === 'document' ? `${f.entity.label}|` : ''}${f.entity.key} ${f.amount ?? ''}`).sort();
      }
    };
    const runHand = async () => {
      if (!sql) return;
      t = performance.now();
      const c0 = process.cpuUsage();
      const reader = await connection.runAndReadAll(sql);
      hand.cpu.push(cpuOf(process.cpuUsage(c0)));
      hand.wall.push(secs(t));
      handKeys ??= reader.getRowObjects().map((row) => `${String(row.key)} ${row.amount ?? ''}`).sort();
    };
    for (let i = 0; i < runs; i++) {
      if (i % 2 === 0) {
        await runTool();
        await runHand();
      } else {
        await runHand();
        await runTool();
      }
    }
    if (!sql) {
      // No hand-written query (a rule timed for a side-by-side of two builds): the tool's times alone.
      process.stdout.write(JSON.stringify({ id, findings: toolKeys!.length, toolWall: tool.wall, toolCpu: tool.cpu }) + '\n');
      continue;
    }
    const same = toolKeys!.length === handKeys!.length && toolKeys!.every((k, i) => k === handKeys![i]);
    if (!same) totals.mismatches++;
    const tc = median(tool.cpu);
    const hc = median(hand.cpu);
    totals.toolCpu += tc;
    totals.handCpu += hc;
    totals.toolWall += median(tool.wall);
    totals.handWall += median(hand.wall);
    const line: Record<string, unknown> = { id, findings: toolKeys!.length, hand: handKeys!.length, same, toolWall: tool.wall, handWall: hand.wall, toolCpu: tool.cpu, handCpu: hand.cpu, ratioCpu: Number((tc / hc).toFixed(2)) };
    if (!same) {
      const h = new Set(handKeys);
      const k = new Set(toolKeys);
      line.onlyTool = toolKeys!.filter((x) => !h.has(x)).slice(0, 5);
      line.onlyHand = handKeys!.filter((x) => !k.has(x)).slice(0, 5);
    }
    process.stdout.write(JSON.stringify(line) + '\n');
  }
} finally {
  session.close();
}
const round = (x: number) => Number(x.toFixed(2));
process.stdout.write(JSON.stringify({ totals: { ...Object.fromEntries(Object.entries(totals).map(([k, v]) => [k, round(v)])), ratioCpu: round(totals.toolCpu / totals.handCpu) } }) + '\n');
