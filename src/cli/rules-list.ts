/**
 * `fundaudit rules list [paths…]`: the rules with their category, risk,
 * severity, title and the tables they need. Rule files with problems are not
 * listed; they are counted on stderr and make the exit code 1.
 */
import { Option, type Command } from 'commander';
import type { ActionWrapper } from './main.js';
import { EXIT, UsageError } from './errors.js';
import { loadRuleFiles } from '../rules/load.js';
import { summariseRule, type RuleSummary } from '../rules/summary.js';
import { printable } from '../report/printable.js';

interface ListOptions {
  format: 'text' | 'json';
  lang: 'zh' | 'en';
}

export function register(program: Command, action: ActionWrapper): void {
  program
    .command('list')
    .description('List rules: id, category, risk, severity, tables needed and title')
    .argument('[paths...]', 'rule files or folders (default: the shipped rules)')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .addOption(new Option('--lang <lang>', 'language of the titles').choices(['zh', 'en']).default('zh'))
    .addHelpText(
      'after',
      `
Exit codes: 0 listed, 1 some rule files have problems (see fundaudit rules validate), 2 bad usage.

Examples:
  fundaudit rules list
  fundaudit rules list --lang en rules/money
  fundaudit rules list --format json`,
    )
    .action(
      action(async (paths: string[], options: ListOptions) => {
        const { rules, problems, files } = await loadRuleFiles(paths.length > 0 ? paths : undefined);
        if (files.length === 0) throw new UsageError(`no rule files (*.yaml, *.yml) in ${paths.join(', ')}`, 'give rule files or folders that hold them');
        const summaries = rules.map(summariseRule).sort((a, b) => a.category.localeCompare(b.category) || a.id.localeCompare(b.id));
        process.stdout.write(options.format === 'json' ? JSON.stringify(summaries, null, 2) + '\n' : table(summaries, options.lang));
        if (problems.length > 0) {
          const files = new Set(problems.map((p) => p.file)).size;
          process.stderr.write(`fundaudit: ${files} rule file${files === 1 ? '' : 's'} with problems not listed; run fundaudit rules validate\n`);
          return EXIT.findings;
        }
        return EXIT.ok;
      }),
    );
}

/**
 * Aligned columns; the title comes last so that wide Chinese characters need no padding. The title is
 * the rule author's text: control characters in it are shown as escapes, never sent to the terminal.
 */
function table(rows: RuleSummary[], lang: 'zh' | 'en'): string {
  const head = ['ID', 'CATEGORY', 'RISK', 'SEVERITY', 'TABLES', 'TITLE'];
  const cells = rows.map((r) => [r.id, r.category, r.risk, r.severity, r.tables.join(','), printable(r.title[lang])]);
  const widths = head.slice(0, -1).map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]) => c.map((v, i) => (i < widths.length ? v.padEnd(widths[i]) : v)).join('  ').trimEnd();
  const out = [line(head), ...cells.map(line)];
  out.push(`${rows.length} rule${rows.length === 1 ? '' : 's'}`);
  return out.join('\n') + '\n';
}
