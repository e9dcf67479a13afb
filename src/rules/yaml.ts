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
  // One mistake often makes several errors (every later key then looks misplaced): the first is the one to
  // fix, said once. Duplicate keys are mistakes of their own, each reported.
  const syntax = doc.errors.filter((e) => e.code !== 'DUPLICATE_KEY');
  for (const err of [...syntax.slice(0, 1), ...doc.errors.filter((e) => e.code === 'DUPLICATE_KEY')].sort((a, b) => a.pos[0] - b.pos[0])) {
    const said = describeSyntaxError(text, err);
    const { line, col } = at(said.offset);
    problems.push({ file, line, col, code: 'yaml-syntax', message: said.message, snippet: snippetAt(text, said.offset), fix: said.fix });
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

/** A YAML syntax error said as what is wrong, where the mistake is, and the fix. */
interface SaidError {
  offset: number;
  message: string;
  fix: string;
}

/** The lines of a text with their offsets and indentation (spaces before the first other character). */
function linesOf(text: string): Array<{ start: number; text: string; indent: number; blank: boolean }> {
  const out: Array<{ start: number; text: string; indent: number; blank: boolean }> = [];
  let start = 0;
  for (const raw of text.split('\n')) {
    const t = raw.replace(/\r$/, '');
    const indent = t.length - t.replace(/^ +/, '').length;
    out.push({ start, text: t, indent, blank: t.trim() === '' || t.trim().startsWith('#') });
    start += raw.length + 1;
  }
  return out;
}

/** The file's usual indentation step: the most common increase from one line to the next (2 when none). */
function indentStep(lines: ReturnType<typeof linesOf>): number {
  const counts = new Map<number, number>();
  let last = -1;
  for (const l of lines) {
    if (l.blank) continue;
    if (last >= 0 && l.indent > last) counts.set(l.indent - last, (counts.get(l.indent - last) ?? 0) + 1);
    last = l.indent;
  }
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]?.[0] ?? 2;
}

const lineIndex = (lines: ReturnType<typeof linesOf>, offset: number) => {
  let i = 0;
  while (i + 1 < lines.length && lines[i + 1].start <= offset) i++;
  return i;
};

/** `text` shortened for a message. */
const quote = (t: string) => '`' + (t.trim().length > 40 ? t.trim().slice(0, 39) + '…' : t.trim()) + '`';

/** The offset of the `[` or `{` before `offset` that is never closed, or -1. */
function unclosedOpener(text: string, offset: number, open: string, close: string): number {
  let depth = 0;
  for (let i = Math.min(offset, text.length) - 1; i >= 0; i--) {
    if (text[i] === close) depth++;
    else if (text[i] === open) {
      if (depth === 0) return i;
      depth--;
    }
  }
  return -1;
}

/**
 * What a YAML syntax error means for a person writing a rule: an unclosed
 * bracket, brace or quote (pointed at where it opens), a tab, a line
 * indented out of step with its neighbours, a missing colon. Others keep the
 * parser's words.
 */
export function describeSyntaxError(text: string, err: { code: string; message: string; pos: [number, number] }): SaidError {
  const lines = linesOf(text);
  const at = err.pos[0];
  const first = firstLine(err.message);
  if (/end with a \]/.test(first) || /end with a \}/.test(first)) {
    const [open, close, what] = first.includes(']') ? ['[', ']', 'list'] : ['{', '}', 'map'];
    const opener = unclosedOpener(text, at, open, close);
    return {
      offset: opener >= 0 ? opener : at,
      message: `\`${open}\` opens a ${what} that is never closed: the lines after it are read as part of it`,
      fix: open === '[' ? 'end the list with ] on the same line — tags: [a, b] — or write one "- item" per line' : 'end the map with } on the same line — { a: 1, b: 2 } — or write one "key: value" per line',
    };
  }
  if (err.code === 'MISSING_CHAR' && /quote/.test(first)) {
    const q = first.includes("'") ? "'" : '"';
    const opener = text.lastIndexOf(q, Math.max(0, at - 1));
    return {
      offset: opener >= 0 ? opener : at,
      message: `the quote ${q} opened here is never closed`,
      fix: `close it with ${q} at the end of the value on the same line, or remove it (a value needs quotes only when it holds ": " or starts with a special character)`,
    };
  }
  if (err.code === 'TAB_AS_INDENT') {
    return { offset: at, message: 'a tab indents this line; YAML allows only spaces for indentation', fix: 'replace the tab with spaces, lined up with the keys around it' };
  }
  const li = lineIndex(lines, at);
  const prevKey = (from: number) => {
    for (let i = from - 1; i >= 0; i--) if (!lines[i].blank) return i;
    return -1;
  };
  if (err.code === 'BAD_INDENT' && /same column/.test(first)) {
    const p = prevKey(li);
    if (p >= 0) {
      const L = lines[li];
      const P = lines[p];
      // The one out of step is the one not indented one step (the file's usual step) under the key both belong to.
      const step = indentStep(lines);
      let parent = p - 1;
      while (parent >= 0 && (lines[parent].blank || lines[parent].indent >= Math.min(L.indent, P.indent))) parent--;
      const expected = (parent >= 0 ? lines[parent].indent : 0) + (parent >= 0 ? step : 0);
      const [bad, good] = L.indent === expected && P.indent !== expected ? [p, li] : [li, p];
      const B = lines[bad];
      return {
        offset: B.start + B.indent,
        message: `${quote(B.text)} on line ${bad + 1} is indented ${B.indent} space${B.indent === 1 ? '' : 's'}, but ${quote(lines[good].text)} on line ${good + 1}, a key of the same map, is indented ${lines[good].indent}: keys of one map must start at the same column`,
        fix: `indent line ${bad + 1} by ${lines[good].indent} spaces, like line ${good + 1}`,
      };
    }
  }
  if (err.code === 'BLOCK_AS_IMPLICIT_KEY' || err.code === 'MULTILINE_IMPLICIT_KEY') {
    const L = lines[li];
    const colon = /^\s*(- )?[^\s:#][^:#]*:( |$)/.test(L.text);
    if (!colon && !L.text.trim().startsWith('-')) {
      const word = L.text.trim().split(/\s+/);
      return {
        offset: L.start + L.indent,
        message: `${quote(L.text)} on line ${li + 1} is not "key: value": the colon after the key is missing`,
        fix: word.length > 1 ? `write ${word[0]}: ${word.slice(1).join(' ')}` : `write ${word[0]}: and its value`,
      };
    }
    // A key line whose value is given, then a line indented deeper: YAML reads that line as more of the value.
    let n = li + 1;
    while (n < lines.length && lines[n].blank) n++;
    if (colon && n < lines.length && lines[n].indent > L.indent) {
      const N = lines[n];
      return {
        offset: N.start + N.indent,
        message: `${quote(N.text)} on line ${n + 1} is indented more than ${quote(L.text)} on line ${li + 1}, whose value is already given, so it is read as part of that value`,
        fix: `start line ${n + 1} at column ${L.indent + 1}, like line ${li + 1} (or, if it belongs under it, move the value to its own lines)`,
      };
    }
  }
  return { offset: at, message: first, fix: yamlFix(err.code) };
}

function yamlFix(code: string): string {
  switch (code) {
    case 'DUPLICATE_KEY':
      return 'remove or rename one of the two keys';
    case 'BAD_INDENT':
    case 'MISSING_CHAR':
    case 'UNEXPECTED_TOKEN':
      return 'check the indentation and quoting on this line; quote values that contain `: ` or start with a special character';
    case 'BAD_DQ_ESCAPE':
      return 'in double quotes a backslash starts an escape: write \\\\ for a backslash, or use single quotes';
    case 'RESOURCE_EXHAUSTION':
      return 'simplify the document';
    default:
      return 'check the line for a missing colon, an unclosed quote or bracket, or indentation out of step with the lines around it';
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
