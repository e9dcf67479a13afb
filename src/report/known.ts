/**
 * What the run's own data says about who is who, for masking free text: the
 * names of the people it holds (beneficiaries, payees, staff, the dead,
 * prisoners), their bank accounts, and the fund's own accounts, which are an
 * organisation's and shown whole. Read from the loaded tables once per report.
 */
import type { LoadedTable } from '../data/model.js';
import { isOrganisationName } from './maskers.js';
import type { KnownValues } from './scan.js';

/**
 * Columns that hold the names of people (a name column may also hold an organisation's, left out). A bank
 * statement's counterparty is left out: beside people it names batches and transfers in words no list can hold,
 * and a person paid from the fund is a payee or a staff member anyway.
 */
const NAME_COLUMNS: ReadonlyArray<[table: string, column: string]> = [
  ['persons', 'name'],
  ['contributions', 'name'],
  ['payouts', 'name'],
  ['payouts', 'account_holder'],
  ['deaths', 'name'],
  ['prisoners', 'name'],
  ['staff', 'name'],
];

/** Columns that hold the bank accounts of people. */
const ACCOUNT_COLUMNS: ReadonlyArray<[table: string, column: string]> = [
  ['persons', 'bank_account'],
  ['payouts', 'bank_account'],
  ['staff', 'bank_account'],
  ['employers', 'bank_account'],
  ['bank_flows', 'counterparty_account'],
];

/** Names longer than this are not searched for in free text (they are organisations or data errors). */
const MAX_NAME = 12;

/** A name worth searching for: two characters at least, letters (and the · of minority names), no organisation. */
function personName(v: string): boolean {
  const n = Array.from(v).length;
  return n >= 2 && n <= MAX_NAME && /^[\p{L}·• ]+$/u.test(v) && /\p{L}{2}|\p{L}[·• ]\p{L}/u.test(v) && !isOrganisationName(v);
}

/** The distinct text values of some columns of the loaded tables, each taken through `keep` (undefined: left out). */
function collect(tables: ReadonlyMap<string, LoadedTable>, columns: ReadonlyArray<readonly [string, string]>, keep: (v: string) => string | undefined): Set<string> {
  const out = new Set<string>();
  for (const [table, column] of columns) {
    const t = tables.get(table);
    const vs = t && Object.hasOwn(t.columns, column) ? t.columns[column] : [];
    for (let i = 0; i < vs.length; i++) {
      const v = vs[i];
      if (typeof v !== 'string') continue;
      const kept = keep(v);
      if (kept !== undefined) out.add(kept);
    }
  }
  return out;
}

const digitsOf = (v: string) => v.replace(/[\s-]/g, '');

/** The known names and accounts of the loaded tables. */
export function knownValues(tables: ReadonlyMap<string, LoadedTable>): KnownValues {
  const names = collect(tables, NAME_COLUMNS, (v) => (personName(v.trim()) ? v.trim() : undefined));
  const open = collect(tables, [['bank_flows', 'account_no']], digitsOf);
  // Short numbers would match amounts and serial numbers in free text; the fund's own accounts stay whole.
  const accounts = collect(tables, ACCOUNT_COLUMNS, (v) => (/^\d{8,}$/.test(digitsOf(v)) && !open.has(digitsOf(v)) ? digitsOf(v) : undefined));
  const nameLengths = [...new Set([...names].map((n) => n.length))].sort((a, b) => b - a);
  return { names, nameLengths, accounts, open };
}
