/**
 * Load benchmark (not a test): times the typed load of a ~1M-row payouts
 * export and reports MB/s, rows/s and peak RSS, plus where the time goes.
 *
 *   npm run bench:load                 # generates bench/out/payouts-1m.csv once, then measures
 *   node --expose-gc dist/bench/load.js [file.csv] [--gbk]
 *
 * The file is generated in a child process so that its memory does not count
 * towards this process's peak RSS.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { isUtf8 } from 'node:buffer';
import { fileURLToPath } from 'node:url';
import { DEFAULT_OUT } from './gen-payouts.js';
import { loadPaths } from '../src/data/load.js';
import { CsvScanner, crLineEnds } from '../src/data/csv.js';
import { decode } from '../src/data/decode.js';

const gbk = process.argv.includes('--gbk');
const file = process.argv.slice(2).find((a) => !a.startsWith('--')) ?? (gbk ? DEFAULT_OUT.replace(/\.csv$/, '-gbk.csv') : DEFAULT_OUT);
if (!existsSync(file)) {
  process.stdout.write(`generating ${file} (once; cached) …\n`);
  const gen = fileURLToPath(new URL('./gen-payouts.js', import.meta.url));
  execFileSync(process.execPath, [gen, file, '1000000', ...(gbk ? ['--gbk'] : [])], { stdio: 'inherit' });
}

const gc = (globalThis as { gc?: () => void }).gc;
const mb = (n: number) => n / 1e6;
const secs = (t0: number) => (performance.now() - t0) / 1000;
const bytes = statSync(file).size;
gc?.();
const baseRss = process.memoryUsage().rss;

// The measured run first, so that its peak RSS is not raised by the stage runs below.
let t = performance.now();
const cpu0 = process.cpuUsage();
const result = await loadPaths([file]);
const tLoad = secs(t);
const cpu = process.cpuUsage(cpu0);
const tCpu = (cpu.user + cpu.system) / 1e6;
const memAfter = process.memoryUsage();
const maxRss = process.resourceUsage().maxRSS * 1024;
const report = result.files[0];
const table = result.tables.get('payouts');
if (!table || report.rowsRejected !== 0 || report.issues.length !== 0) {
  throw new Error(`unexpected load result: ${JSON.stringify({ ...report, issues: report.issues.slice(0, 5) })}`);
}

// Where the time goes: each stage on its own.
t = performance.now();
const buf = readFileSync(file);
const tRead = secs(t);
t = performance.now();
createHash('sha256').update(buf).digest('hex');
const tHash = secs(t);
t = performance.now();
isUtf8(buf);
const tValid = secs(t);
t = performance.now();
const dec = decode(buf);
const tDecode = secs(t);
if (!dec.ok) throw new Error(dec.reason);
t = performance.now();
// Scanned as the loader scans it: the same line-end mode.
const sc = new CsvScanner(dec.utf8, { crLineEnds: crLineEnds(dec.utf8) });
let records = 0;
while (sc.next() === 'record') records++;
const tScan = secs(t);


const lines = [
  `file       ${file}`,
  `size       ${mb(bytes).toFixed(1)} MB, ${report.rowsLoaded} rows x ${Object.keys(table.columns).length} columns, ${report.encoding}`,
  `load       ${tLoad.toFixed(2)} s wall  →  ${(mb(bytes) / tLoad).toFixed(1)} MB/s, ${Math.round(report.rowsLoaded / tLoad).toLocaleString('en')} rows/s`,
  `           ${tCpu.toFixed(2)} s CPU (user+sys, all threads; GC runs partly in parallel)  →  ${(mb(bytes) / tCpu).toFixed(1)} MB/s of CPU`,
  `peak RSS   ${mb(maxRss).toFixed(0)} MB = ${(maxRss / bytes).toFixed(2)} x file size (base ${mb(baseRss).toFixed(0)} MB; after load: rss ${mb(memAfter.rss).toFixed(0)} MB, heap ${mb(memAfter.heapUsed).toFixed(0)} MB)`,
  `stages     read ${tRead.toFixed(2)} s, sha256 ${tHash.toFixed(2)} s, utf-8 check ${tValid.toFixed(2)} s, decode ${tDecode.toFixed(2)} s, scan only ${tScan.toFixed(2)} s (${records} records); typing = the rest of the load`,
  `target     ≥ 60 MB/s: ${mb(bytes) / tLoad >= 60 ? 'met' : 'NOT met'}; peak RSS ≤ 3x file: ${maxRss <= 3 * bytes ? 'met' : 'NOT met'}`,
];
process.stdout.write(lines.join('\n') + '\n');
