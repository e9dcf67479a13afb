/**
 * The child process in which the isolated Arquero executor runs rules (see
 * isolated.ts): it receives the loaded tables once, then runs one rule per
 * message and sends back its plain rows and evidence. Its memory and time are
 * watched by the parent, which kills it when a rule goes over its budget; it
 * ends by itself when the parent is gone.
 */
import type { LoadedTable } from '../../data/model.js';
import type { CompiledRule } from '../../plan/compile.js';
import type { ParamValues } from '../../rules/params.js';
import { BudgetExceeded, type BudgetSettings } from '../budget.js';
import { MemoryDataset } from '../dataset.js';
import { ArqueroExecutor } from './executor.js';

/** Messages from the parent. */
export type ToChild = { type: 'data'; tables: Array<[string, LoadedTable]> } | { type: 'run'; rule: CompiledRule; params: ParamValues; budget: BudgetSettings };

/** Messages to the parent. */
export type FromChild =
  | { type: 'ready' }
  | { type: 'done'; result: Awaited<ReturnType<ArqueroExecutor['run']>> }
  | { type: 'budget'; limit: BudgetExceeded['limit']; value: number; message: string }
  | { type: 'failed'; name: string; message: string; place?: string; fix?: string };

const executor = new ArqueroExecutor();
let dataset: MemoryDataset | undefined;

const send = (m: FromChild) => process.send!(m);

/**
 * Makes equal strings of a table one string again. The loader shares them (a status column holds one `成功`),
 * but a message copies every value on its own; grouping and joining on tens of thousands of copies, each hashed
 * anew, measured half again slower.
 */
function share(t: LoadedTable): void {
  const seen = new Map<string, string>();
  for (const column of Object.values(t.columns)) {
    if (!Array.isArray(column)) continue;
    const values = column as unknown[];
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (typeof v !== 'string') continue;
      const s = seen.get(v);
      if (s === undefined) seen.set(v, v);
      else values[i] = s;
    }
  }
}

process.on('message', (m: ToChild) => {
  if (m.type === 'data') {
    for (const [, t] of m.tables) share(t);
    dataset = new MemoryDataset(new Map(m.tables));
    // What is left of the message is garbage: free it now, so that the parent measures the data, not the copy.
    (globalThis as { gc?: () => void }).gc?.();
    send({ type: 'ready' });
    return;
  }
  executor.run(m.rule, m.params, dataset!, m.budget).then(
    (result) => send({ type: 'done', result }),
    (err: unknown) => {
      if (err instanceof BudgetExceeded) send({ type: 'budget', limit: err.limit, value: err.value, message: err.message });
      else {
        const e = err as Error & { place?: string; fix?: string };
        send({ type: 'failed', name: e?.name ?? 'Error', message: e?.message ?? String(err), place: e?.place, fix: e?.fix });
      }
    },
  );
});

// The parent is gone (or closed the channel): nothing is left to do.
process.on('disconnect', () => process.exit(0));
