/** Normalisation of header cells, so that the spellings found in real exports meet the aliases of tables.ts. */

/** A trailing bracketed group: `(元)`, `[yyyymm]`, `【元】`, `〔18位〕`. */
const TRAILING_GROUP = /[(\[【〔]([^()[\]【】〔〕]*)[)\]】〕]$/;
/**
 * Units and format hints that a bracketed suffix may hold without changing what the column is. Units that change
 * the scale of a canonical column (amounts in 元, counts in 月) are not dropped: `发放金额(万元)` or `缴费月数(年)`
 * read as 元 or months would be off by 10,000 or 12 without a word, so such a header stays unmapped (reported).
 */
const UNIT = /^(?:单位[:：]?)?(?:人民币)?(?:元|rmb|cny|yuan|%|‰|月|个月|人|次|岁|\d+位)$/;
/** A date or time pattern (`YYYYMM`, `年月日`, `yyyy-mm-dd`): two characters at least, since `(分)` or `(年)` is a unit. */
const FORMAT_HINT = /^(?:格式[:：]?)?[ymdhs年月日时分秒\-/:.]{2,}$/;

/**
 * A header cell reduced to the form aliases are compared in: NFKC (full-width → half-width), all whitespace
 * dropped (stray, inner, ideographic), `*` required-markers dropped, Latin lower-cased, and trailing units or
 * format hints in brackets dropped (`发放金额（元）` → `发放金额`, `待遇年月(YYYYMM)` → `待遇年月`). Other bracketed
 * text is kept, since it may tell columns apart (`发生额(借方)`, `发生额(贷方)`).
 *
 * @example normaliseHeader(' *发放金额（元） ') // '发放金额'
 */
export function normaliseHeader(cell: string): string {
  let s = cell.normalize('NFKC').replace(/[\s\u00a0\u3000\ufeff\u200b]+/g, '').replace(/\*/g, '').toLowerCase();
  for (;;) {
    const m = TRAILING_GROUP.exec(s);
    if (!m || m.index === 0 || !(UNIT.test(m[1]) || FORMAT_HINT.test(m[1]))) return s;
    s = s.slice(0, m.index);
  }
}

/**
 * The key under which a header and an alias are matched: the normalised header, and for Latin names also
 * without `_`, `-` and `.`, so that `Person ID`, `person-id` and `person_id` meet.
 */
export function headerKey(cell: string): string {
  const s = normaliseHeader(cell);
  return /^[\x20-\x7e]+$/.test(s) ? s.replace(/[_\-.]/g, '') : s;
}
