/**
 * Shared display helpers for the formatters: how a value, an evidence
 * reference and a period read. Pure string functions, no computing.
 */
import type { Value } from '../data/model.js';
import { columnDef } from '../data/tables.js';
import { formatYuan } from '../data/yuan.js';
import { formatPlace } from '../data/provenance.js';
import type { EvidenceRow } from '../engine/finding.js';
import { displayValue } from '../plan/template.js';

/** A value of a canonical column as people read it: money in yuan, null as blank. */
export function columnValue(table: string, column: string, value: Value): string {
  if (typeof value === 'number' && columnDef(table, column)?.type === 'money') return formatYuan(value);
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

/** An evidence row's non-blank values as `column=value; …`. */
export function evidenceValues(e: EvidenceRow): string {
  return Object.entries(e.values)
    .filter(([, v]) => v !== null && v !== '')
    .map(([k, v]) => `${k}=${columnValue(e.table, k, v)}`)
    .join('; ');
}

/** A period range for display, or the placeholder. */
export function displayRange(r: { from: string; to: string } | null, none: string): string {
  if (!r) return none;
  return r.from === r.to ? r.from : `${r.from} – ${r.to}`;
}
