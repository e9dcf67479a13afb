/**
 * What a rule reads from the data: the tables and columns of its compiled
 * check, plus the columns its finding shows that pass through the check
 * unchanged (a `name` kept only for the message). A rule is runnable on
 * loaded data, and an inline test meaningful, only when all of these exist.
 */
import { analysePipeline } from '../plan/flow.js';
import type { PipelineAnalysis } from '../plan/flow.js';
import type { FindingSpec, Rule } from './model.js';
import { compileCheck } from '../plan/check.js';

/** `{column}` and `{column:format}` in a message template, with their offsets. */
export function placeholders(template: string): { name: string; format?: string; index: number; text: string }[] {
  return [...template.matchAll(/\{([^{}:]*)(?::([^{}]*))?\}/g)].map((m) => ({ name: m[1], format: m[2], index: m.index!, text: m[0] }));
}

/** The output columns a finding spec names: entity key and label, amount, period, pii columns and message placeholders. */
export function findingColumns(spec: FindingSpec): string[] {
  const names = [spec.entity?.key, spec.entity?.label, spec.amount, spec.period, ...Object.keys(spec.pii ?? {})];
  for (const text of [spec.message?.zh, spec.message?.en]) {
    if (typeof text === 'string') names.push(...placeholders(text).map((p) => p.name.trim()));
  }
  return [...new Set(names.filter((n): n is string => typeof n === 'string' && n !== ''))];
}

/**
 * The analysis of a rule's compiled check, with `inputColumns` extended by
 * the canonical columns that the finding's columns pass through from.
 * Throws what compileCheck throws for a check that does not compile.
 */
export function ruleReads(rule: Pick<Rule, 'check' | 'finding'>): PipelineAnalysis {
  const a = analysePipeline(compileCheck(rule.check));
  const inputColumns: Record<string, string[]> = {};
  for (const t of a.tables) inputColumns[t] = [...(a.inputColumns[t] ?? [])];
  for (const column of rule.finding ? findingColumns(rule.finding) : []) {
    for (const origin of a.outputOrigins[column] ?? []) {
      const [t, c] = origin.split('.');
      if (inputColumns[t] && !inputColumns[t].includes(c)) inputColumns[t].push(c);
    }
  }
  return { ...a, inputColumns };
}
