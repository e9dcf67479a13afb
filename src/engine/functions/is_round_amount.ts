/** `op.is_round_amount(fen, unit_fen)`: fen ≠ 0 and fen is a multiple of unit_fen (e.g. 100000 for whole thousands of yuan). */
export function is_round_amount(fen: unknown, unit: unknown): boolean | null {
  if (typeof fen !== 'number' || !Number.isFinite(fen)) return null;
  if (typeof unit !== 'number' || !Number.isFinite(unit) || unit <= 0) return null;
  return fen !== 0 && fen % unit === 0;
}
