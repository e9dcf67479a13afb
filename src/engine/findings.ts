/**
 * Turns a check's output rows into findings: entity, amount, period,
 * rendered messages, details, evidence rows from the provenance columns,
 * a stable fingerprint and the personal-data map.
 */
import { createHash } from 'node:crypto';
import type { LoadedTable, Value } from '../data/model.js';
import { piiKindOfColumn, type PiiKind } from '../data/tables.js';
import type { LoadedRule, Severity } from '../rules/model.js';
import { EVIDENCE_CAP, type EvidenceRow, type Finding } from './finding.js';
import { isProvenanceColumn, provenanceIndexes, provenanceTable } from './provenance.js';
import { displayValue, renderTemplate, type TemplatePart } from '../plan/template.js';
import { rowHash } from './row-hash.js';

export interface FindingContext {
  loaded: LoadedRule;
  tables: Map<string, LoadedTable>;
  message: { zh: TemplatePart[]; en: TemplatePart[] };
  /** Join suffixes used by the pipeline (besides _1/_2), stripped to find a column's canonical name. */
  suffixes: string[];
}

/**
 * A cell as a finding's details hold it: booleans and lists as text, non-finite
 * numbers as null. A list reads as the message shows it, so that masking,
 * which replaces a detail's raw text inside the message, finds it there.
 */
function toValue(v: unknown): Value {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (Array.isArray(v) || ArrayBuffer.isView(v)) return displayValue(v);
  return String(v);
}

const piiCache = new Map<string, PiiKind | null>();

/** Personal-data kind of a canonical column name, memoised: it is asked for every column of every finding. */
function canonicalPii(column: string): PiiKind | undefined {
  let k = piiCache.get(column);
  if (k === undefined) piiCache.set(column, (k = piiKindOfColumn(column) ?? null));
  return k ?? undefined;
}

/** The canonical column behind an output name (`name_1` → `name`), for its personal-data kind. */
function piiKind(column: string, suffixes: string[]): PiiKind | undefined {
  const direct = canonicalPii(column);
  if (direct) return direct;
  for (const s of ['_1', '_2', ...suffixes]) {
    if (s && column.endsWith(s)) {
      const k = canonicalPii(column.slice(0, -s.length));
      if (k) return k;
    }
  }
  return undefined;
}

/** A source row referenced by an output row. */
interface RowRef {
  table: string;
  loaded: LoadedTable;
  index: number;
  file: string;
  line: number;
}

/** Evidence order: file, then line, then table. */
function byPlace(a: RowRef, b: RowRef): number {
  return a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || (a.table < b.table ? -1 : a.table > b.table ? 1 : 0);
}

interface Referenced {
  /** The first EVIDENCE_CAP rows in evidence order. */
  first: RowRef[];
  /** Number of distinct rows referenced. */
  count: number;
  /** Digest of every referenced row (see row-hash.ts), for the fingerprint. */
  hashes: number[];
}

/**
 * The distinct source rows an output row references. Only the first
 * EVIDENCE_CAP (by file and line) are materialised: an aggregate finding may
 * reference a whole table, and its evidence must not cost a sort of it.
 */
function referencedRows(row: Record<string, unknown>, tables: Map<string, LoadedTable>): Referenced {
  const first: RowRef[] = [];
  const hashes: number[] = [];
  // Per table, not per column: a self-join carries one table in two columns (`__payouts_1`, `__payouts_2`).
  const seenByTable = new Map<string, Set<number>>();
  for (const [col, cell] of Object.entries(row)) {
    const name = provenanceTable(col, tables.keys());
    if (!name) continue;
    const t = tables.get(name)!;
    let seen = seenByTable.get(name);
    if (!seen) seenByTable.set(name, (seen = new Set<number>()));
    for (const i of provenanceIndexes(cell)) {
      if (i >= t.rows || seen.has(i)) continue;
      seen.add(i);
      hashes.push(rowHash(t, i));
      const ref: RowRef = { table: name, loaded: t, index: i, file: t.files[t.fileIndex[i]], line: t.lines[i] };
      if (first.length === EVIDENCE_CAP && byPlace(ref, first[EVIDENCE_CAP - 1]) >= 0) continue;
      // Insert in order, dropping the last once full.
      let lo = 0;
      let hi = first.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (byPlace(first[mid], ref) <= 0) lo = mid + 1;
        else hi = mid;
      }
      first.splice(lo, 0, ref);
      if (first.length > EVIDENCE_CAP) first.pop();
    }
  }
  return { first, count: hashes.length, hashes };
}

function evidenceRow(r: RowRef): EvidenceRow {
  const values: Record<string, Value> = {};
  for (const [c, arr] of Object.entries(r.loaded.columns)) values[c] = arr[r.index] ?? null;
  return { table: r.table, file: r.file, line: r.line, values };
}

/**
 * Hash (sha256, 16 hex) of rule id, entity, period and the sorted digests of
 * every referenced row's canonical values — never file paths or line numbers,
 * so that renaming or reordering input files keeps it.
 */
export function fingerprint(ruleId: string, entity: { kind: string; key: string }, period: string | null, rowHashes: number[]): string {
  const h = createHash('sha256');
  h.update(JSON.stringify([ruleId, entity.kind, entity.key, period]));
  const sorted = Float64Array.from(rowHashes).sort();
  h.update(new Uint8Array(sorted.buffer));
  return h.digest('hex').slice(0, 16);
}

function text(v: unknown): string | null {
  const value = toValue(v);
  return value === null ? null : String(value);
}

/** One output row of a rule's check → a finding. */
export function toFinding(row: Record<string, unknown>, ctx: FindingContext): Finding {
  const { rule } = ctx.loaded;
  const spec = rule.finding;
  const details: Record<string, Value> = {};
  const visible: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) {
    if (isProvenanceColumn(k)) continue;
    details[k] = toValue(v);
    visible[k] = v;
  }
  const entity: Finding['entity'] = { kind: spec.entity.kind, key: text(row[spec.entity.key]) ?? '' };
  if (spec.entity.label) {
    const label = text(row[spec.entity.label]);
    if (label !== null) entity.label = label;
  }
  const rawAmount = spec.amount ? row[spec.amount] : null;
  const amount = typeof rawAmount === 'number' && Number.isFinite(rawAmount) ? Math.round(rawAmount) : null;
  const period = spec.period ? text(row[spec.period]) : null;

  const refs = referencedRows(row, ctx.tables);
  const evidence = refs.first.map(evidenceRow);

  const pii: Record<string, PiiKind> = {};
  const declared = spec.pii ?? {};
  const kindOf = (col: string) => declared[col] ?? piiKind(col, ctx.suffixes);
  const keyKind = kindOf(spec.entity.key);
  if (keyKind) pii['entity.key'] = keyKind;
  if (spec.entity.label) {
    const labelKind = kindOf(spec.entity.label);
    if (labelKind) pii['entity.label'] = labelKind;
  }
  for (const col of Object.keys(details)) {
    const k = kindOf(col);
    if (k) pii[col] = k;
  }
  for (const e of evidence) {
    for (const col of Object.keys(e.values)) {
      const k = canonicalPii(col);
      if (k && !pii[col]) pii[col] = k;
    }
  }

  return {
    fingerprint: fingerprint(rule.id, entity, period, refs.hashes),
    ruleId: rule.id,
    category: rule.category,
    risk: rule.risk,
    severity: rule.severity,
    title: rule.title,
    message: { zh: renderTemplate(ctx.message.zh, visible), en: renderTemplate(ctx.message.en, visible) },
    entity,
    period,
    amount,
    details,
    evidence,
    evidenceCount: refs.count,
    pii,
  };
}

const SEVERITY_RANK: Record<Severity, number> = { info: 0, low: 1, medium: 2, high: 3, critical: 4 };

const cmp = (a: string | null, b: string | null): number => (a === b ? 0 : a === null ? -1 : b === null ? 1 : a < b ? -1 : 1);

/** Deterministic order: severity (worst first), rule id, entity key, period, fingerprint. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] ||
    cmp(a.ruleId, b.ruleId) ||
    cmp(a.entity.key, b.entity.key) ||
    cmp(a.period, b.period) ||
    cmp(a.fingerprint, b.fingerprint)
  );
}
