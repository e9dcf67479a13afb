/** The domain functions (and the whitelisted built-ins Arquero lacks), registered with Arquero as `op.<name>`. */
import * as aq from 'arquero';
import { DOMAIN_FUNCTIONS, MISSING_BUILTINS } from '../functions/index.js';

let registered = false;

/** What Arquero hands a window function: the row's place in its partition, and whether a row is a peer of the one before. */
interface WindowState {
  index: number;
  size: number;
  peer(i: number): boolean;
}

/**
 * `op.cume_dist`: the share of the partition's rows up to this row's last peer (docs/rules.md). Arquero's own
 * skips the peer scan on a partition's first row (its running position starts at 0, not before the first row),
 * so a first row with peers got 1/n where SQL and its peers get their shared share.
 */
const cumeDist = {
  create() {
    let last = -1;
    return {
      init: () => {
        last = -1;
      },
      value: (w: WindowState) => {
        if (last < w.index) {
          let i = w.index;
          while (i + 1 < w.size && w.peer(i + 1)) ++i;
          last = i;
        }
        return (1 + last) / w.size;
      },
    };
  },
  param: [],
};

/** Registers the functions with Arquero. Safe to call repeatedly. */
export function registerFunctions(): void {
  if (registered) return;
  for (const [name, fn] of Object.entries({ ...DOMAIN_FUNCTIONS, ...MISSING_BUILTINS })) {
    // override: a second copy of this module (tests, dev reloads) must not trip Arquero's duplicate check.
    aq.addFunction(name, fn as (...args: unknown[]) => unknown, { override: true });
  }
  aq.addWindowFunction('cume_dist', cumeDist as never, { override: true });
  registered = true;
}
