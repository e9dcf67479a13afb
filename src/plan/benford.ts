/**
 * Benford's law: expected digit proportions from the formula, and Nigrini's
 * mean-absolute-deviation (MAD) conformity thresholds (Nigrini 2012, as encoded
 * by benford_py and benford.analysis; see shared/external/benford).
 */

export type DigitTest = 'first' | 'second' | 'first_two' | 'first_three';
export type Conformity = 'close' | 'acceptable' | 'marginal' | 'nonconformity';

/** Conformity labels from best to worst. */
export const CONFORMITY_LEVELS: Conformity[] = ['close', 'acceptable', 'marginal', 'nonconformity'];

/** Upper bounds (inclusive) of MAD for close, acceptable and marginal conformity. */
export const MAD_THRESHOLDS: Record<DigitTest, { close: number; acceptable: number; marginal: number }> = {
  first: { close: 0.006, acceptable: 0.012, marginal: 0.015 },
  second: { close: 0.008, acceptable: 0.01, marginal: 0.012 },
  first_two: { close: 0.0012, acceptable: 0.0018, marginal: 0.0022 },
  first_three: { close: 0.00036, acceptable: 0.00044, marginal: 0.0005 },
};

/** The digit bins of a test: 1–9, 0–9, 10–99 or 100–999. */
export function digitBins(test: DigitTest): number[] {
  const [lo, hi] = { first: [1, 9], second: [0, 9], first_two: [10, 99], first_three: [100, 999] }[test];
  return Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);
}

/**
 * Expected proportion of a digit bin: log10(1 + 1/d) for leading digits;
 * for the second digit, Σ over first digits k=1..9 of log10(1 + 1/(10k + d)).
 */
export function benfordExpected(test: DigitTest, digit: number): number {
  if (test === 'second') {
    let p = 0;
    for (let k = 1; k <= 9; k++) p += Math.log10(1 + 1 / (10 * k + digit));
    return p;
  }
  return Math.log10(1 + 1 / digit);
}

/** The expected distribution of a test, digit → proportion. */
export function benfordTable(test: DigitTest): Map<number, number> {
  return new Map(digitBins(test).map((d) => [d, benfordExpected(test, d)]));
}

/** Nigrini's MAD of observed counts per digit (missing bins count as 0) against the expected proportions. */
export function benfordMad(test: DigitTest, counts: Map<number, number>): number {
  const bins = digitBins(test);
  const n = bins.reduce((s, d) => s + (counts.get(d) ?? 0), 0);
  if (n === 0) return NaN;
  let sum = 0;
  for (const d of bins) sum += Math.abs((counts.get(d) ?? 0) / n - benfordExpected(test, d));
  return sum / bins.length;
}

/** Conformity label of a MAD value: each threshold is the inclusive upper bound of its label. */
export function conformity(test: DigitTest, mad: number): Conformity | null {
  if (!Number.isFinite(mad)) return null;
  const t = MAD_THRESHOLDS[test];
  return mad <= t.close ? 'close' : mad <= t.acceptable ? 'acceptable' : mad <= t.marginal ? 'marginal' : 'nonconformity';
}
