/**
 * Digit distributions behind first-digit (Benford) findings, for the charts of
 * the html and markdown reports. A benford finding carries only its group, n
 * and MAD; the picture an auditor needs is observed against expected share per
 * digit, so the rule's own source (table and `where`) is counted again here,
 * per group, with the engine's pipeline runner and the params in effect.
 */
import type { LoadedTable, Value } from '../data/model.js';
import type { Finding, RunResult } from '../engine/finding.js';
import { benfordExpected } from '../plan/benford.js';
import { source } from '../plan/kinds/shared.js';
import { resolveParams } from '../engine/params.js';
import { runPipeline } from '../engine/pipeline.js';
import type { Check, LoadedRule } from '../rules/model.js';
import type { DigitDistribution } from './model.js';

type Benford = Extract<Check, { kind: 'benford' }>;

const isColumnName = (s: string) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(s);

const keyOf = (values: Value[]) => JSON.stringify(values);

/**
 * Fingerprint → digit distribution of the group each benford finding is about.
 * A rule whose counting fails is left without charts: a picture is never worth
 * failing the report for.
 */
export function digitDistributions(rules: LoadedRule[], tables: Map<string, LoadedTable>, run: RunResult): Map<string, DigitDistribution> {
  const out = new Map<string, DigitDistribution>();
  const byRule = new Map<string, Finding[]>();
  for (const f of run.findings) (byRule.get(f.ruleId) ?? byRule.set(f.ruleId, []).get(f.ruleId)!).push(f);
  for (const loaded of rules) {
    const check = loaded.rule.check;
    const findings = byRule.get(loaded.rule.id);
    if (check.kind !== 'benford' || !findings) continue;
    try {
      const counts = countDigits(check, loaded, tables, run);
      const test = check.digits === 'first_two' ? 'first_two' : 'first';
      const digits = test === 'first' ? range(1, 9) : range(10, 99);
      for (const f of findings) {
        const group = (check.group ?? []).map((g) => f.details[g] ?? null);
        const perDigit = counts.get(keyOf(group));
        if (!perDigit) continue;
        const n = [...perDigit.values()].reduce((a, b) => a + b, 0);
        if (n === 0) continue;
        out.set(f.fingerprint, {
          test,
          n,
          bars: digits.map((digit) => {
            const count = perDigit.get(digit) ?? 0;
            return { digit, count, observed: count / n, expected: benfordExpected(test, digit) };
          }),
        });
      }
    } catch {
      // the finding stands without its chart
    }
  }
  return out;
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

/** Group key → digit → count, from the rule's own source rows. */
function countDigits(check: Benford, loaded: LoadedRule, tables: Map<string, LoadedTable>, run: RunResult): Map<string, Map<number, number>> {
  const group = check.group ?? [];
  const fn = check.digits === 'first_two' ? 'first_two_digits' : 'first_digit';
  const value = isColumnName(check.value) ? `d.${check.value}` : check.value;
  const { from, steps } = source(check.table, check.where);
  steps.push(
    { derive: { _digit: `op.${fn}(${value})` } },
    { filter: 'd._digit != null' },
    { groupby: [...group, '_digit'] },
    { rollup: { _count: 'op.count()' } },
  );
  const params = resolveParams(loaded.rule, run.params[loaded.rule.id]);
  const rows = runPipeline({ from, steps }, { tables, params }).objects() as Array<Record<string, Value>>;
  const counts = new Map<string, Map<number, number>>();
  for (const row of rows) {
    const key = keyOf(group.map((g) => row[g] ?? null));
    const perDigit = counts.get(key) ?? counts.set(key, new Map()).get(key)!;
    perDigit.set(Number(row._digit), Number(row._count));
  }
  return counts;
}
