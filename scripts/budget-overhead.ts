/**
 * What running rules under a budget costs (docs/budgets.md): the shipped pack
 * on a folder of exports (default fixtures/demo), in the process that loaded
 * the data (no budget, as `rules test` runs) and in the child process that
 * enforces budgets (as `audit` runs). Each run is a fresh process, as an
 * audit is, and the two alternate, so that a machine shared with others
 * slows both alike. Prints the time from loaded data to findings, the ratio,
 * and whether both found the same.
 *
 *   npm run build && node dist/scripts/budget-overhead.js [folder] [rounds]
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { loadPaths } from '../src/data/load.js';
import { MemoryDataset } from '../src/engine/dataset.js';
import { requiredTables, runRules } from '../src/engine/run.js';
import { loadRuleFiles } from '../src/rules/load.js';

const [folder = 'fixtures/demo', rounds = '3', mode] = process.argv.slice(2);

if (mode) {
  // One run, in a fresh process: load, then time the rules.
  const { rules } = await loadRuleFiles();
  const data = await loadPaths([folder], { onlyTables: requiredTables(rules) });
  const t0 = performance.now();
  const run = await runRules(rules, new MemoryDataset(data.tables), mode === 'budgeted' ? { budget: {} } : {});
  const seconds = (performance.now() - t0) / 1000;
  process.stdout.write(JSON.stringify({ seconds, found: run.findings.map((f) => f.fingerprint).join(), skipped: run.skipped.length }));
} else {
  const times: Record<string, number[]> = { inProcess: [], budgeted: [] };
  const found: Record<string, string> = {};
  for (let i = 0; i < Number(rounds); i++) {
    for (const m of i % 2 === 0 ? ['inProcess', 'budgeted'] : ['budgeted', 'inProcess']) {
      const out = JSON.parse(execFileSync(process.execPath, [fileURLToPath(import.meta.url), folder, '1', m], { encoding: 'utf8', maxBuffer: 1 << 28 }));
      times[m].push(out.seconds);
      found[m] = out.found;
      if (out.skipped) console.log(m, 'skipped', out.skipped, 'rules');
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const a = median(times.inProcess);
  const b = median(times.budgeted);
  console.log(`shipped rules on ${folder}, ${rounds} fresh processes each, median seconds from loaded data to findings`);
  console.log(`  in the loading process (no budget)  ${a.toFixed(2)} s   [${times.inProcess.map((t) => t.toFixed(2)).join(', ')}]`);
  console.log(`  budgeted (child process)            ${b.toFixed(2)} s   [${times.budgeted.map((t) => t.toFixed(2)).join(', ')}]`);
  console.log(`  ratio ${(b / a).toFixed(2)}, overhead ${(b - a).toFixed(2)} s; same findings: ${found.inProcess === found.budgeted}`);
}
