/**
 * The Arquero executor under a budget: rules run one at a time in a child
 * process (child.ts) that holds a copy of the loaded tables, so that a rule
 * that runs too long or needs too much memory can be stopped (the child is
 * killed) and reported, while the run goes on with a fresh child. A child is
 * a process, not a worker thread: V8 ends the whole process when a heap
 * allocation fails (measured: a worker's resourceLimits did not stop
 * `op.split` of a 100 MB string), and a process can be killed at any instant.
 *
 * Enforcement (see engine/budget.ts): a timer for `seconds`; for `memoryMb`,
 * the child's V8 heap limit (the data's estimated heap plus the budget), and
 * on Linux a watch on its resident memory (checked every 50 ms against its
 * size before the rule started plus the budget), which also catches memory
 * outside the heap (typed arrays of a join's indexes); joins are estimated
 * before they run by the executor itself.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LoadedTable } from '../../data/model.js';
import { PACKAGE_ROOT } from '../../package.js';
import type { CompiledRule } from '../../plan/compile.js';
import type { ParamValues } from '../../rules/params.js';
import { BUDGET_DEFAULTS, BudgetExceeded, overMemory, overTime, type BudgetSettings } from '../budget.js';
import type { MemoryDataset } from '../dataset.js';
import type { ExecutionResult, Executor } from '../executor.js';
import type { FromChild, ToChild } from './child.js';

/** The child's module: beside this one when compiled; the compiled one when this runs from the TypeScript sources (tests). */
const CHILD = ((here) => (existsSync(here) ? here : join(PACKAGE_ROOT, 'dist/src/engine/arquero/child.js')))(fileURLToPath(new URL('./child.js', import.meta.url)));
const MIB = 1 << 20;
/** How often the child's resident memory is looked at. */
const WATCH_MS = 50;

/** A running child with the data of one dataset. */
interface Child {
  process: ChildProcess;
  dataset: MemoryDataset;
  /** Resolves once the child holds the data. */
  ready: Promise<void>;
  /** The last lines the child wrote to stderr (V8 says "heap out of memory" there). */
  stderr: string;
  /** The V8 heap limit it was started with, MiB. */
  heapMb: number;
}

/**
 * Rough heap size of the loaded tables (V8: a string takes its characters
 * plus a header, a double 16 bytes, an array 8 per slot), for the child's
 * heap limit. One pass over the values: tens of milliseconds for a million rows.
 */
export function estimateHeapBytes(tables: Iterable<LoadedTable>): number {
  let bytes = 0;
  for (const t of tables) {
    for (const column of Object.values(t.columns)) {
      if (ArrayBuffer.isView(column)) {
        bytes += column.byteLength;
        continue;
      }
      bytes += 8 * column.length;
      for (let i = 0; i < column.length; i++) {
        const v = column[i];
        if (typeof v === 'string') bytes += 24 + 2 * v.length;
        else if (typeof v === 'number') bytes += 16;
      }
    }
    bytes += 8 * 2 * t.rows; // file index and line of every row
  }
  return bytes;
}

/** Resident memory of a process in bytes, where the platform says it (Linux); undefined elsewhere. */
function residentBytes(pid: number): number | undefined {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

export class IsolatedArqueroExecutor implements Executor<MemoryDataset> {
  readonly name = 'arquero';
  private child: Child | undefined;
  /** The estimated heap of each dataset's tables, bytes (one pass over the values, made once). */
  private readonly dataBytes = new WeakMap<MemoryDataset, number>();

  async run(rule: CompiledRule, params: ParamValues, dataset: MemoryDataset, budget?: BudgetSettings): Promise<ExecutionResult> {
    const b = budget ?? BUDGET_DEFAULTS;
    let child = this.child;
    if (!child || child.dataset !== dataset || child.heapMb < this.heapFor(dataset, b)) {
      await this.close();
      child = this.child = this.start(dataset, b);
    }
    await child.ready;
    try {
      return await this.runIn(child, rule, params, b);
    } catch (err) {
      // A child that was stopped, or died, is not used again.
      if (child.process.exitCode !== null || child.process.signalCode !== null || err instanceof BudgetExceeded) {
        if (this.child === child) this.child = undefined;
        child.process.kill('SIGKILL');
      }
      throw err;
    }
  }

  async close(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child) return;
    if (child.process.connected) child.process.disconnect();
    child.process.kill('SIGKILL');
  }

  /** The heap (MiB) a child needs for this dataset and budget. */
  private heapFor(dataset: MemoryDataset, budget: BudgetSettings): number {
    let data = this.dataBytes.get(dataset);
    if (data === undefined) this.dataBytes.set(dataset, (data = estimateHeapBytes(dataset.tables.values())));
    // The copy the message arrives in is garbage after loading, but the heap must hold it once; 64 MiB for the code.
    return Math.ceil((2 * data) / MIB) + 64 + budget.memoryMb;
  }

  private start(dataset: MemoryDataset, budget: BudgetSettings): Child {
    const heapMb = this.heapFor(dataset, budget);
    const process_ = fork(CHILD, [], {
      serialization: 'advanced',
      execArgv: [`--max-old-space-size=${heapMb}`, '--expose-gc'],
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    const child: Child = { process: process_, dataset, heapMb, stderr: '', ready: Promise.resolve() };
    process_.stderr!.on('data', (d: Buffer) => {
      child.stderr = (child.stderr + d.toString('utf8')).slice(-4096);
    });
    child.ready = new Promise((resolve, reject) => {
      const onMessage = (m: FromChild) => {
        if (m.type !== 'ready') return;
        process_.off('exit', onExit);
        resolve();
      };
      const onExit = (code: number | null, signal: string | null) => reject(new Error(`the Arquero child process ended before it held the data (${signal ?? `exit ${code}`}): ${child.stderr.trim().split('\n').pop() ?? ''}`));
      process_.once('message', onMessage);
      process_.once('exit', onExit);
    });
    const message: ToChild = { type: 'data', tables: [...dataset.tables] };
    process_.send(message);
    return child;
  }

  /** Runs one rule in the child, under its budget. */
  private runIn(child: Child, rule: CompiledRule, params: ParamValues, budget: BudgetSettings): Promise<ExecutionResult> {
    const id = rule.rule.id;
    const proc = child.process;
    return new Promise((resolve, reject) => {
      let settled = false;
      const base = residentBytes(proc.pid!);
      const finish = (fn: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        clearInterval(watch);
        proc.off('message', onMessage);
        proc.off('exit', onExit);
        fn();
      };
      const stop = (err: BudgetExceeded) =>
        finish(() => {
          proc.kill('SIGKILL');
          reject(err);
        });
      const timer = setTimeout(() => stop(overTime(id, budget.seconds)), budget.seconds * 1000);
      const watch = setInterval(() => {
        const now = residentBytes(proc.pid!);
        if (base !== undefined && now !== undefined && now - base > budget.memoryMb * MIB) {
          stop(overMemory(id, budget.memoryMb, `its process grew by ${Math.round((now - base) / MIB)} MiB`));
        }
      }, WATCH_MS);
      const onMessage = (m: FromChild) => {
        if (m.type === 'done') finish(() => resolve(m.result));
        else if (m.type === 'budget') finish(() => reject(new BudgetExceeded(m.limit, m.value, m.message)));
        else if (m.type === 'failed') finish(() => reject(Object.assign(new Error(m.message), { name: m.name, place: m.place, fix: m.fix })));
      };
      const onExit = (code: number | null, signal: string | null) =>
        finish(() => {
          if (/heap out of memory|Allocation failed|invalid array length|Array buffer allocation failed/i.test(child.stderr)) {
            reject(overMemory(id, budget.memoryMb, 'its heap reached the limit'));
          } else {
            reject(new Error(`the rule's process ended unexpectedly (${signal ?? `exit ${code}`})${child.stderr.trim() ? `: ${child.stderr.trim().split('\n').pop()}` : ''}`));
          }
        });
      proc.on('message', onMessage);
      proc.once('exit', onExit);
      const message: ToChild = { type: 'run', rule, params, budget };
      proc.send(message);
    });
  }
}
