/**
 * Load rule files: find them, read them within a size bound, parse them
 * safely with positions, and validate them all. Loading never executes
 * anything from a rule file (see yaml.ts and expression.ts).
 */
import { createHash } from 'node:crypto';
import { readdir, stat } from 'node:fs/promises';
import { InputFileError, readInputFile } from '../data/files.js';
import { basename, extname, isAbsolute, join, relative, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import type { CompiledRule } from '../plan/compile.js';
import type { Rule, RuleProblem } from './model.js';
import { DEFAULT_RULES_DIR } from './paths.js';
import { validateRuleFiles } from './validate.js';
import type { RuleFile } from './validators/context.js';
import { compilationOf, isObject } from './validators/context.js';
import { locate, MAX_FILE_BYTES, notParsed, parseRuleYaml } from './yaml.js';

export interface LoadResult {
  /** The rules that have no problems, in file order, each compiled once. */
  rules: CompiledRule[];
  /** Every problem in every file, by file then position. */
  problems: RuleProblem[];
  /** Every rule file found, as shown in problems. */
  files: string[];
}

const RULE_EXTENSIONS = new Set(['.yaml', '.yml']);

/**
 * Load, validate and compile rule files. `paths` are files or folders (searched
 * recursively for *.yaml / *.yml); default: the shipped rule pack. Never
 * throws for bad rule content — that becomes problems — but throws
 * UsageError for a path that does not exist.
 */
export async function loadRuleFiles(paths: string[] = [DEFAULT_RULES_DIR]): Promise<LoadResult> {
  const found: string[] = [];
  for (const p of paths) {
    const abs = resolve(p);
    const info = await stat(abs).catch(() => undefined);
    if (!info) throw new UsageError(`rule path not found: ${p}`, 'give a rule file or a folder of rule files (default: the shipped rules/)');
    if (info.isDirectory()) found.push(...(await ruleFilesIn(abs)));
    else if (RULE_EXTENSIONS.has(extname(abs).toLowerCase())) found.push(abs);
    // The schema sits beside the rules, so a shell glob such as rules/* brings it along.
    else if (basename(abs) !== 'schema.json') throw new UsageError(`not a rule file: ${p}`, 'rule files end in .yaml or .yml');
  }
  const unique = [...new Set(found)];

  const files: RuleFile[] = [];
  const hashes = new Map<RuleFile, string>();
  for (const abs of unique) {
    const file = display(abs);
    const f: RuleFile = { file, absolute: abs, parsed: notParsed(), problems: [] };
    let bytes: Buffer;
    try {
      // A regular file within the size bound: a named pipe or a link to /dev/zero is refused, never read.
      bytes = readInputFile(abs, 'rule file', MAX_FILE_BYTES);
    } catch (err) {
      if (!(err instanceof InputFileError)) throw err;
      const fix =
        err.code === 'file-too-large'
          ? 'a rule file holds one rule and small inline test tables; move large test data out or split the rule'
          : err.fix;
      f.problems.push({ file, line: 1, col: 1, code: err.code, message: `rule file cannot be read: ${err.reason}`, fix });
      files.push(f);
      continue;
    }
    hashes.set(f, createHash('sha256').update(bytes).digest('hex'));
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
    } catch {
      f.problems.push({ file, line: 1, col: 1, code: 'encoding', message: 'the rule file is not valid UTF-8', fix: 'save the file as UTF-8' });
      files.push(f);
      continue;
    }
    f.parsed = parseRuleYaml(text, file);
    f.problems.push(...f.parsed.problems);
    files.push(f);
  }

  validateRuleFiles(files);

  const rules: CompiledRule[] = [];
  for (const f of files) {
    if (f.problems.length > 0 || !isObject(f.parsed.value)) continue;
    const raw = f.parsed.value;
    // Optional sections default to empty, so that the engine can rely on them.
    const rule = { params: {}, tags: [], tests: [], ...raw } as unknown as Rule;
    const testLines = rule.tests.map((_, i) => locate(f.parsed, ['tests', i, 'name']).line);
    rules.push({ rule, file: f.file, sha256: hashes.get(f)!, ...compilationOf(f), testLines });
  }
  return { rules, problems: files.flatMap((f) => f.problems), files: files.map((f) => f.file) };
}

/** Rule files under a folder, recursively, sorted; hidden folders, node_modules and linked folders are skipped. */
async function ruleFilesIn(dir: string): Promise<string[]> {
  const out: string[] = [];
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    if (e.name.startsWith('.') || e.name === 'node_modules') continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await ruleFilesIn(p)));
    else if (!RULE_EXTENSIONS.has(extname(e.name).toLowerCase())) continue;
    // A linked rule file is followed; linked folders are not, so that a link loop cannot trap the search. A pipe,
    // socket or device named like a rule file is listed, to be reported as such when it is read.
    else if (!e.isSymbolicLink() || !(await stat(p).catch(() => undefined))?.isDirectory()) out.push(p);
  }
  return out;
}

/** A path as shown in problems: relative to the working directory when inside it, else absolute. */
function display(abs: string): string {
  const rel = relative(process.cwd(), abs);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : abs;
}
