/**
 * Long digit strings in a CSV for spreadsheets: Excel reads a cell of digits
 * as a number, so an identity number or a bank account becomes
 * `1.10105E+17` and loses its last digits (the very fault the loader reports
 * on input). Such a cell gets a leading tab, which makes Excel keep it as
 * text. A tab, not `="…"`: the cell stays data in every program (a formula
 * would be run by Excel and shown as `="…"` by the rest), and only cells made
 * of digits alone (and a final X) get it, so it can never join a formula.
 */

/** Digits only, long enough for Excel to round or show in scientific notation (12 and more), or an identity number ending in X. */
const LONG_DIGITS = /^(?:\d{12,}|\d{14}[\dXx]|\d{17}[Xx])$/;

/** The cell as text Excel keeps: a leading tab for a long digit string, anything else as it is. */
export function excelText(cell: string): string {
  return LONG_DIGITS.test(cell) ? `\t${cell}` : cell;
}
