/**
 * Ranks the entities that findings are about, across rules: an auditor starts
 * with the person, staff member, account or employer hit by the most and the
 * heaviest findings.
 */
import { formatYuan } from '../data/yuan.js';
import { SEVERITIES, type EntityKind, type Severity } from '../rules/model.js';
import type { Finding } from '../engine/finding.js';
import type { MoneyLedger } from './money.js';
import type { RankedEntity } from './model.js';

/** Severity weights: one critical finding outweighs several low ones. */
export const SEVERITY_WEIGHT: Record<Severity, number> = { info: 1, low: 2, medium: 4, high: 8, critical: 16 };

/** Entity kinds that are ranked; documents and periods are not someone to look at. */
export const RANKED_KINDS: EntityKind[] = ['person', 'staff', 'account', 'employer'];

/** How many entities the report lists by default. */
export const TOP_ENTITIES = 20;

/**
 * The top `limit` entities by severity-weighted count, then money at risk
 * (each evidence row's money counted once, see money.ts), then number of
 * findings; ties broken by kind and key so that the order is stable.
 * `findings` are the ledger's, by index.
 */
export function rankEntities(findings: ReadonlyArray<Pick<Finding, 'entity' | 'severity' | 'amount' | 'ruleId'>>, ledger: MoneyLedger, limit = TOP_ENTITIES): RankedEntity[] {
  const byKey = new Map<string, Omit<RankedEntity, 'rank' | 'amountYuan' | 'rules'> & { rules: Set<string>; members: number[] }>();
  findings.forEach((f, index) => {
    if (!RANKED_KINDS.includes(f.entity.kind) || !f.entity.key) return;
    const id = `${f.entity.kind}\u0000${f.entity.key}`;
    let e = byKey.get(id);
    if (!e) {
      e = { kind: f.entity.kind, key: f.entity.key, label: null, findings: 0, score: 0, amount: 0, maxSeverity: 'info', rules: new Set(), members: [] };
      byKey.set(id, e);
    }
    e.findings++;
    e.score += SEVERITY_WEIGHT[f.severity];
    e.members.push(index);
    if (SEVERITIES.indexOf(f.severity) > SEVERITIES.indexOf(e.maxSeverity)) e.maxSeverity = f.severity;
    e.rules.add(f.ruleId);
    // The smallest label wins, so that the choice does not depend on finding order.
    if (f.entity.label && (e.label === null || f.entity.label < e.label)) e.label = f.entity.label;
  });
  for (const e of byKey.values()) e.amount = ledger.count(e.members).amount;
  const kindOrder = (k: EntityKind) => RANKED_KINDS.indexOf(k);
  return [...byKey.values()]
    .sort(
      (a, b) =>
        b.score - a.score ||
        b.amount - a.amount ||
        b.findings - a.findings ||
        kindOrder(a.kind) - kindOrder(b.kind) ||
        (a.key < b.key ? -1 : a.key > b.key ? 1 : 0),
    )
    .slice(0, limit)
    .map((e, i) => ({
      rank: i + 1,
      kind: e.kind,
      key: e.key,
      label: e.label,
      findings: e.findings,
      score: e.score,
      amount: e.amount,
      amountYuan: formatYuan(e.amount),
      maxSeverity: e.maxSeverity,
      rules: [...e.rules].sort(),
    }));
}
