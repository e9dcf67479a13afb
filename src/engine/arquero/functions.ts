/** The domain functions (and the whitelisted built-ins Arquero lacks), registered with Arquero as `op.<name>`. */
import * as aq from 'arquero';
import { DOMAIN_FUNCTIONS, MISSING_BUILTINS } from '../functions/index.js';

let registered = false;

/** Registers the functions with Arquero. Safe to call repeatedly. */
export function registerFunctions(): void {
  if (registered) return;
  for (const [name, fn] of Object.entries({ ...DOMAIN_FUNCTIONS, ...MISSING_BUILTINS })) {
    // override: a second copy of this module (tests, dev reloads) must not trip Arquero's duplicate check.
    aq.addFunction(name, fn as (...args: unknown[]) => unknown, { override: true });
  }
  registered = true;
}
