/**
 * Names that come from data, rule files, config files or the command line
 * (column, param, table, rule and header names, file paths) are looked up in
 * Maps or in objects without a prototype, never in plain objects: a plain
 * object answers to `constructor`, `toString` or `__proto__` whatever it
 * holds. These helpers say which names are reserved and make the lookups safe.
 */

/**
 * Names every plain JavaScript object already has (`constructor`, `toString`,
 * `valueOf`, `hasOwnProperty`, `__proto__`, …), and `prototype`.
 */
export const PROTOTYPE_NAMES: ReadonlySet<string> = new Set([...Object.getOwnPropertyNames(Object.prototype), 'prototype']);

/** The prefix of the engine's own hidden columns (evidence slots `__e0`, the row index `__row`). */
export const RESERVED_PREFIX = '__';

/**
 * Why a name a rule, a config file or the command line defines (a column, a
 * param, a key) may not be used, or undefined when it may: names starting
 * with `__` are the engine's own, and prototype names would be taken for
 * what every object already has.
 */
export function reservedName(name: string): string | undefined {
  if (PROTOTYPE_NAMES.has(name)) return `\`${name}\` is a reserved name (JavaScript objects already answer to it)`;
  if (name.startsWith(RESERVED_PREFIX)) return `\`${name}\` is a reserved name (names starting with ${RESERVED_PREFIX} are the engine's own)`;
  return undefined;
}

/** An empty object without a prototype, for lookups by names that come from outside. */
export function dict<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

/** The value of an own property, or undefined: `own(obj, 'constructor')` is undefined for a plain `{}`. */
export function own<T>(obj: Readonly<Record<string, T>> | undefined, key: string): T | undefined {
  return obj !== undefined && Object.hasOwn(obj, key) ? obj[key] : undefined;
}
