/**
 * `fundaudit audit <paths…>`: load rules, select, load only the tables they
 * need, run, build the result, mask it (unless --reveal), format, write
 * (stdout, or atomically to --out), piece by piece. Returns the exit code of
 * DESIGN §7 (docs/report.md, "Exit codes").
 */
import { relative, resolve, sep } from 'node:path';
import { Option, type Command } from 'commander';
import type { ActionWrapper } from './main.js';
import { EXIT, Interrupted, UsageError } from './errors.js';
import { PACKAGE_ROOT, VERSION } from '../package.js';
import { discoverConfig, loadConfig, splitList, type AuditConfig } from './config.js';
import { useColour } from './colour.js';
import { Feedback } from './feedback.js';
import { addLoadOptions, loadOptionsFrom, type RawLoadOptions } from './load-options.js';
import { expandPaths, fileIdentity, FOLDER_FILES, unreadableInputs } from '../data/files.js';
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
import { DEFAULT_RULES_DIR } from '../rules/paths.js';
import { DUCKDB_MEMORY } from '../rules/budget.js';
import { selectRules } from '../rules/select.js';
import type { RunResult, SkippedRule } from '../engine/finding.js';
import { tableDef } from '../data/tables.js';
import { readBaseline, type Baseline } from '../report/baseline.js';
import { buildResult, PERIOD_COLUMNS, reportTime } from '../report/build.js';
import { REPORT_FORMATS, type AuditResult, type FailOn, type InputTable, type Lang, type ReportFormat } from '../report/model.js';
import { printable } from '../report/printable.js';
import { renderReport } from '../report/render.js';
import { buffered, writeChunksTo } from '../report/stream.js';
import { readSuppressions, type Suppressions } from '../report/suppressions.js';
import { reportTimeZone } from '../report/time.js';
import { terminalWidth } from '../report/formatters/terminal.js';
import { guardOut, type ProtectedInput } from '../report/out.js';
import { KNOWN_COLUMNS, knownValuesOf } from '../report/known.js';
import type { KnownValues } from '../report/scan.js';
import { writeReportFile } from '../report/write.js';

/** Options as commander parses them. */
interface CliOptions {
  rules?: string[];
  only?: string[];
  skip?: string[];
  param?: string[];
  format?: string;
  out?: string;
  failOn?: string;
  reveal?: boolean;
  baseline?: string;
  lang?: string;
  /** false with --no-default-rules. */
  defaultRules?: boolean;
  failOnSkipped?: boolean;
  suppressions?: string;
  progress?: boolean;
  quiet?: boolean;
  top?: string;
  /** --color / --no-color; undefined when neither is given. */
  color?: boolean;
  /** false with --no-config. */
  config?: string | false;
  engine?: string;
  evidence?: string;
  duckdbMemory?: string;
}

type AuditOptions = CliOptions & RawLoadOptions;

const FAIL_ON: FailOn[] = ['info', 'low', 'medium', 'high', 'critical', 'none'];
/** Executors: DuckDB for audits, Arquero (in memory) as the reference. */
const ENGINES = ['duckdb', 'arquero'] as const;
type Engine = (typeof ENGINES)[number];
const LANGS: Lang[] = ['zh', 'en'];
const FORMAT_ALIASES: ReadonlyMap<string, ReportFormat> = new Map([['markdown', 'md'], ['text', 'terminal']]);
/** Findings listed per rule in the terminal report by default (--top). */
const DEFAULT_TOP = 10;
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

function isError(p: RuleProblem): boolean {
  return (p as RuleProblem & { severity?: string }).severity !== 'warning';
}

function atOrAbove(severity: Severity, failOn: FailOn): boolean {
  return failOn !== 'none' && SEVERITIES.indexOf(severity) >= SEVERITIES.indexOf(failOn);
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
  /** Whether the shipped pack runs (besides --rules): false with --no-default-rules. */
  defaultRules: boolean;
  failOnSkipped: boolean;
  suppressionsFile?: string;
  params: string[];
  config: AuditConfig;
  configFile?: string;
  timeZone: string;
  top: number;
  colour: boolean | undefined;
  feedback: Feedback;
  engine: Engine;
  /** Evidence rows shown with their values per finding (Infinity: all). */
  evidence: number;
  /** DuckDB's memory limit for the run (MiB); undefined: what fits the machine. */
  duckdbMemory?: number;
}

/** `--duckdb-memory N` (`duckdb_memory: N`): a whole number of MiB within bounds, or undefined when not given. */
function duckdbMemory(what: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = /^\d+$/.test(value.trim()) ? Number(value.trim()) : NaN;
  if (!Number.isSafeInteger(n) || n < DUCKDB_MEMORY.min || n > DUCKDB_MEMORY.max) {
    throw new UsageError(`${what}: "${value}" is not a whole number of MiB from ${DUCKDB_MEMORY.min} to ${DUCKDB_MEMORY.max}`, `give DuckDB's memory for the run in MiB, e.g. ${DUCKDB_MEMORY.option} 2048`);
  }
  return n;
}

/** `--evidence N` (rows shown with their values per finding) or `all`. */
function evidenceCount(what: string, value: string): number {
  if (value === 'all') return Infinity;
  if (/^\d+$/.test(value)) return Number(value);
  throw new UsageError(`${what}: "${value}" is not a number of rows or all`, 'give how many evidence rows to show per finding, e.g. --evidence 200, or --evidence all');
}

/** The config file: --config's, else fundaudit.yaml in the working folder (not with --no-config). */
function configFile(cli: AuditOptions): string | undefined {
  if (cli.config === false) return undefined;
  return cli.config ?? discoverConfig();
}

/** `--top N`: a whole number of 1 or more. */
function topOption(value: string | undefined): number {
  if (value === undefined) return DEFAULT_TOP;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--top ${value}: not a whole number of 1 or more`, 'give how many findings to list per rule, e.g. --top 20');
  return n;
}

/** Option resolution: the command line's values, else the config file's, each checked. */
function resolveSettings(pathArgs: string[], cli: AuditOptions): Settings {
  const now = reportTime(process.env); // a malformed SOURCE_DATE_EPOCH fails before any work
  const quiet = cli.quiet ?? false;
  const feedback = new Feedback({ quiet, progress: Feedback.progressWanted(cli.progress, quiet, process.stderr) });
  const zone = reportTimeZone(process.env.TZ);
  if (zone.invalid !== undefined) feedback.note(`TZ=${zone.invalid} is not a time zone; the report's times are in ${zone.zone}`);
  const file = configFile(cli);
  const config: AuditConfig = file ? loadConfig(file) : {};
  const paths = pathArgs.length > 0 ? pathArgs : (config.paths ?? []);
  if (paths.length === 0) throw new UsageError('no input paths given', 'name the export files or folders: fundaudit audit ./exports (or set paths: in the config file)');
  // Commander checks the command line's values; these checks catch the config file's.
  const from = (option: string, key: string, cliValue: unknown) => (cliValue !== undefined ? option : `${key} in ${file}`);
  const rawFormat = cli.format ?? config.format ?? 'terminal';
  // `--out -` is stdout, as usual for command-line tools.
  const outOption = cli.out ?? config.out;
  const settings: Settings = {
    now,
    paths,
    format: oneOf(from('--format', 'format', cli.format), FORMAT_ALIASES.get(rawFormat) ?? rawFormat, REPORT_FORMATS),
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
    defaultRules: cli.defaultRules === false ? false : (config.default_rules ?? true),
    failOnSkipped: cli.failOnSkipped ?? config.fail_on_skipped ?? false,
    suppressionsFile: cli.suppressions ?? config.suppressions,
    params: cli.param ?? [],
    config,
    configFile: file,
    timeZone: zone.zone,
    top: topOption(cli.top),
    colour: cli.color,
    feedback,
    engine: oneOf(from('--engine', 'engine', cli.engine), cli.engine ?? config.engine ?? 'duckdb', ENGINES),
    evidence: evidenceCount(from('--evidence', 'evidence', cli.evidence), String(cli.evidence ?? config.evidence ?? 50)),
    duckdbMemory: duckdbMemory(from(DUCKDB_MEMORY.option, DUCKDB_MEMORY.config, cli.duckdbMemory), cli.duckdbMemory ?? config.duckdb_memory),
  };
  if (!settings.defaultRules && settings.rulePaths.length === 0) {
    throw new UsageError('no rules: --no-default-rules leaves the shipped rules out and no --rules were given', 'add your rules with --rules PATH, or drop --no-default-rules');
  }
  // Before any work: --out must be somewhere a report may go, and none of these inputs (rule files and exports are checked once known).
  if (settings.out) guardOut(settings.out, settingsInputs(settings));
  return settings;
}

/** The files the settings name as inputs, which the report must never replace. */
function settingsInputs(s: Settings): ProtectedInput[] {
  const named: Array<[string | undefined, string]> = [
    [s.configFile, 'the config file'],
    [s.rawLoad.mapping, 'the mapping file'],
    [s.baselineFile, 'the baseline'],
    [s.suppressionsFile, 'the suppressions file'],
  ];
  return named.filter((n): n is [string, string] => n[0] !== undefined).map(([path, role]) => ({ path, role }));
}

/** The rules to run, compiled, and their params; undefined (after saying why on stderr) when the rule files have problems. */
interface RuleSet {
  selected: CompiledRule[];
  params: ParamOverrides;
  /** Every rule file read, selected or not. */
  files: string[];
}

/** Rule loading: rules first, so that a broken rule set is found before any data is read. */
async function loadRules(s: Settings): Promise<RuleSet | undefined> {
  // --rules adds to the shipped pack; --no-default-rules leaves the pack out.
  const loaded = await loadRuleFiles([...(s.defaultRules ? [DEFAULT_RULES_DIR] : []), ...s.rulePaths]);
  const errors = loaded.problems.filter(isError);
  if (errors.length > 0) {
    // Rule files may come from other people: their text must not drive the terminal.
    s.feedback.done();
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
  return { selected, params: Object.fromEntries(Object.entries(all).filter(([id]) => ids.has(id))), files: loaded.files };
}

/** Data loading: the export files under the paths, minus the report and the baseline, only the tables the rules read. */
async function loadData(s: Settings, options: LoadOptions, extraFiles: string[]): Promise<Loaded> {
  // The report itself (and the baseline) must never be read back as input on the next run: compared as files, not
  // path strings, so that a symlinked folder or another spelling of the path cannot hide one.
  const own = new Set([s.out, s.baselineFile].map((p) => (p ? fileIdentity(p) : undefined)).filter((id): id is string => id !== undefined));
  const outId = s.out ? fileIdentity(s.out) : undefined;
  const expanded = await expandPaths(s.paths, { recursive: options.recursive });
  const candidates = [...new Set([...expanded.files, ...extraFiles])];
  const files = candidates.filter((f) => !own.has(fileIdentity(f) ?? ''));
  const outInput = outId !== undefined ? candidates.find((f) => fileIdentity(f) === outId) : undefined;
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
    const data = await loadPaths(files, { ...options, onFile: (r) => s.feedback.file(r) });
    const unreadable = unreadableInputs(data.files);
    if (unreadable) throw unreadable;
    if (!data.files.some((f) => f.table !== null)) throw nothingLoaded(data.files);
    // Reference data the rules read (holiday calendar, contribution limits) that no input provided; listed in the manifest.
    data.files.push(...addReferenceTables(data.tables, options.onlyTables ?? [], data.files));
    return { files: data.files, tables: data.tables, dataset: new MemoryDataset(data.tables), close: () => {} };
  }
  const limits = s.duckdbMemory === undefined ? {} : { memoryBytes: s.duckdbMemory * 1048576 };
  const session = await openSession(files, { ...options, onFile: (r) => s.feedback.file(r) }, options.onlyTables ?? [], limits);
  try {
    const unreadable = unreadableInputs(session.load.files);
    if (unreadable) throw unreadable;
    if (!session.load.files.some((f) => f.table !== null)) throw nothingLoaded(session.load.files);
  } catch (err) {
    session.close();
    throw err;
  }
  return {
    files: session.load.files,
    tables: new Map(),
    dataset: session.dataset,
    executor: new DuckDBExecutor(),
    inputTables: () => session.tableFacts(PERIOD_COLUMNS),
    known: async () => {
      const values = await session.distinctValues(KNOWN_COLUMNS);
      return knownValuesOf((table, column) => values.get(`${table}.${column}`) ?? []);
    },
    close: () => session.close(),
  };
}

/** The loaded exports and the dataset the rules run on, in memory (Arquero) or in the run's DuckDB. */
interface Loaded {
  files: FileReport[];
  /** In-memory tables (none for DuckDB: the report is then told about them by `inputTables`). */
  tables: LoadResult['tables'];
  dataset: Dataset;
  /** The executor for `dataset`; none for memory (the run then makes Arquero's, in a child process under the budget). */
  executor?: Executor<Dataset>;
  inputTables?: () => Promise<InputTable[]>;
  /** The run's known names and accounts, for masking free text (none: read from `tables`). */
  known?: () => Promise<KnownValues>;
  /** Closes the database (and removes its temporary folder); nothing for memory. */
  close(): void;
}

/** Reporting: the result built (masked unless --reveal), rendered in its format, written piece by piece to --out atomically or to stdout. */
async function report(
  s: Settings,
  rules: CompiledRule[],
  data: Loaded,
  run: RunResult,
  inputs: { baseline: Baseline | null; suppressions: Suppressions | null; fileTables: Record<string, string> },
): Promise<AuditResult> {
  const result = buildResult({
    tool: { name: 'fundaudit', version: VERSION },
    now: s.now,
    timeZone: s.timeZone,
    lang: s.lang,
    files: data.files,
    tables: data.tables,
    inputTables: await data.inputTables?.(),
    rules,
    run,
    baseline: inputs.baseline,
    suppressions: inputs.suppressions,
    reveal: s.reveal,
    known: s.reveal ? undefined : await data.known?.(),
    rulePath,
    options: {
      rules: s.rulePaths.map(rulePath),
      only: s.only,
      skip: s.skip,
      failOn: s.failOn,
      lang: s.lang,
      reveal: s.reveal,
      baseline: s.baselineFile ?? null,
      suppressions: s.suppressionsFile ?? null,
      encoding: s.rawLoad.encoding?.join(',') ?? null,
      tables: Object.fromEntries(Object.entries(inputs.fileTables).map(([file, table]) => [table, file])),
      mapping: s.rawLoad.mapping ?? null,
      config: s.configFile ?? null,
      defaultRules: s.defaultRules,
      failOnSkipped: s.failOnSkipped,
    },
  });
  const toTerminal = s.format === 'terminal' && !s.out;
  const chunks = renderReport(result, s.format, {
    color: toTerminal && useColour(s.colour, process.env, process.stdout),
    width: toTerminal ? terminalWidth(process.stdout) : 100,
    top: s.top,
  });
  s.feedback.done();
  if (s.out) {
    try {
      await writeReportFile(s.out, buffered(chunks), { private: s.reveal });
    } catch (err) {
      if (err instanceof UsageError || err instanceof Interrupted) throw err;
      const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
      throw new UsageError(`cannot write the report to ${s.out}: ${code}`, 'check that its folder exists and is writable, and that it is not a folder');
    }
    s.feedback.written(s.out, result);
  } else {
    // `fundaudit audit … | head` closes the pipe early: that is the reader's choice, not an error.
    await writeChunksTo(chunks, process.stdout);
  }
  return result;
}

/**
 * A run in which no rule could run has checked nothing: exit 2, naming the
 * tables (and columns) the rules needed and the inputs lacked.
 */
function nothingRan(run: RunResult): UsageError {
  const count = (code: SkippedRule['code']) => {
    const by = new Map<string, number>();
    for (const sk of run.skipped) if (sk.code === code) for (const m of sk.missing ?? []) by.set(m, (by.get(m) ?? 0) + 1);
    return [...by.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  };
  const tables = count('missing-table').map(([t, n]) => `${t}${tableDef(t) ? ` (${tableDef(t)!.label})` : ''} for ${n} rule${n === 1 ? '' : 's'}`);
  const columns = count('missing-column').map(([c, n]) => `${c} for ${n} rule${n === 1 ? '' : 's'}`);
  const failed = run.skipped.filter((sk) => sk.code === 'error').map((sk) => sk.ruleId);
  const overBudget = run.skipped.filter((sk) => sk.code === 'budget').map((sk) => sk.ruleId);
  const parts = [
    tables.length ? `missing tables: ${tables.join(', ')}` : null,
    columns.length ? `missing columns: ${columns.join(', ')}` : null,
    failed.length ? `failed with an error: ${failed.join(', ')}` : null,
    overBudget.length ? `stopped over their budget (docs/budgets.md): ${overBudget.join(', ')}` : null,
  ].filter(Boolean);
  const overDuckDB = run.skipped.some((sk) => sk.budget?.limit === DUCKDB_MEMORY.config);
  const fix =
    tables.length || columns.length || !overBudget.length
      ? 'give the exports of those tables (fundaudit inspect shows what each file was recognised as), or name a file with --table NAME=FILE'
      : `raise the budget in the config file's budget: or with --param RULE.budget_seconds=… (docs/budgets.md)${overDuckDB ? `, give DuckDB more memory for the run with ${DUCKDB_MEMORY.option} N (MiB)` : ''}, or narrow the rule`;
  return new UsageError(`no rule could run, so nothing was checked — ${parts.join('; ')}`, fix);
}

/** The exit code once the report is out: --fail-on-skipped, then --fail-on (new, unsuppressed findings only). */
function exitCode(s: Settings, result: AuditResult): number {
  if (s.failOnSkipped && result.skipped.length > 0) {
    s.feedback.error(`${result.skipped.length} of ${result.run.rules} rule(s) did not run (--fail-on-skipped): ${result.skipped.map((x) => x.ruleId).join(', ')}`);
    return EXIT.findings;
  }
  // With a baseline, only new findings fail the run: a nightly job fails on what changed. Suppressed findings never do.
  const failing = result.findings.filter((f) => f.baseline !== 'persisting' && atOrAbove(f.severity, s.failOn));
  if (failing.length > 0) {
    s.feedback.error(`${failing.length} finding(s) at or above --fail-on ${s.failOn}`);
    return EXIT.findings;
  }
  return EXIT.ok;
}

/** Runs the audit; returns the exit code. */
export async function runAudit(pathArgs: string[], cli: AuditOptions): Promise<number> {
  const s = resolveSettings(pathArgs, cli);
  const load = await loadOptionsFrom(s.rawLoad);
  const rules = await loadRules(s);
  if (!rules) return EXIT.usage;
  if (s.out) guardOut(s.out, rules.files.map((path) => ({ path, role: 'a rule file' })));
  const baseline = s.baselineFile ? await readBaseline(s.baselineFile) : null;
  const suppressions = s.suppressionsFile ? readSuppressions(s.suppressionsFile) : null;
  const data = await loadData(s, { ...load.options, onlyTables: requiredTables(rules.selected) }, load.extraFiles);
  let result: AuditResult;
  let nothing: boolean;
  let run: RunResult;
  try {
    // Every rule under its budget (docs/budgets.md): a runaway rule is stopped and reported, the others run.
    run = await runRules(rules.selected, data.dataset, {
      params: rules.params,
      executor: data.executor,
      budget: s.config.budget ?? {},
      evidence: s.evidence,
      onRule: (done, total, id) => s.feedback.rule(done, total, id),
    });
    s.feedback.done();
    nothing = run.skipped.length === rules.selected.length;
    // Nothing checked for want of inputs: a report would only repeat the cause.
    if (nothing && run.skipped.every((sk) => sk.code === 'missing-table' || sk.code === 'missing-column')) throw nothingRan(run);
    result = await report(s, rules.selected, data, run, { baseline, suppressions, fileTables: load.options.fileTables ?? {} });
  } finally {
    data.close();
  }
  if (nothing) {
    // Rules that started and were stopped (a budget, an error): the report says why for each; the exit still says nothing was checked.
    const err = nothingRan(run);
    s.feedback.error(err.message);
    process.stderr.write(`  fix: ${err.fix}\n`);
    return EXIT.usage;
  }
  return exitCode(s, result);
}

export function register(program: Command, action: ActionWrapper): void {
  const cmd = program
    .command('audit')
    .description('Run the rules over CSV exports and print or write the risk report')
    .argument('[paths...]', 'export files or folders (a folder\'s own CSV, text and .xlsx files; subfolders with --recursive)')
    .option('--rules <path>', 'rule file or folder to run besides the shipped rules (repeatable)', collect)
    .option('--no-default-rules', 'leave the shipped rules out: run only those given with --rules')
    .option('--only <list>', 'run only these rules: comma list of ids, categories (money, people, documents) or risks', collect)
    .option('--skip <list>', 'skip these rules: comma list of ids, categories or risks', collect)
    .option('--param <RULE.NAME=VALUE>', 'override a rule parameter (repeatable; money in yuan)', collect)
    .option('--config <file>', 'YAML file with the same options (see docs/config.md); default: fundaudit.yaml in the working folder; command-line options win')
    .option('--no-config', 'do not read fundaudit.yaml from the working folder')
    .addOption(new Option('--format <format>', 'report format (sarif: SARIF 2.1.0 for code scanning; github: GitHub Actions annotations)').choices([...REPORT_FORMATS, 'markdown']))
    .option('--out <file>', 'write the report to this file (atomically) instead of stdout; then one line on stderr says where and what it holds')
    .addOption(new Option('--fail-on <severity>', 'exit 1 when a new, unsuppressed finding is at or above this severity (default none)').choices(FAIL_ON))
    .option('--fail-on-skipped', 'exit 1 when any rule did not run (a table or column missing, or an error)')
    .option('--reveal', 'show personal data unmasked (identity numbers, names, accounts, phones)')
    .option('--baseline <file>', 'previous --format json report: findings are new or persisting, and its findings not found again are listed as resolved')
    .option('--suppressions <file>', 'YAML file of accepted findings, each with reason, approver and expiry date (see docs/suppressions.md)')
    .addOption(new Option('--lang <lang>', 'report language (default zh)').choices(LANGS))
    .addOption(new Option('--engine <engine>', 'executor: duckdb (default; county-sized data, spills to disk) or arquero (in memory, the reference)').choices([...ENGINES]))
    .option(`${DUCKDB_MEMORY.option} <MiB>`, 'memory DuckDB may hold for the run before it spills to disk (default: 1024 MiB, less on a machine with little memory); raise it when a rule is stopped for DuckDB\'s memory')
    .option('--evidence <n|all>', 'evidence rows shown with their values per finding (default 50; every row is listed by place)')
    .option('--top <n>', `terminal report: findings listed per rule before the rest are summarised (default ${DEFAULT_TOP})`)
    .option('--progress', 'show progress on stderr even when it is not a terminal')
    .option('--quiet', 'print nothing on stderr but errors')
    .option('--color', 'colour the terminal report even when stdout is not a terminal')
    .option('--no-color', 'never colour (also NO_COLOR=1, TERM=dumb; FORCE_COLOR=1 forces colour)');
  addLoadOptions(cmd)
    .addHelpText(
      'after',
      `
Exit codes: 0 completed, nothing at or above --fail-on (and, with --fail-on-skipped, every rule ran);
            1 findings at or above --fail-on, or rules not run with --fail-on-skipped;
            2 bad usage, no usable input, invalid rules, or no rule could run on the inputs.
Personal data is masked in every format unless --reveal is given.
Times are in the TZ time zone, Asia/Shanghai when TZ is unset; with SOURCE_DATE_EPOCH set,
the same inputs, rules and TZ give a byte-identical report.

Examples:
  fundaudit audit ./exports
  fundaudit audit ./exports --only people --skip OFF-HOURS-PAYOUT --lang en
  fundaudit audit ./exports --format html --out report.html
  fundaudit audit ./exports --format json --out report.json --fail-on high --baseline last.json
  fundaudit audit ./exports --rules ./local-rules --suppressions accepted.yaml
  fundaudit audit ./exports --format sarif --out fundaudit.sarif --fail-on-skipped
  fundaudit audit ./exports --param PAID-AFTER-DEATH.grace_months=1 --table deaths=./火化名单.csv
  fundaudit audit --config audit.yaml`,
    )
    .action(action((paths: string[], opts: AuditOptions) => runAudit(paths, opts)));
}
