/**
 * Parse a rule file's YAML safely and keep positions.
 *
 * Rule files may come from other people, so parsing is bounded before any
 * JavaScript value is built: the file size, the nesting depth (measured on the
 * concrete syntax tree with an explicit stack, so a 10,000-deep document
 * cannot overflow ours) and the number of alias expansions (a "billion laughs"
 * document is refused, never expanded). Explicit tags (`!!js/function`,
 * `!!binary`, `!custom`) are refused: a rule file is plain maps, lists and
 * scalars.
 */
import { Composer, isAlias, isMap, isPair, isScalar, isSeq, LineCounter, Parser, Scalar, visit } from 'yaml';
import type { Document, Node as YamlNode } from 'yaml';
import type { CST } from 'yaml';
import type { RuleProblem } from './model.js';

/** Largest rule file read, in bytes. The biggest shipped rule is a few KiB. */
export const MAX_FILE_BYTES = 256 * 1024;
/** Deepest nesting of maps and lists. A rule needs about a dozen levels. */
export const MAX_DEPTH = 64;
/** Most alias expansions when building the value; more is a resource-exhaustion attempt. */
export const MAX_ALIAS_COUNT = 100;
/**
 * Most entries in one map. A rule's biggest map holds a few dozen; the
 * parser's duplicate-key check compares each key with every other, so a
 * 256 KiB map of 25,000 keys would take seconds to parse.
 */
export const MAX_MAP_ENTRIES = 1000;

/** A path into the parsed value: map keys and list indexes. */
export type ValuePath = (string | number)[];

/** A place in the file, 1-based, with the text found there. */
export interface Place {
  line: number;
  col: number;
  snippet: string;
}

export interface ParsedYaml {
  text: string;
  /** The plain value (maps → objects, lists → arrays), or undefined when the file could not be parsed. */
  value: unknown;
  doc?: Document.Parsed;
  lineCounter: LineCounter;
  problems: RuleProblem[];
}

/**
 * Parse one rule file. Never throws: every syntax error, refused construct and
 * bound exceeded becomes a problem, and `value` is undefined unless the file
 * parsed cleanly enough to be checked further.
 */
export function parseRuleYaml(text: string, file: string): ParsedYaml {
  const lineCounter = new LineCounter();
  const problems: RuleProblem[] = [];
  const result: ParsedYaml = { text, value: undefined, lineCounter, problems };
  const at = (offset: number) => {
    const { line, col } = lineCounter.linePos(Math.max(0, Math.min(offset, text.length)));
    return { line, col };
  };

  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_FILE_BYTES) {
    problems.push({
      file, line: 1, col: 1, code: 'file-too-large',
      message: `rule file is ${bytes} bytes, more than the ${MAX_FILE_BYTES} allowed; it was not parsed`,
      fix: 'a rule file holds one rule and small inline test tables; move large test data out or split the rule',
    });
    return result;
  }

  let tokens: CST.Token[];
  let docs: Document.Parsed[];
  try {
    tokens = Array.from(new Parser(lineCounter.addNewLine).parse(text));
  } catch (err) {
    return refused(result, file, err);
  }
  const tooBig = findTooBig(tokens);
  if (tooBig !== undefined) {
    const { line, col } = at(tooBig.offset);
    problems.push(tooBig.deep ? {
      file, line, col, code: 'too-deep',
      message: `maps and lists are nested more than ${MAX_DEPTH} levels deep; the file was not parsed`,
      snippet: snippetAt(text, tooBig.offset),
      fix: 'a rule needs only a few levels of nesting; flatten the structure',
    } : {
      file, line, col, code: 'too-many-keys',
      message: `a map has more than ${MAX_MAP_ENTRIES} keys; the file was not parsed`,
      snippet: snippetAt(text, tooBig.offset),
      fix: 'a rule needs only a few keys per map; put test data in the CSV text of tests[].tables',
    });
    return result;
  }

  try {
    docs = Array.from(new Composer({ uniqueKeys: true, prettyErrors: false, customTags: [] }).compose(tokens)) as Document.Parsed[];
  } catch (err) {
    return refused(result, file, err);
  }
  if (docs.length === 0) {
    problems.push({ file, line: 1, col: 1, code: 'empty-file', message: 'the rule file is empty', fix: 'write one rule (see rules/people/PAID-AFTER-DEATH.yaml)' });
    return result;
  }
  for (const doc of docs.slice(1)) {
    const { line, col } = at(doc.range[0]);
    problems.push({
      file, line, col, code: 'yaml-syntax',
      message: 'more than one YAML document in the file',
      snippet: snippetAt(text, doc.range[0]),
      fix: 'put one rule per file (rules/<category>/<ID>.yaml) and remove the `---` separator',
    });
  }
  const doc = docs[0];
  result.doc = doc;
  for (const err of doc.errors) {
    const { line, col } = at(err.pos[0]);
    problems.push({
      file, line, col, code: 'yaml-syntax',
      message: firstLine(err.message),
      snippet: snippetAt(text, err.pos[0]),
      fix: yamlFix(err.code),
    });
  }
  const tagLines = new Set<number>();
  for (const warn of doc.warnings) {
    const { line, col } = at(warn.pos[0]);
    if (warn.code === 'TAG_RESOLVE_FAILED') {
      tagLines.add(line);
      const tag = /Unresolved tag: (\S+)/.exec(warn.message)?.[1] ?? '';
      problems.push({
        file, line, col, code: 'yaml-tag',
        message: `explicit tag ${tag.replace('tag:yaml.org,2002:', '!!')} is not allowed`,
        snippet: snippetAt(text, warn.pos[0]),
        fix: 'remove the tag: rule files hold plain maps, lists and scalars, and never code',
      });
    } else {
      problems.push({ file, line, col, code: 'yaml-syntax', message: firstLine(warn.message), snippet: snippetAt(text, warn.pos[0]), fix: yamlFix(warn.code) });
    }
  }
  // Known tags such as !!binary or !!str resolve without a warning, but still turn text into something else.
  visit(doc, {
    Node(_key, node) {
      if ((isScalar(node) || isMap(node) || isSeq(node)) && node.tag && node.range) {
        let tagAt = text.lastIndexOf('!', node.range[0]);
        while (tagAt > 0 && !/\s/.test(text[tagAt - 1])) tagAt--; // to the start of `!!binary`
        const { line, col } = at(tagAt === -1 ? node.range[0] : tagAt);
        if (tagLines.has(line)) return;
        problems.push({
          file, line, col, code: 'yaml-tag',
          message: `explicit tag ${node.tag.replace('tag:yaml.org,2002:', '!!')} is not allowed`,
          snippet: snippetAt(text, tagAt === -1 ? node.range[0] : tagAt),
          fix: 'remove the tag: rule files hold plain maps, lists and scalars, and never code',
        });
      }
    },
  });
  if (problems.length > 0) return result;

  try {
    result.value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    problems.push({
      file, line: 1, col: 1, code: 'yaml-aliases',
      message: `aliases expand to too many nodes (${(err as Error).message}); the file was not loaded`,
      fix: 'write the values out instead of repeating them with anchors (&) and aliases (*)',
    });
  }
  return result;
}

/** The parser itself gave up (it reports syntax errors as data; this is for what it cannot): a problem, never a crash. */
function refused(result: ParsedYaml, file: string, err: unknown): ParsedYaml {
  result.problems.push({
    file, line: 1, col: 1, code: 'yaml-syntax',
    message: `the YAML parser gave up on this file: ${(err as Error).message}`,
    fix: 'simplify the file: one rule of plain maps, lists and scalars',
  });
  return result;
}

/** The parse result of a file that was not parsed at all (too large, not UTF-8). */
export function notParsed(): ParsedYaml {
  return { text: '', value: undefined, lineCounter: new LineCounter(), problems: [] };
}

/**
 * The first collection nested deeper than MAX_DEPTH (`deep`), or the first map
 * with more than MAX_MAP_ENTRIES entries, walking the CST with an explicit stack.
 */
function findTooBig(tokens: CST.Token[]): { offset: number; deep: boolean } | undefined {
  const stack: { token: CST.Token | undefined; depth: number }[] = tokens.map((token) => ({ token, depth: 0 }));
  while (stack.length > 0) {
    const { token, depth } = stack.pop()!;
    if (!token) continue;
    if (token.type === 'document') {
      stack.push({ token: token.value, depth });
      continue;
    }
    if (token.type === 'block-map' || token.type === 'block-seq' || token.type === 'flow-collection') {
      if (depth + 1 > MAX_DEPTH) return { offset: token.offset, deep: true };
      const map = token.type === 'block-map' || (token.type === 'flow-collection' && token.start.source === '{');
      // A flow map's trailing comma is an item of its own, with neither key nor value.
      if (map && token.items.filter((item) => item.key || item.value).length > MAX_MAP_ENTRIES) return { offset: token.offset, deep: false };
      for (const item of token.items as CST.CollectionItem[]) {
        if (item.key) stack.push({ token: item.key, depth: depth + 1 });
        if (item.value) stack.push({ token: item.value, depth: depth + 1 });
      }
    }
  }
  return undefined;
}

function firstLine(message: string): string {
  return message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
}

function yamlFix(code: string): string {
  switch (code) {
    case 'DUPLICATE_KEY':
      return 'remove or rename one of the two keys';
    case 'BAD_INDENT':
    case 'MISSING_CHAR':
    case 'UNEXPECTED_TOKEN':
      return 'check the indentation and quoting on this line; quote values that contain `: ` or start with a special character';
    case 'RESOURCE_EXHAUSTION':
      return 'simplify the document';
    default:
      return 'fix the YAML syntax at this place';
  }
}

/** The whole line of text holding `offset` (the problem's column points into it), shortened for messages. */
export function snippetAt(text: string, offset: number): string {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const lineEnd = text.indexOf('\n', offset);
  const s = text.slice(lineStart, lineEnd === -1 ? undefined : lineEnd).replace(/\r$/, '').trimEnd();
  return s.length > 200 ? s.slice(0, 199) + '…' : s;
}

/** Options for `locate`. */
export interface LocateOptions {
  /** Point at the key of the last path element rather than its value (unknown keys). */
  key?: boolean;
  /** Offset into a string value: a place inside an expression or a message. */
  offset?: number;
  /** Length of the offending text from `offset` (kept for callers; the column marks its start). */
  length?: number;
}

/**
 * Where a value lives in the file. Walks the path as far as it exists (so a
 * missing key points at its parent map); aliases are followed one step at a
 * time, so this stays bounded.
 */
export function locate(parsed: ParsedYaml, path: ValuePath, options: LocateOptions = {}): Place {
  const { doc, text, lineCounter } = parsed;
  const place = (offset: number): Place => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, col, snippet: snippetAt(text, offset) };
  };
  if (!doc?.contents) return place(0);
  let node: unknown = doc.contents;
  let keyNode: unknown = undefined;
  for (const segment of path) {
    if (isAlias(node)) node = node.resolve(doc);
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && keyOf(p.key) === String(segment));
      if (!pair) break;
      keyNode = pair.key;
      node = pair.value ?? pair.key;
    } else if (isSeq(node) && typeof segment === 'number' && segment < node.items.length) {
      keyNode = undefined;
      node = node.items[segment];
    } else {
      break;
    }
  }
  const target = (options.key && keyNode ? keyNode : node) as YamlNode | undefined;
  const range = target?.range;
  if (!range) return place(0);
  if (options.offset !== undefined && isScalar(target) && !options.key) {
    const inner = offsetInScalar(text, target, options.offset);
    if (inner !== undefined) return place(inner);
  }
  return place(range[0]);
}

function keyOf(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  return undefined;
}

/**
 * Map an offset into a scalar's value to an offset in the file. The source is
 * walked line by line (a block scalar's header line skipped, indentation and
 * a quote left out, each line break read as the one character it becomes in
 * the value); the place is returned only when the text so read matches the
 * value up to the offset, else undefined (escapes, blank lines in folded text).
 */
function offsetInScalar(text: string, node: Scalar, offset: number): number | undefined {
  const [start, end] = node.range!;
  const value = String(node.value);
  if (offset < 0 || offset > value.length) return undefined;
  const source = text.slice(start, end);
  const block = node.type === Scalar.BLOCK_LITERAL || node.type === Scalar.BLOCK_FOLDED;
  const quoted = node.type === Scalar.QUOTE_DOUBLE || node.type === Scalar.QUOTE_SINGLE;
  const lines: { at: number; text: string }[] = [];
  let at = 0;
  for (const line of source.split('\n')) {
    lines.push({ at, text: line.replace(/\r$/, '') });
    at += line.length + 1;
  }
  if (block) lines.shift(); // the `|` or `>` header
  const indent = block ? Math.min(...lines.filter((l) => l.text.trim() !== '').map((l) => l.text.length - l.text.trimStart().length)) : 0;
  const newline = node.type === Scalar.BLOCK_LITERAL ? '\n' : ' ';
  let read = '';
  const where: number[] = [];
  lines.forEach((l, i) => {
    // Continuation lines of plain and quoted scalars lose their leading spaces; block lines their indentation.
    const skip = block ? indent : i === 0 ? (quoted ? 1 : 0) : l.text.length - l.text.trimStart().length;
    for (let j = skip; j < l.text.length; j++) {
      read += l.text[j];
      where.push(start + l.at + j);
    }
    read += newline;
    where.push(start + l.at + l.text.length);
  });
  // Escapes make the source longer than the value: no place then.
  if ((node.type === Scalar.QUOTE_SINGLE && value.includes("'")) || (node.type === Scalar.QUOTE_DOUBLE && source.includes('\\'))) return undefined;
  return read.slice(0, offset + 1) === value.slice(0, offset + 1) || (offset === value.length && read.startsWith(value)) ? where[offset] : undefined;
}
