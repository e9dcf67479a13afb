/**
 * Money is integer fen inside the tool; people read yuan with two decimals.
 * Exact for any safe integer: no floating-point division is involved.
 */
export function formatYuan(fen: number | null | undefined): string {
  if (fen === null || fen === undefined || !Number.isFinite(fen)) return '';
  const negative = fen < 0;
  const abs = Math.abs(Math.trunc(fen));
  const yuan = Math.floor(abs / 100);
  const cents = abs - yuan * 100;
  return `${negative ? '-' : ''}${yuan}.${cents < 10 ? '0' : ''}${cents}`;
}

/** Like formatYuan, with thousands separators: 1234567 → "12,345.67". */
export function formatYuanGrouped(fen: number | null | undefined): string {
  const s = formatYuan(fen);
  const [int, dec] = s.split('.');
  if (dec === undefined) return s;
  return `${int.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${dec}`;
}
