/**
 * Runs every check over a set of parsed rule files and collects every
 * problem; nothing stops at the first. One check per file in validators/.
 */
import type { RuleFile } from './validators/context.js';
import { validateSchema, validator } from './validators/schema.js';
import { validateIdFilename } from './validators/id-filename.js';
import { validateExpressions } from './validators/expressions.js';
import { validateColumns } from './validators/columns.js';
import { validateFinding } from './validators/finding.js';
import { validateParams } from './validators/params.js';
import { validateTests } from './validators/tests.js';
import { validateDuplicateIds } from './validators/duplicate-id.js';

/** Checks of one file, in the order their problems are listed. */
export const FILE_VALIDATORS: ((f: RuleFile) => void)[] = [
  validateSchema,
  validateIdFilename,
  validateExpressions,
  validateColumns,
  validateFinding,
  validateParams,
  validateTests,
];

/**
 * Validate parsed rule files in place: appends to each file's `problems`.
 * Files that did not parse (value undefined) keep only their parse problems.
 */
export function validateRuleFiles(files: RuleFile[]): void {
  validator(); // a broken shipped schema is a bug in fundaudit, not a problem of each rule file
  const parsed = files.filter((f) => f.parsed.value !== undefined);
  for (const f of parsed) {
    for (const check of FILE_VALIDATORS) {
      try {
        check(f);
      } catch (err) {
        // A validator tripping over content it did not expect must not hide the other problems.
        f.problems.push({
          file: f.file, line: 1, col: 1, code: 'internal',
          message: `the ${check.name} check failed on this file: ${(err as Error).message}`,
          fix: 'fix the other problems reported for this file first; if this stays, report it as a bug in fundaudit',
        });
      }
    }
  }
  validateDuplicateIds(parsed);
  for (const f of files) f.problems.sort((a, b) => a.line - b.line || a.col - b.col);
}
