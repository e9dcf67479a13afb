import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The public test material in shared/external, which sits beside the
 * repository (in a developer's workplace and in CI's fresh clone alike).
 * Missing material fails the run loudly: conformance tests must not skip.
 */
const root = resolve(fileURLToPath(new URL('..', import.meta.url)), '..', 'shared', 'external');
if (!existsSync(root)) throw new Error(`public test material not found at ${root}: shared/ must sit beside the repository`);

/** Absolute path of a file or folder under shared/external. */
export function external(...parts: string[]): string {
  return join(root, ...parts);
}
