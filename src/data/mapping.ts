/**
 * The mapping file (`--mapping FILE`, docs/mapping.md): which table and encoding a file has, by file-name
 * pattern, and extra header aliases per table for exports whose headers recognition does not know.
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import { UsageError } from '../errors.js';
import { dict } from '../names.js';
import { ENCODING_CHOICES, normaliseEncoding } from './decode.js';
import { TABLE_NAMES, tableDef } from './tables.js';
import { parseDelimiter } from './delimiter.js';
import { INPUT_CAPS, readInputFile } from './files.js';
import type { FileRule } from './model.js';

/** What a file entry may set besides its pattern. */
const RULE_KEYS = ['table', 'encoding', 'delimiter', 'header_line'];

/** A parsed and checked mapping file. */
export interface MappingFile {
  /** File rules in file order: a glob `pattern` on the file name (or path, when it has a `/`). */
  files: ({ pattern: string } & FileRule)[];
  /** Extra aliases: table → source header (as written in exports) → canonical column. */
  headers: Record<string, Record<string, string>>;
}

const FIX = 'see docs/mapping.md for the format of a mapping file';

/**
 * Reads and checks a mapping file. Every problem is collected, each with `file:line:col`: YAML syntax, unknown
 * keys, an unknown table, column or encoding, a missing pattern.
 *
 * @throws UsageError listing every problem (one per line), or when the file cannot be read.
 */
export function loadMappingFile(path: string): MappingFile {
  const text = readInputFile(path, 'mapping file', INPUT_CAPS.mapping).toString('utf8');
  return parseMapping(text, path);
}

/** Parses mapping-file text; `path` only labels the problems. See loadMappingFile. */
function parseMapping(text: string, path: string): MappingFile {
  const lines = new LineCounter();
  const doc = parseDocument(text.replace(/^\uFEFF/, ''), { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const problems: string[] = [];
  const at = (node: Node | null | undefined, fallback?: Node | null) => {
    const n = node?.range ? node : fallback;
    const pos = n?.range ? lines.linePos(n.range[0]) : { line: 1, col: 1 };
    return `${path}:${pos.line}:${pos.col}`;
  };
  const problem = (node: Node | null | undefined, message: string, fallback?: Node | null) => problems.push(`${at(node, fallback)}: ${message}`);

  for (const e of doc.errors) {
    const pos = lines.linePos(e.pos[0]);
    problems.push(`${path}:${pos.line}:${pos.col}: ${e.message.split('\n')[0]} — fix the YAML syntax`);
  }
  const out: MappingFile = { files: [], headers: dict() };
  if (problems.length > 0) throw usage(problems);
  const root = doc.contents as Node | null;
  if (root === null || (isScalar(root) && root.value === null)) return out;
  if (!isMap(root)) {
    problem(root, 'a mapping file is a map with the keys files and headers');
    throw usage(problems);
  }

  for (const pair of root.items) {
    const keyNode = pair.key as Node;
    const key = isScalar(keyNode) ? String(keyNode.value) : '';
    const value = pair.value as Node | null;
    if (key === 'files') readFiles(value, keyNode, out, problem);
    else if (key === 'headers') readHeaders(value, keyNode, out, problem);
    else problem(keyNode, `unknown key "${key}"; a mapping file has only files and headers`);
  }
  if (problems.length > 0) throw usage(problems);
  return out;
}

type Report = (node: Node | null | undefined, message: string, fallback?: Node | null) => void;

function scalarText(node: Node | null | undefined): string | undefined {
  if (!isScalar(node) || node.value === null || typeof node.value === 'object') return undefined;
  return String(node.value);
}

function readFiles(value: Node | null, keyNode: Node, out: MappingFile, problem: Report): void {
  if (value === null || (isScalar(value) && value.value === null)) return;
  if (!isSeq(value)) {
    problem(value, 'files must be a list of entries like "- pattern: 发放*.csv" with table: and/or encoding:', keyNode);
    return;
  }
  for (const item of value.items as Node[]) {
    if (!isMap(item)) {
      problem(item, 'each file entry is a map with pattern: and table: and/or encoding:');
      continue;
    }
    const entry: MappingFile['files'][number] = { pattern: '' };
    for (const pair of item.items) {
      const k = pair.key as Node;
      const key = scalarText(k) ?? '';
      const v = pair.value as Node | null;
      const text = scalarText(v);
      if (key === 'pattern') {
        if (!text) problem(v, 'pattern must be a file-name glob such as "发放*.csv" or "2024/*.csv"', k);
        else entry.pattern = text;
      } else if (key === 'table') {
        if (text === undefined || !tableDef(text)) {
          problem(v, `unknown table "${text ?? ''}"; use one of ${TABLE_NAMES.join(', ')}`, k);
        } else entry.table = text;
      } else if (key === 'encoding') {
        const enc = text === undefined ? undefined : normaliseEncoding(text);
        if (!enc) problem(v, `unknown encoding "${text ?? ''}"; use one of ${ENCODING_CHOICES}`, k);
        else entry.encoding = enc;
      } else if (key === 'delimiter') {
        const d = text === undefined ? undefined : parseDelimiter(text);
        if (!d) problem(v, `unknown delimiter "${text ?? ''}"; use comma, tab, semicolon or pipe`, k);
        else entry.delimiter = d;
      } else if (key === 'header_line') {
        const n = Number(text);
        if (!Number.isInteger(n) || n < 1) problem(v, `header_line must be the line number of the header row (1 or more), not "${text ?? ''}"`, k);
        else entry.headerLine = n;
      } else {
        problem(k, `unknown key "${key}" in a file entry; use pattern, ${RULE_KEYS.join(', ')}`);
      }
    }
    if (!item.items.some((p) => scalarText(p.key as Node) === 'pattern')) {
      problem(item, 'this file entry has no pattern: add e.g. pattern: "发放*.csv"');
    } else if (entry.pattern && !item.items.some((p) => RULE_KEYS.includes(scalarText(p.key as Node) ?? ''))) {
      problem(item, `the entry for "${entry.pattern}" sets none of ${RULE_KEYS.join(', ')}: add one, or remove the entry`);
    }
    if (entry.pattern) out.files.push(entry);
  }
}

function readHeaders(value: Node | null, keyNode: Node, out: MappingFile, problem: Report): void {
  if (value === null || (isScalar(value) && value.value === null)) return;
  if (!isMap(value)) {
    problem(value, 'headers must map each table to its "source header: column" pairs', keyNode);
    return;
  }
  for (const pair of value.items) {
    const tk = pair.key as Node;
    const table = scalarText(tk) ?? '';
    const def = tableDef(table);
    if (!def) {
      problem(tk, `unknown table "${table}"; use one of ${TABLE_NAMES.join(', ')}`);
      continue;
    }
    const body = pair.value as Node | null;
    if (body === null || (isScalar(body) && body.value === null)) continue;
    if (!isMap(body)) {
      problem(body, `under ${table}, write one "source header: column" pair per line, e.g. 实发金额: amount`, tk);
      continue;
    }
    const aliases: Record<string, string> = (out.headers[table] ??= dict());
    for (const p of body.items) {
      const sk = p.key as Node;
      const source = scalarText(sk);
      const cv = p.value as Node | null;
      const column = scalarText(cv);
      if (!source) {
        problem(sk, 'a source header must be the header text as written in the export');
        continue;
      }
      if (column === undefined || !def.columns.some((c) => c.name === column)) {
        problem(cv, `"${column ?? ''}" is not a column of ${table}; use one of ${def.columns.map((c) => c.name).join(', ')}`, sk);
        continue;
      }
      aliases[source] = column;
    }
  }
}

function usage(problems: string[]): UsageError {
  const message = problems.length === 1 ? `invalid mapping file: ${problems[0]}` : `invalid mapping file (${problems.length} problems):\n  ${problems.join('\n  ')}`;
  return new UsageError(message, FIX);
}

/** A glob as a RegExp: `*` any run of characters but `/`, `**` anything, `?` one character but `/`. */
function globRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*') {
      if (pattern[i + 1] === '*' && pattern[i + 2] === '/') {
        re += '(?:.*/)?'; // `**/`: any folders, or none
        i += 2;
      } else if (pattern[i + 1] === '*') {
        re += '.*';
        i++;
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, 'i');
}

/**
 * What the mapping file says about one input file: its table and encoding. A pattern without `/` is matched
 * against the file's base name; one with `/` against the path (or any tail of it after a `/`). Matching ignores
 * case. Each field comes from the first entry, in file order, that matches and sets it.
 */
export function mappingForFile(m: MappingFile, path: string): FileRule {
  const norm = path.replace(/\\/g, '/').replace(/^(?:\.\/)+/, '');
  const base = norm.slice(norm.lastIndexOf('/') + 1);
  const out: FileRule = {};
  for (const entry of m.files) {
    const re = globRegExp(entry.pattern.replace(/\\/g, '/').replace(/^(?:\.\/)+/, ''));
    let hit: boolean;
    if (!entry.pattern.includes('/')) hit = re.test(base);
    else {
      hit = re.test(norm);
      for (let i = norm.indexOf('/'); !hit && i >= 0; i = norm.indexOf('/', i + 1)) hit = re.test(norm.slice(i + 1));
    }
    if (!hit) continue;
    if (out.table === undefined && entry.table !== undefined) out.table = entry.table;
    if (out.encoding === undefined && entry.encoding !== undefined) out.encoding = entry.encoding;
    if (out.delimiter === undefined && entry.delimiter !== undefined) out.delimiter = entry.delimiter;
    if (out.headerLine === undefined && entry.headerLine !== undefined) out.headerLine = entry.headerLine;
  }
  return out;
}
