/**
 * Provenance columns: every input table carries `__<table>`, the row index
 * into its LoadedTable, through every verb of a pipeline (after a rollup, an
 * array of indexes, possibly nested). They are the engine's, never the rule
 * author's: no message, detail or analysis ever shows them.
 */

/** Prefix that marks a provenance column. */
export const PROVENANCE_PREFIX = '__';

/** The provenance column of a table. */
export function provenanceColumn(table: string): string {
  return `${PROVENANCE_PREFIX}${table}`;
}

export function isProvenanceColumn(name: string): boolean {
  return name.startsWith(PROVENANCE_PREFIX);
}

/**
 * The table a provenance column points into. Joins may have suffixed it
 * (`__payouts_1`, or a rule's own suffix), so the longest table name that the
 * column starts with wins.
 */
export function provenanceTable(name: string, tables: Iterable<string>): string | undefined {
  if (!isProvenanceColumn(name)) return undefined;
  const bare = name.slice(PROVENANCE_PREFIX.length);
  let best: string | undefined;
  for (const t of tables) {
    if ((bare === t || bare.startsWith(t)) && (!best || t.length > best.length)) best = t;
  }
  return best;
}

/** Row indexes held in a provenance cell: a number, or (after rollups) arrays of them, flattened. */
export function provenanceIndexes(cell: unknown, out: number[] = []): number[] {
  if (typeof cell === 'number') {
    if (Number.isInteger(cell) && cell >= 0) out.push(cell);
  } else if (cell && typeof cell === 'object' && typeof (cell as ArrayLike<unknown>).length === 'number') {
    const arr = cell as ArrayLike<unknown>;
    for (let i = 0; i < arr.length; i++) provenanceIndexes(arr[i], out);
  }
  return out;
}
