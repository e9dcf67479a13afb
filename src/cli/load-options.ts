/**
 * The loading options shared by commands that read exports (`inspect`, `audit`):
 * `--encoding ENC | FILE=ENC`, `--table NAME=FILE`, `--delimiter D | FILE=D`,
 * `--header-line FILE=N`, `--recursive`, `--mapping FILE`, turned into
 * LoadOptions with every mistake reported as a UsageError with its fix.
 */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import type { LoadOptions } from '../data/model.js';
import { ENCODING_CHOICES, normaliseEncoding } from '../data/decode.js';
import { TABLE_NAMES, tableDef } from '../data/tables.js';
import { UsageError } from './errors.js';
import { dict } from '../names.js';
import { loadMappingFile, mappingForFile } from '../data/mapping.js';
import { parseDelimiter } from '../data/delimiter.js';

/** Raw option values as commander collects them. */
export interface RawLoadOptions {
  encoding?: string[];
  table?: string[];
  delimiter?: string[];
  headerLine?: string[];
  recursive?: boolean;
  mapping?: string;
}

const DELIMITER_FIX = 'use comma, tab, semicolon or pipe (or the character itself), e.g. --delimiter tab or --delimiter exports/a.txt=semicolon';

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** Adds the loading options to a command. */
export function addLoadOptions(cmd: Command): Command {
  return cmd
    .option('--recursive', 'read the subfolders of the folders given too (by default only a folder\'s own files)')
    .option('--encoding <enc>', `encoding of every file, or FILE=ENC for one file (repeatable): ${ENCODING_CHOICES}`, collect)
    .option('--table <name=file>', 'read FILE as table NAME, whatever its header looks like (repeatable; FILE!SHEET for one sheet of a workbook)', collect)
    .option('--delimiter <d>', 'field delimiter of every CSV file, or FILE=D for one file (repeatable): comma, tab, semicolon, pipe (default: detected)', collect)
    .option('--header-line <file=n>', 'the header is on line N of FILE (repeatable; FILE!SHEET=N for one sheet of a workbook; default: searched)', collect)
    .option('--mapping <file>', 'YAML mapping file: extra header aliases, and tables, encodings, delimiters and header lines per file');
}

/**
 * Turns raw options into LoadOptions. Returns the files named by `--table` too,
 * so that a command can load them even when they are not among its paths.
 * The command line wins over a mapping file: `--table` and `--encoding` over
 * its file rules.
 */
export async function loadOptionsFrom(raw: RawLoadOptions): Promise<{ options: LoadOptions; extraFiles: string[] }> {
  const options: LoadOptions = {};
  const extraFiles: string[] = [];
  for (const spec of raw.encoding ?? []) {
    const eq = spec.lastIndexOf('=');
    const file = eq > 0 ? spec.slice(0, eq) : undefined;
    const enc = eq > 0 ? spec.slice(eq + 1) : spec;
    const norm = normaliseEncoding(enc);
    if (!norm) throw new UsageError(`--encoding ${spec}: unknown encoding "${enc}"`, `use one of ${ENCODING_CHOICES}, e.g. --encoding gbk or --encoding exports/a.csv=gbk`);
    if (file) (options.fileEncodings ??= dict())[file] = norm;
    else options.encoding = norm;
  }
  for (const spec of raw.table ?? []) {
    const eq = spec.indexOf('=');
    if (eq <= 0 || eq === spec.length - 1) throw new UsageError(`--table ${spec}: expected NAME=FILE`, 'e.g. --table payouts=exports/发放明细.csv');
    const name = spec.slice(0, eq);
    const file = spec.slice(eq + 1);
    if (!tableDef(name)) throw new UsageError(`--table ${spec}: unknown table "${name}"`, `use one of ${TABLE_NAMES.join(', ')}`);
    (options.fileTables ??= dict())[file] = name;
    // `book.xlsx!Sheet1` names one sheet: the file to read is the workbook.
    extraFiles.push(existsSync(file) ? file : file.replace(/!([^!/\\]*)$/, ''));
  }
  for (const spec of raw.delimiter ?? []) {
    // `FILE=D`, unless the whole value is a delimiter (`=` is none) — a lone `=`-free value sets every file.
    const eq = spec.lastIndexOf('=');
    const file = eq > 0 ? spec.slice(0, eq) : undefined;
    const d = parseDelimiter(eq > 0 ? spec.slice(eq + 1) : spec);
    if (!d) throw new UsageError(`--delimiter ${spec}: unknown delimiter`, DELIMITER_FIX);
    if (file) (options.fileDelimiters ??= dict())[file] = d;
    else options.delimiter = d;
  }
  for (const spec of raw.headerLine ?? []) {
    const eq = spec.lastIndexOf('=');
    const n = Number(spec.slice(eq + 1));
    if (eq <= 0 || !Number.isInteger(n) || n < 1) {
      throw new UsageError(`--header-line ${spec}: expected FILE=N with N a line number from 1`, 'e.g. --header-line exports/alipay.csv=25 (the line of the header row, as a text editor numbers it)');
    }
    (options.fileHeaderLines ??= dict())[spec.slice(0, eq)] = n;
  }
  if (raw.recursive) options.recursive = true;
  if (raw.mapping) {
    const mapping = loadMappingFile(raw.mapping);
    if (Object.keys(mapping.headers).length) options.headerAliases = mapping.headers;
    if (mapping.files.length) options.fileRule = (path) => mappingForFile(mapping, path);
  }
  return { options, extraFiles };
}
