/**
 * Money counted once. Several rules may cite the same source row — one bank
 * outflow is both "paid to a non-beneficiary" and "not in the payout detail" —
 * and a total that adds their amounts counts that money twice. Totals (by
 * category, risk, entity, overall) therefore count the money of each evidence
 * row once; per-rule amounts stay each finding's own. docs/report.md, "How
 * totals are counted", states the rule for people; this file implements it.
 *
 * A row's money is its own amount (ROW_MONEY). A finding's amount is placed on
 * the money rows it rests on:
 * - when the amount IS the money of those rows (it equals their sum), the
 *   finding owns each row's whole money ("row-backed");
 * - otherwise (an excess over a standard, a difference, a balance, a share)
 *   the amount is first matched against money already counted on its rows —
 *   findings that rest on the same rows are taken to speak of the same money —
 *   and only the rest is new money, placed on what is left of its rows' money
 *   (rows other findings cite first) or, where that is unknown or used up,
 *   added as it stands.
 * Findings are taken most severe first (row-backed before the others, larger
 * amounts first), so money is attributed to the most severe finding claiming
 * it. A total never counts a row's money twice, is never below the largest
 * finding in it, and never above the plain sum of the findings' amounts.
 */
import { evidenceRowCount, type EvidencePlaces, type EvidenceRow } from '../engine/finding.js';
import { SEVERITIES, type Severity } from '../rules/model.js';

/** The column holding a row's money, for the tables whose rows record money moving. */
export const ROW_MONEY: Readonly<Record<string, string>> = Object.freeze({
  payouts: 'amount',
  bank_flows: 'amount',
  // What was actually paid in; the due amount is a claim, not money that moved.
  contributions: 'paid_amount',
});

/** What money counting needs of a finding. */
export interface MoneyFinding {
  fingerprint: string;
  severity: Severity;
  amount: number | null;
  evidence: EvidenceRow[];
  places?: EvidencePlaces[];
  evidenceCount: number;
}

interface Prepared {
  index: number;
  fingerprint: string;
  severity: number;
  amount: number;
  /** Distinct money rows, in evidence order. */
  rows: number[];
  /** Each row's money as this finding carries it (NaN: not carried; the ledger may know it from another finding). */
  money: number[];
  rowBacked: boolean;
}

/** What one count over a slice of findings gives. */
export interface Counted {
  /** Money counted once, in fen. */
  amount: number;
  /** The plain sum of the findings' amounts, in fen. */
  findingsAmount: number;
  /** Money counted once that is attributed to findings of each severity (they add up to `amount`). */
  bySeverity: Record<Severity, number>;
}

/** Row ids by table, file, sheet and line: nested maps, so that no row costs a string key. */
class RowIds {
  private readonly byTable = new Map<string, Map<string, Map<string, Map<number, number>>>>();
  size = 0;

  /** The lines of one table's file (and sheet) that have ids; `make` creates them. */
  lines(table: string, file: string, sheet: string | undefined, make: boolean): Map<number, number> | undefined {
    let files = this.byTable.get(table);
    if (!files) {
      if (!make) return undefined;
      this.byTable.set(table, (files = new Map()));
    }
    let sheets = files.get(file);
    if (!sheets) {
      if (!make) return undefined;
      files.set(file, (sheets = new Map()));
    }
    let lines = sheets.get(sheet ?? '');
    if (!lines && make) sheets.set(sheet ?? '', (lines = new Map()));
    return lines;
  }
}

/**
 * The findings' money rows, prepared once; `count` then counts any slice of
 * them. Rows are identified by table, file, sheet and line.
 */
export class MoneyLedger {
  private readonly rowMoney: number[] = [];
  private readonly prepared: Prepared[];

  constructor(findings: readonly MoneyFinding[]) {
    const ids = new RowIds();
    const money = this.rowMoney;
    // First every row a finding shows (with its values, as a rule): their ids, and the money the first carries.
    const shown = findings.map((f) =>
      f.evidence.map((e) => {
        const column = Object.hasOwn(ROW_MONEY, e.table) ? ROW_MONEY[e.table] : undefined;
        if (column === undefined) return undefined;
        const lines = ids.lines(e.table, e.file, e.sheet, true)!;
        let id = lines.get(e.line);
        if (id === undefined) {
          id = money.length;
          lines.set(e.line, id);
          money.push(NaN);
        }
        const value = e.values?.[column];
        // A row carried without its values (beyond the evidence shown) may have them in another finding.
        if (typeof value === 'number' && Number.isFinite(value) && Number.isNaN(money[id])) money[id] = Math.round(value);
        return { id, value };
      }),
    );
    this.prepared = findings.map((f, index) => {
      const rows: number[] = [];
      const own: number[] = [];
      const seen = new Set<number>();
      // Every row listed (in `evidence` or by place), as engine findings are; each money row's money then says.
      let known = evidenceRowCount(f) >= f.evidenceCount;
      let sum = 0;
      for (const e of shown[index]) {
        if (e === undefined || seen.has(e.id)) continue;
        seen.add(e.id);
        rows.push(e.id);
        if (typeof e.value === 'number' && Number.isFinite(e.value)) {
          own.push(Math.round(e.value));
          sum += Math.round(e.value);
        } else {
          own.push(NaN);
          known = false;
        }
      }
      // Rows carried by their place alone: money this finding does not carry. Only a row whose money another
      // finding shows can be counted (or link two findings); the others are left out, as they would count nothing.
      for (const p of f.places ?? []) {
        if (!Object.hasOwn(ROW_MONEY, p.table)) continue;
        const lines = ids.lines(p.table, p.file, p.sheet, false);
        for (const line of p.lines) {
          const id = lines?.get(line);
          if (id !== undefined && seen.has(id)) continue;
          known = false;
          if (id === undefined) continue;
          seen.add(id);
          rows.push(id);
          own.push(NaN);
        }
      }
      const amount = f.amount ?? 0;
      return {
        index,
        fingerprint: f.fingerprint,
        severity: SEVERITIES.indexOf(f.severity),
        amount,
        rows,
        money: own,
        // A refund row (negative) is no money to own: such a finding's amount is placed like any other.
        rowBacked: known && rows.length > 0 && amount > 0 && amount === sum && own.every((m) => m >= 0),
      };
    });
  }

  /**
   * Counts the money of the findings at `indexes` once. `link(a, b)` is told of
   * every two findings whose money was counted together (they share a row
   * and the later one's money was matched against the earlier one's).
   */
  count(indexes: Iterable<number>, link?: (a: number, b: number) => void): Counted {
    const order = [...indexes].map((i) => this.prepared[i]).sort(byClaimOrder);
    // How many findings of the slice cite each row: new money goes first where others will look for it.
    const cited = new Map<number, number>();
    for (const f of order) for (const r of f.rows) cited.set(r, (cited.get(r) ?? 0) + 1);
    const counted = new Map<number, number>();
    const owner = new Map<number, number>();
    const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
    let amount = 0;
    let findingsAmount = 0;
    for (const f of order) {
      findingsAmount += f.amount;
      const before = amount;
      if (f.amount <= 0) {
        // Nothing to place: a zero, or a negative amount (a refund) taken as it stands.
        amount += f.amount;
      } else if (f.rowBacked) {
        f.rows.forEach((r, k) => {
          const had = counted.get(r) ?? 0;
          if (had > 0 && link) link(owner.get(r)!, f.index);
          if (!owner.has(r)) owner.set(r, f.index);
          const add = f.money[k] - had;
          if (add > 0) {
            counted.set(r, had + add);
            amount += add;
          }
        });
      } else {
        let need = f.amount;
        // Money already counted on its rows: the same money, counted once.
        for (const r of f.rows) {
          if (need === 0) break;
          const had = counted.get(r) ?? 0;
          if (had <= 0) continue;
          need -= Math.min(need, had);
          if (link) link(owner.get(r)!, f.index);
        }
        // The rest is new money, counted whole; placed on what is left of its rows' money so that later findings match it.
        amount += need;
        const places = f.rows.map((_, k) => k).sort((a, b) => cited.get(f.rows[b])! - cited.get(f.rows[a])! || a - b);
        for (let j = 0; j < places.length && need > 0; j++) {
          const k = places[j];
          const r = f.rows[k];
          const m = Number.isNaN(f.money[k]) ? this.rowMoney[r] : f.money[k];
          if (Number.isNaN(m)) continue;
          const had = counted.get(r) ?? 0;
          const put = Math.min(need, m - had);
          if (put <= 0) continue;
          counted.set(r, had + put);
          if (!owner.has(r)) owner.set(r, f.index);
          need -= put;
        }
      }
      bySeverity[SEVERITIES[f.severity]] += amount - before;
    }
    return { amount, findingsAmount, bySeverity };
  }
}

/** Most severe first; row-backed before the rest; then larger amounts, then fingerprint. */
function byClaimOrder(a: Prepared, b: Prepared): number {
  return (
    b.severity - a.severity ||
    Number(b.rowBacked) - Number(a.rowBacked) ||
    b.amount - a.amount ||
    (a.fingerprint < b.fingerprint ? -1 : a.fingerprint > b.fingerprint ? 1 : 0)
  );
}
