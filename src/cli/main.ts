/**
 * The commander program. Each command lives in its own file and registers
 * itself; its action returns an exit code or throws. Only bin/fundaudit sets
 * process.exitCode.
 */
import { Command, CommanderError } from 'commander';
import { Interrupted, UsageError, EXIT } from './errors.js';
import { VERSION } from '../package.js';
import { register as registerAudit } from './audit.js';
import { register as registerInspect } from './inspect.js';
import { register as registerRulesList } from './rules-list.js';
import { register as registerRulesValidate } from './rules-validate.js';
import { register as registerRulesTest } from './rules-test.js';
import { register as registerRulesSql } from './rules-sql.js';

/** Wraps a command's action so that its returned exit code reaches `main`. */
export type ActionWrapper = <A extends unknown[]>(fn: (...args: A) => Promise<number>) => (...args: A) => Promise<void>;

export async function main(argv: string[]): Promise<number> {
  let code: number = EXIT.ok;
  const action: ActionWrapper = (fn) => async (...args) => {
    code = await fn(...args);
  };

  const program = new Command('fundaudit')
    .description('Audit social-insurance fund exports for embezzlement, diversion, withholding and fraudulent claims.')
    .version(VERSION)
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText(
      'after',
      `
Examples:
  fundaudit audit ./exports                      audit a folder of CSV exports, report on the terminal
  fundaudit audit ./exports --format json --out report.json --fail-on high
  fundaudit inspect ./exports                    show what was recognised and loaded
  fundaudit rules validate                       check the shipped rule files
  fundaudit rules test ./my-rules                run the inline tests of your rules`,
    );

  registerAudit(program, action);
  registerInspect(program, action);
  const rules = program
    .command('rules')
    .description('List, validate and test rule files; print their SQL')
    .addHelpText('after', '\nExamples:\n  fundaudit rules list\n  fundaudit rules validate ./rules --format github\n  fundaudit rules test\n  fundaudit rules sql PAID-AFTER-DEATH');
  registerRulesList(rules, action);
  registerRulesValidate(rules, action);
  registerRulesTest(rules, action);
  registerRulesSql(rules, action);

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version exit through here with code 0; everything else is a usage error.
      return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (err instanceof Interrupted) {
      process.stderr.write(`fundaudit: ${err.message}; no report was left half-written\n`);
      return err.exitCode;
    }
    if (err instanceof UsageError) {
      process.stderr.write(`fundaudit: ${err.message}\n`);
      if (err.fix) process.stderr.write(`  fix: ${err.fix}\n`);
      return EXIT.usage;
    }
    throw err;
  }
  return code;
}
