/**
 * The category × risk summary: counts and money at risk, exact in fen.
 */
import { formatYuan } from '../data/yuan.js';
import { CATEGORIES, RISKS, SEVERITIES } from '../rules/model.js';
import type { ReportFinding, Summary, Tally } from './model.js';

function tally(findings: ReportFinding[]): Tally {
  let count = 0;
  let newCount = 0;
  let amount = 0;
  for (const f of findings) {
    count++;
    if (f.baseline !== 'known') newCount++;
    // Integer fen: sums stay exact up to Number.MAX_SAFE_INTEGER fen (≈ 90 trillion yuan).
    if (f.amount !== null) amount += f.amount;
  }
  return { count, newCount, amount, amountYuan: formatYuan(amount) };
}

/**
 * Summarises findings by category × risk (every pair, zero cells included), by
 * category, by risk and by severity, with a grand total.
 */
export function summarise(
  findings: ReportFinding[],
  rules: { run: number; skipped: number; withFindings: number },
): Summary {
  return {
    cells: CATEGORIES.flatMap((category) =>
      RISKS.map((risk) => ({
        category,
        risk,
        ...tally(findings.filter((f) => f.category === category && f.risk === risk)),
      })),
    ),
    byCategory: CATEGORIES.map((category) => ({ category, ...tally(findings.filter((f) => f.category === category)) })),
    byRisk: RISKS.map((risk) => ({ risk, ...tally(findings.filter((f) => f.risk === risk)) })),
    bySeverity: [...SEVERITIES].reverse().map((severity) => {
      const t = tally(findings.filter((f) => f.severity === severity));
      return { severity, count: t.count, newCount: t.newCount };
    }),
    total: tally(findings),
    rulesRun: rules.run,
    rulesWithFindings: rules.withFindings,
    rulesSkipped: rules.skipped,
  };
}
