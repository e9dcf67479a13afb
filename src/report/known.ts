/**
 * What the run's own data says about who is who, for masking free text: the
 * names of the people it holds (beneficiaries, payees, staff, the dead,
 * prisoners), their bank accounts, and the fund's own accounts, which are an
 * organisation's and shown whole. Read from the loaded tables once per report
 * (from the tables in memory, or from a database's distinct values).
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

/**
 * Where the known values are read from: every value (or every distinct value) of a column of a loaded table,
 * none when the table or column is absent. In memory, the column itself; in a database, its distinct values.
 */
export type ColumnValues = (table: string, column: string) => ArrayLike<unknown>;

/** The columns the known values are read from: people's names, their accounts, the fund's own accounts. */
export const KNOWN_COLUMNS: ReadonlyArray<readonly [string, string]> = [...NAME_COLUMNS, ...ACCOUNT_COLUMNS, ['bank_flows', 'account_no']];

/** The distinct text values of some columns, each taken through `keep` (undefined: left out). */
function collect(values: ColumnValues, columns: ReadonlyArray<readonly [string, string]>, keep: (v: string) => string | undefined): Set<string> {
  const out = new Set<string>();
  for (const [table, column] of columns) {
    const vs = values(table, column);
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

/** The known names and accounts of the loaded data, read through `values`. */
export function knownValuesOf(values: ColumnValues): KnownValues {
  const names = collect(values, NAME_COLUMNS, (v) => (personName(v.trim()) ? v.trim() : undefined));
  const open = collect(values, [['bank_flows', 'account_no']], digitsOf);
  // Short numbers would match amounts and serial numbers in free text; the fund's own accounts stay whole.
  const accounts = collect(values, ACCOUNT_COLUMNS, (v) => (/^\d{8,}$/.test(digitsOf(v)) && !open.has(digitsOf(v)) ? digitsOf(v) : undefined));
  const nameLengths = [...new Set([...names].map((n) => n.length))].sort((a, b) => b - a);
  return { names, nameLengths, accounts, open };
}

/** The known names and accounts of the loaded tables. */
export function knownValues(tables: ReadonlyMap<string, LoadedTable>): KnownValues {
  return knownValuesOf((table, column) => {
    const t = tables.get(table);
    return t && Object.hasOwn(t.columns, column) ? t.columns[column] : [];
  });
}
