/**
 * Runs rules over loaded tables. Each rule runs on its own: a rule whose
 * tables or columns are missing is skipped with the reason, and an error in
 * one rule becomes a skipped rule while the others run.
 */
import type { LoadedTable } from '../data/model.js';
import { tableDef, columnDef } from '../data/tables.js';
import type { LoadedRule, Pipeline, Rule } from '../rules/model.js';
import { analysePipeline } from '../plan/flow.js';
import { ruleReads } from '../rules/reads.js';
import { UsageError } from '../errors.js';
import type { Finding, RunResult, SkippedRule } from './finding.js';
import { compileCheck } from '../plan/check.js';
import { registerFunctions } from './functions/index.js';
import { runPipeline, type PipelineContext } from './pipeline.js';
import { displayParams, resolveParams, type ParamOverrides } from './params.js';
import { selectRules } from './select.js';
import { compileTemplate, TemplateError } from '../plan/template.js';
import { compareFindings, toFinding, type FindingContext } from './findings.js';
import { isProvenanceColumn } from './provenance.js';

export { selectRules } from './select.js';

export interface RunOptions {
  /** Param overrides per rule id (as the user wrote them: money in yuan). */
  params?: ParamOverrides;
  /** Rule ids, categories or risks to run (all when empty). */
  only?: string[];
  /** Rule ids, categories or risks not to run. */
  skip?: string[];
}

/** A rule whose check cannot run on the loaded data; becomes a SkippedRule. */
class Skip extends Error {
  constructor(
    message: string,
    readonly code: 'missing-table' | 'missing-column' | 'error',
    readonly missing?: string[],
  ) {
    super(message);
  }
}

/** The canonical tables the rules read, so that the CLI loads only those. Rules that do not compile contribute none. */
export function requiredTables(rules: LoadedRule[]): Set<string> {
  const out = new Set<string>();
  for (const r of rules) {
    try {
      for (const t of analysePipeline(compileCheck(r.rule.check)).tables) out.add(t);
    } catch {
      // The rule will be reported as skipped when it runs.
    }
  }
  return out;
}

/** Join suffixes a pipeline declares, so that `name_pay` is still known as a name. */
function joinSuffixes(p: Pipeline, out: string[] = []): string[] {
  for (const step of p.steps ?? []) {
    const s = step as Record<string, any>;
    const ref = s.join ?? s.semijoin ?? s.antijoin ?? s.lookup;
    if (Array.isArray(s.join?.suffix)) out.push(...s.join.suffix.map(String));
    if (ref && typeof ref.with === 'object') joinSuffixes(ref.with, out);
    if (Array.isArray(s.concat)) for (const c of s.concat) if (typeof c === 'object') joinSuffixes(c, out);
  }
  return out;
}

function label(table: string, column?: string): string {
  const l = column ? columnDef(table, column)?.label : tableDef(table)?.label;
  return l ? ` (${l})` : '';
}

/**
 * Checks the tables and columns the rule reads against what was loaded —
 * including columns only its finding shows (a `name` kept for the message),
 * so that their absence is a clean "missing column" skip, not a run error.
 */
function checkInputs(rule: Rule, tables: Map<string, LoadedTable>): ReturnType<typeof analysePipeline> {
  const a = ruleReads(rule);
  const missingTables = a.tables.filter((t) => !tables.has(t));
  if (missingTables.length) {
    throw new Skip(
      `needs table ${missingTables.map((t) => t + label(t)).join(', ')}, which no input file was recognised as`,
      'missing-table',
      missingTables,
    );
  }
  const missing: string[] = [];
  for (const t of a.tables) {
    const have = tables.get(t)!.columns;
    for (const c of a.inputColumns[t] ?? []) if (!Object.hasOwn(have, c)) missing.push(`${t}.${c}`);
  }
  if (missing.length) {
    const named = missing.map((m) => m + label(...(m.split('.') as [string, string])));
    throw new Skip(`needs column${missing.length > 1 ? 's' : ''} ${named.join(', ')}, which the loaded files lack`, 'missing-column', missing);
  }
  return a;
}

/** The finding's columns and message templates, checked against the check's output columns. */
function compileMessages(rule: Rule, output: string[]): FindingContext['message'] {
  const spec = rule.finding;
  const absent = [spec.entity.key, spec.entity.label, spec.amount, spec.period].filter((c): c is string => !!c && !output.includes(c));
  if (absent.length) {
    throw new Skip(`finding names column${absent.length > 1 ? 's' : ''} ${absent.join(', ')} that the check does not output (it outputs ${output.join(', ')})`, 'error');
  }
  const template = (lang: 'zh' | 'en') => {
    try {
      return compileTemplate(spec.message[lang], output);
    } catch (err) {
      throw new Skip(`finding.message.${lang}: ${(err as Error).message}${err instanceof TemplateError ? `; ${err.fix}` : ''}`, 'error');
    }
  };
  return { zh: template('zh'), en: template('en') };
}

function runOne(loaded: LoadedRule, tables: Map<string, LoadedTable>, params: ReturnType<typeof resolveParams>, cache: PipelineContext['cache']): Finding[] {
  const rule: Rule = loaded.rule;
  let p: Pipeline;
  try {
    p = compileCheck(rule.check);
  } catch (err) {
    throw new Skip(`check does not compile: ${(err as Error).message}`, 'error');
  }
  const analysis = checkInputs(rule, tables);
  // Messages are checked against the check's output before it runs. The static analysis
  // has the last word only when it agrees; otherwise the columns actually produced decide.
  let message: FindingContext['message'] | undefined;
  if (!analysis.problems.length) {
    try {
      message = compileMessages(rule, analysis.output);
    } catch {
      message = undefined;
    }
  }
  const result = runPipeline(p, { tables, params, cache });
  message ??= compileMessages(rule, result.columnNames().filter((c) => !isProvenanceColumn(c)));
  const ctx = { loaded, tables, message, suffixes: joinSuffixes(p) };
  return result.objects().map((row) => toFinding(row as Record<string, unknown>, ctx));
}

/**
 * Runs the selected rules (`only`/`skip`) over `tables`. Param problems are
 * usage errors (thrown before anything runs); problems of one rule on this
 * data make it a SkippedRule. Findings come sorted deterministically.
 */
export function runRules(rules: LoadedRule[], tables: Map<string, LoadedTable>, opts: RunOptions = {}): RunResult {
  registerFunctions();
  const selected = selectRules(rules, opts.only, opts.skip);
  for (const id of Object.keys(opts.params ?? {})) {
    if (!rules.some((r) => r.rule.id === id)) {
      throw new UsageError(`params given for unknown rule "${id}"`, `rules: ${rules.map((r) => r.rule.id).sort().join(', ')}`);
    }
  }
  // Resolve every rule's params first: a typo must stop the run, not skip one rule.
  const resolved = selected.map((r) => ({
    loaded: r,
    values: resolveParams(r.rule, opts.params?.[r.rule.id]),
    display: displayParams(r.rule, opts.params?.[r.rule.id]),
  }));

  const findings: Finding[] = [];
  const skipped: SkippedRule[] = [];
  const ran: Record<string, number> = {};
  const params: RunResult['params'] = {};
  const cache: PipelineContext['cache'] = new Map();
  for (const { loaded, values, display } of resolved) {
    const id = loaded.rule.id;
    params[id] = display;
    try {
      const found = runOne(loaded, tables, values, cache);
      for (const f of found) findings.push(f);
      ran[id] = found.length;
    } catch (err) {
      const code = err instanceof Skip ? err.code : 'error';
      const missing = err instanceof Skip ? err.missing : undefined;
      skipped.push({ ruleId: id, reason: err instanceof Error ? err.message : String(err), code, ...(missing ? { missing } : {}) });
    }
  }
  findings.sort(compareFindings);
  return { findings, skipped, ran, params };
}
