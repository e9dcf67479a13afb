/**
 * Scale benchmark (not a test): counties of about 1M, 2M and 5M payout rows
 * with their other tables, each measured in its own process.
 *
 *   npm run bench:scale                          # 1M, 2M and 5M payout rows
 *   npm run build && node dist/bench/scale.js --sizes 1,2 --runs duckdb-load,handwritten
 *
 * Counties are made once under bench/out/scale/ (git-ignored): the demo
 * generator makes one county (`--persons`, default 20,000 over two years,
 * ~277,000 payout rows), and bench/tile.ts writes as many copies of it as a
 * size needs (see there why: the generator holds a county in memory and takes
 * minutes and gigabytes past ~1.5M payout rows).
 *
 * For each county it prints the rows and bytes, then for each run its
 * seconds per stage, CPU seconds and peak RSS, side by side, and the ratio of
 * the tool's reference checks to the hand-written DuckDB ones. The machine
 * is shared: read ratios from one run, not seconds across runs.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { tileCounty } from './tile.js';

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '1,2,5' },
    persons: { type: 'string', default: '20000' },
    seed: { type: 'string', default: '5' },
    runs: { type: 'string', default: 'duckdb-read,handwritten,duckdb-checks,duckdb-pack,audit,arquero-checks,arquero-pack' },
    /**
     * Largest county (million payout rows) the in-memory engine is run on: at 1.9M payout rows it took 571 s and
     * 4.1 GiB before failing (issue 10), so past 1M it only loads the shared machine.
     */
    'arquero-max': { type: 'string', default: '1' },
  },
});

const OUT = fileURLToPath(new URL('../../bench/out/scale', import.meta.url));
const DIST = fileURLToPath(new URL('.', import.meta.url));

function baseCounty(): string {
  const dir = join(OUT, `base-${values.persons}-seed${values.seed}`);
  if (!existsSync(join(dir, 'payouts.csv'))) {
    process.stdout.write(`generating ${dir} with the demo generator (once) …\n`);
    execFileSync(process.execPath, [join(DIST, '../fixtures/generate.js'), '--out', dir, '--seed', values.seed!, '--persons', values.persons!, '--years', '2023,2024'], { stdio: 'inherit' });
  }
  return dir;
}

/**
 * Data rows of a file: its lines past the header (records spanning lines are rare enough not to matter here),
 * counted in the bytes a chunk at a time — a county's payouts file is longer than the longest string.
 */
function dataRows(path: string): number {
  const fd = openSync(path, 'r');
  const buf = Buffer.alloc(1 << 24);
  let n = 0;
  try {
    for (let read = readSync(fd, buf); read > 0; read = readSync(fd, buf)) {
      for (let i = buf.indexOf(10); i >= 0 && i < read; i = buf.indexOf(10, i + 1)) n++;
    }
  } finally {
    closeSync(fd);
  }
  return n;
}

async function county(millions: number, base: string): Promise<string> {
  const copies = Math.max(1, Math.round((millions * 1e6) / (dataRows(join(base, 'payouts.csv')) - 1)));
  const dir = join(OUT, `county-${values.persons}x${copies}-seed${values.seed}`);
  if (!existsSync(join(dir, 'payouts.csv'))) {
    process.stdout.write(`writing ${dir}: ${copies} copies of the base county (once) …\n`);
    const t = performance.now();
    await tileCounty(base, dir, copies);
    process.stdout.write(`  written in ${((performance.now() - t) / 1000).toFixed(1)} s\n`);
  }
  return dir;
}

function measure(what: string, dir: string, extra: string[] = []): Record<string, unknown> {
  const out = execFileSync(process.execPath, [join(DIST, 'scale-run.js'), what, dir, ...extra], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 20 });
  return JSON.parse(out.trim().split('\n').pop()!);
}

const fmt = (r: Record<string, unknown>) =>
  Object.entries(r)
    .filter(([k]) => k !== 'what')
    .map(([k, v]) => `${k} ${typeof v === 'object' ? JSON.stringify(v) : v}`)
    .join(', ');

process.stdout.write(`scale benchmark — ${cpus().length} cores, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);
const base = baseCounty();
const runs = values.runs!.split(',');
/** Per county: payout rows and the end-to-end audit's seconds, for the growth line at the end. */
const growth: Array<{ rows: number; seconds: number; peakMb: number }> = [];
for (const millions of values.sizes!.split(',').map(Number)) {
  const dir = await county(millions, base);
  const files = readdirSync(dir).filter((f) => f.endsWith('.csv'));
  const bytes = files.reduce((n, f) => n + statSync(join(dir, f)).size, 0);
  const payoutRows = dataRows(join(dir, 'payouts.csv')) - 1;
  const allRows = files.reduce((n, f) => n + dataRows(join(dir, f)) - 1, 0);
  process.stdout.write(`\n${dir}: ${payoutRows.toLocaleString('en')} payout rows (${allRows.toLocaleString('en')} in all), ${(bytes / 1e6).toFixed(0)} MB in ${files.length} files\n`);
  const results: Record<string, Record<string, unknown>> = {};
  for (const what of runs) {
    if (what.startsWith('arquero') && millions > Number(values['arquero-max'])) {
      process.stdout.write(`  ${what.padEnd(16)} skipped: past --arquero-max ${values['arquero-max']}M rows the in-memory engine does not fit\n`);
      continue;
    }
    // The loader with one worker thread and with two, to see what the second core brings.
    const variants = what === 'duckdb-load' ? [['0'], ['1'], ['2']] : [[]];
    for (const extra of variants) {
      const label = what + (extra.length ? ` w${extra[0]}` : '');
      const r = measure(what, dir, extra);
      results[label] = r;
      if (what === 'audit') growth.push({ rows: payoutRows, seconds: r.total as number, peakMb: r.peakMb as number });
      process.stdout.write(`  ${label.padEnd(16)} ${fmt(r)}\n`);
    }
  }
  const floor = results['duckdb-read'];
  const pack = results['duckdb-pack'] ?? results['duckdb-load w2'];
  if (floor && pack) {
    // The pack's load types, checks and records the provenance of every row; DuckDB's untyped read does none of it.
    process.stdout.write(`  load: the tool's ${(pack.load as number).toFixed(1)} s against DuckDB's own untyped read of every file ${(floor.load as number).toFixed(1)} s = ${((pack.load as number) / (floor.load as number)).toFixed(2)}×\n`);
  }
  const mine = results['duckdb-checks'];
  const hand = results.handwritten;
  if (mine && hand) {
    const sum = (r: Record<string, unknown>) => Object.values(r.checks as Record<string, number>).reduce((a, b) => a + b, 0);
    const ratio = (a: number, b: number) => (b > 0 ? (a / b).toFixed(2) : '–');
    process.stdout.write(
      `  reference checks: the tool ${(mine.total as number).toFixed(1)} s against hand-written DuckDB ${(hand.total as number).toFixed(1)} s = ${ratio(mine.total as number, hand.total as number)}× ` +
        `(load ${ratio(mine.load as number, hand.load as number)}×, queries ${ratio(sum(mine), sum(hand))}×)\n`,
    );
  }
}
if (growth.length > 1) {
  // Linear growth: seconds per million payout rows stays about the same from the smallest county to the largest.
  process.stdout.write('\naudit, end to end: ' + growth.map((g) => `${(g.rows / 1e6).toFixed(2)}M rows ${g.seconds.toFixed(1)} s (${((g.seconds * 1e6) / g.rows).toFixed(1)} s per million), ${g.peakMb} MiB`).join('; ') + '\n');
}
