/**
 * Masking of personal data: ONE pass over the AuditResult before any
 * formatter sees it (unless --reveal), so that no output can forget it.
 *
 * What is masked: entity keys and labels, finding details, evidence values,
 * ranked entities, data-issue values of personal-data columns, a first row
 * read as a header that is really data (manifest mapping), and every
 * occurrence of a masked raw value inside rendered messages and issue reasons.
 * Which field holds which kind comes from the finding's `pii` map, then from
 * the canonical column definitions (tables.ts), then from the entity kind.
 */
import type { DataIssue, HeaderMapping, Value } from '../data/model.js';
import { columnDef, piiKindOfColumn, TABLES, type PiiKind } from '../data/tables.js';
import type { EvidenceRow } from '../engine/finding.js';
import type { AuditResult, ManifestFile, RankedEntity, ReportFinding } from './model.js';

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

/** Masks one value of a personal-data kind; blanks and nulls stay as they are. */
export function maskValue(kind: PiiKind, value: string): string {
  return value === '' ? value : MASKERS[kind](value);
}

// Anything shaped like an 18-digit identity number is masked in free text even
// when no field declared it: messages are written by rule authors.
const ID_IN_TEXT = /(?<![0-9A-Za-z])(\d{6})(\d{8})(\d{3}[0-9Xx])(?![0-9A-Za-z])/g;

/**
 * Masks values and remembers raw → masked pairs, so that the same raw values can
 * then be replaced inside free text. One Masker per finding (or issue): a
 * message is rendered from its own finding's values, and replacing values seen
 * elsewhere would hit unrelated words (a counterparty named 现金 is not the 现金 of 现金缴费).
 */
class Masker {
  private readonly pairs = new Map<string, string>();

  mask(kind: PiiKind | undefined, value: Value, remember = true): Value {
    if (kind === undefined || value === null) return value;
    const raw = String(value);
    if (raw.trim() === '') return value;
    const masked = maskValue(kind, raw);
    // One-character strings would hit unrelated text; the field itself is still masked.
    if (remember && Array.from(raw).length >= 2 && masked !== raw) this.pairs.set(raw, masked);
    return masked;
  }

  /** Replaces every remembered raw value (longest first) and identity-number shapes in free text. */
  text(s: string): string {
    let out = s;
    const raws = [...this.pairs.keys()].sort((a, b) => b.length - a.length || (a < b ? -1 : 1));
    for (const raw of raws) if (out.includes(raw)) out = out.split(raw).join(this.pairs.get(raw)!);
    return out.replace(ID_IN_TEXT, (_m, head: string, mid: string, tail: string) => head + stars(mid.length) + tail);
  }
}

function columnKind(pii: Record<string, PiiKind>, table: string | null, column: string): PiiKind | undefined {
  return pii[column] ?? (table ? columnDef(table, column)?.pii : undefined) ?? piiKindOfColumn(column);
}

/** Which kind the entity's key or label holds: declared, else the details column holding the same value, else by entity kind. */
function entityKind(f: ReportFinding, field: 'key' | 'label', value: string): PiiKind | undefined {
  const declared = f.pii[`entity.${field}`];
  if (declared) return declared;
  for (const [col, v] of Object.entries(f.details)) {
    if (v !== null && String(v) === value) {
      const k = columnKind(f.pii, null, col);
      if (k) return k;
    }
  }
  if (f.entity.kind === 'account') return field === 'key' ? 'account' : 'name';
  if (field === 'label' && (f.entity.kind === 'person' || f.entity.kind === 'staff')) return 'name';
  if (field === 'key' && f.entity.kind === 'person' && /^\d{17}[\dXx]$|^\d{15}$/.test(value)) return 'id';
  return undefined;
}

function maskRecord(m: Masker, rec: Record<string, Value>, kindOf: (col: string) => PiiKind | undefined, remember = true): Record<string, Value> {
  const out: Record<string, Value> = {};
  for (const [col, v] of Object.entries(rec)) out[col] = m.mask(kindOf(col), v, remember);
  return out;
}

/** Masks one finding; its message is rendered from its entity and details, so their raw values are replaced in it. */
function maskFinding(f: ReportFinding, seen: Map<string, string>): ReportFinding {
  const m = new Masker();
  const key = f.entity.key;
  const label = f.entity.label;
  const entity: ReportFinding['entity'] = { kind: f.entity.kind, key: String(m.mask(entityKind(f, 'key', key), key) ?? '') };
  if (label !== undefined) entity.label = String(m.mask(entityKind(f, 'label', label), label) ?? '');
  seen.set(key, entity.key);
  if (label !== undefined && entity.label !== undefined) seen.set(label, entity.label);
  const details = maskRecord(m, f.details, (col) => columnKind(f.pii, null, col));
  return {
    ...f,
    message: { zh: m.text(f.message.zh), en: m.text(f.message.en) },
    entity,
    details,
    evidence: f.evidence.map(
      (e): EvidenceRow => ({ ...e, values: maskRecord(m, e.values, (col) => columnKind(f.pii, e.table, col), false) }),
    ),
  };
}

function maskRanked(seen: Map<string, string>, e: RankedEntity): RankedEntity {
  const key =
    seen.get(e.key) ??
    (e.kind === 'account' ? maskAccount(e.key) : e.kind === 'person' && /^\d{17}[\dXx]$/.test(e.key) ? maskId(e.key) : e.key);
  const label =
    e.label === null ? null : (seen.get(e.label) ?? (e.kind === 'person' || e.kind === 'staff' || e.kind === 'account' ? maskName(e.label) : e.label));
  return { ...e, key, label };
}

/** What issue masking needs to know of an input file: its table and header mapping. */
type IssueFile = Pick<ManifestFile, 'path' | 'table' | 'mapping'>;

/** PII kind of a source header: through the file's header mapping, else any table's alias. */
function headerKind(files: IssueFile[], issue: DataIssue): PiiKind | undefined {
  if (!issue.column) return undefined;
  const file = files.find((f) => f.path === issue.file);
  const mapped = file?.mapping.find((x) => x.source === issue.column)?.column;
  if (mapped) return columnKind({}, file?.table ?? null, mapped);
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
      const byColumn = column ? columnKind({}, file?.table ?? null, column) : undefined;
      const kind = byColumn ?? kindByShape(bare) ?? (!aligned && HAN.test(bare) ? 'name' : undefined);
      return kind ? maskValue(kind, bare) : field;
    })
    .join('');
}

/**
 * Masks the raw values of data issues (and any of them quoted in the reason)
 * by the personal-data kind of their column in the file they came from.
 * Used by the audit report and by `inspect`, which print the same issues.
 */
export function maskIssues(files: IssueFile[], issues: DataIssue[]): DataIssue[] {
  return issues.map((i): DataIssue => {
    if (i.value === undefined) return { ...i, reason: new Masker().text(i.reason) };
    if (!i.column) return { ...i, value: maskRowText(files, i, i.value), reason: new Masker().text(i.reason) };
    const m = new Masker();
    const value = String(m.mask(headerKind(files, i) ?? kindByShape(i.value), i.value));
    return { ...i, value, reason: m.text(i.reason) };
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
    return kind ? { source: maskValue(kind, source), column: m.column } : m;
  });
}

/**
 * Returns a copy of the result with personal data masked and `revealed: false`.
 * The input is left untouched.
 */
export function maskResult(result: AuditResult): AuditResult {
  // Entity key/label as masked in the findings, so that the ranking shows the same masks.
  const seen = new Map<string, string>();
  const findings = result.findings.map((f) => maskFinding(f, seen));
  const issues = maskIssues(result.manifest.files, result.dataIssues.issues);
  const manifest = { ...result.manifest, files: result.manifest.files.map((f) => ({ ...f, mapping: maskMapping(f.mapping) })) };
  return {
    ...result,
    revealed: false,
    manifest,
    findings,
    entities: result.entities.map((e) => maskRanked(seen, e)),
    dataIssues: { ...result.dataIssues, issues },
  };
}
