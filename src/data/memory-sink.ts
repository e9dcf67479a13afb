/**
 * The in-memory sink: each part becomes a LoadedTable of plain column arrays,
 * and the parts of one canonical table are concatenated (concatTables).
 */
import type { LoadedTable, Value } from './model.js';
import type { Source } from './provenance.js';
import type { RowSink } from './sink.js';
import { tableDef, type ColumnDef } from './tables.js';

export class MemorySink implements RowSink {
  private name = '';
  private source: Source = { file: '' };
  private names: string[] = [];
  /**
   * The columns, pre-sized to the expected row count: storing by index into a pre-sized array is about twice
   * as fast as growing it by push.
   */
  private cols: Value[][] = [];
  private lines = new Int32Array(0);
  private n = 0;
  private done: LoadedTable | null = null;

  begin(table: string, source: Source, columns: readonly ColumnDef[], expectedRows: number): void {
    const size = Math.max(16, expectedRows);
    this.name = table;
    this.source = source;
    this.names = columns.map((c) => c.name);
    this.cols = columns.map(() => new Array<Value>(size));
    this.lines = new Int32Array(size);
    this.n = 0;
    this.done = null;
  }

  row(values: readonly Value[], line: number): void {
    const n = this.n;
    if (n === this.lines.length) this.grow();
    const cols = this.cols;
    for (let k = 0; k < cols.length; k++) cols[k][n] = values[k];
    this.lines[n] = line;
    this.n = n + 1;
  }

  private grow(): void {
    const size = Math.ceil(this.n * 1.5);
    this.cols = this.cols.map((c) => {
      const grown = new Array<Value>(size);
      for (let i = 0; i < this.n; i++) grown[i] = c[i];
      return grown;
    });
    const lines = new Int32Array(size);
    lines.set(this.lines);
    this.lines = lines;
  }

  end(): void {
    const n = this.n;
    const columns: Record<string, Value[]> = {};
    this.names.forEach((name, k) => {
      const c = this.cols[k];
      if (c.length !== n) c.length = n;
      columns[name] = c;
    });
    this.done = {
      name: this.name,
      rows: n,
      columns,
      sources: [this.source],
      files: [this.source.file],
      fileIndex: new Int32Array(n),
      lines: n === this.lines.length ? this.lines : this.lines.slice(0, n),
    };
    this.cols = [];
  }

  /** The part ended last, as a table. */
  table(): LoadedTable {
    if (!this.done) throw new Error('MemorySink.table() before end()');
    return this.done;
  }
}

/** A table with no rows (and no columns). */
export function emptyTable(name: string, source?: Source): LoadedTable {
  return { name, rows: 0, columns: {}, sources: source ? [source] : [], files: source ? [source.file] : [], fileIndex: new Int32Array(0), lines: new Int32Array(0) };
}

/**
 * Concatenates tables of one canonical table (one per file or sheet) into one. Columns are the union; a part
 * without a column contributes nulls. Provenance is kept.
 */
export function concatTables(name: string, parts: LoadedTable[]): LoadedTable {
  if (parts.length === 1) return parts[0];
  if (parts.length === 0) return emptyTable(name);
  const order = tableColumns(name, parts.map((p) => Object.keys(p.columns)));
  const rows = parts.reduce((n, p) => n + p.rows, 0);
  const sources: Source[] = [];
  const fileIndex = new Int32Array(rows);
  const lines = new Int32Array(rows);
  const columns: Record<string, Value[]> = {};
  for (const c of order) columns[c] = new Array(rows);
  let at = 0;
  for (const p of parts) {
    const base = sources.length;
    sources.push(...(p.sources ?? p.files.map((file) => ({ file }))));
    for (let i = 0; i < p.rows; i++) {
      fileIndex[at + i] = base + p.fileIndex[i];
      lines[at + i] = p.lines[i];
    }
    for (const c of order) {
      const src = p.columns[c];
      const dst = columns[c];
      if (src) for (let i = 0; i < p.rows; i++) dst[at + i] = src[i];
      else for (let i = 0; i < p.rows; i++) dst[at + i] = null;
    }
    at += p.rows;
  }
  return { name, rows, columns, sources, files: sources.map((s) => s.file), fileIndex, lines };
}

/**
 * The columns of a table made of parts with these columns, in order: a single part's own order; for several,
 * the canonical order of those present, then any others. (Whatever holds the rows, a table's columns are these.)
 */
export function tableColumns(name: string, parts: readonly (readonly string[])[]): string[] {
  if (parts.length === 1) return [...parts[0]];
  const def = tableDef(name);
  const present = new Set(parts.flat());
  return [...(def?.columns.map((c) => c.name).filter((c) => present.has(c)) ?? []), ...[...present].filter((c) => !def?.columns.some((d) => d.name === c))];
}
