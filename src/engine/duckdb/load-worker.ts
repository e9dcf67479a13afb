/**
 * A loading worker thread: reads and types the files it is given with the
 * loader (data/load.ts), writing each part's rows as batches (batch.ts) that
 * it posts to the main thread, which appends them to DuckDB (appender.ts).
 *
 * A large CSV file may be given as two tasks, one to each worker (data/split.ts): the first part from the
 * start, the second from a split point; the main thread merges their reports.
 *
 * Flow control: a shared counter holds the batches posted and not yet
 * appended; past a limit the main thread sets, the worker waits, so that a
 * fast reader never piles up the file in the main thread's message queue.
 * The limit is a few batches, and more while DuckDB checkpoints (load.ts),
 * when nothing is appended for a second or more.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadCsvTail, loadFileParts, type HeadSplit } from '../../data/load.js';
import type { FileRule, LoadOptions } from '../../data/model.js';
import { BatchWriter, SlotBuffers, TAIL_ORDER, type PartMessage } from './batch.js';
import type { WorkerMessage, WorkerTask } from './load.js';

const port = parentPort!;
/** [0]: batches posted and not yet appended; [1]: how many may be (the main thread's limit). */
const credit = new Int32Array(workerData.credit as SharedArrayBuffer);
let nextPart = 0;

/** The batches' buffers: slots shared with the main thread, which frees each once its batch is appended (batch.ts). */
const buffers = new SlotBuffers(new Int32Array(workerData.slots as SharedArrayBuffer));

function post(m: WorkerMessage, transfer?: ArrayBuffer[]): void {
  port.postMessage(m, transfer ?? []);
}

function send(m: PartMessage, transfer?: ArrayBuffer[]): void {
  if (m.type === 'batch') {
    for (;;) {
      const inFlight = Atomics.load(credit, 0);
      if (inFlight < Atomics.load(credit, 1)) break;
      Atomics.wait(credit, 0, inFlight, 1000);
    }
    Atomics.add(credit, 0, 1);
  }
  post(m, transfer);
}

port.on('message', async (task: WorkerTask) => {
  try {
    const rule: FileRule | undefined = task.rule;
    const opts: LoadOptions = { ...task.opts, fileRule: rule ? () => rule : undefined };
    if (task.split?.role === 'tail') {
      const tail = loadCsvTail(task.path, opts, task.split.at, () => new BatchWriter(send, () => ({ part: nextPart++, file: task.file, order: TAIL_ORDER }), buffers));
      post({ type: 'tail', file: task.file, part: tail?.sink.partNumber ?? null, rows: tail?.rows ?? null });
      return;
    }
    let order = 0;
    const split: HeadSplit | undefined = task.split ? { at: task.split.at } : undefined;
    const parts = await loadFileParts(task.path, opts, () => new BatchWriter(send, () => ({ part: nextPart++, file: task.file, order: order++ }), buffers), split);
    post({ type: 'done', file: task.file, parts: parts.map((p) => ({ report: p.report, part: p.sink?.partNumber ?? null })), ...(split?.rows ? { head: split.rows } : {}) });
  } catch (err) {
    // Typed errors cross as their name and fields; the main thread makes them again.
    const e = err as Error & { fix?: string; place?: string };
    post({ type: 'error', file: task.file, name: e?.name ?? 'Error', message: e?.message ?? String(err), fix: e?.fix, place: e?.place, stack: e?.stack });
  }
});
