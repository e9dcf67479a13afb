import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'vitest';

/**
 * The public test material in shared/external (CSV edge cases, identity-number vectors, Benford tables), which
 * sits beside the repository in a developer's workplace and in CI's checkout. A fresh clone has no ../shared:
 * the tests that need it are skipped there, each with the reason in its name, and everything else runs. CI
 * has the material, and a CI run without it fails rather than skip conformance tests unseen.
 */
const root = resolve(fileURLToPath(new URL('..', import.meta.url)), '..', 'shared', 'external');

/** Is the material there? */
export const hasExternal = existsSync(root);

const reason = ` [skipped: public test material not found at ${root}; CI has it]`;

if (!hasExternal) {
  if (process.env.CI) throw new Error(`public test material not found at ${root}: CI must have shared/ beside the repository`);
  console.warn(`fundaudit tests: ${root} not found — the tests that use shared/external are skipped (names end "[skipped: …]"); CI runs them`);
}

/** Absolute path of a file or folder under shared/external (which may not exist: see hasExternal). */
export function external(...parts: string[]): string {
  return join(root, ...parts);
}

/** The JSON file under shared/external, or `fallback` when the material is absent. */
export function externalJson<T>(fallback: T, ...parts: string[]): T {
  return hasExternal ? (JSON.parse(readFileSync(external(...parts), 'utf8')) as T) : fallback;
}

/** A describe block that needs the material: skipped, saying why, when it is absent. */
export function describeExternal(name: string, fn: () => void): void {
  describe.skipIf(!hasExternal)(hasExternal ? name : name + reason, fn);
}

/** A test that needs the material: skipped, saying why, when it is absent. */
export function itExternal(name: string, fn: () => void | Promise<void>): void {
  it.skipIf(!hasExternal)(hasExternal ? name : name + reason, fn);
}
