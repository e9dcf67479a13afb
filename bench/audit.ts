/**
 * Audit benchmark (not a test): the whole default rule pack on a generated
 * county, timed per stage and per rule, with peak RSS.
 *
 *   npm run bench:audit                       # 20,000 persons, two years (~530,000 rows, ~96 MB)
 *   node dist/bench/audit.js --persons 50000  # a bigger county
 *
 * The county is generated once per size under bench/out/ (git-ignored) by the
 * demo generator, in a child process so that its memory does not count here.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadPaths } from '../src/data/load.js';
import { addReferenceTables } from '../src/data/reference.js';
import { loadRuleFiles } from '../src/rules/load.js';
import { requiredTables, runRules } from '../src/engine/run.js';
import { MemoryDataset } from '../src/engine/dataset.js';
import { ArqueroExecutor } from '../src/engine/arquero/executor.js';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const persons = Number(arg('--persons', '20000'));
const dir = fileURLToPath(new URL(`../../bench/out/county-${persons}`, import.meta.url));
if (!existsSync(dir)) {
  process.stdout.write(`generating ${dir} (once; cached) …\n`);
  const gen = fileURLToPath(new URL('../fixtures/generate.js', import.meta.url));
  execFileSync(process.execPath, [gen, '--out', dir, '--seed', '5', '--persons', String(persons), '--years', '2023,2024'], { stdio: 'inherit' });
}

const secs = (t0: number) => ((performance.now() - t0) / 1000).toFixed(2);
let t = performance.now();
const { rules, problems } = await loadRuleFiles();
if (problems.length) throw new Error(`the shipped rules have ${problems.length} problem(s): run fundaudit rules validate`);
const tRules = secs(t);

t = performance.now();
const data = await loadPaths([dir], { onlyTables: requiredTables(rules) });
data.files.push(...addReferenceTables(data.tables, requiredTables(rules)));
const tLoad = secs(t);
const rows = data.files.reduce((n, f) => n + f.rowsLoaded, 0);
const bytes = data.files.reduce((n, f) => n + f.bytes, 0);

// Each rule on its own, to see which ones cost; runRules isolates rules anyway. One executor shares the base tables.
const perRule: [number, string][] = [];
let findings = 0;
const dataset = new MemoryDataset(data.tables);
const executor = new ArqueroExecutor();
t = performance.now();
for (const r of rules) {
  const t0 = performance.now();
  findings += (await runRules([r], dataset, { executor })).findings.length;
  perRule.push([performance.now() - t0, r.rule.id]);
}
const tRun = secs(t);
const maxRss = process.resourceUsage().maxRSS * 1024;

perRule.sort((a, b) => b[0] - a[0]);
process.stdout.write(
  [
    `county     ${persons} persons: ${rows.toLocaleString('en')} rows in ${data.files.length} files, ${(bytes / 1e6).toFixed(1)} MB`,
    `rules      ${rules.length} loaded and validated in ${tRules} s`,
    `load       ${tLoad} s`,
    `run        ${tRun} s for ${rules.length} rules, ${findings} findings`,
    `peak RSS   ${(maxRss / 1e6).toFixed(0)} MB`,
    'slowest    ' + perRule.slice(0, 8).map(([ms, id]) => `${id} ${(ms / 1000).toFixed(2)} s`).join(', '),
    '',
  ].join('\n'),
);
