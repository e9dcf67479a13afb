/**
 * Cases: findings whose money the total counted together, because they rest
 * on the same rows (money.ts), shown together so that an auditor reads one
 * bank outflow cited by two rules as one matter.
 */
import { formatYuan } from '../data/yuan.js';
import type { MoneyLedger } from './money.js';
import type { Case } from './model.js';

/** What grouping needs of a finding. */
interface CaseFinding {
  fingerprint: string;
  ruleId: string;
}

/**
 * The cases among `findings` (in report order): every group of two or more
 * linked findings, largest money first. Returns the cases and each finding's
 * case id (null when it stands alone).
 */
export function findCases(findings: readonly CaseFinding[], ledger: MoneyLedger): { cases: Case[]; caseOf: Array<string | null> } {
  const parent = findings.map((_, i) => i);
  const root = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]];
      i = parent[i];
    }
    return i;
  };
  ledger.count(findings.keys(), (a, b) => {
    const ra = root(a);
    const rb = root(b);
    // The earlier finding in report order stands for the group.
    if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb);
  });
  const groups = new Map<number, number[]>();
  findings.forEach((_, i) => {
    const r = root(i);
    const g = groups.get(r);
    if (g) g.push(i);
    else groups.set(r, [i]);
  });
  const linked = [...groups.values()].filter((g) => g.length > 1).map((members) => ({ members, money: ledger.count(members) }));
  linked.sort((a, b) => b.money.amount - a.money.amount || a.members[0] - b.members[0]);
  const caseOf: Array<string | null> = findings.map(() => null);
  const cases = linked.map(({ members, money }, k): Case => {
    const id = `C${k + 1}`;
    for (const i of members) caseOf[i] = id;
    return {
      id,
      findings: members.map((i) => findings[i].fingerprint),
      rules: [...new Set(members.map((i) => findings[i].ruleId))].sort(),
      amount: money.amount,
      amountYuan: formatYuan(money.amount),
      findingsAmount: money.findingsAmount,
      findingsAmountYuan: formatYuan(money.findingsAmount),
    };
  });
  return { cases, caseOf };
}
