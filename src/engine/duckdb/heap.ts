/**
 * The JavaScript heap's garbage given back between DuckDB rules.
 *
 * Building a rule's findings can leave hundreds of MiB of garbage in the heap: its rows and evidence lists
 * and the places read back for them (about 300 MiB after PAYOUT-BANK-MISMATCH at five million payout rows).
 * V8 collects its old space when the heap grows, and the rules that follow allocate little in JavaScript, so
 * that garbage stayed for ten rules while their queries filled DuckDB's pool beside it: the two together
 * made the audit's peak (2,309 MiB at 5M, where the target is 2 GiB). So a rule starts with a full
 * collection when the heap has grown by more than GROWTH since the last one: a fraction of a second after
 * the few rules that build large findings, nothing after the others.
 *
 * V8 offers the collection only behind --expose-gc; set here at run time (as test runners do to measure
 * leaks), it makes `gc` available to a new context only, never to rule code (which never runs as code).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Growth of the heap (bytes) since the last collection past which the next rule starts with one. */
const GROWTH = 128 << 20;

let collect: (() => void) | undefined;
let after = 0;

function collector(): () => void {
  if (!collect) {
    setFlagsFromString('--expose-gc');
    collect = runInNewContext('gc') as () => void;
    setFlagsFromString('--no-expose-gc');
  }
  return collect;
}

/** Collects the heap's garbage if it has grown by more than `growth` bytes since the last time; says whether it did. */
export function releaseHeap(growth = GROWTH): boolean {
  if (process.memoryUsage().heapUsed - after <= growth) return false;
  collector()();
  after = process.memoryUsage().heapUsed;
  return true;
}

/**
 * Collects the heap's garbage now: after a load in worker threads, whose batch messages (dead, but not yet
 * collected: this thread allocates little while it appends) hold the workers' shared buffer slots (batch.ts's
 * SlotBuffers, about 100-300 MiB at the most) for as long as they are not collected.
 */
export function collectGarbage(): void {
  collector()();
  after = process.memoryUsage().heapUsed;
}
