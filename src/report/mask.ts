/**
 * Masking of personal data, by kind: every value whose kind is known (from
 * the rule's compiled plan for a finding's values, from the data model for
 * evidence rows, from the header for data issues) goes through maskValue,
 * the one masking function. Findings are masked before their messages are
 * rendered (see build.ts), so a message shows the masked values; no rendered
 * message is searched for raw ones.
 */
import type { DataIssue, HeaderMapping, Value } from '../data/model.js';
import { piiKindOfColumn, TABLES, type PiiKind } from '../data/tables.js';
import type { EvidenceRow, Finding } from '../engine/finding.js';
import { canonicalKind, entityFieldKind } from '../plan/lineage.js';
import type { ManifestFile, RankedEntity } from './model.js';

/** Two-character surnames: the whole surname is kept, as people read it as one unit. */
const COMPOUND_SURNAMES = new Set(
  ('欧阳 司马 诸葛 上官 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 司空 夏侯 令狐 端木 独孤 南宫 西门 轩辕 呼延 百里 东郭 ' +
    '万俟 闻人 澹台 公冶 太史 申屠 钟离 拓跋 赫连 濮阳 淳于 单于 仲孙 鲜于 闾丘 第五 谷梁 宗政 羊舌 梁丘 左丘 子车 ' +
    '亓官 司寇 巫马 公西 乐正 漆雕 壤驷 公良 宰父 段干 东门 微生').split(' '),
);

const stars = (n: number) => '*'.repeat(Math.max(0, n));

/** Identity number: first 6 and last 4 kept: `110101********123X`. */
export function maskId(value: string): string {
  const ch = Array.from(value);
  if (ch.length >= 11) return ch.slice(0, 6).join('') + stars(ch.length - 10) + ch.slice(-4).join('');
  if (ch.length > 4) return stars(ch.length - 4) + ch.slice(-4).join('');
  return stars(ch.length);
}

// Words that only organisations' names hold. Name columns such as counterparty_name
// and account_holder also hold the fiscal bureau or a company, which is not personal data
// and which an auditor needs to read.
const ORGANISATION = /公司|集团|局|中心|银行|专户|财政|医院|学校|大学|委员会|政府|厂|合作社|事务所|协会|基金|保险|社保|人社|街道|办事处|研究院|商店|超市|有限|股份/;

/** True for a name that is an organisation's, not a person's: long and holding an organisation word. */
export function isOrganisationName(value: string): boolean {
  return Array.from(value.trim()).length >= 5 && ORGANISATION.test(value);
}

/** Name: the surname (first character, or two for 欧阳/司马/诸葛…) kept: `张*`, `欧阳**`. Organisations' names are kept whole. */
export function maskName(value: string): string {
  if (isOrganisationName(value)) return value;
  const ch = Array.from(value.trim());
  if (ch.length <= 1) return stars(ch.length);
  const keep = ch.length >= 3 && COMPOUND_SURNAMES.has(ch[0] + ch[1]) ? 2 : 1;
  return ch.slice(0, keep).join('') + ch.slice(keep).map((c) => (c === ' ' ? ' ' : '*')).join('');
}

/** Bank account: last 4 kept: `****1234`. */
export function maskAccount(value: string): string {
  const ch = Array.from(value.replace(/\s+/g, ''));
  return ch.length > 4 ? '****' + ch.slice(-4).join('') : '****';
}

/** Phone: mobile numbers keep the first 3 and last 4 (`138****1234`); others the last 4. */
export function maskPhone(value: string): string {
  const ch = Array.from(value.replace(/\s+/g, ''));
  if (ch.length >= 11) return ch.slice(0, 3).join('') + '****' + ch.slice(-4).join('');
  return ch.length > 4 ? '****' + ch.slice(-4).join('') : '****';
}

/** Address: truncated after the first 6 characters (province, city, district at most). */
export function maskAddress(value: string): string {
  const ch = Array.from(value.trim());
  const keep = ch.length > 6 ? 6 : Math.floor(ch.length / 2);
  return ch.slice(0, keep).join('') + '…';
}

const MASKERS: Record<PiiKind, (v: string) => string> = {
  id: maskId,
  name: maskName,
  account: maskAccount,
  phone: maskPhone,
  address: maskAddress,
};

/**
 * Masks one value of a personal-data kind: the one place every masked value
 * of every output goes through. Nulls and blanks stay as they are; other
 * values become masked text.
 */
export function maskValue(kind: PiiKind | undefined, value: Value): Value {
  if (kind === undefined || value === null) return value;
  const raw = String(value);
  if (raw.trim() === '') return value;
  return Object.hasOwn(MASKERS, kind) ? MASKERS[kind](raw) : raw;
}

/** A record's values masked by the kind `kindOf` gives each column. */
function maskRecord(rec: Record<string, Value>, kindOf: (col: string) => PiiKind | undefined): Record<string, Value> {
  const out: Record<string, Value> = {};
  for (const [col, v] of Object.entries(rec)) out[col] = maskValue(kindOf(col), v);
  return out;
}

/**
 * A finding with its values masked: entity key and label and details by the
 * kinds the rule's plan gives them (`pii`; an entity's by its kind where its
 * column has none), evidence values by their column's kind in the data model.
 * The template stays, to be rendered from these.
 */
export function maskFinding(f: Finding): Finding {
  return {
    ...f,
    entity: maskEntity(f),
    details: maskRecord(f.details, (col) => (Object.hasOwn(f.pii, col) ? f.pii[col] : undefined)),
    evidence: f.evidence.map((e): EvidenceRow => ({ ...e, values: maskRecord(e.values, (col) => canonicalKind(e.table, col)) })),
  };
}

/** A finding's entity, masked: key and label by their columns' kinds, else by the entity's kind. */
function maskEntity(f: Finding): Finding['entity'] {
  const kindOf = (field: 'key' | 'label') => (Object.hasOwn(f.pii, `entity.${field}`) ? f.pii[`entity.${field}`] : undefined) ?? entityFieldKind(f.entity.kind, field);
  const entity: Finding['entity'] = { kind: f.entity.kind, key: String(maskValue(kindOf('key'), f.entity.key) ?? '') };
  if (f.entity.label !== undefined) entity.label = String(maskValue(kindOf('label'), f.entity.label) ?? '');
  return entity;
}

/** Ranked entities (ranked on the raw findings) with their keys and labels masked as the findings about them show them. */
export function maskRanked(entities: RankedEntity[], raw: Finding[]): RankedEntity[] {
  const shown = new Map<string, string>();
  for (const f of raw) {
    const masked = maskEntity(f);
    shown.set(f.entity.key, masked.key);
    if (f.entity.label !== undefined) shown.set(f.entity.label, masked.label!);
  }
  return entities.map((e) => ({ ...e, key: shown.get(e.key) ?? e.key, label: e.label === null ? null : (shown.get(e.label) ?? e.label) }));
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

/** A value's kind by its shape alone, for text whose column is unknown. */
function kindByShape(field: string): PiiKind | undefined {
  const v = field.replace(/^'/, '');
  if (/^\d{17}[\dXx]$|^\d{15}$/.test(v)) return 'id';
  if (/^1[3-9]\d{9}$/.test(v)) return 'phone';
  if (/^\d{12,}$/.test(v.replace(/\s+/g, ''))) return 'account';
  return undefined;
}

// Chinese text: in a field whose column is unknown it may be a name.
const HAN = /\p{Script=Han}/u;

/**
 * Masks the raw text of a whole row (a ragged row, an unclosed quote). Fields
 * are split at ASCII and full-width commas. When they line up with the header,
 * each is masked by its column's kind; when they do not (an unquoted comma
 * shifts every later field), no field's column is known, so any Chinese text
 * is masked as a name. Digit shapes (identity numbers, phones, accounts) are
 * masked everywhere.
 */
function maskRowText(files: IssueFile[], issue: DataIssue, text: string): string {
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
      const kind = byColumn ?? kindByShape(bare) ?? (!aligned && HAN.test(bare) ? 'name' : undefined);
      return kind ? String(maskValue(kind, bare)) : field;
    })
    .join('');
}

// The loader writes the raw value it refuses into an issue's reason: that
// value, and anything shaped like an identity number, is masked there too.
const ID_IN_TEXT = /(?<![0-9A-Za-z])(\d{6})(\d{8})(\d{3}[0-9Xx])(?![0-9A-Za-z])/g;

/** A data issue's reason with its own raw value (and identity-number shapes) masked. */
function maskReason(reason: string, raw?: string, masked?: string): string {
  const out = raw !== undefined && masked !== undefined && raw !== masked && Array.from(raw).length >= 2 ? reason.split(raw).join(masked) : reason;
  return out.replace(ID_IN_TEXT, (_m, head: string, mid: string, tail: string) => head + stars(mid.length) + tail);
}

/**
 * Masks the raw values of data issues (and any of them quoted in the reason)
 * by the personal-data kind of their column in the file they came from.
 * Used by the audit report and by `inspect`, which print the same issues.
 */
export function maskIssues(files: IssueFile[], issues: DataIssue[]): DataIssue[] {
  return issues.map((i): DataIssue => {
    if (i.value === undefined) return { ...i, reason: maskReason(i.reason) };
    if (!i.column) return { ...i, value: maskRowText(files, i, i.value), reason: maskReason(i.reason) };
    const value = String(maskValue(headerKind(files, i) ?? kindByShape(i.value), i.value));
    return { ...i, value, reason: maskReason(i.reason, i.value, value) };
  });
}

/**
 * The header mapping of a file with its first row masked when that row is data,
 * not a header: a file exported without a header row has its first record read
 * as the header. A row with an identity number, phone or account in it is data;
 * then its Chinese text may be names. Mapped headers matched a known alias and stay.
 */
export function maskMapping(mapping: HeaderMapping[]): HeaderMapping[] {
  const dataRow = mapping.some((m) => m.column === null && kindByShape(m.source.trim()) !== undefined);
  if (!dataRow) return mapping;
  return mapping.map((m) => {
    const source = m.source.trim();
    const kind = m.column === null ? (kindByShape(source) ?? (HAN.test(source) ? 'name' : undefined)) : undefined;
    return kind ? { source: String(maskValue(kind, source)), column: m.column } : m;
  });
}
