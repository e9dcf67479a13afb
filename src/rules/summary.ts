/**
 * What `rules list` shows of a rule: its metadata and the canonical tables
 * and columns it needs (from its compiled plan).
 */
import type { CompiledRule } from '../plan/compile.js';
import type { I18n } from './model.js';

export interface RuleSummary {
  id: string;
  category: string;
  risk: string;
  severity: string;
  title: I18n;
  /** Canonical tables the check reads. */
  tables: string[];
  /** Per table, the columns the check reads (and the finding shows). */
  columns: Record<string, string[]>;
  params: string[];
  tests: number;
  file: string;
}

export function summariseRule({ rule, file, tables, needs }: CompiledRule): RuleSummary {
  return {
    id: rule.id,
    category: rule.category,
    risk: rule.risk,
    severity: rule.severity,
    title: rule.title,
    tables,
    columns: needs,
    params: Object.keys(rule.params),
    tests: rule.tests.length,
    file,
  };
}
