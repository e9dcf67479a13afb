import { is_valid } from './is_valid.js';

/**
 * `op.coalesce(a, b, …)`: the first valid argument, or null. Whitelisted for
 * rule authors but not shipped by Arquero 8, so the engine registers it.
 */
export function coalesce(...values: unknown[]): unknown {
  for (const v of values) if (is_valid(v)) return v;
  return null;
}
