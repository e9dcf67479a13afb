/**
 * `fundaudit audit <paths…>`: load rules, select, load only the tables they
 * need, run, build the result, mask it (unless --reveal), format, write
 * (stdout, or atomically to --out). Returns the exit code of DESIGN §7.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, relative, resolve, sep } from 'node:path';
import { Option, type Command } from 'commander';
import type { ActionWrapper } from './main.js';
import { EXIT, UsageError } from './errors.js';
import { PACKAGE_ROOT, VERSION } from './version.js';
import { loadConfig, splitList, type AuditConfig } from './config.js';
import { addLoadOptions, loadOptionsFrom, type RawLoadOptions } from './load-options.js';
import { expandPaths } from '../data/files.js';
import { loadPaths } from '../data/load.js';
import { addReferenceTables } from '../data/reference.js';
import { collectParams } from '../engine/params.js';
import { requiredTables, runRules, selectRules } from '../engine/run.js';
import { loadRuleFiles } from '../rules/load.js';
import { SEVERITIES, type RuleProblem, type Severity } from '../rules/model.js';
import { readBaseline } from '../report/baseline.js';
import { buildResult, reportTime } from '../report/build.js';
import { maskResult } from '../report/mask.js';
import { REPORT_FORMATS, type FailOn, type Lang, type ReportFormat } from '../report/model.js';
import { printable } from '../report/printable.js';
import { renderReport } from '../report/render.js';
import { writeReportFile } from '../report/write.js';

/** Options as commander parses them. */
interface CliOptions {
  rules?: string[];
  only?: string[];
  skip?: string[];
  param?: string[];
  config?: string;
  format?: string;
  out?: string;
  failOn?: string;
  reveal?: boolean;
  baseline?: string;
  lang?: string;
}

type AuditOptions = CliOptions & RawLoadOptions;

const FAIL_ON: FailOn[] = ['info', 'low', 'medium', 'high', 'critical', 'none'];
const LANGS: Lang[] = ['zh', 'en'];
const FORMAT_ALIASES: Record<string, ReportFormat> = { markdown: 'md', text: 'terminal' };
/** Rule problems printed before "… and N more". */
const PROBLEMS_SHOWN = 10;

const collect = (value: string, previous: string[] = []) => [...previous, value];

function oneOf<T extends string>(what: string, value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`${what}: "${value}" is not one of ${allowed.join(', ')}`, `use one of ${allowed.join(', ')}`);
}

/** Shipped rules read as `<fundaudit>/rules/…`, others relative to the working folder: no install path in the report. */
function rulePath(file: string): string {
  const abs = resolve(file);
  const fromPkg = relative(PACKAGE_ROOT, abs);
  if (!fromPkg.startsWith('..') && fromPkg.startsWith('rules' + sep)) return `<fundaudit>/${fromPkg.split(sep).join('/')}`;
  const fromCwd = relative(process.cwd(), abs);
  return fromCwd.startsWith('..') ? abs : fromCwd.split(sep).join('/');
}

/** Fails before any work when --out cannot be written: its folder must exist, and it must not be a folder. */
function checkOutFolder(out: string): void {
  const folder = dirname(resolve(out));
  if (!existsSync(folder) || !statSync(folder).isDirectory()) {
    throw new UsageError(`cannot write the report to ${out}: folder ${dirname(out)} does not exist`, 'create the folder first, or choose another --out');
  }
  if (existsSync(out) && statSync(out).isDirectory()) {
    throw new UsageError(`cannot write the report to ${out}: it is a folder`, 'give a file name, e.g. --out report.html');
  }
}

function isError(p: RuleProblem): boolean {
  return (p as RuleProblem & { severity?: string }).severity !== 'warning';
}

function atOrAbove(severity: Severity, failOn: FailOn): boolean {
  return failOn !== 'none' && SEVERITIES.indexOf(severity) >= SEVERITIES.indexOf(failOn);
}

function useColour(env: NodeJS.ProcessEnv): boolean {
  return Boolean(process.stdout.isTTY) && !(env.NO_COLOR !== undefined && env.NO_COLOR !== '');
}

/** Runs the audit; returns the exit code. */
export async function runAudit(pathArgs: string[], cli: AuditOptions): Promise<number> {
  const now = reportTime(process.env); // a malformed SOURCE_DATE_EPOCH fails before any work
  const config: AuditConfig = cli.config ? loadConfig(cli.config) : {};
  const paths = pathArgs.length > 0 ? pathArgs : (config.paths ?? []);
  if (paths.length === 0) throw new UsageError('no input paths given', 'name the export files or folders: fundaudit audit ./exports (or set paths: in the config file)');
  // Commander checks the command line's values; these checks catch the config file's.
  const from = (option: string, key: string, cliValue: unknown) => (cliValue !== undefined ? option : `${key} in ${cli.config}`);
  const rawFormat = cli.format ?? config.format ?? 'terminal';
  const format = oneOf(from('--format', 'format', cli.format), FORMAT_ALIASES[rawFormat] ?? rawFormat, REPORT_FORMATS);
  const failOn = oneOf(from('--fail-on', 'fail_on', cli.failOn), cli.failOn ?? config.fail_on ?? 'none', FAIL_ON);
  const lang = oneOf(from('--lang', 'lang', cli.lang), cli.lang ?? config.lang ?? 'zh', LANGS);
  // `--out -` is stdout, as usual for command-line tools.
  const outOption = cli.out ?? config.out;
  const out = outOption === '-' ? undefined : outOption;
  const reveal = cli.reveal ?? config.reveal ?? false;
  const baselineFile = cli.baseline ?? config.baseline;
  if (out) checkOutFolder(out);
  // Loading options: the command line's, else the config file's, in the shared --encoding/--table/--mapping form.
  const rawLoad: RawLoadOptions = {
    encoding: cli.encoding ?? (config.encoding ? [config.encoding] : undefined),
    table: cli.table ?? (config.tables ? Object.entries(config.tables).map(([name, file]) => `${name}=${file}`) : undefined),
    mapping: cli.mapping ?? config.mapping,
  };
  const only = cli.only ? splitList(cli.only) : (config.only ?? []);
  const skip = cli.skip ? splitList(cli.skip) : (config.skip ?? []);
  const rulePaths = cli.rules ?? config.rules ?? [];
  const load = await loadOptionsFrom(rawLoad);

  // Rules first: a broken rule set is found before any data is read.
  const loaded = await loadRuleFiles(rulePaths.length > 0 ? rulePaths : undefined);
  const errors = loaded.problems.filter(isError);
  if (errors.length > 0) {
    // Rule files may come from other people: their text must not drive the terminal.
    for (const p of errors.slice(0, PROBLEMS_SHOWN)) process.stderr.write(printable(`${p.file}:${p.line}:${p.col}: ${p.message}`) + '\n');
    if (errors.length > PROBLEMS_SHOWN) process.stderr.write(`… and ${errors.length - PROBLEMS_SHOWN} more\n`);
    process.stderr.write(`fundaudit: invalid rules (${errors.length} problem${errors.length === 1 ? '' : 's'})\n`);
    process.stderr.write(`  fix: run fundaudit rules validate${rulePaths.length ? ' ' + rulePaths.join(' ') : ''} and correct the rule files\n`);
    return EXIT.usage;
  }
  const selected = selectRules(loaded.rules, only, skip);
  if (selected.length === 0) {
    throw new UsageError('no rules to run', loaded.rules.length === 0 ? 'give a folder of rule files with --rules' : 'loosen --only/--skip');
  }
  // Checked against every loaded rule: a config file tuning the whole pack must still work with --only.
  const params = collectParams(cli.param ?? [], config.params, loaded.rules);
  const baseline = baselineFile ? readBaseline(baselineFile) : null;

  const loadOptions = { ...load.options, onlyTables: requiredTables(selected) };

  // The report itself (and the baseline) must never be read back as input on the next run.
  const own = new Set([out, baselineFile].filter((p): p is string => !!p).map((p) => resolve(p)));
  const candidates = [...new Set([...(await expandPaths(paths)), ...load.extraFiles])];
  const files = candidates.filter((f) => !own.has(resolve(f)));
  const outInput = out ? candidates.find((f) => resolve(f) === resolve(out)) : undefined;
  if (outInput) {
    // A previous report there is skipped; an export there would be overwritten by this run's report.
    const [peek] = (await loadPaths([outInput], { ...loadOptions, onlyTables: new Set() })).files;
    if (peek?.table) {
      throw new UsageError(
        `--out ${out} is one of the exports being audited (recognised as ${peek.table}); writing the report there would destroy it`,
        'write the report to another path, e.g. outside the export folder',
      );
    }
  }
  if (files.length === 0) {
    throw new UsageError(`no *.csv or *.txt files in ${paths.join(', ')}`, 'give the export files or the folder holding them');
  }
  const data = await loadPaths(files, loadOptions);
  if (!data.files.some((f) => f.table !== null)) {
    throw new UsageError(
      `none of the ${data.files.length} input file(s) was recognised as an export table`,
      'see what was read with fundaudit inspect, or name the table with --table NAME=FILE or a --mapping file',
    );
  }
  // Reference data the rules read (holiday calendar, contribution limits) that no input provided; listed in the manifest.
  data.files.push(...addReferenceTables(data.tables, loadOptions.onlyTables));

  const selectedIds = new Set(selected.map((r) => r.rule.id));
  const run = runRules(selected, data.tables, {
    params: Object.fromEntries(Object.entries(params).filter(([id]) => selectedIds.has(id))),
  });
  const built = buildResult({
    tool: { name: 'fundaudit', version: VERSION },
    now,
    lang,
    files: data.files,
    tables: data.tables,
    rules: selected,
    run,
    baseline,
    rulePath,
    options: {
      rules: rulePaths.map(rulePath),
      only,
      skip,
      failOn,
      lang,
      reveal,
      baseline: baselineFile ?? null,
      encoding: rawLoad.encoding?.join(',') ?? null,
      tables: Object.fromEntries(Object.entries(load.options.fileTables ?? {}).map(([file, table]) => [table, file])),
      mapping: rawLoad.mapping ?? null,
      config: cli.config ?? null,
    },
  });
  const result = reveal ? built : maskResult(built);
  const text = renderReport(result, format, { color: format === 'terminal' && !out && useColour(process.env) });

  if (out) {
    try {
      await writeReportFile(out, text);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
      throw new UsageError(`cannot write the report to ${out}: ${code}`, 'check that its folder exists and is writable, and that it is not a folder');
    }
  } else {
    // `fundaudit audit … | head` closes the pipe early: that is the reader's choice, not an error.
    process.stdout.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE') throw err;
    });
    process.stdout.write(text);
  }

  // With a baseline, only new findings fail the run: a nightly job fails on what changed.
  const failing = result.findings.filter((f) => f.baseline !== 'known' && atOrAbove(f.severity, failOn));
  if (failing.length > 0) {
    process.stderr.write(`fundaudit: ${failing.length} finding(s) at or above --fail-on ${failOn}\n`);
    return EXIT.findings;
  }
  return EXIT.ok;
}

export function register(program: Command, action: ActionWrapper): void {
  const cmd = program
    .command('audit')
    .description('Run the rules over CSV exports and print or write the risk report')
    .argument('[paths...]', 'export files or folders (folders are searched for *.csv and *.txt)')
    .option('--rules <path>', 'rule file or folder (repeatable; default: the shipped rules)', collect)
    .option('--only <list>', 'run only these rules: comma list of ids, categories (money, people, documents) or risks', collect)
    .option('--skip <list>', 'skip these rules: comma list of ids, categories or risks', collect)
    .option('--param <RULE.NAME=VALUE>', 'override a rule parameter (repeatable; money in yuan)', collect)
    .option('--config <file>', 'YAML file with the same options (see docs/config.md); command-line options win')
    .addOption(new Option('--format <format>', 'report format').choices([...REPORT_FORMATS, 'markdown']))
    .option('--out <file>', 'write the report to this file (atomically) instead of stdout')
    .addOption(new Option('--fail-on <severity>', 'exit 1 when a finding is at or above this severity (default none)').choices(FAIL_ON))
    .option('--reveal', 'show personal data unmasked (identity numbers, names, accounts, phones)')
    .option('--baseline <file>', 'previous --format json report: its findings are marked known, the others new')
    .addOption(new Option('--lang <lang>', 'report language (default zh)').choices(LANGS));
  addLoadOptions(cmd)
    .addHelpText(
      'after',
      `
Exit codes: 0 completed, nothing at or above --fail-on; 1 findings at or above --fail-on;
            2 bad usage, no usable input or invalid rules.
Personal data is masked in every format unless --reveal is given.
With SOURCE_DATE_EPOCH set, the same inputs and rules give a byte-identical report.

Examples:
  fundaudit audit ./exports
  fundaudit audit ./exports --only people --skip OFF-HOURS-PAYOUT --lang en
  fundaudit audit ./exports --format html --out report.html
  fundaudit audit ./exports --format json --out report.json --fail-on high --baseline last.json
  fundaudit audit ./exports --param PAID-AFTER-DEATH.grace_months=1 --table deaths=./火化名单.csv
  fundaudit audit --config audit.yaml`,
    )
    .action(action((paths: string[], opts: AuditOptions) => runAudit(paths, opts)));
}
