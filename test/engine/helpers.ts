/** Test helpers: tables from CSV text through the real loader, rules as plain objects, and runs of them. */
import type { LoadedTable } from '../../src/data/model.js';
import { loadText } from '../../src/data/load.js';
import type { Check, FindingSpec, LoadedRule, ParamDef, Rule } from '../../src/rules/model.js';
import { compileLoaded, pathText, type CompiledRule } from '../../src/plan/compile.js';
import { renderTemplate } from '../../src/plan/template.js';
import type { ParamOverrides, ParamValues } from '../../src/rules/params.js';
import { ArqueroExecutor } from '../../src/engine/arquero/executor.js';
import { MemoryDataset } from '../../src/engine/dataset.js';
import { runRules } from '../../src/engine/run.js';
import type { Finding, RunResult } from '../../src/engine/finding.js';

/** Loads `{ table: csv }` with loadText (source `test/<table>.csv`); fails on any error-level data issue. */
export function tables(spec: Record<string, string>): Map<string, LoadedTable> {
  const out = new Map<string, LoadedTable>();
  for (const [name, csv] of Object.entries(spec)) {
    const { table, report } = loadText(name, csv.replace(/^\s+/gm, ''), `test/${name}.csv`);
    const errors = report.issues.filter((i) => i.level === 'error');
    if (errors.length) throw new Error(`test data ${name}: ${errors.map((e) => `${e.line}: ${e.reason}`).join('; ')}`);
    out.set(name, table);
  }
  return out;
}

/** A rule with sensible metadata around a check and finding. */
export function rule(id: string, check: Check, finding: Partial<FindingSpec> = {}, extra: Partial<Rule> = {}): LoadedRule {
  return {
    file: `rules/test/${id}.yaml`,
    sha256: '0'.repeat(64),
    rule: {
      id,
      title: { zh: id, en: id },
      description: { zh: id, en: id },
      category: 'people',
      risk: 'fraud',
      severity: 'high',
      basis: [],
      tags: [],
      params: {} as Record<string, ParamDef>,
      check,
      finding: {
        entity: { kind: 'person', key: 'id_number' },
        message: { zh: '发现', en: 'found' },
        ...finding,
      },
      tests: [],
      ...extra,
    },
  };
}

/** A rule compiled, as loading would (in-memory rules may carry problems: the engine skips them). */
export function compiled(r: LoadedRule): CompiledRule {
  return compileLoaded(r);
}

/** Runs rules over tables with the reference executor. */
export async function run(rules: LoadedRule[], data: Map<string, LoadedTable>, opts: { params?: ParamOverrides } = {}): Promise<RunResult> {
  return runRules(rules.map((r) => compileLoaded(r)), new MemoryDataset(data), opts);
}

/** A message of a finding as the report renders it, unmasked. */
export function message(f: Finding, lang: 'zh' | 'en' = 'en'): string {
  return renderTemplate(f.template[lang], f.details);
}

/**
 * A check's output rows through the Arquero executor, each with the rows it
 * rests on as `__<table>: [row indexes]`. Throws the check's problems, as the
 * engine would skip the rule for them.
 */
export async function runCheck(check: Check, data: Map<string, LoadedTable>, params: Record<string, unknown> = {}): Promise<Record<string, any>[]> {
  const r = compileLoaded(rule('CHECK', check));
  const problems = r.problems.filter((p) => p.stage === 'expression' || p.stage === 'columns');
  if (problems.length) throw new Error(problems.map((p) => `${pathText(p.path)}: ${p.message}`).join('; '));
  const res = await new ArqueroExecutor().run(r, params as ParamValues, new MemoryDataset(data));
  return res.rows.map((row, i) => ({ ...row, ...Object.fromEntries(res.evidence[i].filter((e) => e.rows.length).map((e) => [`__${e.table}`, e.rows])) }));
}
