/**
 * How one value of each personal-data kind is masked: `110101********123X`,
 * `张*`, `****1234`, `138****1234`, an address cut after its district. Pure
 * functions of the value; mask.ts decides which applies to what, and scan.ts
 * finds such values inside free text.
 */
import type { PiiKind } from '../data/tables.js';

/** Two-character surnames: the whole surname is kept, as people read it as one unit. */
const COMPOUND_SURNAMES = new Set(
  ('欧阳 司马 诸葛 上官 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 司空 夏侯 令狐 端木 独孤 南宫 西门 轩辕 呼延 百里 东郭 ' +
    '万俟 闻人 澹台 公冶 太史 申屠 钟离 拓跋 赫连 濮阳 淳于 单于 仲孙 鲜于 闾丘 第五 谷梁 宗政 羊舌 梁丘 左丘 子车 ' +
    '亓官 司寇 巫马 公西 乐正 漆雕 壤驷 公良 宰父 段干 东门 微生').split(' '),
);

export const stars = (n: number) => '*'.repeat(Math.max(0, n));

/** Identity number: first 6 and last 4 kept: `110101********123X`. */
export function maskId(value: string): string {
  const ch = Array.from(value);
  if (ch.length >= 11) return ch.slice(0, 6).join('') + stars(ch.length - 10) + ch.slice(-4).join('');
  if (ch.length > 4) return stars(ch.length - 4) + ch.slice(-4).join('');
  return stars(ch.length);
}

/** An identity number written with spaces or dashes inside: its first 6 and last 4 digits kept, the separators too. */
export function maskIdDigits(text: string): string {
  const total = text.replace(/[^0-9Xx]/g, '').length;
  let seen = 0;
  return Array.from(text)
    .map((c) => {
      if (!/[0-9Xx]/.test(c)) return c;
      seen++;
      return seen <= 6 || seen > total - 4 ? c : '*';
    })
    .join('');
}

/**
 * Words that only organisations' names hold, and what else a name column of a
 * bank statement holds that is nobody's name (现金 cash, 利息 interest, 代发工资
 * a batch payment): an auditor needs to read those, and they are not personal data.
 */
const ORGANISATION =
  /公司|集团|中心|银行|支行|分行|营业部|信用社|专户|财政|国库|税务|医院|卫生院|学校|学院|大学|委员会|政府|合作社|事务所|协会|基金|保险|社保|人社|医保|街道|办事处|研究院|商店|超市|有限|股份|养老院|敬老院|福利院|派出所|村委|居委|社区|工会|.{2,}[局厂]$|Co\.|Ltd|Inc\b|Bank|LLC|GmbH/i;
const NO_ONE = /^(?:现金|利息|结息|存款利息|手续费|工本费|退款|退票|冲正|冲账|暂收款|暂付款|待清算|内部户|往来款)$|代发|代付|代收|批量|工资|养老金|待遇|划转|划拨|缴费|保费|退回|结算|清算|备付金|转账|汇款|报销|补助|补贴|拨款/;

/** True for what a name column holds that is not a person's name: an organisation's, or no one's (现金, 利息, 代发工资). */
export function isOrganisationName(value: string): boolean {
  const v = value.trim();
  return NO_ONE.test(v) || ORGANISATION.test(v);
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
  const ch = Array.from(value.replace(/[\s-]+/g, ''));
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

/** A value a rule computed from personal data (a piece of it, a concatenation): nothing of it kept. */
export function maskWhole(value: string): string {
  return Array.from(value)
    .map((c) => (/\s/.test(c) ? c : '*'))
    .join('');
}

const MASKERS: ReadonlyMap<PiiKind, (v: string) => string> = new Map<PiiKind, (v: string) => string>([
  ['id', maskId],
  ['name', maskName],
  ['account', maskAccount],
  ['phone', maskPhone],
  ['address', maskAddress],
]);

// Lists are shown joined by 、 (see plan/template.ts); names are also listed with commas, semicolons or slashes.
const LIST_SEPARATORS = /([、])/;
const NAME_SEPARATORS = /([、,，;；/])/;

/**
 * One value of a kind, masked: each item of a list on its own (a list of
 * names reads `汪*、李*`, not `汪*****`), whole when the rule computed it.
 */
export function maskOfKind(kind: PiiKind, raw: string, computed = false): string {
  const mask = computed ? maskWhole : MASKERS.get(kind);
  if (!mask) return maskWhole(raw);
  if (kind === 'address' && !computed) return mask(raw);
  return raw
    .split(kind === 'name' ? NAME_SEPARATORS : LIST_SEPARATORS)
    .map((part, i) => (i % 2 === 1 || part.trim() === '' ? part : mask(part)))
    .join('');
}
