/**
 * What each file's rows cover — months and region — so that files of one table
 * that look like they belong to different audits are warned about: a parent
 * folder of two counties, or two years far apart, would otherwise be merged
 * into one audit without a word.
 */
import { sourceLabel } from './provenance.js';
import type { FileProfile, FileReport, Value } from './model.js';
import type { ColumnDef } from './tables.js';

/** The column whose month says which period a row belongs to, by table (the first one present is used). */
const PERIOD_COLUMNS: Record<string, string[]> = {
  payouts: ['period', 'pay_date'],
  contributions: ['period', 'received_date'],
  bank_flows: ['txn_date'],
  deaths: ['death_date'],
  prisoners: ['sentence_start'],
  certifications: ['cert_date'],
};

/** Share of identity numbers a region code must have to speak for its file. */
const REGION_SHARE = 0.5;

/** What a ProfileTracker has collected, to be merged with another's (the two parts of a split file). */
export interface ProfileState {
  min: string | null;
  max: string | null;
  regions: Uint32Array | null;
  ids: number;
}

/** Collects a file's profile row by row, from the typed values the sink gets. */
export class ProfileTracker {
  private readonly periodSlot: number;
  private readonly idSlot: number;
  private min: string | null = null;
  private max: string | null = null;
  /** Identity numbers per six-digit region code, indexed by the code (a Map per row cost a tenth of a load). */
  private regions: Uint32Array | null = null;
  private ids = 0;

  constructor(table: string, columns: readonly ColumnDef[]) {
    const names = columns.map((c) => c.name);
    this.periodSlot = (PERIOD_COLUMNS[table] ?? []).map((c) => names.indexOf(c)).find((i) => i >= 0) ?? -1;
    this.idSlot = columns.findIndex((c) => c.type === 'id');
  }

  add(row: readonly Value[]): void {
    if (this.periodSlot >= 0) {
      const v = row[this.periodSlot];
      if (typeof v === 'string') {
        // Dates and months are ISO strings: they compare as text, no slicing per row.
        if (this.min === null || v < this.min) this.min = v;
        if (this.max === null || v > this.max) this.max = v;
      }
    }
    if (this.idSlot >= 0) {
      const v = row[this.idSlot];
      if (typeof v === 'string' && v.length >= 6) {
        let code = 0;
        for (let i = 0; i < 6; i++) {
          const d = v.charCodeAt(i) - 48;
          code = d >= 0 && d <= 9 ? code * 10 + d : -1e7;
        }
        if (code < 0) return;
        (this.regions ??= new Uint32Array(1_000_000))[code]++;
        this.ids++;
      }
    }
  }

  state(): ProfileState {
    return { min: this.min, max: this.max, regions: this.regions, ids: this.ids };
  }

  /** Adds what another tracker of the same table and columns collected (rows of the same file read apart). */
  merge(o: ProfileState): void {
    if (o.min !== null && (this.min === null || o.min < this.min)) this.min = o.min;
    if (o.max !== null && (this.max === null || o.max > this.max)) this.max = o.max;
    if (o.regions) {
      const mine = (this.regions ??= new Uint32Array(1_000_000));
      for (let c = 0; c < mine.length; c++) mine[c] += o.regions[c];
    }
    this.ids += o.ids;
  }

  result(): FileProfile {
    let region: FileProfile['region'] = null;
    let best = 0;
    let code = 0;
    const regions = this.regions;
    if (regions) for (let c = 0; c < regions.length; c++) if (regions[c] > best) [best, code] = [regions[c], c];
    if (this.ids > 0) region = { code: String(code).padStart(6, '0'), share: best / this.ids };
    return { from: this.min?.slice(0, 7) ?? null, to: this.max?.slice(0, 7) ?? null, region };
  }
}

function monthIndex(m: string): number {
  return Number(m.slice(0, 4)) * 12 + Number(m.slice(5, 7)) - 1;
}

/**
 * Warns about files of one table whose rows look like different audits: their identity numbers mostly from
 * different regions, or their months far apart (more than a month between one file's last and the next one's
 * first). Each file is compared with the table's first one; the warning goes on the other file, on its header line.
 */
export function warnDifferentAudits(reports: FileReport[]): void {
  const byTable = new Map<string, FileReport[]>();
  for (const r of reports) {
    if (r.table === null || r.rowsLoaded === 0 || !r.profile) continue;
    const list = byTable.get(r.table) ?? [];
    list.push(r);
    byTable.set(r.table, list);
  }
  for (const [table, list] of byTable) {
    // The first file of a table (in path order) stands for the audit; each other file is compared with it.
    const first = list[0];
    for (const r of list.slice(1)) {
      const firstName = sourceLabel({ file: first.path, sheet: first.sheet });
      const reason = differs(first.profile!, r.profile!, firstName);
      if (!reason) continue;
      const a = first.profile!;
      const b = r.profile!;
      const byRegion = reason.includes('region code');
      r.issues.push({
        ...(r.sheet === undefined ? { file: r.path } : { file: r.path, sheet: r.sheet }),
        line: Math.max(1, r.headerLine),
        reason: `${table} is read from ${list.length} files; ${reason}: they look like different audits — audit them separately, or ignore this if they belong together`,
        level: 'warning',
        code: 'different-audits',
        msg: byRegion
          ? { key: 'different-audits.region', args: { table, files: list.length, first: firstName, share: Math.round(b.region!.share * 100), code: b.region!.code, firstShare: Math.round(a.region!.share * 100), firstCode: a.region!.code } }
          : { key: 'different-audits.months', args: { table, files: list.length, first: firstName, from: b.from!, to: b.to!, firstFrom: a.from!, firstTo: a.to!, gap: monthIndexGap(a, b) } },
      });
    }
  }
}

/** Whole months between two files' spans (see differs). */
function monthIndexGap(a: FileProfile, b: FileProfile): number {
  return Math.max(monthIndex(b.from!) - monthIndex(a.to!), monthIndex(a.from!) - monthIndex(b.to!)) - 1;
}

function differs(a: FileProfile, b: FileProfile, aName: string): string | null {
  if (a.region && b.region && a.region.code !== b.region.code && a.region.share >= REGION_SHARE && b.region.share >= REGION_SHARE) {
    const pct = (s: number) => `${Math.round(s * 100)}%`;
    return `${pct(b.region.share)} of this file's identity numbers start with region code ${b.region.code}, but ${pct(a.region.share)} of ${aName}'s start with ${a.region.code}`;
  }
  if (a.from && a.to && b.from && b.to) {
    const gap = Math.max(monthIndex(b.from) - monthIndex(a.to), monthIndex(a.from) - monthIndex(b.to)) - 1;
    if (gap > 1) return `this file covers ${b.from} – ${b.to} and ${aName} ${a.from} – ${a.to}, with ${gap} months between them`;
  }
  return null;
}
