/**
 * `fundaudit rules sql [ids…]`: each rule's SQL as the DuckDB executor runs
 * it, with its params as named placeholders (`$p_<name>`) and their declared
 * types and defaults in a comment — for a user who wants to run a rule on
 * another SQL engine (docs/scale.md says what to change for Trino or Spark).
 * The SQL assumes every canonical column is loaded; `--macros` adds the
 * helper macros (fa_…) it calls.
 */
import type { Command } from 'commander';
import type { ActionWrapper } from './main.js';
import { EXIT, UsageError } from './errors.js';
import { TABLES } from '../data/tables.js';
import { EXPRESSION_MACROS } from '../engine/duckdb/expression.js';
import { FUNCTION_MACROS } from '../engine/duckdb/functions.js';
import { ruleSql, usesPlaceholder } from '../engine/duckdb/executor.js';
import { KEYS_PREFIX } from '../engine/duckdb/functions.js';
import { paramKind } from '../engine/duckdb/compile.js';
import { loadRuleFiles } from '../rules/load.js';
import { printable } from '../report/printable.js';

interface SqlOptions {
  rules?: string[];
  macros?: boolean;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** How each param is bound (its declared type decides). */
const SQL_TYPE: Record<string, string> = { int: 'BIGINT', float: 'DOUBLE', text: 'VARCHAR', month: "VARCHAR ('YYYY-MM')", date: "VARCHAR ('YYYY-MM-DD', read as DATE)", boolean: 'BOOLEAN', list: 'VARCHAR[]' };

/** Every canonical column of every table: the SQL a rule has when the exports hold all of them. */
const ALL_COLUMNS = { columns: (t: string) => TABLES.find((x) => x.name === t)?.columns.map((c) => c.name) };

/** A comment line: nothing a rule file holds can end the comment or start a statement. */
const comment = (s: string) => `-- ${s.replace(/[\r\n]+/g, ' ')}`;

export function register(program: Command, action: ActionWrapper): void {
  program
    .command('sql')
    .description("Print each rule's SQL (as DuckDB runs it), its params as named placeholders")
    .argument('[ids...]', 'rule ids (default: every rule)')
    .option('--rules <path>', 'rule file or folder (repeatable; default: the shipped rules)', collect)
    .option('--macros', 'also print the helper macros (fa_…) the SQL calls, to run it elsewhere')
    .addHelpText(
      'after',
      `
Params are placeholders: bind $p_<name> with the value from the comment above the query (money in fen).
Columns are those of the canonical tables, each table a view (payouts, deaths, …) with __row, __src and
__line naming each row's place; see docs/scale.md for running the SQL on Trino or Spark SQL.

Examples:
  fundaudit rules sql PAID-AFTER-DEATH
  fundaudit rules sql --macros > pack.sql`,
    )
    .action(
      action(async (ids: string[], options: SqlOptions) => {
        const loaded = await loadRuleFiles(options.rules?.length ? options.rules : undefined);
        const unknown = ids.filter((id) => !loaded.rules.some((r) => r.rule.id === id));
        if (unknown.length) throw new UsageError(`no rule ${unknown.join(', ')}`, 'see the ids with fundaudit rules list');
        const rules = ids.length ? loaded.rules.filter((r) => ids.includes(r.rule.id)) : loaded.rules;
        const out: string[] = [];
        if (options.macros) out.push(comment('Helper macros (DuckDB)'), ...[...FUNCTION_MACROS, ...EXPRESSION_MACROS].map((m) => m + ';'), '');
        for (const r of rules) {
          out.push(comment(`${r.rule.id}: ${r.rule.title.en} (${r.file})`));
          try {
            const q = ruleSql(r, ALL_COLUMNS);
            for (const [name, def] of Object.entries(r.rule.params ?? {})) {
              const value = `default ${JSON.stringify(def.default)}${def.type === 'money' ? ' yuan (bind fen)' : ''}`;
              if (usesPlaceholder(q.sql, `p_${name}`)) out.push(comment(`$p_${name} ${SQL_TYPE[paramKind(def)]}, ${value}`));
              if (usesPlaceholder(q.sql, `${KEYS_PREFIX}${name}`)) out.push(comment(`$${KEYS_PREFIX}${name} VARCHAR[]: text_key of each item of ${name} (${value}), empty ones left out`));
            }
            out.push(q.sql + ';', '');
          } catch (err) {
            out.push(comment(`cannot be written as SQL: ${(err as Error).message}`), '');
          }
        }
        process.stdout.write(printable(out.join('\n')) + '\n');
        return loaded.problems.length ? EXIT.findings : EXIT.ok;
      }),
    );
}
