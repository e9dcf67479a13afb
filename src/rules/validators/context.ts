/**
 * What every validator works on: one rule file, parsed with positions, and
 * the list its problems go to. Validators never throw on bad content and
 * never stop at the first problem; each reads the parsed value defensively,
 * because the schema check reports shape errors separately and every other
 * check still runs on what is there.
 */
import { compileRule, type Compilation } from '../../plan/compile.js';
import type { PlanProblem } from '../../plan/model.js';
import type { RuleProblem } from '../model.js';
import type { LocateOptions, ParsedYaml, ValuePath } from '../yaml.js';
import { locate } from '../yaml.js';

export interface RuleFile {
  /** The file's path as shown in problems. */
  file: string;
  /** Absolute path, for checks of the file name and folder. */
  absolute: string;
  parsed: ParsedYaml;
  problems: RuleProblem[];
  /** The rule compiled, once, by the first check that needs it. */
  compilation?: Compilation;
}

/** The file's rule, compiled (once per file). */
export function compilationOf(f: RuleFile): Compilation {
  return (f.compilation ??= compileRule(f.parsed.value));
}

/** Report the compile's problems of one stage, each at its place. */
export function reportStage(f: RuleFile, stage: PlanProblem['stage'], keep: (p: PlanProblem) => boolean = () => true): void {
  for (const p of compilationOf(f).problems) {
    if (p.stage === stage && keep(p)) report(f, p.path, p.code, p.message, p.fix, { offset: p.offset, length: p.length, key: p.key });
  }
}

/** Record a problem at the YAML node at `path` (or a place inside it: see LocateOptions). */
export function report(f: RuleFile, path: ValuePath, code: string, message: string, fix?: string, options?: LocateOptions): void {
  const { line, col, snippet } = locate(f.parsed, path, options);
  f.problems.push({ file: f.file, line, col, code, message, snippet, ...(fix ? { fix } : {}) });
}

/** The parsed value at `path`, or undefined. */
export function valueAt(root: unknown, path: ValuePath): unknown {
  let v = root;
  for (const seg of path) {
    if (Array.isArray(v) && typeof seg === 'number') v = v[seg];
    else if (isObject(v)) v = v[String(seg)];
    else return undefined;
  }
  return v;
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
