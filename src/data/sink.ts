/**
 * Where typed rows go. The row policies (rows.ts) hand every row they load to
 * a sink, one part (a file, or a sheet of a workbook) at a time; the sink
 * decides how rows are kept. MemorySink (memory-sink.ts) keeps them as
 * in-memory columns for the Arquero engine; a sink that appends them to a
 * database in chunks, with the provenance as columns, fits the same interface.
 */
import type { FileReport, Value } from './model.js';
import type { Source } from './provenance.js';
import type { ColumnDef } from './tables.js';

export interface RowSink {
  /**
   * True: a canonical datetime ('YYYY-MM-DD HH:MM:SS' as written) may come as a number, its seconds since
   * 1970-01-01 00:00:00, rather than as that text (a sink that writes timestamps, batch.ts: no string to make
   * for it to read back). Any other datetime value comes as text, as always.
   */
  readonly epochDatetimes?: boolean;
  /**
   * Starts a part: rows of canonical table `table` read from `source`, with `columns` in the order the
   * values of `row` follow. `expectedRows` is an estimate for pre-sizing (rows may run past it).
   */
  begin(table: string, source: Source, columns: readonly ColumnDef[], expectedRows: number): void;
  /**
   * One typed row: `values[k]` is the value of `columns[k]` (the array may be longer; the rest is not the
   * sink's); `line` is where the record starts in the source. The array is reused for the next row: copy what
   * is kept.
   */
  row(values: readonly Value[], line: number): void;
  /**
   * Optional: `row`, and where the record's bytes hold some of its values as they are, so that a sink that
   * writes text as UTF-8 may copy it: `from[k]` ≥ 0 when `values[k]` is the string whose UTF-8 bytes are
   * exactly `buf[from[k], to[k])` (valid UTF-8, read from the source as it is), else -1. The loader calls this
   * instead of `row` when the sink has it. `buf` and the arrays are the loader's, valid during the call only.
   */
  rowBytes?(values: readonly Value[], line: number, buf: Uint8Array, from: Int32Array, to: Int32Array): void;
  /** Ends the part begun last. */
  end(): void;
  /**
   * Drops the part begun last, whether ended or not: the loader reads the file again from the start (a
   * streamed file that turned out to need a whole-file decode). A sink that keeps nothing outside itself
   * needs no discard.
   */
  discard?(): void;
}

/**
 * One part of a file as loaded: its report, and the sink its rows went to — null when no rows went anywhere
 * (the file or sheet was not recognised, not wanted, or could not be read).
 */
export interface LoadedPart<S extends RowSink> {
  sink: S | null;
  report: FileReport;
}
