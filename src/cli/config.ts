/**
 * The `--config FILE` of `fundaudit audit`: a YAML file holding the same
 * options as the command line (docs/config.md). Command-line options win.
 * Relative paths in the file are relative to the file's folder, so that a
 * config works from wherever the batch job starts. Without --config, a
 * `fundaudit.yaml` in the working folder is read (and named in the manifest).
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { LineCounter, parseDocument, isMap, isScalar, isSeq, type Node } from 'yaml';
import { InputError } from './errors.js';
import { dict, reservedName } from '../names.js';
import { INPUT_CAPS, readInputFile } from '../data/files.js';
import { readBudget } from './config-budget.js';
import type { BudgetSettings } from '../rules/budget.js';

/** What a config file may hold, typed and with paths resolved. */
export interface AuditConfig {
  paths?: string[];
  rules?: string[];
  only?: string[];
  skip?: string[];
  /** Rule id → param name → value, checked later against the rules. */
  params?: Record<string, unknown>;
  format?: string;
  out?: string;
  fail_on?: string;
  lang?: string;
  baseline?: string;
  encoding?: string;
  /** Table name → file. */
  tables?: Record<string, string>;
  mapping?: string;
  reveal?: boolean;
  suppressions?: string;
  /** false: leave the shipped rule pack out (as --no-default-rules). */
  default_rules?: boolean;
  fail_on_skipped?: boolean;
  /** duckdb or arquero. */
  engine?: string;
  /** Evidence rows shown with their values per finding, or all. */
  evidence?: string;
  /** Every rule's budget (docs/budgets.md); a rule's own `budget_*` params win. */
  budget?: Partial<BudgetSettings>;
  /** DuckDB's memory limit for the run (MiB), checked by the audit command. */
  duckdb_memory?: string;
}

/** The config file found in the working folder when --config is not given. */
export const CONFIG_FILE = 'fundaudit.yaml';

/**
 * `fundaudit.yaml` when the working folder holds one (not a folder), else
 * undefined. One that is not a regular file (a pipe, a link to a device) is
 * returned too, so that reading it refuses it with the reason instead of the
 * run going on silently without it.
 */
export function discoverConfig(): string | undefined {
  return existsSync(CONFIG_FILE) && !statSync(CONFIG_FILE).isDirectory() ? CONFIG_FILE : undefined;
}

type Kind = 'string' | 'list' | 'paths' | 'path' | 'bool' | 'map' | 'tables' | 'budget';

const KEYS: Record<keyof AuditConfig, Kind> = {
  paths: 'paths',
  rules: 'paths',
  only: 'list',
  skip: 'list',
  params: 'map',
  format: 'string',
  out: 'path',
  fail_on: 'string',
  lang: 'string',
  baseline: 'path',
  encoding: 'string',
  tables: 'tables',
  mapping: 'path',
  reveal: 'bool',
  suppressions: 'path',
  default_rules: 'bool',
  fail_on_skipped: 'bool',
  engine: 'string',
  evidence: 'string',
  budget: 'budget',
  duckdb_memory: 'string',
};

/** Splits comma lists and flattens: `a,b` and `[a, b]` mean the same. */
export function splitList(values: Array<string | number>): string[] {
  return values
    .flatMap((v) => String(v).split(','))
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/**
 * Reads and checks a config file. Throws InputError naming file:line:col and
 * the fix for unreadable files, YAML errors, unknown keys and wrong types.
 */
export function loadConfig(file: string): AuditConfig {
  // A regular file of bounded size: a pipe or /dev/zero given as the config must not hang or fill memory.
  const text = readInputFile(file, 'config file', INPUT_CAPS.config).toString('utf8');
  const lines = new LineCounter();
  const doc = parseDocument(text.replace(/^\uFEFF/, ''), { lineCounter: lines, prettyErrors: false });
  const at = (node: Node | null | undefined) => {
    const pos = node?.range ? lines.linePos(node.range[0]) : { line: 1, col: 1 };
    return `${file}:${pos.line}:${pos.col}`;
  };
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    const pos = lines.linePos(e.pos[0]);
    throw new InputError(`${file}:${pos.line}:${pos.col}: ${e.message.split('\n')[0]}`, 'fix the YAML syntax of the config file', `${file}:${pos.line}:${pos.col}`);
  }
  if (doc.contents === null) return {};
  if (!isMap(doc.contents)) throw new InputError(`${at(doc.contents)}: the config file must be a mapping of option: value`, 'see docs/config.md', at(doc.contents));
  const base = dirname(file);
  const rebase = (p: string) => (p === '-' || isAbsolute(p) ? p : join(base, p));
  const out: AuditConfig = {};
  const record = out as Record<string, unknown>;
  for (const pair of doc.contents.items) {
    const keyNode = pair.key as Node;
    const key = isScalar(keyNode) ? String(keyNode.value) : '';
    const kind = Object.hasOwn(KEYS, key) ? KEYS[key as keyof AuditConfig] : undefined;
    const reserved = reservedName(key);
    if (reserved) throw new InputError(`${at(keyNode)}: ${reserved}, not an option of the config file`, `use one of: ${Object.keys(KEYS).join(', ')}`, at(keyNode));
    if (!kind) {
      throw new InputError(`${at(keyNode)}: unknown key "${key}" in the config file`, `use one of: ${Object.keys(KEYS).join(', ')}`, at(keyNode));
    }
    const valueNode = pair.value as Node | null;
    const bad = reservedKey(valueNode);
    if (bad) throw new InputError(`${at(bad.node)}: ${bad.why}, not a key the config file may hold`, 'see docs/config.md', at(bad.node));
    const value: unknown = valueNode && 'toJSON' in valueNode ? (valueNode as { toJSON(): unknown }).toJSON() : null;
    const wrong = (want: string) => new InputError(`${at(valueNode ?? keyNode)}: "${key}" must be ${want}`, 'see docs/config.md', at(valueNode ?? keyNode));
    const scalar = (v: unknown) => typeof v === 'string' || typeof v === 'number';
    switch (kind) {
      case 'string':
        if (!scalar(value)) throw wrong('a single value');
        record[key] = String(value);
        break;
      case 'path':
        if (typeof value !== 'string' || value === '') throw wrong('a path');
        record[key] = rebase(value);
        break;
      case 'bool':
        if (typeof value !== 'boolean') throw wrong('true or false');
        record[key] = value;
        break;
      case 'list':
      case 'paths': {
        const list = Array.isArray(value) ? value : [value];
        if (!list.every(scalar)) throw wrong('a value or a list of values');
        // Paths are taken whole (a path may hold a comma); other lists may also be comma lists.
        record[key] = kind === 'paths' ? (list as Array<string | number>).map((p) => rebase(String(p))) : splitList(list as Array<string | number>);
        break;
      }
      case 'map':
        if (typeof value !== 'object' || value === null || Array.isArray(value)) throw wrong('a mapping RULE: { name: value }');
        record[key] = value;
        break;
      case 'tables': {
        if (typeof value !== 'object' || value === null || Array.isArray(value)) throw wrong('a mapping TABLE: FILE');
        const tables: Record<string, string> = dict();
        for (const [name, f] of Object.entries(value as Record<string, unknown>)) {
          if (typeof f !== 'string' || f === '') throw wrong('a mapping TABLE: FILE');
          tables[name] = rebase(f);
        }
        record[key] = tables;
        break;
      }
      case 'budget':
        record[key] = readBudget(valueNode, at);
        break;
    }
  }
  return out;
}

/** The first key inside a value (at any depth) that is a reserved name (`__proto__`, `constructor`, `__x`), with why. */
function reservedKey(node: Node | null): { node: Node; why: string } | undefined {
  if (isMap(node)) {
    for (const pair of node.items) {
      const key = pair.key as Node;
      const why = isScalar(key) ? reservedName(String(key.value)) : undefined;
      if (why) return { node: key, why };
      const inner = reservedKey(pair.value as Node | null);
      if (inner) return inner;
    }
  } else if (isSeq(node)) {
    for (const item of node.items) {
      const inner = reservedKey(item as Node | null);
      if (inner) return inner;
    }
  }
  return undefined;
}
