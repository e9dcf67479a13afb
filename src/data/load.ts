/**
 * Load export files into typed, column-oriented tables with provenance.
 *
 * Per file: hash the bytes; a CSV file is decoded to UTF-8 (decode.ts) and
 * read by csv-file.ts, a workbook sheet by sheet by workbook/; either way the
 * header is located and mapped (layout.ts), each record goes through the row
 * policies (rows.ts), which type it (columns.ts) into a sink — here the
 * in-memory one (memory-sink.ts), whose parts are concatenated per table.
 *
 * Nothing is lost silently: for every file rows read = rows loaded + rows
 * rejected, every rejected row and every value that could not be typed is a
 * DataIssue with file, line, column, raw value and reason, and the lines
 * skipped (blank, repeated headers, totals) are counted and reported.
 */
import { createHash } from 'node:crypto';
import { closeSync, readFileSync, readSync, statSync } from 'node:fs';
import type { FileReport, LoadedTable, LoadOptions, LoadResult } from './model.js';
import { tableDef, TABLE_NAMES } from './tables.js';
import { CARRY_ROOM, decode, StreamDecoder, StreamFallback } from './decode.js';
import { loadCsv, type CsvSplit, type NextChunk, type SplitRows } from './csv-file.js';
import { expandPaths, InputFileError, openInput, optionForFile } from './files.js';
import type { Forced } from './layout.js';
import { concatTables, emptyTable, MemorySink } from './memory-sink.js';
import type { LoadedPart, RowSink } from './sink.js';
import { hashFile, newReport } from './file-report.js';
import { warnDifferentAudits } from './profile.js';
import { fileKind } from './formats.js';
import { lineFeeds } from './split.js';
import { UsageError } from '../errors.js';

export { concatTables } from './memory-sink.js';

/**
 * Loads files and folders (a folder's own export files, sorted; subfolders too with `opts.recursive`).
 * Files and sheets of the same table are concatenated into one LoadedTable. Throws UsageError when a path
 * does not exist; everything else about a file is in its FileReport (one per sheet for a workbook).
 */
export async function loadPaths(paths: string[], opts: LoadOptions = {}): Promise<LoadResult> {
  const { files, skippedFolders } = await expandPaths(paths, { recursive: opts.recursive });
  const reports: FileReport[] = [];
  const parts = new Map<string, LoadedTable[]>();
  for (const path of files) {
    for (const { sink, report } of await loadFileParts(path, opts, () => new MemorySink())) {
      reports.push(report);
      opts.onFile?.(report);
      if (sink) {
        const table = sink.table();
        const list = parts.get(table.name) ?? [];
        list.push(table);
        parts.set(table.name, list);
      }
    }
  }
  const tables = new Map<string, LoadedTable>();
  for (const name of TABLE_NAMES) {
    const list = parts.get(name);
    if (list) tables.set(name, concatTables(name, list));
  }
  warnDifferentAudits(reports);
  return { files: reports, tables, skippedFolders };
}

/**
 * Loads one file of any kind — a workbook sheet by sheet, a file fundaudit cannot read as such, or CSV — each
 * part into a sink made by `newSink`. A file that cannot be read is one report saying why; a UsageError
 * (a path that is not there) is thrown.
 */
export async function loadFileParts<S extends RowSink>(path: string, opts: LoadOptions, newSink: () => S, split?: HeadSplit): Promise<LoadedPart<S>[]> {
  try {
    return await loadAny(path, opts, newSink, split);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (err instanceof InputFileError) return [{ sink: null, report: unusable(path, err) }];
    if (!e.code || e instanceof UsageError) throw err;
    return [{ sink: null, report: unreadable(path, e) }];
  }
}

/**
 * The first part of a CSV file read as two (split.ts): stop where a record starts at byte `at`. When the file
 * was read so, `rows` holds the part's rows (the report is then to be completed by split.ts's mergeParts);
 * else it was read whole, as without a split.
 */
export interface HeadSplit {
  at: number;
  rows?: SplitRows;
}

async function loadAny<S extends RowSink>(path: string, opts: LoadOptions, newSink: () => S, split?: HeadSplit): Promise<LoadedPart<S>[]> {
  const head = readHead(path);
  const kind = fileKind(path, head);
  if (kind.kind === 'zip') {
    // Imported when a workbook comes: its zip and XML readers are CommonJS packages, which Node scans for their
    // exports (and compiles the scanner for) in every thread that imports them — a loading worker's start
    // otherwise, for exports that are all CSV.
    const { loadWorkbook } = await import('./workbook/load.js');
    return loadWorkbook(path, opts, (sheet) => forcedFor(path, opts, undefined, sheet), newSink);
  }
  if (kind.kind === 'unsupported') {
    const report = newReport(path);
    const st = statSync(path);
    report.bytes = st.size;
    report.sha256 = await hashFile(path);
    report.issues.push({ file: path, line: 0, reason: kind.reason, level: 'error', code: 'unsupported-file', msg: { key: kind.key } });
    return [{ sink: null, report }];
  }
  return [loadCsvFile(path, opts, CHUNK, newSink, split)];
}

/**
 * Loads CSV text as the given table (for inline rule tests and tools): the
 * header holds canonical column names or any of their aliases; fields are
 * separated by commas. Throws on an unknown table name.
 */
export function loadText(table: string, text: string, source: string, opts: LoadOptions = {}): { table: LoadedTable; report: FileReport } {
  if (!tableDef(table)) throw new UsageError(`unknown table "${table}"`, `use one of ${TABLE_NAMES.join(', ')}`);
  const { table: loaded, report } = loadBuffer(Buffer.from(text, 'utf8'), source, { delimiter: ',', ...opts, encoding: 'utf-8' }, table);
  return { table: loaded ?? emptyTable(table, { file: source }), report };
}

/** Files up to this size are read whole; larger ones are streamed in chunks of this size. */
const CHUNK = 8 << 20;

/**
 * Loads one CSV file from disk. Large files are streamed: read, hashed, decoded and
 * scanned a chunk at a time, so that peak memory is the typed columns plus one
 * chunk, not the file on top. A file whose encoding only a whole-file look can
 * settle (or that turns out not to decode part-way) is loaded whole instead.
 * `chunkSize` is the streaming threshold and chunk size (small in tests, to
 * put many chunk seams in a small file).
 */
export function loadFile(path: string, opts: LoadOptions, chunkSize = CHUNK): { table: LoadedTable | null; report: FileReport } {
  const { sink, report } = loadCsvFile(path, opts, chunkSize, () => new MemorySink());
  return { table: sink ? sink.table() : null, report };
}

/** loadFile into any sink, or the first part of a file read as two (`split`; see HeadSplit). */
export function loadCsvFile<S extends RowSink>(path: string, opts: LoadOptions, chunkSize: number, newSink: () => S, split?: HeadSplit): LoadedPart<S> {
  const forced = forcedFor(path, opts);
  const { fd, size } = openInput(path, 'export');
  try {
    if (size <= chunkSize) return loadForced(readFileSync(fd), path, opts, forced, newSink, split);
    const hash = createHash('sha256');
    let offset = 0;
    // One read buffer for the whole file: the CSV reader copies what it still needs of a chunk before asking
    // for the next. (Hashing on a worker thread instead was measured: slower, and more memory.) Each chunk is
    // read after CARRY_ROOM bytes, the decoder's to use (StreamDecoder.push).
    const rawBuf = Buffer.allocUnsafe(CARRY_ROOM + chunkSize);
    const readRaw = (): Buffer => {
      const b = rawBuf.subarray(CARRY_ROOM, CARRY_ROOM + Math.min(chunkSize, size - offset));
      let got = 0;
      while (got < b.length) {
        const n = readSync(fd, b, got, b.length - got, offset + got);
        if (n === 0) break;
        got += n;
      }
      offset += got;
      const raw = got < b.length ? b.subarray(0, got) : b;
      hash.update(raw);
      return raw;
    };
    const head = readRaw();
    const dec = StreamDecoder.for(head, forced.encoding);
    if (dec) {
      let sink: S | null = null;
      try {
        const first = dec.push(head, offset >= size);
        const next = (): { chunk: Buffer; last: boolean } | null => {
          if (offset >= size) return null;
          const raw = readRaw();
          const last = offset >= size || raw.length === 0;
          return { chunk: dec.push(raw, last, CARRY_ROOM), last };
        };
        const report = newReport(path);
        report.encoding = dec.encoding;
        // Expected UTF-8 size, for pre-sizing the columns (GBK grows when transcoded).
        const expected = Math.ceil((size * first.length) / Math.max(1, head.length));
        sink = newSink();
        const part: CsvSplit | undefined = split && dec.plain ? { role: 'head', stopAt: split.at - dec.skipped } : undefined;
        const loaded = loadCsv(report, first, offset >= size, next, opts, forced, expected, chunkSize, sink, part);
        if (split && part?.result) split.rows = part.result;
        // The reader stops early for a file it does not load (unrecognised, or a table not wanted): the size and
        // hash in the report are still of the whole file.
        while (offset < size && readRaw().length > 0);
        report.bytes = offset;
        report.sha256 = hash.digest('hex');
        return { sink: loaded ? sink : null, report };
      } catch (err) {
        if (!(err instanceof StreamFallback)) throw err;
        // The rows already typed are typed again from the whole file: the sink drops what it was given.
        sink?.discard?.();
      }
    }
    // Reads so far were positional: the descriptor still reads from the start.
    return loadForced(readFileSync(fd), path, opts, forced, newSink);
  } finally {
    closeSync(fd);
  }
}

/**
 * What the options force for `path` (and one of its sheets): the command line (or `forcedTable`) over the
 * mapping file's rules. A per-sheet option (`FILE!SHEET=…`) wins over one for the whole workbook.
 */
function forcedFor(path: string, opts: LoadOptions, forcedTable?: string, sheet?: string): Forced {
  const rule = opts.fileRule?.(path) ?? {};
  const perSheet = <T>(o: Record<string, T> | undefined) => (sheet !== undefined ? optionForFile(o, `${path}!${sheet}`) : undefined) ?? optionForFile(o, path);
  const optionTable = forcedTable ?? perSheet(opts.fileTables);
  const optionDelimiter = optionForFile(opts.fileDelimiters, path) ?? opts.delimiter;
  const optionHeader = perSheet(opts.fileHeaderLines);
  return {
    table: optionTable ?? rule.table,
    tableFrom: optionTable ? 'option' : 'mapping',
    encoding: optionForFile(opts.fileEncodings, path) ?? opts.encoding ?? rule.encoding,
    delimiter: optionDelimiter ?? rule.delimiter,
    delimiterFrom: optionDelimiter !== undefined ? '--delimiter' : 'the mapping file',
    headerLine: optionHeader ?? rule.headerLine,
    headerLineFrom: optionHeader !== undefined ? '--header-line' : 'the mapping file',
  };
}

/**
 * Loads one CSV file's bytes. `forcedTable` (from `--table` or loadText) skips
 * recognition of the table but the header is still located and mapped.
 * Returns a null table when the file is unrecognised, undecodable or not wanted.
 */
export function loadBuffer(buf: Buffer, path: string, opts: LoadOptions, forcedTable?: string): { table: LoadedTable | null; report: FileReport } {
  const { sink, report } = loadForced(buf, path, opts, forcedFor(path, opts, forcedTable), () => new MemorySink());
  return { table: sink ? sink.table() : null, report };
}

function loadForced<S extends RowSink>(buf: Buffer, path: string, opts: LoadOptions, forced: Forced, newSink: () => S, split?: HeadSplit): LoadedPart<S> {
  const report = newReport(path);
  report.bytes = buf.length;
  report.sha256 = createHash('sha256').update(buf).digest('hex');
  const dec = decode(buf, forced.encoding, path);
  if (!dec.ok) {
    report.issues.push({ file: path, line: 0, reason: dec.reason, level: 'error', code: dec.code, msg: dec.msg });
    return { sink: null, report };
  }
  report.encoding = dec.encoding;
  for (const note of dec.notes) report.issues.push({ file: path, line: note.line, reason: note.reason, level: 'warning', code: 'encoding', msg: note.msg });
  const sink = newSink();
  // Only bytes read as they are (UTF-8, a BOM dropped) are split: offsets in them are offsets in the file.
  const skipped = dec.utf8.buffer === buf.buffer ? dec.utf8.byteOffset - buf.byteOffset : -1;
  const part: CsvSplit | undefined = split && skipped >= 0 && split.at > skipped ? { role: 'head', stopAt: split.at - skipped } : undefined;
  const loaded = loadCsv(report, dec.utf8, true, () => null, opts, forced, dec.utf8.length, CHUNK, sink, part);
  if (split && part?.result) split.rows = part.result;
  return { sink: loaded ? sink : null, report };
}

/**
 * The second part of a CSV file read as two (split.ts): the header located from the file's start as
 * loadCsvFile does, then the records from byte `at` on, into a sink of their own. Null (and no part begun)
 * when the file is not one to split so — not CSV, not read as UTF-8 bytes as they are, lines ending with CR
 * alone, not recognised or not wanted — or when the bytes from `at` on do not decode (the part is discarded).
 * `chunkSize` must be the first part's.
 */
export function loadCsvTail<S extends RowSink>(path: string, opts: LoadOptions, at: number, newSink: () => S, chunkSize = CHUNK): { sink: S; rows: SplitRows } | null {
  const forced = forcedFor(path, opts);
  let input: { fd: number; size: number };
  try {
    input = openInput(path, 'export');
  } catch {
    return null;
  }
  const { fd, size } = input;
  const read = (into: Buffer, pos: number, length: number): Buffer => {
    let got = 0;
    while (got < length) {
      const n = readSync(fd, into, got, length - got, pos + got);
      if (n === 0) break;
      got += n;
    }
    return into.subarray(0, got);
  };
  let sink: S | null = null;
  try {
    if (at <= 0 || at >= size || fileKind(path, read(Buffer.alloc(16), 0, 16)).kind !== 'text') return null;
    let first: Buffer;
    let tail: Extract<CsvSplit, { role: 'tail' }>;
    if (size <= chunkSize) {
      const buf = read(Buffer.allocUnsafe(size), 0, size);
      const dec = decode(buf, forced.encoding, path);
      if (!dec.ok || dec.utf8.buffer !== buf.buffer || at <= dec.utf8.byteOffset - buf.byteOffset) return null;
      first = dec.utf8;
      tail = { role: 'tail', first: buf.subarray(at), last: true, next: () => null, line: 1 + lineFeeds(buf, 0, at) };
    } else {
      const head = read(Buffer.allocUnsafe(chunkSize), 0, chunkSize);
      const dec = StreamDecoder.for(head, forced.encoding);
      if (!dec?.plain) return null;
      // As loadCsvFile: the first chunk, not the last (the file is larger).
      first = dec.push(head, false);
      let line = 1 + lineFeeds(head, 0, Math.min(at, head.length));
      // Chunks are read after CARRY_ROOM bytes, the decoder's to use (StreamDecoder.push).
      const raw = Buffer.allocUnsafe(CARRY_ROOM + chunkSize).subarray(CARRY_ROOM);
      for (let pos = head.length; pos < at; pos += chunkSize) {
        const b = read(raw, pos, Math.min(chunkSize, at - pos));
        line += lineFeeds(b, 0, b.length);
      }
      const rest = StreamDecoder.continuing();
      let offset = at;
      const next: NextChunk = () => {
        if (offset >= size) return null;
        const b = read(raw, offset, Math.min(chunkSize, size - offset));
        offset += b.length;
        const last = offset >= size || b.length === 0;
        return { chunk: rest.push(b, last, CARRY_ROOM), last };
      };
      const start = next()!;
      tail = { role: 'tail', first: start.chunk, last: start.last, next, line };
    }
    sink = newSink();
    if (!loadCsv(newReport(path), first, size <= chunkSize, () => null, opts, forced, size, chunkSize, sink, tail) || !tail.result) return null;
    return { sink, rows: tail.result };
  } catch (err) {
    if (!(err instanceof StreamFallback)) throw err;
    sink?.discard?.();
    return null;
  } finally {
    closeSync(fd);
  }
}

/** A file that is not a regular file or cannot be opened: the issue says which, and what to do. */
function unusable(path: string, err: InputFileError): FileReport {
  return { ...newReport(path), issues: [{ file: path, line: 0, reason: `the file cannot be read: ${err.reason}; ${err.fix}`, level: 'error', code: err.code }] };
}

function unreadable(path: string, err: Error): FileReport {
  return {
    ...newReport(path),
    issues: [{ file: path, line: 0, reason: `the file cannot be read (${err.message}); check its permissions`, level: 'error', code: 'unreadable-file', msg: { key: 'unreadable-file', args: { error: (err as NodeJS.ErrnoException).code ?? err.message } } }],
  };
}

/** The first bytes of a file, to tell its kind; refuses what is not a regular file it may read (see openInput). */
function readHead(path: string): Buffer {
  const { fd } = openInput(path, 'export');
  try {
    const b = Buffer.alloc(16);
    const n = readSync(fd, b, 0, 16, 0);
    return b.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}
