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
import { displayValue } from '../plan/template.js';
import type { EvidenceRef, ExecutionResult, RowPlace, RowSource } from './executor.js';
import { EVIDENCE_CAP, type DigitDistribution, type EvidencePlace, type EvidenceRow, type Finding } from './finding.js';

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

/** Evidence order: file, then line, then table. */
function byPlace(a: RowRef, b: RowRef): number {
  return a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || (a.table < b.table ? -1 : a.table > b.table ? 1 : 0);
}

interface Referenced {
  /** The first `limit` rows in evidence order (the ones whose values a finding shows). */
  first: RowRef[];
  /** Number of distinct rows referenced. */
  count: number;
  /** Digest of every referenced row, for the fingerprint. */
  hashes: number[];
  /** The place of every referenced row. */
  places: EvidencePlace[];
}

/**
 * The distinct source rows an output row rests on. Only the first `limit`
 * (by file and line) are kept whole: an aggregate finding may rest on a whole
 * table, and its evidence must not cost a sort of it; every row's place is
 * kept, grouped by file.
 */
function referencedRows(refs: EvidenceRef[], source: RowSource, limit: number): Referenced {
  const first: RowRef[] = [];
  const hashes: number[] = [];
  const places = new PlaceCollector();
  // Per table: a self-join carries one table in two slots.
  const seenByTable = new Map<string, Set<number>>();
  for (const { table, rows } of refs) {
    let seen = seenByTable.get(table);
    if (!seen) seenByTable.set(table, (seen = new Set<number>()));
    for (const row of rows) {
      if (seen.has(row)) continue;
      seen.add(row);
      hashes.push(source.digest(table, row));
      const ref: RowRef = { table, row, ...source.place(table, row) };
      places.add(ref);
      if (first.length >= limit && (limit === 0 || byPlace(ref, first[limit - 1]) >= 0)) continue;
      // Insert in order, dropping the last once full.
      let lo = 0;
      let hi = first.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (byPlace(first[mid], ref) <= 0) lo = mid + 1;
        else hi = mid;
      }
      first.splice(lo, 0, ref);
      if (first.length > limit) first.pop();
    }
  }
  return { first, count: hashes.length, hashes, places: places.done() };
}

/** Places grouped by table, file and sheet, each group's lines ascending; groups in file order. */
class PlaceCollector {
  private readonly groups = new Map<string, EvidencePlace>();

  add(ref: RowRef): void {
    const key = JSON.stringify([ref.file, ref.sheet ?? null, ref.table]);
    let g = this.groups.get(key);
    if (!g) this.groups.set(key, (g = ref.sheet === undefined ? { table: ref.table, file: ref.file, lines: [] } : { table: ref.table, file: ref.file, sheet: ref.sheet, lines: [] }));
    g.lines.push(ref.line);
  }

  done(): EvidencePlace[] {
    const out = [...this.groups.values()];
    for (const g of out) g.lines.sort((a, b) => a - b);
    return out.sort((a, b) => cmp(a.file, b.file) || cmp(a.sheet ?? '', b.sheet ?? '') || cmp(a.table, b.table));
  }
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

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
 * shows (the first `evidence`, by file and line).
 */
export async function buildFindings(rule: CompiledRule, result: ExecutionResult, source: RowSource, opts: FindingOptions = {}): Promise<Finding[]> {
  const limit = opts.evidence ?? EVIDENCE_CAP;
  await source.prepare?.(result.evidence);
  const referenced = result.evidence.map((refs) => referencedRows(refs, source, limit));
  await source.prepareValues?.(referenced.flatMap((r) => r.first));
  const visible = new Set((rule.output ?? []).map((c) => c.name));
  const columns = result.columns.filter((c) => visible.has(c));
  return result.rows.map((row, i) => toFinding(rule, columns, row, referenced[i], source));
}

/** One output row → a finding. */
function toFinding(compiled: CompiledRule, columns: string[], row: Record<string, unknown>, referenced: Referenced, source: RowSource): Finding {
  const { rule } = compiled;
  const spec = rule.finding;
  const finding = compiled.finding!;
  const details: Record<string, Value> = {};
  for (const c of columns) details[c] = toValue(row[c]);
  const entity: Finding['entity'] = { kind: spec.entity.kind, key: text(row[spec.entity.key]) ?? '' };
  if (spec.entity.label) {
    const label = text(row[spec.entity.label]);
    if (label !== null) entity.label = label;
  }
  const rawAmount = spec.amount ? row[spec.amount] : null;
  const amount = typeof rawAmount === 'number' && Number.isFinite(rawAmount) ? Math.round(rawAmount) : null;
  const period = spec.period ? text(row[spec.period]) : null;

  const evidence = referenced.first.map(
    (r): EvidenceRow =>
      r.sheet === undefined
        ? { table: r.table, file: r.file, line: r.line, values: source.values(r.table, r.row) }
        : { table: r.table, file: r.file, sheet: r.sheet, line: r.line, values: source.values(r.table, r.row) },
  );

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
    evidenceCount: referenced.count,
    evidencePlaces: referenced.places,
    pii: piiMap(compiled, details, evidence),
    digits: digitsOf(compiled, row),
  };
}

/** The kind of every value of a finding that holds personal data: entity key and label, details columns, evidence columns. */
function piiMap(compiled: CompiledRule, details: Record<string, Value>, evidence: EvidenceRow[]): Record<string, PiiKind> {
  const { entity, kinds } = compiled.finding!;
  const pii: Record<string, PiiKind> = {};
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
