/**
 * A loading worker's path alone, in this thread (not a test): scan, type and write DuckDB batches
 * (engine/duckdb/batch.ts) for one export file, with no DuckDB and no second thread, so that each stage's
 * CPU can be told apart and a change to the batch writer timed against a build of another commit.
 *
 *   node dist/bench/worker-path.js FILE… [--sink none|batch] [--runs N] [--sha] [--recycle]
 *
 * --sink none: scan and type only (rows go nowhere); batch (default): the batch writer too, its batches
 * dropped as posted. --sha prints the SHA-256 of every batch's meaningful bytes (the rows' values, validity,
 * lines, digests, long strings and dictionaries) in order, to show that a change sends the same batches.
 * --recycle: each batch is written into a shared slot (SlotBuffers), freed once it is posted, as the main thread
 * frees a loading worker's slot once its batch is appended (the same batches, in buffers used again).
 * Prints one JSON line per run: wall and CPU seconds, rows.
 */
import { createHash } from 'node:crypto';
import { loadFileParts } from '../src/data/load.js';
import type { RowSink } from '../src/data/sink.js';
import { BatchWriter, batchLayout, NEW_BUFFERS, SlotBuffers, WIDTH, type Batch, type PartMessage } from '../src/engine/duckdb/batch.js';

const args = process.argv.slice(2);
const flag = (name: string, fallback: string) => {
  const k = args.indexOf(name);
  return k >= 0 ? args[k + 1] : fallback;
};
// Several files are loaded one after the other, as a worker thread does: its code then meets the values of
// several tables, as it does in a real load.
const files = args.filter((a, k) => !a.startsWith('--') && !['--sink', '--runs'].includes(args[k - 1]));
if (files.length === 0) throw new Error('usage: worker-path FILE… [--sink none|batch] [--runs N] [--sha] [--recycle]');
const sinkKind = flag('--sink', 'batch');
const runs = Number(flag('--runs', '1'));
const sha = args.includes('--sha');
const recycle = args.includes('--recycle');

class NoSink implements RowSink {
  rows = 0;
  begin(): void {}
  row(): void {
    this.rows++;
  }
  end(): void {}
}

/** The bytes of a batch that DuckDB gets: per column its rows' data and validity, the lines, the digests, the long strings. */
function hashBatch(h: ReturnType<typeof createHash>, encodings: Parameters<typeof batchLayout>[0], b: Batch): void {
  const L = batchLayout(encodings, b.capacity);
  const u8 = new Uint8Array(b.buffer);
  h.update(JSON.stringify({ part: b.part, first: b.first, rows: b.rows, nulls: b.nulls, long: b.long }));
  encodings.forEach((e, c) => {
    h.update(u8.subarray(L.data[c], L.data[c] + WIDTH[e] * b.rows));
    if (b.nulls[c]) h.update(u8.subarray(L.validity[c], L.validity[c] + Math.ceil(b.rows / 8)));
  });
  h.update(u8.subarray(L.lines, L.lines + 4 * b.rows));
  h.update(u8.subarray(L.digests, L.digests + 8 * b.rows));
  h.update(new Uint8Array(b.heap, 0, b.heapBytes));
}

for (let run = 0; run < runs; run++) {
  const h = createHash('sha256');
  let rows = 0;
  let encodings: Parameters<typeof batchLayout>[0] = [];
  const send = (m: PartMessage) => {
    if (m.type === 'begin') encodings = batchLayout(m.columns.map((c) => ({ money: 'i64', int: 'i64', date: 'date', datetime: 'ts' } as Record<string, 'i64' | 'date' | 'ts'>)[c.type] ?? 'str'), 0).encodings;
    if (m.type === 'batch') {
      rows += m.rows;
      if (sha) hashBatch(h, encodings, m);
      if (recycle && m.slot !== undefined) SlotBuffers.release(slots, m.slot);
    }
  };
  const slots = SlotBuffers.state(4);
  const pool = new SlotBuffers(slots);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let part = 0;
  const parts = [];
  for (const [k, file] of files.entries()) {
    parts.push(...(await loadFileParts(file, {}, () => (sinkKind === 'none' ? new NoSink() : new BatchWriter(send, () => ({ part: part++, file: k, order: 0 }), recycle ? pool : NEW_BUFFERS)))));
  }
  const wall = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  if (sinkKind === 'none') rows = parts.reduce((n, p) => n + ((p.sink as NoSink | null)?.rows ?? 0), 0);
  const out: Record<string, unknown> = { sink: sinkKind, ...(recycle ? { recycle } : {}), rows, wall: Number(wall.toFixed(2)), cpu: Number(((cpu.user + cpu.system) / 1e6).toFixed(2)) };
  if (sha) out.sha256 = h.digest('hex');
  process.stdout.write(JSON.stringify(out) + '\n');
}
