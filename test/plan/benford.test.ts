import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { benfordExpected, benfordMad, benfordTable, conformity, digitBins, MAD_THRESHOLDS, type DigitTest } from '../../src/plan/benford.js';
import { describeExternal, external, hasExternal } from '../external.js';

const DIR = external('benford');

function csv(file: string): [number, number][] {
  return readFileSync(`${DIR}/${file}`, 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split(',').map(Number) as [number, number]);
}

describeExternal('expected Benford proportions match the published tables to 1e-9', () => {
  const cases: [DigitTest, string][] = [
    ['first', 'expected_first_digit.csv'],
    ['second', 'expected_second_digit.csv'],
    ['first_two', 'expected_first_two_digits.csv'],
    ['first_three', 'expected_first_three_digits.csv'],
  ];
  it.each(cases)('%s digits', (test, file) => {
    const rows = csv(file);
    expect(digitBins(test)).toEqual(rows.map(([d]) => d));
    const table = benfordTable(test);
    for (const [d, p] of rows) expect(Math.abs(table.get(d)! - p)).toBeLessThan(1e-9);
    const total = [...table.values()].reduce((a, b) => a + b, 0);
    expect(total).toBeCloseTo(1, 12);
  });
});

describeExternal("Nigrini's MAD conformity labels", () => {
  const json = hasExternal ? JSON.parse(readFileSync(`${DIR}/nigrini_mad_thresholds.json`, 'utf8')) : {};
  const keys: [DigitTest, string][] = [
    ['first', 'first_digit'],
    ['second', 'second_digit'],
    ['first_two', 'first_two_digits'],
    ['first_three', 'first_three_digits'],
  ];
  it.each(keys)('%s: thresholds as published, labels at and around each', (test, key) => {
    const t = json[key];
    expect(MAD_THRESHOLDS[test]).toEqual({ close: t.close_upper, acceptable: t.acceptable_upper, marginal: t.marginal_upper });
    const eps = 1e-9;
    expect(conformity(test, 0)).toBe('close');
    expect(conformity(test, t.close_upper)).toBe('close');
    expect(conformity(test, t.close_upper + eps)).toBe('acceptable');
    expect(conformity(test, t.acceptable_upper - eps)).toBe('acceptable');
    expect(conformity(test, t.acceptable_upper)).toBe('acceptable');
    expect(conformity(test, t.acceptable_upper + eps)).toBe('marginal');
    expect(conformity(test, t.marginal_upper)).toBe('marginal');
    expect(conformity(test, t.marginal_upper + eps)).toBe('nonconformity');
    expect(conformity(test, 1)).toBe('nonconformity');
    expect(conformity(test, NaN)).toBeNull();
  });

});

describe('Benford MAD', () => {
  it('MAD of a perfectly Benford sample is 0; all ones is far off', () => {
    const perfect = new Map([...benfordTable('first')].map(([d, p]) => [d, p * 1e6]));
    expect(benfordMad('first', perfect)).toBeLessThan(1e-12);
    const ones = new Map([[1, 100]]);
    // |1 − e1| + Σ_{d>1} e_d = 2(1 − e1), over 9 bins.
    expect(benfordMad('first', ones)).toBeCloseTo((2 * (1 - benfordExpected('first', 1))) / 9, 12);
    expect(conformity('first', benfordMad('first', ones))).toBe('nonconformity');
  });
});
