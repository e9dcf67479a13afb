import { join } from 'node:path';
import { PACKAGE_ROOT } from '../package.js';

/** The shipped rule pack: `<package root>/rules`, used when no rule paths are given. */
export const DEFAULT_RULES_DIR: string = join(PACKAGE_ROOT, 'rules');
