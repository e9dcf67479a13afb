/**
 * Turns a rule's output rows into findings: entity, amount, period,
 * details, the personal-data kind of each value (from the compiled plan),
 * evidence rows asked of the dataset, and a stable fingerprint. Messages
 * stay templates: the report renders them once it has masked the values.
 */
import { createHash } from 'node:crypto';
import type { Value } from '../data/model.js';
import type { PiiKind } from '../data/tables.js';
import { benfordExpected, digitBins } from '../plan/benford.js';
import type { CompiledRule } from '../plan/compile.js';
import { canonicalKind } from '../plan/lineage.js';
import { dict } from '../names.js';
import { displayValue } from '../plan/template.js';
import type { EvidenceRef, ExecutionResult, RowPlace, RowSource } from './executor.js';
import { EVIDENCE_CAP, type DigitDistribution, type EvidenceRow, type Finding } from './finding.js';

/** The values of an evidence row carried by its place alone (shared: no row's values are ever written to). */
const NO_VALUES: Readonly<Record<string, Value>> = Object.freeze({});

/**
 * A cell as a finding's details hold it: booleans and lists as text, non-finite
 * numbers as null. A list reads as the message shows it.
 */
function toValue(v: unknown): Value {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (Array.isArray(v) || ArrayBuffer.isView(v)) return displayValue(v);
  return String(v);
}

function text(v: unknown): string | null {
  const value = toValue(v);
  return value === null ? null : String(value);
}

/** A source row an output row rests on. */
interface RowRef extends RowPlace {
  table: string;
  row: number;
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Evidence order: file, sheet (a workbook's), line, then table — a total order, whichever engine listed the rows. */
function byPlace(a: RowRef, b: RowRef): number {
  return cmp(a.file, b.file) || cmp(a.sheet ?? '', b.sheet ?? '') || a.line - b.line || cmp(a.table, b.table);
}

interface Referenced {
  /** Every distinct row referenced, in evidence order (file, sheet, line, table). */
  rows: RowRef[];
  /** Digest of every referenced row, for the fingerprint. */
  hashes: number[];
}

/**
 * The distinct source rows an output row rests on, in evidence order. A row
 * costs its place here; only the first `limit` are asked for their values.
 */
function referencedRows(refs: EvidenceRef[], source: RowSource): Referenced {
  const rows: RowRef[] = [];
  const hashes: number[] = [];
  // Per table: a self-join carries one table in two slots.
  const seenByTable = new Map<string, Set<number>>();
  for (const { table, rows: numbers } of refs) {
    let seen = seenByTable.get(table);
    if (!seen) seenByTable.set(table, (seen = new Set<number>()));
    for (const row of numbers) {
      if (seen.has(row)) continue;
      seen.add(row);
      hashes.push(source.digest(table, row));
      rows.push({ table, row, ...source.place(table, row) });
    }
  }
  rows.sort(byPlace);
  return { rows, hashes };
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

/** The digit distribution of a benford check's output row, from its hidden digit and count columns. */
function digitsOf(rule: CompiledRule, row: Record<string, unknown>): DigitDistribution | null {
  const d = rule.digits;
  if (!d) return null;
  const digits = row[d.digits];
  const counts = row[d.counts];
  if (!Array.isArray(digits) || !Array.isArray(counts)) return null;
  const perDigit = new Map<number, number>();
  digits.forEach((digit, i) => perDigit.set(Number(digit), Number(counts[i])));
  const n = [...perDigit.values()].reduce((a, b) => a + b, 0);
  if (n === 0) return null;
  return {
    test: d.test,
    n,
    bars: digitBins(d.test).map((digit) => {
      const count = perDigit.get(digit) ?? 0;
      return { digit, count, observed: count / n, expected: benfordExpected(d.test, digit) };
    }),
  };
}

/** How findings are built. */
export interface FindingOptions {
  /** Evidence rows shown with their values per finding (the others by place only); Infinity for all. */
  evidence?: number;
}

/**
 * The findings of one rule's output. The source is asked for every evidence
 * row's place and digest first, then for the values of the rows each finding
 * shows (the first `evidence`, by file and line). A finding carries every
 * evidence row: by its place, and with its values for the first `evidence`.
 */
export async function buildFindings(rule: CompiledRule, result: ExecutionResult, source: RowSource, opts: FindingOptions = {}): Promise<Finding[]> {
  const limit = opts.evidence ?? EVIDENCE_CAP;
  await source.prepare?.(result.evidence);
  const referenced = result.evidence.map((refs) => referencedRows(refs, source));
  await source.prepareValues?.(referenced.flatMap((r) => r.rows.slice(0, limit)));
  const visible = new Set((rule.output ?? []).map((c) => c.name));
  const columns = result.columns.filter((c) => visible.has(c));
  return result.rows.map((row, i) => toFinding(rule, columns, row, referenced[i], source, limit));
}

/** One output row → a finding. */
function toFinding(compiled: CompiledRule, columns: string[], row: Record<string, unknown>, referenced: Referenced, source: RowSource, limit: number): Finding {
  const { rule } = compiled;
  const spec = rule.finding;
  const finding = compiled.finding!;
  const details: Record<string, Value> = dict();
  for (const c of columns) details[c] = toValue(row[c]);
  const entity: Finding['entity'] = { kind: spec.entity.kind, key: text(row[spec.entity.key]) ?? '' };
  if (spec.entity.label) {
    const label = text(row[spec.entity.label]);
    if (label !== null) entity.label = label;
  }
  const rawAmount = spec.amount ? row[spec.amount] : null;
  const amount = typeof rawAmount === 'number' && Number.isFinite(rawAmount) ? Math.round(rawAmount) : null;
  const period = spec.period ? text(row[spec.period]) : null;

  // Every row by its place; the first `limit` with their values.
  const evidence = referenced.rows.map((r, k): EvidenceRow => {
    const values = k < limit ? source.values(r.table, r.row) : NO_VALUES;
    return r.sheet === undefined ? { table: r.table, file: r.file, line: r.line, values } : { table: r.table, file: r.file, sheet: r.sheet, line: r.line, values };
  });

  return {
    fingerprint: fingerprint(rule.id, entity, period, referenced.hashes),
    ruleId: rule.id,
    category: rule.category,
    risk: rule.risk,
    severity: rule.severity,
    title: rule.title,
    template: finding.templates,
    entity,
    period,
    amount,
    details,
    evidence,
    evidenceCount: referenced.rows.length,
    pii: piiMap(compiled, details, evidence),
    computed: computedOf(compiled, details),
    digits: digitsOf(compiled, row),
  };
}

/** The values of a finding whose personal data the rule computed (see CompiledFinding.computed). */
function computedOf(compiled: CompiledRule, details: Record<string, Value>): string[] {
  const computed = new Set(compiled.finding!.computed);
  const { entity } = compiled.rule.finding;
  const out = Object.keys(details).filter((c) => computed.has(c));
  if (computed.has(entity.key)) out.push('entity.key');
  if (entity.label !== undefined && computed.has(entity.label)) out.push('entity.label');
  return out;
}

/** The kind of every value of a finding that holds personal data: entity key and label, details columns, evidence columns. */
function piiMap(compiled: CompiledRule, details: Record<string, Value>, evidence: EvidenceRow[]): Record<string, PiiKind> {
  const { entity, kinds } = compiled.finding!;
  const pii: Record<string, PiiKind> = dict();
  if (entity.key) pii['entity.key'] = entity.key;
  if (entity.label) pii['entity.label'] = entity.label;
  for (const col of Object.keys(details)) if (Object.hasOwn(kinds, col)) pii[col] = kinds[col];
  for (const e of evidence) {
    for (const col of Object.keys(e.values)) {
      const k = canonicalKind(e.table, col);
      if (k && !Object.hasOwn(pii, col)) pii[col] = k;
    }
  }
  return pii;
}
