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
import { EVIDENCE_CAP, type DigitDistribution, type EvidencePlaces, type EvidenceRow, type Finding } from './finding.js';

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

interface Referenced {
  /** The first rows in evidence order (file, sheet, line, table), as many as are shown with their values. */
  shown: RowRef[];
  /** The rows after those, by their place alone: runs of one table, file and sheet, in evidence order. */
  places: EvidencePlaces[];
  /** How many distinct rows are referenced. */
  count: number;
  /** Digest of every referenced row, for the fingerprint. */
  hashes: number[];
}

/** Rows of one table from one file (and sheet): what a run of places shares. */
interface Group {
  table: string;
  file: string;
  sheet: string | undefined;
  /** Rank of (file, sheet), then of the table, in evidence order. */
  source: number;
  tableRank: number;
}

/**
 * The distinct source rows an output row rests on, in evidence order: the first `limit` with their places (their
 * values are asked of the source later), the rest as lists of lines per table and file. A row costs a few numbers
 * here, not an object: a finding may rest on hundreds of thousands.
 */
function referencedRows(refs: EvidenceRef[], source: RowSource, limit: number): Referenced {
  const hashes: number[] = [];
  const rowOf: number[] = [];
  const groupOf: number[] = [];
  const lineOf: number[] = [];
  const groups: Group[] = [];
  // table → file → sheet → group: the place's strings are the source's own, looked up without building a key.
  const index = new Map<string, Map<string, Map<string, number>>>();
  // Per table: a self-join carries one table in two slots.
  const seenByTable = new Map<string, Set<number>>();
  for (const { table, rows: numbers } of refs) {
    let seen = seenByTable.get(table);
    if (!seen) seenByTable.set(table, (seen = new Set<number>()));
    let byFile = index.get(table);
    if (!byFile) index.set(table, (byFile = new Map()));
    for (const row of numbers) {
      if (seen.has(row)) continue;
      seen.add(row);
      hashes.push(source.digest(table, row));
      const place = source.place(table, row);
      let bySheet = byFile.get(place.file);
      if (!bySheet) byFile.set(place.file, (bySheet = new Map()));
      let g = bySheet.get(place.sheet ?? '');
      if (g === undefined) {
        g = groups.length;
        bySheet.set(place.sheet ?? '', g);
        groups.push({ table, file: place.file, sheet: place.sheet, source: 0, tableRank: 0 });
      }
      rowOf.push(row);
      groupOf.push(g);
      lineOf.push(place.line);
    }
  }
  rankGroups(groups);
  const order = rowOf.map((_, i) => i);
  order.sort((a, b) => {
    const ga = groups[groupOf[a]];
    const gb = groups[groupOf[b]];
    return ga.source - gb.source || lineOf[a] - lineOf[b] || ga.tableRank - gb.tableRank;
  });
  const shown: RowRef[] = [];
  const places: EvidencePlaces[] = [];
  let run: EvidencePlaces | undefined;
  let runGroup = -1;
  order.forEach((i, k) => {
    const g = groups[groupOf[i]];
    if (k < limit) {
      shown.push(g.sheet === undefined ? { table: g.table, row: rowOf[i], file: g.file, line: lineOf[i] } : { table: g.table, row: rowOf[i], file: g.file, sheet: g.sheet, line: lineOf[i] });
      return;
    }
    if (groupOf[i] !== runGroup) {
      runGroup = groupOf[i];
      run = g.sheet === undefined ? { table: g.table, file: g.file, lines: [] } : { table: g.table, file: g.file, sheet: g.sheet, lines: [] };
      places.push(run);
    }
    run!.lines.push(lineOf[i]);
  });
  return { shown, places, count: order.length, hashes };
}

/** Ranks the groups for evidence order: by file, then sheet (a workbook's), then (for rows on one line) table. */
function rankGroups(groups: Group[]): void {
  const bySource = [...groups].sort((a, b) => cmp(a.file, b.file) || cmp(a.sheet ?? '', b.sheet ?? ''));
  bySource.forEach((g, k) => (g.source = k > 0 && g.file === bySource[k - 1].file && (g.sheet ?? '') === (bySource[k - 1].sheet ?? '') ? bySource[k - 1].source : k));
  const byTable = [...groups].sort((a, b) => cmp(a.table, b.table));
  byTable.forEach((g, k) => (g.tableRank = k > 0 && g.table === byTable[k - 1].table ? byTable[k - 1].tableRank : k));
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
  const referenced = result.evidence.map((refs) => referencedRows(refs, source, limit));
  await source.prepareValues?.(referenced.flatMap((r) => r.shown));
  const visible = new Set((rule.output ?? []).map((c) => c.name));
  const columns = result.columns.filter((c) => visible.has(c));
  return result.rows.map((row, i) => toFinding(rule, columns, row, referenced[i], source));
}

/** One output row → a finding. */
function toFinding(compiled: CompiledRule, columns: string[], row: Record<string, unknown>, referenced: Referenced, source: RowSource): Finding {
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

  // The first `limit` rows with their values; the others by their place alone.
  const evidence = referenced.shown.map((r): EvidenceRow => {
    const values = source.values(r.table, r.row);
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
    ...(referenced.places.length > 0 ? { places: referenced.places } : {}),
    evidenceCount: referenced.count,
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
