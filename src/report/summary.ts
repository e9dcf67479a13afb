/**
 * The category × risk summary: counts and money at risk, exact in fen, each
 * evidence row's money counted once in every total (money.ts).
 */
import { formatYuan } from '../data/yuan.js';
import { CATEGORIES, RISKS, SEVERITIES } from '../rules/model.js';
import type { MoneyLedger } from './money.js';
import type { ReportFinding, Summary, SummaryCell, Tally } from './model.js';

type Slice = number[];

function tally(findings: readonly ReportFinding[], slice: Slice, ledger: MoneyLedger): Tally & { counted: ReturnType<MoneyLedger['count']> } {
  let newCount = 0;
  for (const i of slice) if (findings[i].baseline !== 'persisting') newCount++;
  const counted = ledger.count(slice);
  return { count: slice.length, newCount, amount: counted.amount, amountYuan: formatYuan(counted.amount), findingsAmount: counted.findingsAmount, counted };
}

const plain = <T extends { counted: unknown }>(t: T): Omit<T, 'counted'> => {
  const { counted: _, ...rest } = t;
  return rest;
};

/**
 * Summarises findings (the ledger's, by index) by category × risk (every pair,
 * zero cells included), by category, by risk and by severity, with a grand total.
 */
export function summarise(findings: readonly ReportFinding[], ledger: MoneyLedger): Summary {
  const where = (test: (f: ReportFinding) => boolean): Slice => findings.flatMap((f, i) => (test(f) ? [i] : []));
  return {
    counting: 'rows-once',
    cells: CATEGORIES.flatMap((category) =>
      RISKS.map((risk): SummaryCell => {
        const t = tally(findings, where((f) => f.category === category && f.risk === risk), ledger);
        return {
          category,
          risk,
          ...plain(t),
          bySeverity: [...SEVERITIES].reverse().map((severity) => ({ severity, amount: t.counted.bySeverity[severity] })),
        };
      }),
    ),
    byCategory: CATEGORIES.map((category) => ({ category, ...plain(tally(findings, where((f) => f.category === category), ledger)) })),
    byRisk: RISKS.map((risk) => ({ risk, ...plain(tally(findings, where((f) => f.risk === risk), ledger)) })),
    bySeverity: [...SEVERITIES].reverse().map((severity) => {
      const slice = where((f) => f.severity === severity);
      return { severity, count: slice.length, newCount: slice.filter((i) => findings[i].baseline !== 'persisting').length };
    }),
    total: plain(tally(findings, [...findings.keys()], ledger)),
  };
}
