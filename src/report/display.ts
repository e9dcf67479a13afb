/**
 * Shared display helpers for the formatters: how a value, an evidence
 * reference, a period and a finding's entity read. Pure string functions, no
 * computing. Amounts read one way everywhere: 1,234,567.89.
 */
import type { Value } from '../data/model.js';
import { columnDef } from '../data/tables.js';
import { formatYuanGrouped } from '../data/yuan.js';
import { formatPlace } from '../data/provenance.js';
import type { EvidenceRow } from '../engine/finding.js';
import { displayValue } from '../plan/template.js';
import { columnLabel, type Labels } from './i18n.js';
import type { Lang, ReportFinding, Suppression, SuppressionsReport } from './model.js';

const HAN = /\p{Script=Han}/u;

/**
 * A value of a canonical column as people read it: money in yuan (grouped),
 * null as blank; a code as the Chinese report says it (`in` → 收, `110` →
 * `110 企业职工基本养老保险`), its canonical value in English.
 */
export function columnValue(table: string, column: string, value: Value, lang: Lang = 'en'): string {
  const def = columnDef(table, column);
  if (typeof value === 'number' && def?.type === 'money') return formatYuanGrouped(value);
  if (lang === 'zh' && typeof value === 'string' && def?.codes && !HAN.test(value)) {
    const code = def.codes.find((c) => c.value === value);
    const han = code?.aliases.find((a) => HAN.test(a));
    if (han) return /^[0-9]+$/.test(value) ? `${value} ${han}` : han;
  }
  return displayValue(value, '');
}

/** `file:line` (or `book.xlsx!Sheet:line`) of an evidence row. */
export function evidenceRef(e: EvidenceRow): string {
  return formatPlace(e);
}

/** How many files a table was read from, naming them when there are several. */
export function tableFiles(t: { files: number; sources?: string[] }): string {
  return t.files > 1 && t.sources ? `${t.files}: ${t.sources.join(', ')}` : String(t.files);
}

/** An evidence row's non-blank values: `column`, its value shown as people read it. Empty for a row carried by its place only. */
export function evidencePairs(e: EvidenceRow, lang: Lang): Array<[string, string]> {
  if (!e.values) return [];
  return Object.entries(e.values)
    .filter(([, v]) => v !== null && v !== '')
    .map(([k, v]) => [columnLabel(e.table, k, lang), columnValue(e.table, k, v, lang)]);
}

/** An evidence row's non-blank values as `column=value; …` (`；` between them in Chinese). */
export function evidenceValues(e: EvidenceRow, lang: Lang): string {
  return evidencePairs(e, lang)
    .map(([k, v]) => `${k}=${v}`)
    .join(lang === 'en' ? '; ' : '；');
}

/** A period range for display, or the placeholder. */
export function displayRange(r: { from: string; to: string } | null, none: string): string {
  if (!r) return none;
  return r.from === r.to ? r.from : `${r.from} – ${r.to}`;
}

/** A finding's entity as a line reads it: `人员 510521********4976 张*`. */
export function entityText(f: Pick<ReportFinding, 'entity'>, l: Labels): string {
  return `${l.entityKinds[f.entity.kind]} ${f.entity.key}${f.entity.label ? ' ' + f.entity.label : ''}`;
}

/** Money in yuan as every format shows it, or '' for none. */
export function money(fen: number | null | undefined): string {
  return fen === null || fen === undefined ? '' : formatYuanGrouped(fen);
}

/** Findings by rule, in the order of the (sorted) findings. */
export function byRule<T extends { ruleId: string }>(findings: readonly T[]): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const f of findings) {
    const g = groups.get(f.ruleId);
    if (g) g.push(f);
    else groups.set(f.ruleId, [f]);
  }
  return groups;
}

/** The suppressions that did not suppress — expired, then unmatched — each list with its heading, empty ones left out. */
export function suppressionLists(s: SuppressionsReport, l: Labels): Array<[string, Suppression[]]> {
  return (
    [
      [l.expiredSuppressions, s.expired],
      [l.unmatchedSuppressions, s.unmatched],
    ] as Array<[string, Suppression[]]>
  ).filter(([, list]) => list.length > 0);
}
