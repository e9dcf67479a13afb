/**
 * Canonical columns made from more than one source column, or normalised
 * across columns: the amount and direction of a bank statement (tables.ts,
 * DirectedAmount). Runs on each typed row, before the row goes to the sink.
 */
import type { DataIssue, Value } from './model.js';
import type { Source } from './provenance.js';
import { formatYuan } from './yuan.js';

/** How one row's amount and direction are made. Slots index the row of typed values. */
export interface DirectedPlan {
  amountSlot: number;
  directionSlot: number;
  /** 'sides': from two one-sided columns; 'signed': an amount column, with a direction column or not. */
  mode: 'sides' | 'signed';
  /** For 'sides': the slots (beyond the sink's columns) holding the typed out and in sides, and their headers. */
  outSlot: number;
  inSlot: number;
  outHeader: string;
  inHeader: string;
  /** For 'signed': the amount's header, and whether the file has a direction column. */
  amountHeader: string;
  hasDirection: boolean;
}

const OUT = 'out';
const IN = 'in';

/** Sets the row's amount (positive) and direction, reporting what cannot be settled or was turned around. */
export function deriveDirected(p: DirectedPlan, row: Value[], from: Source, line: number, issues: DataIssue[]): void {
  const issue = (column: string, value: string, code: string, level: 'error' | 'warning', reason: string, args?: Record<string, string | number>) => {
    const place = from.sheet === undefined ? { file: from.file, line } : { file: from.file, sheet: from.sheet, line };
    issues.push({ ...place, column, value, reason, level, code, ...(args ? { msg: { key: code, args } } : {}) });
  };
  if (p.mode === 'sides') {
    const o = row[p.outSlot] as number | null;
    const i = row[p.inSlot] as number | null;
    const column = `${p.outHeader} / ${p.inHeader}`;
    const shown = `${o === null ? '' : formatYuan(o)} / ${i === null ? '' : formatYuan(i)}`;
    const oFilled = o !== null && o !== 0;
    const iFilled = i !== null && i !== 0;
    row[p.amountSlot] = null;
    row[p.directionSlot] = null;
    if (oFilled === iFilled) {
      issue(
        column,
        shown,
        oFilled ? 'both-sides' : 'no-side',
        'error',
        oFilled
          ? 'both sides hold an amount, so neither the amount nor its direction can be told; amount and direction are left blank — split the row into one row per side in the source'
          : 'neither side holds an amount (blank or zero); amount and direction are left blank — check whether this is a balance or heading line rather than a transaction',
      );
      return;
    }
    const v = (oFilled ? o : i) as number;
    const side = oFilled ? OUT : IN;
    row[p.amountSlot] = v < 0 ? -v : v;
    row[p.directionSlot] = v < 0 ? (side === OUT ? IN : OUT) : side;
    if (v < 0) {
      issue(
        oFilled ? p.outHeader : p.inHeader,
        formatYuan(v),
        'negative-side',
        'warning',
        `a negative amount on the ${side === OUT ? 'outgoing (借方/支出)' : 'incoming (贷方/收入)'} side reverses it: read as ${formatYuan(-v)} ${side === OUT ? 'in' : 'out'} — check that it is a reversal (冲正)`,
        { side, amount: formatYuan(-v) },
      );
    }
    return;
  }
  const a = row[p.amountSlot];
  if (typeof a !== 'number') return;
  if (!p.hasDirection) {
    // A signed amount alone: the sign is the direction.
    if (a !== 0) row[p.directionSlot] = a < 0 ? OUT : IN;
    if (a < 0) row[p.amountSlot] = -a;
    return;
  }
  if (a >= 0) return;
  const d = row[p.directionSlot];
  row[p.amountSlot] = -a;
  if (d === OUT) return; // the sign repeats the direction
  if (d === null) {
    row[p.directionSlot] = OUT;
    issue(p.amountHeader, formatYuan(a), 'direction-from-sign', 'warning', `the direction is blank; read from the sign as ${formatYuan(-a)} out — fill in the direction in the source`, { amount: formatYuan(-a) });
  } else if (d === IN) {
    row[p.directionSlot] = OUT;
    issue(
      p.amountHeader,
      formatYuan(a),
      'negative-amount',
      'warning',
      `a negative amount with direction "in" is read as ${formatYuan(-a)} out (a reversal, 冲正) — check the row`,
      { amount: formatYuan(-a), direction: 'in' },
    );
  } else {
    issue(p.amountHeader, formatYuan(a), 'negative-amount', 'warning', `a negative amount with direction "${String(d)}" is read as ${formatYuan(-a)}; the direction is kept as written`, {
      amount: formatYuan(-a),
      direction: String(d),
    });
  }
}
