/**
 * `op.is_valid(x)`: not null, undefined or NaN. Whitelisted for rule authors
 * but not shipped by Arquero 8, so the engine registers it.
 */
export function is_valid(x: unknown): boolean {
  return x !== null && x !== undefined && !(typeof x === 'number' && Number.isNaN(x));
}
