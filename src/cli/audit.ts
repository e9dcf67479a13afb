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
import { PACKAGE_ROOT, VERSION } from '../package.js';
import { loadConfig, splitList, type AuditConfig } from './config.js';
import { addLoadOptions, loadOptionsFrom, type RawLoadOptions } from './load-options.js';
import { expandPaths, FOLDER_FILES } from '../data/files.js';
import type { FileReport } from '../data/model.js';
import { sourceLabel } from '../data/provenance.js';
import { loadPaths } from '../data/load.js';
import type { LoadOptions, LoadResult } from '../data/model.js';
import { MemoryDataset } from '../engine/dataset.js';
import type { Dataset, Executor } from '../engine/executor.js';
import { DuckDBExecutor } from '../engine/duckdb/executor.js';
import { openSession } from '../engine/duckdb/session.js';
import { requiredTables, runRules } from '../engine/run.js';
import type { CompiledRule } from '../plan/compile.js';
import { collectParams, type ParamOverrides } from '../rules/params.js';
import { addReferenceTables } from '../data/reference.js';
import { loadRuleFiles } from '../rules/load.js';
import { SEVERITIES, type RuleProblem, type Severity } from '../rules/model.js';
import { selectRules } from '../rules/select.js';
import { readBaseline, type Baseline } from '../report/baseline.js';
import { buildResult, PERIOD_COLUMNS, reportTime } from '../report/build.js';
import { REPORT_FORMATS, type AuditResult, type FailOn, type InputTable, type Lang, type ReportFormat } from '../report/model.js';
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
  engine?: string;
  evidence?: string;
}

type AuditOptions = CliOptions & RawLoadOptions;

const FAIL_ON: FailOn[] = ['info', 'low', 'medium', 'high', 'critical', 'none'];
/** Executors: DuckDB for audits, Arquero (in memory) as the reference. */
const ENGINES = ['duckdb', 'arquero'] as const;
type Engine = (typeof ENGINES)[number];
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

/**
 * The error for inputs none of which loaded: for one file that cannot be read as an export at all (a
 * workbook format not supported, a PDF, an archive, a damaged file), what it is and what to do; else where to look.
 */
function nothingLoaded(files: FileReport[]): UsageError {
  const first = files.length === 1 ? files[0].issues.find((i) => i.level === 'error' && i.line === 0) : undefined;
  if (first && !['unrecognised-file', 'no-columns', 'unrecognised-sheet'].includes(first.code)) {
    const cut = first.reason.lastIndexOf('; ');
    const label = sourceLabel({ file: first.file, sheet: first.sheet });
    return cut > 0
      ? new UsageError(`${label} cannot be loaded: ${first.reason.slice(0, cut)}`, first.reason.slice(cut + 2))
      : new UsageError(`${label} cannot be loaded: ${first.reason}`, 'see what was read with fundaudit inspect');
  }
  return new UsageError(
    `none of the ${files.length} input file(s) was recognised as an export table`,
    'see what was read and why with fundaudit inspect, or name the table with --table NAME=FILE, the header with --header-line FILE=N, or use a --mapping file',
  );
}

/** What the command line and the config file ask for, checked and merged (the command line wins). */
interface Settings {
  now: Date;
  paths: string[];
  format: ReportFormat;
  failOn: FailOn;
  lang: Lang;
  /** undefined: stdout. */
  out?: string;
  reveal: boolean;
  baselineFile?: string;
  rawLoad: RawLoadOptions;
  only: string[];
  skip: string[];
  rulePaths: string[];
  params: string[];
  config: AuditConfig;
  configFile?: string;
  engine: Engine;
  /** Evidence rows shown with their values per finding (Infinity: all). */
  evidence: number;
}

/** `--evidence N` (rows shown with their values per finding) or `all`. */
function evidenceCount(what: string, value: string): number {
  if (value === 'all') return Infinity;
  if (/^\d+$/.test(value)) return Number(value);
  throw new UsageError(`${what}: "${value}" is not a number of rows or all`, 'give how many evidence rows to show per finding, e.g. --evidence 200, or --evidence all');
}

/** Option resolution: the command line's values, else the config file's, each checked. */
function resolveSettings(pathArgs: string[], cli: AuditOptions): Settings {
  const now = reportTime(process.env); // a malformed SOURCE_DATE_EPOCH fails before any work
  const config: AuditConfig = cli.config ? loadConfig(cli.config) : {};
  const paths = pathArgs.length > 0 ? pathArgs : (config.paths ?? []);
  if (paths.length === 0) throw new UsageError('no input paths given', 'name the export files or folders: fundaudit audit ./exports (or set paths: in the config file)');
  // Commander checks the command line's values; these checks catch the config file's.
  const from = (option: string, key: string, cliValue: unknown) => (cliValue !== undefined ? option : `${key} in ${cli.config}`);
  const rawFormat = cli.format ?? config.format ?? 'terminal';
  // `--out -` is stdout, as usual for command-line tools.
  const outOption = cli.out ?? config.out;
  const settings: Settings = {
    now,
    paths,
    format: oneOf(from('--format', 'format', cli.format), FORMAT_ALIASES[rawFormat] ?? rawFormat, REPORT_FORMATS),
    failOn: oneOf(from('--fail-on', 'fail_on', cli.failOn), cli.failOn ?? config.fail_on ?? 'none', FAIL_ON),
    lang: oneOf(from('--lang', 'lang', cli.lang), cli.lang ?? config.lang ?? 'zh', LANGS),
    out: outOption === '-' ? undefined : outOption,
    reveal: cli.reveal ?? config.reveal ?? false,
    baselineFile: cli.baseline ?? config.baseline,
    // Loading options: the command line's, else the config file's, in the shared --encoding/--table/--mapping form.
    rawLoad: {
      encoding: cli.encoding ?? (config.encoding ? [config.encoding] : undefined),
      table: cli.table ?? (config.tables ? Object.entries(config.tables).map(([name, file]) => `${name}=${file}`) : undefined),
      mapping: cli.mapping ?? config.mapping,
      delimiter: cli.delimiter,
      headerLine: cli.headerLine,
      recursive: cli.recursive,
    },
    only: cli.only ? splitList(cli.only) : (config.only ?? []),
    skip: cli.skip ? splitList(cli.skip) : (config.skip ?? []),
    rulePaths: cli.rules ?? config.rules ?? [],
    params: cli.param ?? [],
    config,
    configFile: cli.config,
    engine: oneOf(from('--engine', 'engine', cli.engine), cli.engine ?? config.engine ?? 'duckdb', ENGINES),
    evidence: evidenceCount(from('--evidence', 'evidence', cli.evidence), String(cli.evidence ?? config.evidence ?? 50)),
  };
  if (settings.out) checkOutFolder(settings.out);
  return settings;
}

/** The rules to run, compiled, and their params; undefined (after saying why on stderr) when the rule files have problems. */
interface RuleSet {
  selected: CompiledRule[];
  params: ParamOverrides;
}

/** Rule loading: rules first, so that a broken rule set is found before any data is read. */
async function loadRules(s: Settings): Promise<RuleSet | undefined> {
  const loaded = await loadRuleFiles(s.rulePaths.length > 0 ? s.rulePaths : undefined);
  const errors = loaded.problems.filter(isError);
  if (errors.length > 0) {
    // Rule files may come from other people: their text must not drive the terminal.
    for (const p of errors.slice(0, PROBLEMS_SHOWN)) process.stderr.write(printable(`${p.file}:${p.line}:${p.col}: ${p.message}`) + '\n');
    if (errors.length > PROBLEMS_SHOWN) process.stderr.write(`… and ${errors.length - PROBLEMS_SHOWN} more\n`);
    process.stderr.write(`fundaudit: invalid rules (${errors.length} problem${errors.length === 1 ? '' : 's'})\n`);
    process.stderr.write(`  fix: run fundaudit rules validate${s.rulePaths.length ? ' ' + s.rulePaths.join(' ') : ''} and correct the rule files\n`);
    return undefined;
  }
  const selected = selectRules(loaded.rules, s.only, s.skip);
  if (selected.length === 0) {
    throw new UsageError('no rules to run', loaded.rules.length === 0 ? 'give a folder of rule files with --rules' : 'loosen --only/--skip');
  }
  // Checked against every loaded rule: a config file tuning the whole pack must still work with --only.
  const all = collectParams(s.params, s.config.params, loaded.rules);
  const ids = new Set(selected.map((r) => r.rule.id));
  return { selected, params: Object.fromEntries(Object.entries(all).filter(([id]) => ids.has(id))) };
}

/** Data loading: the export files under the paths, minus the report and the baseline, only the tables the rules read. */
async function loadData(s: Settings, options: LoadOptions, extraFiles: string[]): Promise<Loaded> {
  // The report itself (and the baseline) must never be read back as input on the next run.
  const own = new Set([s.out, s.baselineFile].filter((p): p is string => !!p).map((p) => resolve(p)));
  const expanded = await expandPaths(s.paths, { recursive: options.recursive });
  const candidates = [...new Set([...expanded.files, ...extraFiles])];
  const files = candidates.filter((f) => !own.has(resolve(f)));
  const outInput = s.out ? candidates.find((f) => resolve(f) === resolve(s.out!)) : undefined;
  if (outInput) {
    // A previous report there is skipped; an export there would be overwritten by this run's report.
    const [peek] = (await loadPaths([outInput], { ...options, onlyTables: new Set() })).files;
    if (peek?.table) {
      throw new UsageError(
        `--out ${s.out} is one of the exports being audited (recognised as ${peek.table}); writing the report there would destroy it`,
        'write the report to another path, e.g. outside the export folder',
      );
    }
  }
  if (files.length === 0) {
    const sub = expanded.skippedFolders.length ? ` (subfolders not read: ${expanded.skippedFolders.join(', ')})` : '';
    throw new UsageError(`no export files in ${s.paths.join(', ')}${sub}`, `give the export files or the folder holding them (${FOLDER_FILES})${sub ? ', or add --recursive' : ''}`);
  }
  if (s.engine === 'arquero') {
    const data = await loadPaths(files, options);
    if (!data.files.some((f) => f.table !== null)) throw nothingLoaded(data.files);
    // Reference data the rules read (holiday calendar, contribution limits) that no input provided; listed in the manifest.
    data.files.push(...addReferenceTables(data.tables, options.onlyTables ?? []));
    return { files: data.files, tables: data.tables, dataset: new MemoryDataset(data.tables), close: () => {} };
  }
  const session = await openSession(files, options, options.onlyTables ?? []);
  if (!session.load.files.some((f) => f.table !== null)) {
    session.close();
    throw nothingLoaded(session.load.files);
  }
  return {
    files: session.load.files,
    tables: new Map(),
    dataset: session.dataset,
    executor: new DuckDBExecutor(),
    inputTables: () => session.tableFacts(PERIOD_COLUMNS),
    close: () => session.close(),
  };
}

/** The loaded exports and the dataset the rules run on, in memory (Arquero) or in the run's DuckDB. */
interface Loaded {
  files: FileReport[];
  /** In-memory tables (none for DuckDB: the report is then told about them by `inputTables`). */
  tables: LoadResult['tables'];
  dataset: Dataset;
  executor?: Executor<Dataset>;
  inputTables?: () => Promise<InputTable[]>;
  /** Closes the database (and removes its temporary folder); nothing for memory. */
  close(): void;
}

/** Reporting: the result built (masked unless --reveal), rendered in its format, written to --out atomically or to stdout. */
async function report(s: Settings, rules: CompiledRule[], data: Loaded, run: Awaited<ReturnType<typeof runRules>>, baseline: Baseline | null, fileTables: Record<string, string>): Promise<AuditResult> {
  const result = buildResult({
    tool: { name: 'fundaudit', version: VERSION },
    now: s.now,
    lang: s.lang,
    files: data.files,
    tables: data.tables,
    inputTables: await data.inputTables?.(),
    rules,
    run,
    baseline,
    reveal: s.reveal,
    rulePath,
    options: {
      rules: s.rulePaths.map(rulePath),
      only: s.only,
      skip: s.skip,
      failOn: s.failOn,
      lang: s.lang,
      reveal: s.reveal,
      baseline: s.baselineFile ?? null,
      encoding: s.rawLoad.encoding?.join(',') ?? null,
      tables: Object.fromEntries(Object.entries(fileTables).map(([file, table]) => [table, file])),
      mapping: s.rawLoad.mapping ?? null,
      config: s.configFile ?? null,
    },
  });
  const text = renderReport(result, s.format, { color: s.format === 'terminal' && !s.out && useColour(process.env) });
  if (s.out) {
    try {
      await writeReportFile(s.out, text);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
      throw new UsageError(`cannot write the report to ${s.out}: ${code}`, 'check that its folder exists and is writable, and that it is not a folder');
    }
  } else {
    // `fundaudit audit … | head` closes the pipe early: that is the reader's choice, not an error.
    process.stdout.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE') throw err;
    });
    process.stdout.write(text);
  }
  return result;
}

/** Runs the audit; returns the exit code. */
export async function runAudit(pathArgs: string[], cli: AuditOptions): Promise<number> {
  const s = resolveSettings(pathArgs, cli);
  const load = await loadOptionsFrom(s.rawLoad);
  const rules = await loadRules(s);
  if (!rules) return EXIT.usage;
  const baseline = s.baselineFile ? readBaseline(s.baselineFile) : null;
  const data = await loadData(s, { ...load.options, onlyTables: requiredTables(rules.selected) }, load.extraFiles);
  let result: AuditResult;
  try {
    const run = await runRules(rules.selected, data.dataset, { params: rules.params, executor: data.executor, evidence: s.evidence });
    result = await report(s, rules.selected, data, run, baseline, load.options.fileTables ?? {});
  } finally {
    data.close();
  }

  // With a baseline, only new findings fail the run: a nightly job fails on what changed.
  const failing = result.findings.filter((f) => f.baseline !== 'known' && atOrAbove(f.severity, s.failOn));
  if (failing.length > 0) {
    process.stderr.write(`fundaudit: ${failing.length} finding(s) at or above --fail-on ${s.failOn}\n`);
    return EXIT.findings;
  }
  return EXIT.ok;
}

export function register(program: Command, action: ActionWrapper): void {
  const cmd = program
    .command('audit')
    .description('Run the rules over CSV exports and print or write the risk report')
    .argument('[paths...]', 'export files or folders (a folder\'s own CSV, text and .xlsx files; subfolders with --recursive)')
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
    .addOption(new Option('--lang <lang>', 'report language (default zh)').choices(LANGS))
    .addOption(new Option('--engine <engine>', 'executor: duckdb (default; county-sized data, spills to disk) or arquero (in memory, the reference)').choices([...ENGINES]))
    .option('--evidence <n|all>', 'evidence rows shown with their values per finding (default 50; every row is listed by place)');
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
