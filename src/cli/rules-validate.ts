/**
 * `fundaudit rules validate [paths…]`: every problem in every rule file, with
 * file:line:col, the offending text and a fix. Exit 0 clean, 1 problems, 2
 * usage — the same codes as `rules test`.
 */
import { Option, type Command } from 'commander';
import type { ActionWrapper } from './main.js';
import { EXIT, UsageError } from './errors.js';
import { loadRuleFiles } from '../rules/load.js';
import { formatProblemsGithub, formatProblemsJson, formatProblemsSarif, formatProblemsText, PROBLEM_FORMATS, type ProblemFormat } from './problems.js';

export function register(program: Command, action: ActionWrapper): void {
  program
    .command('validate')
    .description('Check rule files: YAML, schema, ids, tables and columns, expressions, params and tests')
    .argument('[paths...]', 'rule files or folders (default: the shipped rules)')
    .addOption(new Option('--format <format>', 'output format').choices([...PROBLEM_FORMATS]).default('text'))
    .addHelpText(
      'after',
      `
Exit codes (the same as rules test): 0 no problems, 1 problems found, 2 bad usage
(an unknown option, a path that does not exist, no rule files).

Examples:
  fundaudit rules validate                          check the shipped rules
  fundaudit rules validate ./my-rules               check your own rule files
  fundaudit rules validate --format github          annotations for GitHub Actions
  fundaudit rules validate --format sarif > rules.sarif   for code scanning
  fundaudit rules validate rules/people --format json`,
    )
    .action(
      action(async (paths: string[], options: { format: ProblemFormat }) => {
        const { problems, files } = await loadRuleFiles(paths.length > 0 ? paths : undefined);
        if (files.length === 0) throw new UsageError(`no rule files (*.yaml, *.yml) in ${paths.join(', ')}`, 'give rule files or folders that hold them');
        const out =
          options.format === 'json' ? formatProblemsJson(problems, files) :
          options.format === 'github' ? formatProblemsGithub(problems, files.length) :
          options.format === 'sarif' ? formatProblemsSarif(problems) :
          formatProblemsText(problems, files.length);
        process.stdout.write(out);
        return problems.length > 0 ? EXIT.findings : EXIT.ok;
      }),
    );
}
