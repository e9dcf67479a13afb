/**
 * Masking of personal data by what a value is, not by the name of its column.
 *
 * - A value whose kind is known is masked by that kind (maskers.ts): a rule's
 *   output column has the kind its lineage in the compiled plan gives it (a
 *   rollup of `name` is a name, a string built from `id_number` an identity
 *   number), an evidence value the kind of its canonical column. A value the
 *   rule computed from personal data (a piece of it, a concatenation) is
 *   masked whole, since pieces would each show what a mask keeps.
 * - Any other text (free-text columns, entity keys, data-issue values and
 *   reasons, headers, file names, skip reasons) is scanned (scan.ts) for
 *   identity numbers, phones, card numbers and the accounts and names of
 *   people that the run's data holds.
 * - Within a finding, one value has one treatment: the same text masked the
 *   same way in its entity, details, evidence and messages.
 *
 * Findings are masked before their messages are rendered (see build.ts), so
 * a message shows the masked values. `--reveal` skips all of this.
 */
import type { DataIssue, HeaderMapping, LoadResult, Value } from '../data/model.js';
import { piiKindOfColumn, TABLES, type PiiKind } from '../data/tables.js';
import type { EvidenceRow, Finding } from '../engine/finding.js';
import { canonicalKind, entityFieldKind, strongerKind } from '../plan/lineage.js';
import { maskAccount, maskName, maskOfKind } from './maskers.js';
import type { ManifestFile, RankedEntity, ResolvedFinding } from './model.js';
import { NOTHING_KNOWN, scanText, type KnownValues } from './scan.js';

export { isOrganisationName, maskAccount, maskAddress, maskId, maskName, maskPhone } from './maskers.js';
import { knownValues } from './known.js';
export { knownValues };
export { NOTHING_KNOWN, scanText, type KnownValues } from './scan.js';

/**
 * Masks one value: the one function every masked value of every output goes
 * through. A value of a kind is masked as that kind (whole when `computed`);
 * other text is scanned for personal data; numbers without a kind and nulls
 * and blanks stay as they are. The fund's own accounts are an organisation's
 * and stay whole.
 */
export function maskValue(kind: PiiKind | undefined, value: Value, known: KnownValues = NOTHING_KNOWN, computed = false): Value {
  if (value === null) return value;
  if (kind === undefined) return typeof value === 'string' ? scanText(value, known) : value;
  const raw = String(value);
  if (raw.trim() === '') return value;
  const number = kind === 'id' || kind === 'account' || kind === 'phone';
  // The fund's own account is an organisation's, whichever column a rule put it in.
  if (number && !computed && known.open.has(raw.replace(/[\s-]/g, ''))) return value;
  // A number's kind on a value without digits (a counterparty known only by its name, 现金): it is a name, or no one's.
  const asKind = number && !computed && !/\d/.test(raw) ? 'name' : kind;
  const masked = maskOfKind(asKind, raw, computed);
  // An address may begin with a name ("张三家，…"): what its mask keeps is scanned too.
  return kind === 'address' ? scanText(masked, known) : masked;
}

/** How a finding shows one raw value: the kind it has wherever it occurs, the strongest, and whether only computed. */
interface Treatment {
  kind: PiiKind;
  computed: boolean;
}

/**
 * The masking of one finding: every value of it (entity, details, evidence)
 * gets the treatment of the strongest kind it has anywhere in the finding, so
 * that a name shown masked in the message is not shown whole in its details.
 */
export class FindingMask {
  private readonly treatments = new Map<string, Treatment>();

  constructor(
    readonly finding: Finding,
    readonly known: KnownValues = NOTHING_KNOWN,
  ) {
    const f = finding;
    const computed = new Set(f.computed ?? []);
    const piiOf = (key: string) => (Object.hasOwn(f.pii, key) ? f.pii[key] : undefined);
    for (const field of ['key', 'label'] as const) {
      const v = f.entity[field];
      if (v !== undefined) this.note(v, piiOf(`entity.${field}`) ?? entityFieldKind(f.entity.kind, field), computed.has(`entity.${field}`));
    }
    for (const [col, v] of Object.entries(f.details)) this.note(v, piiOf(col), computed.has(col));
    for (const e of f.evidence) for (const [col, v] of Object.entries(e.values)) this.note(v, canonicalKind(e.table, col), false);
  }

  private note(value: Value | undefined, kind: PiiKind | undefined, computed: boolean): void {
    if (kind === undefined || value === null || value === undefined) return;
    const key = String(value);
    const had = this.treatments.get(key);
    if (!had) {
      this.treatments.set(key, { kind, computed });
      return;
    }
    const stronger = strongerKind(had.kind, kind)!;
    // Shown as loaded anywhere with the strongest kind, it may be shown so everywhere: it reveals nothing more.
    const asLoaded = (had.kind === stronger && !had.computed) || (kind === stronger && !computed);
    this.treatments.set(key, { kind: stronger, computed: !asLoaded });
  }

  /** One value of the finding, masked by its treatment in the finding (or scanned, when it has no kind anywhere). */
  value(value: Value): Value {
    if (value === null) return value;
    const t = this.treatments.get(String(value));
    return t ? maskValue(t.kind, value, this.known, t.computed) : maskValue(undefined, value, this.known);
  }

  /** The finding with its values masked; the template stays, to be rendered from the masked details. */
  masked(): Finding {
    const f = this.finding;
    const mask = (rec: Record<string, Value>) => {
      const out: Record<string, Value> = Object.create(null);
      for (const [col, v] of Object.entries(rec)) out[col] = this.value(v);
      return out;
    };
    return {
      ...f,
      entity: this.entity(),
      period: f.period === null ? null : String(this.value(f.period)),
      details: mask(f.details),
      evidence: f.evidence.map((e): EvidenceRow => {
        const row: EvidenceRow = { ...e, file: scanText(e.file, this.known), values: mask(e.values) };
        if (e.sheet !== undefined) row.sheet = scanText(e.sheet, this.known);
        return row;
      }),
      // A place is a file name (scanned: a file may be named after a person) and line numbers, shared as they are.
      ...(f.places ? { places: f.places.map((p) => (p.sheet === undefined ? { ...p, file: scanText(p.file, this.known) } : { ...p, file: scanText(p.file, this.known), sheet: scanText(p.sheet, this.known) })) } : {}),
    };
  }

  /** The finding's entity, masked. */
  entity(): Finding['entity'] {
    const { kind, key, label } = this.finding.entity;
    const entity: Finding['entity'] = { kind, key: String(this.value(key) ?? '') };
    if (label !== undefined) entity.label = String(this.value(label) ?? '');
    return entity;
  }
}

/** Ranked entities (ranked on the raw findings) with their keys and labels masked as the findings about them show them. */
export function maskRanked(entities: RankedEntity[], raw: Finding[], known: KnownValues = NOTHING_KNOWN): RankedEntity[] {
  const shown = new Map<string, string>();
  for (const f of raw) {
    const masked = new FindingMask(f, known).entity();
    shown.set(f.entity.key, masked.key);
    if (f.entity.label !== undefined) shown.set(f.entity.label, masked.label!);
  }
  const show = (v: string) => shown.get(v) ?? scanText(v, known);
  return entities.map((e) => ({ ...e, key: show(e.key), label: e.label === null ? null : show(e.label) }));
}

/**
 * Resolved findings come from the baseline report, which may have been written
 * with --reveal and may name people this run's data no longer holds: their
 * entities are masked by kind (a person's or staff member's label as a name,
 * an account's number), and scanned besides. Masking is idempotent, so a
 * baseline that was masked already reads the same.
 */
export function maskResolved(resolved: ResolvedFinding[], known: KnownValues = NOTHING_KNOWN): ResolvedFinding[] {
  return resolved.map((f) => {
    if (!f.entity) return f;
    const { kind, key, label } = f.entity;
    const personal = kind === 'person' || kind === 'staff' || kind === 'account';
    const entity: NonNullable<ResolvedFinding['entity']> = { kind, key: kind === 'account' ? maskAccount(key) : scanText(key, known) };
    if (label !== undefined) entity.label = personal ? maskName(scanText(label, known)) : scanText(label, known);
    return { ...f, entity };
  });
}

/** What issue masking needs to know of an input file: its table and header mapping. */
type IssueFile = Pick<ManifestFile, 'path' | 'table' | 'mapping'>;

/** PII kind of a source header: through the file's header mapping, else any table's alias. */
function headerKind(files: IssueFile[], issue: DataIssue): PiiKind | undefined {
  if (!issue.column) return undefined;
  const file = files.find((f) => f.path === issue.file);
  const mapped = file?.mapping.find((x) => x.source === issue.column)?.column;
  if (mapped) return file?.table ? canonicalKind(file.table, mapped) : piiKindOfColumn(mapped);
  const header = issue.column.trim();
  for (const t of TABLES) {
    const col = t.columns.find((c) => c.name === header || c.aliases.includes(header));
    if (col?.pii) return col.pii;
  }
  return undefined;
}

// Chinese text: in a field whose column is unknown it may be a name.
const HAN = /\p{Script=Han}/u;

/**
 * Masks the raw text of a whole row (a ragged row, an unclosed quote). Fields
 * are split at ASCII and full-width commas. When they line up with the header,
 * each is masked by its column's kind; when they do not (an unquoted comma
 * shifts every later field), no field's column is known, so any Chinese text
 * is masked as a name. Every field is scanned for personal data besides.
 */
function maskRowText(files: IssueFile[], issue: DataIssue, text: string, known: KnownValues): string {
  const file = files.find((f) => f.path === issue.file);
  // Odd indexes hold the separators, kept as they were.
  const parts = text.split(/([,\uff0c])/);
  const aligned = file !== undefined && (parts.length + 1) / 2 === file.mapping.length;
  return parts
    .map((field, i) => {
      if (i % 2 === 1) return field;
      const bare = field.trim().replace(/^"|"$/g, '');
      if (bare === '') return field;
      const column = aligned ? file.mapping[i / 2].column : null;
      const byColumn = column ? (file?.table ? canonicalKind(file.table, column) : piiKindOfColumn(column)) : undefined;
      const kind = byColumn ?? (!aligned && HAN.test(bare) && scanText(bare, known) === bare ? 'name' : undefined);
      return kind ? String(maskValue(kind, bare, known)) : scanText(field, known);
    })
    .join('');
}

/**
 * Masks data issues: the raw value by the personal-data kind of its column in
 * the file it came from (scanned when its column says nothing), that value
 * wherever the reason quotes it, and everything else in the reason, the
 * header and the file name by scanning. Used by the audit report and by
 * `inspect`, which print the same issues.
 */
export function maskIssues(files: IssueFile[], issues: DataIssue[], known: KnownValues = NOTHING_KNOWN): DataIssue[] {
  // An export repeats one bad value row after row (a person's identity number in every month's payout: hundreds of
  // thousands of issues on a county). Each distinct text is masked once and its masked strings are shared.
  const memo = new Map<string, MaskedIssueText>();
  return issues.map((i): DataIssue => {
    const key = JSON.stringify([i.file, i.sheet ?? null, i.column ?? null, i.value ?? null, i.reason]);
    let masked = memo.get(key);
    if (masked === undefined) memo.set(key, (masked = maskIssueText(files, i, known)));
    return { ...i, ...masked };
  });
}

type MaskedIssueText = Pick<DataIssue, 'file' | 'sheet' | 'column' | 'value' | 'reason'>;

/** An issue's texts masked; only the fields the issue has, so that the masked issue keeps its keys and their order. */
function maskIssueText(files: IssueFile[], i: DataIssue, known: KnownValues): MaskedIssueText {
  const out: MaskedIssueText = { file: scanText(i.file, known), reason: scanText(i.reason, known) };
  if (i.sheet !== undefined) out.sheet = scanText(i.sheet, known);
  if (i.column !== undefined) out.column = scanText(i.column, known);
  if (i.value === undefined) return out;
  const value = i.column ? String(maskValue(headerKind(files, i), i.value, known)) : maskRowText(files, i, i.value, known);
  out.value = value;
  // The loader quotes the value it refuses in the reason.
  if (value !== i.value && Array.from(i.value).length >= 2) out.reason = scanText(i.reason.split(i.value).join(value), known);
  return out;
}

/** True when a header row is a data row: a file exported without one has its first record read as the header. */
function isDataRow(mapping: HeaderMapping[], known: KnownValues): boolean {
  // A cell that is nothing but an identity number, a phone or an account: no header looks like that.
  return mapping.some((m) => {
    const cell = m.source.trim().replace(/^'/, '');
    return m.column === null && /^\+?[\d\s-]+[Xx]?$/.test(cell) && scanText(cell, known) !== cell;
  });
}

/**
 * The header mapping of a file with its headers masked: unmapped ones are
 * scanned for personal data (a header holding an identity number or a known
 * name); when the row is a data row (it holds an identity number, phone or
 * account), its Chinese text may be names and is masked as such. Mapped
 * headers matched a known alias and stay.
 */
export function maskMapping(mapping: HeaderMapping[], known: KnownValues = NOTHING_KNOWN): HeaderMapping[] {
  const dataRow = isDataRow(mapping, known);
  return mapping.map((m) => {
    if (m.column !== null) return m;
    const source = m.source.trim();
    const scanned = scanText(source, known);
    const masked = dataRow && scanned === source && HAN.test(source) ? String(maskValue('name', source, known)) : scanned;
    return masked === source ? m : { source: masked, column: m.column };
  });
}

/**
 * What `inspect` shows of a load, masked: issues and headers as in a report,
 * file and sheet names scanned (a file may be named after a person). The
 * tables' rows are not shown by inspect and stay as they are.
 */
export function maskLoadResult(loaded: LoadResult): LoadResult {
  const known = knownValues(loaded.tables);
  const scan = (s: string) => scanText(s, known);
  const sheet = (s: string | undefined) => (s === undefined ? {} : { sheet: scan(s) });
  return {
    ...loaded,
    files: loaded.files.map((f) => ({ ...f, path: scan(f.path), ...sheet(f.sheet), mapping: maskMapping(f.mapping, known), issues: maskIssues(loaded.files, f.issues, known) })),
    tables: new Map(
      [...loaded.tables].map(([name, t]) => [name, { ...t, files: t.files.map(scan), ...(t.sources ? { sources: t.sources.map((x) => ({ ...x, file: scan(x.file), ...sheet(x.sheet) })) } : {}) }]),
    ),
    skippedFolders: loaded.skippedFolders.map(scan),
  };
}
