/**
 * `fundaudit inspect <paths…>`: what the loader made of each file — table,
 * encoding, header line and mapping, row counts and data issues — so that an
 * auditor can fix the exports before auditing them.
 *
 * Exit codes: 0 every file loaded without rejected rows; 1 rows were rejected,
 * or some files (or all) could not be used — unrecognised, undecodable, or of a
 * kind fundaudit does not read; 2 bad usage, or no export files found at all.
 */
import type { Command } from 'commander';
import { Chalk } from 'chalk';
import type { ActionWrapper } from './main.js';
import { EXIT, UsageError } from './errors.js';
import { addLoadOptions, loadOptionsFrom, type RawLoadOptions } from './load-options.js';
import { loadPaths } from '../data/load.js';
import type { DataIssue, FileReport, LoadResult } from '../data/model.js';
import { tableDef } from '../data/tables.js';
import { sourceLabel } from '../data/provenance.js';
import { DELIMITER_NAMES } from '../data/delimiter.js';
import { FOLDER_FILES } from '../data/files.js';
import { maskLoadResult } from '../report/mask.js';
import { reportIssue } from '../report/issue-text.js';
import { textWidth, truncate } from '../report/width.js';

/** Issues shown per file in text output (JSON carries all). */
const TEXT_ISSUES = 10;
const WIDTH = 100;

interface InspectOptions extends RawLoadOptions {
  format: string;
  reveal?: boolean;
}

export function register(program: Command, action: ActionWrapper): void {
  const cmd = program
    .command('inspect')
    .description('Show what was recognised in exports: tables, encodings, header mapping, row counts and data issues')
    .argument('<paths...>', `export files (CSV, text, .xlsx), or folders (their own ${FOLDER_FILES} files; subfolders with --recursive)`)
    .option('--format <format>', 'text or json', 'text')
    .option('--reveal', 'show personal data in data issues unmasked (masked by default)');
  addLoadOptions(cmd)
    .addHelpText(
      'after',
      `
Examples:
  fundaudit inspect ./exports                          every export in ./exports (add --recursive for subfolders)
  fundaudit inspect payouts.xlsx                       each sheet of a workbook
  fundaudit inspect alipay.csv --header-line alipay.csv=25 --delimiter tab
  fundaudit inspect a.csv b.csv --format json          machine-readable, all issues
  fundaudit inspect ./exports --encoding gbk           read every file as GBK
  fundaudit inspect ./exports --encoding old.csv=latin1
  fundaudit inspect ./exports --table payouts=exports/发放.csv
  fundaudit inspect ./exports --mapping mapping.yaml

Exit codes: 0 all files loaded; 1 rows rejected, or files that could not be used; 2 bad usage or no files.`,
    )
    .action(action(async (paths: string[], opts: InspectOptions) => inspect(paths, opts)));
}

async function inspect(paths: string[], opts: InspectOptions): Promise<number> {
  if (opts.format !== 'text' && opts.format !== 'json') {
    throw new UsageError(`--format ${opts.format}: unknown format`, 'use --format text or --format json');
  }
  const { options, extraFiles } = await loadOptionsFrom(opts);
  const read = await loadPaths([...paths, ...extraFiles], options);
  // Issues as a report shows them: the reason, without the message values behind it (which may quote raw data).
  const loaded: LoadResult = { ...read, files: read.files.map((f) => ({ ...f, issues: f.issues.map((i) => reportIssue(i, 'en')) })) };
  // Issues quote raw values; identity numbers, names, accounts and phones among them are masked like everywhere else.
  // A file without a header row shows its first record as "headers", a file may be named after a person: masked like any data.
  const result: LoadResult = opts.reveal ? loaded : maskLoadResult(loaded);
  const code = exitCode(result);
  if (opts.format === 'json') process.stdout.write(JSON.stringify(toJson(result, code), null, 2) + '\n');
  else process.stdout.write(renderText(result, useColour()));
  if (code === EXIT.usage) {
    const sub = result.skippedFolders.length ? ` (subfolders not read: ${result.skippedFolders.join(', ')})` : '';
    process.stderr.write(`fundaudit: no export files under ${paths.join(', ')}${sub}\n  fix: point inspect at the folder or files of the exports (${FOLDER_FILES})${sub ? ', or add --recursive' : ''}\n`);
  } else if (!result.files.some((f) => f.table !== null)) {
    process.stderr.write(`fundaudit: none of the ${result.files.length} file(s) could be loaded\n  fix: see the issues above; fix the exports, or use --encoding, --delimiter, --header-line FILE=N, --table NAME=FILE or --mapping\n`);
  }
  return code;
}

/** A file (or sheet) that loaded, or that is no export beside one that did (a notes sheet: only a warning). */
function usable(f: FileReport): boolean {
  return f.table !== null || !f.issues.some((i) => i.level === 'error');
}

function exitCode(result: LoadResult): number {
  const files = result.files;
  if (files.length === 0) return EXIT.usage;
  if (files.some((f) => !usable(f) || f.rowsRejected > 0)) return EXIT.findings;
  return EXIT.ok;
}

function toJson(result: LoadResult, exitCode: number) {
  return {
    exitCode,
    files: result.files.map((f) => ({
      path: f.path,
      ...(f.sheet === undefined ? {} : { sheet: f.sheet }),
      table: f.table,
      recognisedBy: f.recognisedBy,
      closest: f.closest ?? null,
      encoding: f.encoding,
      delimiter: f.delimiter ?? null,
      bytes: f.bytes,
      sha256: f.sha256,
      headerLine: f.headerLine,
      mapping: f.mapping,
      unmapped: f.mapping.filter((m) => m.column === null).map((m) => m.source),
      missingColumns: f.missingColumns,
      rowsRead: f.rowsRead,
      rowsLoaded: f.rowsLoaded,
      rowsRejected: f.rowsRejected,
      rowsSkipped: f.rowsSkipped ?? 0,
      profile: f.profile ?? null,
      issueCount: { errors: f.issues.filter((i) => i.level === 'error').length, warnings: f.issues.filter((i) => i.level === 'warning').length },
      issues: f.issues,
    })),
    tables: Object.fromEntries(
      [...result.tables].map(([name, t]) => [name, { rows: t.rows, files: t.files, sources: tableSources(t), columns: Object.keys(t.columns) }]),
    ),
    skippedFolders: result.skippedFolders,
  };
}

/** Each file (or `book.xlsx!Sheet`) a table was read from. */
function tableSources(t: LoadResult['tables'] extends Map<string, infer T> ? T : never): string[] {
  return t.files.map((file, k) => sourceLabel({ file, sheet: t.sources?.[k]?.sheet }));
}

function useColour(): boolean {
  return Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
}

/** Cuts `s` to at most `width` display columns on one line, marking the cut with an ellipsis. */
function fit(s: string, width: number): string {
  return truncate(s.replace(/\r?\n|\r/g, '⏎'), width);
}

/** Lays out items separated by `sep`, wrapped at WIDTH with `indent` on continuation lines. */
function wrap(items: string[], indent: number, first: number, sep = ', '): string {
  const lines: string[] = [];
  let line = '';
  let w = first;
  for (let k = 0; k < items.length; k++) {
    const item = items[k] + (k < items.length - 1 ? sep.trimEnd() : '');
    const iw = textWidth(item);
    if (line === '') {
      line = item;
      w += iw;
    } else if (w + 1 + iw > WIDTH) {
      lines.push(line);
      line = item;
      w = indent + iw;
    } else {
      line += ' ' + item;
      w += 1 + iw;
    }
  }
  if (line) lines.push(line);
  return lines.join('\n' + ' '.repeat(indent));
}

function renderText(result: LoadResult, colour: boolean): string {
  const c = new Chalk({ level: colour ? 1 : 0 });
  const out: string[] = [];
  const label = (s: string) => c.dim(s.padEnd(10));
  for (const f of result.files) {
    out.push(c.bold(sourceLabel({ file: f.path, sheet: f.sheet })));
    if (f.table) {
      const def = tableDef(f.table);
      const how = f.recognisedBy === 'option' ? 'forced by --table' : f.recognisedBy === 'mapping' ? 'by the mapping file' : 'by its header';
      out.push(`  ${label('table')}${c.green(f.table)} ${def?.label ?? ''} (${how})`);
    } else if (f.encoding === null && (f.sheet === undefined || f.headerLine === 0)) {
      out.push(`  ${label('table')}${c.red('not read')}`);
    } else {
      const closest = f.closest ? `; closest: ${f.closest.table}, lacking ${f.closest.missing.join(', ')}` : '';
      out.push(`  ${label('table')}${c.red('not recognised')}${closest}`);
    }
    if (f.sheet !== undefined && f.headerLine > 0) {
      out.push(`  ${label('sheet')}${f.sheet}, header on row ${f.headerLine}`);
    }
    if (f.encoding !== null) {
      const delimiter = f.delimiter && f.delimiter !== ',' ? `, ${DELIMITER_NAMES[f.delimiter] ?? f.delimiter}-separated` : '';
      out.push(`  ${label('encoding')}${f.encoding === 'gb18030' ? 'gb18030 (GBK)' : f.encoding}${delimiter}, header on line ${f.headerLine}`);
    }
    if (f.encoding !== null || (f.sheet !== undefined && f.headerLine > 0)) {
      const mapped = f.mapping.filter((m) => m.column !== null).map((m) => (m.source === m.column ? m.source : `${m.source} → ${m.column}`));
      if (mapped.length) out.push(`  ${label('columns')}${wrap(mapped, 12, 12)}`);
      const unmapped = f.mapping.filter((m) => m.column === null).map((m) => m.source || '(blank)');
      if (unmapped.length) out.push(`  ${label('unmapped')}${wrap(unmapped, 12, 12)}`);
      if (f.table && f.missingColumns.length) out.push(`  ${label('missing')}${wrap(f.missingColumns, 12, 12)}`);
    }
    if (f.table) {
      const rejected = f.rowsRejected ? c.red(`${f.rowsRejected} rejected`) : '0 rejected';
      const skipped = f.rowsSkipped ? `; ${f.rowsSkipped} skipped (empty, repeated header or totals)` : '';
      out.push(`  ${label('rows')}${f.rowsRead} read, ${f.rowsLoaded} loaded, ${rejected}${skipped}`);
    }
    if (f.issues.length) {
      const errors = f.issues.filter((i) => i.level === 'error').length;
      const warnings = f.issues.length - errors;
      out.push(`  ${label('issues')}${[errors ? c.red(`${errors} error${errors === 1 ? '' : 's'}`) : '', warnings ? c.yellow(`${warnings} warning${warnings === 1 ? '' : 's'}`) : ''].filter(Boolean).join(', ')}`);
      for (const issue of f.issues.slice(0, TEXT_ISSUES)) out.push(...renderIssue(issue, c));
      if (f.issues.length > TEXT_ISSUES) out.push(c.dim(`    … and ${f.issues.length - TEXT_ISSUES} more (--format json lists them all)`));
    }
    out.push('');
  }
  out.push(summary(result));
  return out.join('\n') + '\n';
}

function renderIssue(issue: DataIssue, c: InstanceType<typeof Chalk>): string[] {
  const where = issue.line > 0 ? `line ${issue.line}` : 'whole file';
  const tag = issue.level === 'error' ? c.red('error') : c.yellow('warning');
  const head = `    ${where}${issue.column ? `, ${issue.column}` : ''}${issue.value !== undefined ? `: "${issue.value}"` : ''}`;
  const lines = [`${fit(head, WIDTH - 10)} ${tag}`];
  const words = `${issue.reason} [${issue.code}]`.split(' ');
  lines.push('      ' + wrap(words, 6, 6, ' '));
  return lines;
}

function summary(result: LoadResult): string {
  const n = result.files.length;
  const loaded = result.files.filter(usable).length;
  const rejected = result.files.reduce((s, f) => s + f.rowsRejected, 0);
  const tables = [...result.tables].map(([name, t]) => `${name} ${t.rows} row${t.rows === 1 ? '' : 's'}`);
  const parts = [`${n} file${n === 1 ? '' : 's'}: ${loaded} loaded`];
  if (n > loaded) parts.push(`${n - loaded} not usable`);
  parts.push(`${rejected} row${rejected === 1 ? '' : 's'} rejected`);
  const lines = [`${parts.join(', ')}`, `tables: ${tables.length ? wrap(tables, 8, 8) : 'none'}`];
  // A table read from several files lists them: files that belong to different audits should not merge unseen.
  for (const [name, t] of result.tables) {
    const sources = tableSources(t);
    if (sources.length > 1) lines.push(`  ${name} from ${sources.length} files: ${wrap(sources, 4, 4 + name.length + 20)}`);
  }
  if (result.skippedFolders.length) lines.push(`subfolders not read (add --recursive): ${wrap(result.skippedFolders, 4, 40)}`);
  return lines.join('\n');
}
