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

/**
 * The places and digests of some rows of one table, a few numbers each: the part (file, and sheet of a
 * workbook) of each row as an index into `parts`, its line and its digest.
 */
export interface RowPlaces {
  parts: ReadonlyArray<{ file: string; sheet?: string }>;
  part: Int32Array;
  line: Int32Array;
  digest: Float64Array;
}

/** A row source that gives many rows' places and digests at once (DuckDBDataset): a finding may rest on hundreds of thousands. */
export interface BulkRowSource extends RowSource {
  placesOf(table: string, rows: ArrayLike<number>): RowPlaces;
}

/** The places and digests of rows of a table, from a source that gives them at once or one row at a time. */
function placesOf(source: RowSource | BulkRowSource, table: string, rows: ArrayLike<number>): RowPlaces {
  if ('placesOf' in source) return source.placesOf(table, rows);
  const n = rows.length;
  const out: RowPlaces = { parts: [], part: new Int32Array(n), line: new Int32Array(n), digest: new Float64Array(n) };
  const parts = out.parts as Array<{ file: string; sheet?: string }>;
  const index = new Map<string, Map<string | undefined, number>>();
  for (let k = 0; k < n; k++) {
    const place = source.place(table, rows[k]);
    let bySheet = index.get(place.file);
    if (!bySheet) index.set(place.file, (bySheet = new Map()));
    let p = bySheet.get(place.sheet);
    if (p === undefined) {
      bySheet.set(place.sheet, (p = parts.length));
      parts.push(place.sheet === undefined ? { file: place.file } : { file: place.file, sheet: place.sheet });
    }
    out.part[k] = p;
    out.line[k] = place.line;
    out.digest[k] = source.digest(table, rows[k]);
  }
  return out;
}

interface Referenced {
  /** The first rows in evidence order (file, sheet, line, table), as many as are shown with their values. */
  shown: RowRef[];
  /** The rows after those, by their place alone: runs of one table, file and sheet, in evidence order. */
  places: EvidencePlaces[];
  /** How many distinct rows are referenced. */
  count: number;
  /** Digest of every referenced row, for the fingerprint. */
  hashes: Float64Array;
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

/** Lines are below this (they are 32-bit integers): a row's order key is (source rank, line, table rank) in one number. */
const LINES = 2 ** 31;

/**
 * The distinct source rows an output row rests on, in evidence order: the first `limit` with their places (their
 * values are asked of the source later), the rest as lists of lines per table and file. A row costs a few numbers
 * here, not an object: a finding may rest on hundreds of thousands.
 */
function referencedRows(refs: EvidenceRef[], source: RowSource, limit: number): Referenced {
  // Per table, its distinct rows in the order first met (a self-join carries one table in two slots).
  const lists = new Map<string, number[][]>();
  for (const { table, rows } of refs) {
    const l = lists.get(table);
    if (l) l.push(rows);
    else lists.set(table, [rows]);
  }
  const byTable = new Map<string, { rows: number[] }>();
  for (const [table, l] of lists) byTable.set(table, { rows: distinctRows(l.length === 1 ? l[0] : l.flat()) });
  const count = [...byTable.values()].reduce((n, t) => n + t.rows.length, 0);
  const hashes = new Float64Array(count);
  const rowOf = new Float64Array(count);
  const groupOf = new Int32Array(count);
  const lineOf = new Int32Array(count);
  const groups: Group[] = [];
  // file → sheet → group, per table: each part of a table is looked up once.
  let at = 0;
  for (const [table, { rows }] of byTable) {
    const got = placesOf(source, table, rows);
    const byFile = new Map<string, Map<string, number>>();
    const partGroup = new Map<number, number>();
    for (let k = 0; k < rows.length; k++, at++) {
      let g = partGroup.get(got.part[k]);
      if (g === undefined) {
        const { file, sheet } = got.parts[got.part[k]];
        let bySheet = byFile.get(file);
        if (!bySheet) byFile.set(file, (bySheet = new Map()));
        g = bySheet.get(sheet ?? '');
        if (g === undefined) {
          bySheet.set(sheet ?? '', (g = groups.length));
          groups.push({ table, file, sheet, source: 0, tableRank: 0 });
        }
        partGroup.set(got.part[k], g);
      }
      hashes[at] = got.digest[k];
      rowOf[at] = rows[k];
      groupOf[at] = g;
      lineOf[at] = got.line[k];
    }
  }
  rankGroups(groups);
  const order = evidenceOrder(groups, groupOf, lineOf, limit);
  const shown: RowRef[] = [];
  const places: EvidencePlaces[] = [];
  let run: EvidencePlaces | undefined;
  let runGroup = -1;
  for (let k = 0; k < count; k++) {
    const gi = order.group[k];
    const g = groups[gi];
    const line = order.line[k];
    if (k < limit) {
      const row = rowOf[order.index[k]];
      shown.push(g.sheet === undefined ? { table: g.table, row, file: g.file, line } : { table: g.table, row, file: g.file, sheet: g.sheet, line });
      continue;
    }
    if (gi !== runGroup) {
      runGroup = gi;
      run = g.sheet === undefined ? { table: g.table, file: g.file, lines: [] } : { table: g.table, file: g.file, sheet: g.sheet, lines: [] };
      places.push(run);
    }
    run!.lines.push(line);
  }
  return { shown, places, count, hashes };
}

/**
 * The rows in evidence order — by the source rank of their group, line, then the table's rank; rows alike in all
 * three in the order they were met — as each one's group and line, and for the first `first` its index among the
 * rows. The three ranks of a row are one number when they fit, sorted as numbers (and read back from it); else,
 * or when two rows have the same, the rows are compared one pair at a time.
 */
function evidenceOrder(groups: Group[], groupOf: Int32Array, lineOf: Int32Array, first: number): { group: Int32Array; line: Int32Array; index: Int32Array } {
  const n = groupOf.length;
  const out = { group: new Int32Array(n), line: new Int32Array(n), index: new Int32Array(Math.min(n, first)) };
  const tables = 1 + groups.reduce((m, g) => Math.max(m, g.tableRank), 0);
  const sources = 1 + groups.reduce((m, g) => Math.max(m, g.source), 0);
  let fits = sources * LINES * tables <= Number.MAX_SAFE_INTEGER;
  const keys = new Float64Array(n);
  for (let i = 0; fits && i < n; i++) {
    const g = groups[groupOf[i]];
    if (lineOf[i] < 0) fits = false;
    keys[i] = (g.source * LINES + lineOf[i]) * tables + g.tableRank;
  }
  if (fits) {
    const sorted = keys.slice().sort();
    let unique = true;
    for (let k = 1; k < n && unique; k++) unique = sorted[k] !== sorted[k - 1];
    if (unique) {
      const groupAt = new Int32Array(sources * tables);
      groups.forEach((g, i) => (groupAt[g.source * tables + g.tableRank] = i));
      for (let k = 0; k < n; k++) {
        const tableRank = sorted[k] % tables;
        const rest = (sorted[k] - tableRank) / tables;
        const line = rest % LINES;
        out.group[k] = groupAt[((rest - line) / LINES) * tables + tableRank];
        out.line[k] = line;
      }
      // The first rows' indexes, found by their keys (each key is one row's).
      const wanted = new Map<number, number>();
      for (let k = 0; k < out.index.length; k++) wanted.set(sorted[k], k);
      for (let i = 0; i < n && wanted.size > 0; i++) {
        const k = wanted.get(keys[i]);
        if (k === undefined) continue;
        out.index[k] = i;
        wanted.delete(keys[i]);
      }
      return out;
    }
  }
  const order = Array.from({ length: n }, (_, i) => i);
  order.sort((a, b) => {
    const ga = groups[groupOf[a]];
    const gb = groups[groupOf[b]];
    return ga.source - gb.source || lineOf[a] - lineOf[b] || ga.tableRank - gb.tableRank || a - b;
  });
  order.forEach((i, k) => {
    out.group[k] = groupOf[i];
    out.line[k] = lineOf[i];
    if (k < out.index.length) out.index[k] = i;
  });
  return out;
}

/** The distinct numbers of `rows` in the order first met: `rows` itself when they are (as they mostly are). */
function distinctRows(rows: number[]): number[] {
  const sorted = Float64Array.from(rows).sort();
  let repeats = false;
  for (let k = 1; k < sorted.length && !repeats; k++) repeats = sorted[k] === sorted[k - 1];
  return repeats ? [...new Set(rows)] : rows;
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
export function fingerprint(ruleId: string, entity: { kind: string; key: string }, period: string | null, rowHashes: ArrayLike<number>): string {
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
