/** `money` values → integer fen (分). Digits are read into integers, so no floating-point error can creep in. */
import { fold, isScientific, isSpace, skipSpaces, trimEndIndex } from './chars.js';
import { Problem } from './problem.js';
import { grouped, scanGrouped } from './grouped.js';

const BAD_MONEY = new Problem(
  'bad-money',
  'not an amount: write it as digits with at most 2 decimals, like 1234.50, 1,234.56, -12.00 or ￥1,234.56',
  'error',
);
const TOO_MANY_DECIMALS = new Problem(
  'bad-money',
  'has more than 2 decimals; amounts are kept exact in fen and never rounded: correct it or re-export with 2 decimals',
  'error',
  null,
  { key: 'bad-money.decimals' },
);
const TOO_LARGE = new Problem('bad-money', 'is too large to be an amount (over 13 digits of yuan): check the column', 'error', null, { key: 'bad-money.too-large' });
const SCIENTIFIC = new Problem(
  'scientific-notation',
  'looks like a spreadsheet turned it into scientific notation, which loses digits: re-export the column as numbers with 2 decimals',
  'error',
);

const YUAN_SIGN = 0xffe5; // ￥ full-width
const YEN_SIGN = 0xa5; // ¥
const YUAN = 0x5143; // 元
const MINUS_SIGN = 0x2212; // − (typographic minus)

/**
 * Types a `money` value as integer fen: `1234.5` → 123450, `1,234.56`, `￥1,234.56`, `¥12`, `-12.00`, `(12.00)` →
 * -1200, `12.50元`, full-width digits. Thousands separators must group by three (so a decimal comma `12,50` is
 * not misread). Decimals beyond the second must be zeros (`1.500` is exact); otherwise, and for scientific
 * notation or anything else, a Problem — never rounded or guessed. Blank → null.
 *
 * @example parseMoney('￥1,234.56') // 123456
 */
export function parseMoney(raw: string): number | null | Problem {
  const n = raw.length;
  let i = skipSpaces(raw, 0, n);
  if (i === n) return null;
  let end = trimEndIndex(raw, i, n);
  let negative = false;
  let ch = fold(raw.charCodeAt(i));
  if (ch === 40) {
    // (12.00): accountants' negative.
    if (fold(raw.charCodeAt(end - 1)) !== 41) return BAD_MONEY;
    negative = true;
    i = skipSpaces(raw, i + 1, end);
    end = trimEndIndex(raw, i, end - 1);
    ch = fold(raw.charCodeAt(i));
  }
  // Sign and currency symbol, in either order: -￥12, ￥-12.
  let signSeen = false;
  let currencySeen = false;
  for (;;) {
    if (!signSeen && (ch === 45 || ch === 43 || ch === MINUS_SIGN)) {
      signSeen = true;
      if (ch !== 43) negative = !negative;
    } else if (!currencySeen && (ch === YUAN_SIGN || ch === YEN_SIGN)) {
      currencySeen = true;
    } else break;
    i = skipSpaces(raw, i + 1, end);
    ch = fold(raw.charCodeAt(i));
  }
  const digitsStart = i;
  if (!scanGrouped(raw, i, end)) return BAD_MONEY;
  const yuan = grouped.value;
  const intDigits = grouped.digits;
  i = grouped.end;
  if (i < end) ch = fold(raw.charCodeAt(i));
  const hadInt = i > digitsStart;
  let fen = 0;
  let fracDigits = 0;
  if (i < end && ch === 46) {
    i++;
    while (i < end) {
      ch = fold(raw.charCodeAt(i));
      if (ch < 48 || ch > 57) break;
      if (fracDigits < 2) fen = fen * 10 + (ch - 48);
      else if (ch !== 48) return isScientific(raw, digitsStart, end) ? SCIENTIFIC : TOO_MANY_DECIMALS;
      fracDigits++;
      i++;
    }
    if (fracDigits === 1) fen *= 10;
  }
  if (!hadInt && fracDigits === 0) return isScientific(raw, digitsStart, end) ? SCIENTIFIC : BAD_MONEY;
  if (i < end) {
    ch = fold(raw.charCodeAt(i));
    if (ch === 69 || ch === 101) return isScientific(raw, digitsStart, end) ? SCIENTIFIC : BAD_MONEY;
    while (i < end && isSpace(raw.charCodeAt(i))) i++;
    if (i < end && raw.charCodeAt(i) === YUAN) i++;
    if (i < end) return BAD_MONEY;
  }
  if (intDigits > 13) return TOO_LARGE;
  const total = yuan * 100 + fen;
  return negative && total !== 0 ? -total : total;
}
