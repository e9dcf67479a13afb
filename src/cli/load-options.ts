/**
 * The loading options shared by commands that read exports (`inspect`, `audit`):
 * `--encoding ENC | FILE=ENC`, `--table NAME=FILE`, `--mapping FILE`, turned
 * into LoadOptions with every mistake reported as a UsageError with its fix.
 */
import type { Command } from 'commander';
import type { LoadOptions } from '../data/model.js';
import { ENCODING_CHOICES, normaliseEncoding } from '../data/decode.js';
import { TABLE_NAMES, tableDef } from '../data/tables.js';
import { UsageError } from './errors.js';
import { loadMappingFile, mappingForFile } from '../data/mapping.js';

/** Raw option values as commander collects them. */
export interface RawLoadOptions {
  encoding?: string[];
  table?: string[];
  mapping?: string;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** Adds `--encoding`, `--table` and `--mapping` to a command. */
export function addLoadOptions(cmd: Command): Command {
  return cmd
    .option('--encoding <enc>', `encoding of every file, or FILE=ENC for one file (repeatable): ${ENCODING_CHOICES}`, collect)
    .option('--table <name=file>', 'read FILE as table NAME, whatever its header looks like (repeatable)', collect)
    .option('--mapping <file>', 'YAML mapping file: extra header aliases and tables per file');
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
    if (file) (options.fileEncodings ??= {})[file] = norm;
    else options.encoding = norm;
  }
  for (const spec of raw.table ?? []) {
    const eq = spec.indexOf('=');
    if (eq <= 0 || eq === spec.length - 1) throw new UsageError(`--table ${spec}: expected NAME=FILE`, 'e.g. --table payouts=exports/发放明细.csv');
    const name = spec.slice(0, eq);
    const file = spec.slice(eq + 1);
    if (!tableDef(name)) throw new UsageError(`--table ${spec}: unknown table "${name}"`, `use one of ${TABLE_NAMES.join(', ')}`);
    (options.fileTables ??= {})[file] = name;
    extraFiles.push(file);
  }
  if (raw.mapping) {
    const mapping = loadMappingFile(raw.mapping);
    if (Object.keys(mapping.headers).length) options.headerAliases = mapping.headers;
    if (mapping.files.length) options.fileRule = (path) => mappingForFile(mapping, path);
  }
  return { options, extraFiles };
}
