/**
 * Load export files into typed, column-oriented tables with provenance.
 *
 * Per file: hash the bytes, decode them to UTF-8 (decode.ts), read the first
 * records to recognise the table and its header (recognise.ts), then scan the
 * rest record by record (csv.ts), typing each mapped field straight into its
 * column (columns.ts). A record is typed only once it is known to be whole and
 * of the right width, so a rejected row leaves nothing behind in the columns.
 *
 * Nothing is lost silently: for every file rows read = rows loaded + rows
 * rejected, every rejected row and every value that could not be typed is a
 * DataIssue with file, line, column, raw value and reason.
 */
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { basename } from 'node:path';
import type { DataIssue, FileReport, HeaderMapping, LoadedTable, LoadOptions, LoadResult, Value } from './model.js';
import { tableDef, TABLE_NAMES, type ColumnDef } from './tables.js';
import { CsvScanner, fieldText, parseCsv, recordText, type SliceBuffer } from './csv.js';
import { decode, StreamDecoder, StreamFallback } from './decode.js';
import { ColumnBuilder } from './columns.js';
import { expandPaths, optionForFile } from './files.js';
import { recognise } from './recognise.js';
import { parserFor } from './types/index.js';
import { UsageError } from '../errors.js';

/** Records read to find the header (title rows and blank lines may precede it). */
const SNIFF_RECORDS = 15;
/** Longest raw row text kept in an issue. */
const MAX_RAW = 300;

/**
 * Loads files and folders (walked recursively for *.csv and *.txt, sorted).
 * Files of the same table are concatenated into one LoadedTable. Throws
 * UsageError when a path does not exist; everything else about a file is in
 * its FileReport.
 */
export async function loadPaths(paths: string[], opts: LoadOptions = {}): Promise<LoadResult> {
  const files = await expandPaths(paths);
  const reports: FileReport[] = [];
  const parts = new Map<string, LoadedTable[]>();
  for (const path of files) {
    let loaded: { table: LoadedTable | null; report: FileReport };
    try {
      loaded = loadFile(path, opts);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      if (!e.code || e instanceof UsageError) throw err;
      reports.push(unreadable(path, e));
      continue;
    }
    reports.push(loaded.report);
    if (loaded.table) {
      const list = parts.get(loaded.table.name) ?? [];
      list.push(loaded.table);
      parts.set(loaded.table.name, list);
    }
  }
  const tables = new Map<string, LoadedTable>();
  for (const name of TABLE_NAMES) {
    const list = parts.get(name);
    if (list) tables.set(name, concatTables(name, list));
  }
  return { files: reports, tables };
}

/**
 * Loads CSV text as the given table (for inline rule tests and tools): the
 * header holds canonical column names or any of their aliases. Throws on an
 * unknown table name.
 */
export function loadText(table: string, text: string, source: string, opts: LoadOptions = {}): { table: LoadedTable; report: FileReport } {
  if (!tableDef(table)) throw new UsageError(`unknown table "${table}"`, `use one of ${TABLE_NAMES.join(', ')}`);
  const { table: loaded, report } = loadBuffer(Buffer.from(text, 'utf8'), source, { ...opts, encoding: 'utf-8' }, table);
  return { table: loaded ?? emptyTable(table, source), report };
}

/** Files up to this size are read whole; larger ones are streamed in chunks of this size. */
const CHUNK = 8 << 20;

/**
 * Loads one file from disk. Large files are streamed: read, hashed, decoded and
 * scanned a chunk at a time, so that peak memory is the typed columns plus one
 * chunk, not the file on top. A file whose encoding only a whole-file look can
 * settle (or that turns out not to decode part-way) is loaded whole instead.
 * `chunkSize` is the streaming threshold and chunk size (small in tests, to
 * put many chunk seams in a small file).
 */
export function loadFile(path: string, opts: LoadOptions, chunkSize = CHUNK): { table: LoadedTable | null; report: FileReport } {
  const forced = forcedFor(path, opts);
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    if (size <= chunkSize) return loadForced(readFileSync(fd), path, opts, forced);
    const hash = createHash('sha256');
    let offset = 0;
    // One read buffer for the whole file: typedLoad copies what it still needs of a chunk before asking
    // for the next. (Hashing on a worker thread instead was measured: slower, and more memory.)
    const rawBuf = Buffer.allocUnsafe(chunkSize);
    const readRaw = (): Buffer => {
      const b = rawBuf.subarray(0, Math.min(chunkSize, size - offset));
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
      try {
        const first = dec.push(head, offset >= size);
        const next = (): { chunk: Buffer; last: boolean } | null => {
          if (offset >= size) return null;
          const raw = readRaw();
          const last = offset >= size || raw.length === 0;
          return { chunk: dec.push(raw, last), last };
        };
        const report = newReport(path);
        report.encoding = dec.encoding;
        // Expected UTF-8 size, for pre-sizing the columns (GBK grows when transcoded).
        const expected = Math.ceil((size * first.length) / Math.max(1, head.length));
        const table = typedLoad(report, first, offset >= size, next, opts, forced, expected, chunkSize);
        // typedLoad stops early for a file it does not load (unrecognised, or a table not wanted): the size and
        // hash in the report are still of the whole file.
        while (offset < size && readRaw().length > 0);
        report.bytes = offset;
        report.sha256 = hash.digest('hex');
        return { table, report };
      } catch (err) {
        if (!(err instanceof StreamFallback)) throw err;
      }
    }
    return loadForced(readFileSync(path), path, opts, forced);
  } finally {
    closeSync(fd);
  }
}

/** What the options force for one file. */
interface Forced {
  table?: string;
  tableFrom: 'option' | 'mapping';
  encoding?: string;
}

/** The table and encoding forced for `path`: the command line (or `forcedTable`) over the mapping file's rules. */
function forcedFor(path: string, opts: LoadOptions, forcedTable?: string): Forced {
  const rule = opts.fileRule?.(path) ?? {};
  const optionTable = forcedTable ?? optionForFile(opts.fileTables, path);
  return {
    table: optionTable ?? rule.table,
    tableFrom: optionTable ? 'option' : 'mapping',
    encoding: optionForFile(opts.fileEncodings, path) ?? opts.encoding ?? rule.encoding,
  };
}

/**
 * Loads one file's bytes. `forcedTable` (from `--table` or loadText) skips
 * recognition of the table but the header is still located and mapped.
 * Returns a null table when the file is unrecognised, undecodable or not wanted.
 */
export function loadBuffer(buf: Buffer, path: string, opts: LoadOptions, forcedTable?: string): { table: LoadedTable | null; report: FileReport } {
  return loadForced(buf, path, opts, forcedFor(path, opts, forcedTable));
}

function loadForced(buf: Buffer, path: string, opts: LoadOptions, forced: Forced): { table: LoadedTable | null; report: FileReport } {
  const report = newReport(path);
  report.bytes = buf.length;
  report.sha256 = createHash('sha256').update(buf).digest('hex');
  const dec = decode(buf, forced.encoding, path);
  if (!dec.ok) {
    report.issues.push({ file: path, line: 0, reason: dec.reason, level: 'error', code: dec.code });
    return { table: null, report };
  }
  report.encoding = dec.encoding;
  for (const note of dec.notes) report.issues.push({ file: path, line: 0, reason: note, level: 'warning', code: 'encoding' });
  return { table: typedLoad(report, dec.utf8, true, () => null, opts, forced, dec.utf8.length), report };
}

function newReport(path: string): FileReport {
  return {
    path,
    bytes: 0,
    sha256: '',
    table: null,
    recognisedBy: null,
    encoding: null,
    headerLine: 0,
    mapping: [],
    missingColumns: [],
    rowsRead: 0,
    rowsLoaded: 0,
    rowsRejected: 0,
    issues: [],
  };
}

/**
 * Recognises the header in the first UTF-8 chunk, then scans every record,
 * asking `next` for more input when a record runs past the current window.
 * Fills `report`; returns the typed table, or null when there is none.
 */
function typedLoad(
  report: FileReport,
  first: Buffer,
  firstIsAll: boolean,
  next: () => { chunk: Buffer; last: boolean } | null,
  opts: LoadOptions,
  forced: Forced,
  expectedBytes: number,
  chunkSize = CHUNK,
): LoadedTable | null {
  const forcedTable = forced.table;
  const path = report.path;
  const issues = report.issues;
  const fileIssue = (code: string, reason: string, level: 'error' | 'warning' = 'error', line = 0) =>
    issues.push({ file: path, line, reason, level, code });

  const sniff = parseCsv(first, SNIFF_RECORDS, firstIsAll);
  if (sniff.records.length === 0) {
    fileIssue('empty-file', 'the file has no rows, not even a header; re-export it');
    return null;
  }
  if (forcedTable && !tableDef(forcedTable)) {
    fileIssue('unknown-table', `${forced.tableFrom === 'option' ? '--table' : 'the mapping file'} names an unknown table "${forcedTable}"; use one of ${TABLE_NAMES.join(', ')}`);
    return null;
  }
  const rec = recognise(
    sniff.records.map((r) => r.fields),
    basename(path),
    { table: forcedTable, tableFrom: forced.tableFrom, headerAliases: opts.headerAliases },
  );
  const headerRec = sniff.records[rec.headerRow] ?? sniff.records[0];
  const headerLine = headerRec.line;
  report.headerLine = headerLine;
  report.mapping = rec.mapping;
  report.missingColumns = rec.missingColumns;
  if (!rec.table) {
    if (rec.closest) report.closest = rec.closest;
    const hint = rec.closest
      ? `the closest is ${rec.closest.table}, but it lacks ${rec.closest.missing.join(', ')}`
      : 'no table shares its key columns';
    fileIssue('unrecognised-file', `the header on line ${headerLine} matches no known table (${hint}); rename the headers, add a --mapping file, or force the table with --table NAME=${path}`);
    return null;
  }
  if (!rec.mapping.some((m) => m.column !== null)) {
    // Only possible when the table was forced: nothing in the header means anything in that table.
    fileIssue('no-columns', `no header on line ${headerLine} is a column of ${rec.table}; check that --table or the mapping file names the right table, or add header aliases with --mapping`);
    return null;
  }
  report.table = rec.table;
  report.recognisedBy = rec.recognisedBy;
  for (const dup of rec.duplicateHeaders) {
    issues.push({
      file: path,
      line: headerLine,
      column: dup.source,
      reason: `column ${dup.index + 1} ("${dup.source}") maps to ${dup.column} like an earlier column; only the first is loaded — rename or remove one of them`,
      level: 'warning',
      code: 'duplicate-header',
    });
  }
  if (opts.onlyTables && !opts.onlyTables.has(rec.table)) return null;

  const def = tableDef(rec.table)!;
  const width = headerRec.fields.length;
  // Header cells after the last named one are spreadsheet padding: a row may stop before them.
  let minWidth = width;
  while (minWidth > 1 && headerRec.fields[minWidth - 1].trim() === '') minWidth--;
  // Rows expected from the size of the records read so far (a little over, rather than under). A record
  // has at least one byte per field, which bounds the columns' memory at a few times the file's size even
  // when the first records are unusually short; the cap keeps the arrays in V8's fast mode.
  const perRecord = sniff.end / sniff.records.length;
  const expectedRows = Math.min(1 << 24, Math.ceil((1.05 * expectedBytes) / Math.max(width, perRecord)) + 16);
  // Source column index → builder, for mapped columns only (first occurrence wins).
  const builders: (ColumnBuilder | null)[] = new Array(width).fill(null);
  const taken = new Set<string>();
  rec.mapping.forEach((m: HeaderMapping, j: number) => {
    if (!m.column || taken.has(m.column) || j >= width) return;
    const col = def.columns.find((c) => c.name === m.column) as ColumnDef | undefined;
    if (!col) return;
    taken.add(m.column);
    builders[j] = new ColumnBuilder(expectedRows, col, m.source, parserFor(col), path, issues);
  });
  const active = Int32Array.from(builders.map((b, j) => (b ? j : -1)).filter((j) => j >= 0));
  const activeBuilders = Array.from(active, (j) => builders[j]!);

  let lines = new Int32Array(expectedRows);
  const headerBytes = headerRec.fields.map((f) => Buffer.from(f, 'utf8'));
  let rows = 0;
  let rejected = 0;
  let win = first as SliceBuffer;
  let view = new DataView(win.buffer, win.byteOffset, win.length);
  let pool: SliceBuffer | null = null;
  let hasNul = win.indexOf(0) >= 0;
  // Only a window that is not the end of the input can give 'need-more'.
  const sc = new CsvScanner(win, { final: firstIsAll });
  for (;;) {
    const st = sc.next();
    if (st === 'eof') break;
    if (st === 'need-more') {
      // Keep the unfinished record at the start of the (reused) window, then append the next chunk.
      // The rest is moved out first: the next read may overwrite the buffer the first chunk lives in.
      const rest = sc.end - sc.pos;
      if (pool === null || pool.length < rest + (chunkSize >> 1)) {
        const bigger = Buffer.allocUnsafe(Math.max(2 * chunkSize, 2 * rest)) as SliceBuffer;
        win.copy(bigger, 0, sc.pos, sc.end);
        pool = bigger;
      } else if (win === pool) {
        pool.copyWithin(0, sc.pos, sc.end);
      } else {
        win.copy(pool, 0, sc.pos, sc.end);
      }
      if (win !== pool) view = new DataView(pool.buffer, pool.byteOffset, pool.length);
      win = pool;
      const more = next();
      if (more === null) {
        sc.reset(win, 0, rest, true);
        continue;
      }
      if (pool.length < rest + more.chunk.length) {
        const bigger = Buffer.allocUnsafe(rest + more.chunk.length + chunkSize) as SliceBuffer;
        pool.copy(bigger, 0, 0, rest);
        pool = win = bigger;
        view = new DataView(pool.buffer, pool.byteOffset, pool.length);
      }
      more.chunk.copy(pool, rest);
      hasNul ||= more.chunk.indexOf(0) >= 0;
      sc.reset(win, 0, rest + more.chunk.length, more.last);
      continue;
    }
    if (st === 'unclosed-quote') {
      if (sc.recordLine > headerLine) {
        report.rowsRead++;
        rejected++;
        issues.push({
          file: path,
          line: sc.recordLine,
          value: lineText(win, sc.recordStart, sc.quotePos, sc.end),
          reason: `a quote opened on line ${sc.quoteLine} is never closed, so the rest of the file would be one field; this row is rejected and reading resumes on line ${sc.quoteLine + 1} — close or remove the stray quote`,
          level: 'error',
          code: 'unclosed-quote',
        });
      }
      sc.skipUnclosed();
      continue;
    }
    // Title rows and the header itself are not data.
    if (sc.recordLine <= headerLine) continue;
    const n = sc.count;
    if (n !== width) {
      if (sc.isBlank() || allEmpty(sc)) continue;
      // Extra empty cells at the end of a row, or a row stopping where the named headers stop
      // (spreadsheet padding either way), lose nothing.
      if (!(n > width ? trailingEmpty(sc, width) : n >= minWidth)) {
        report.rowsRead++;
        rejected++;
        issues.push(raggedIssue(sc, path, width));
        continue;
      }
    } else if (allEmpty(sc)) {
      continue;
    }
    if (n === width && isHeaderAgain(sc, win, headerBytes, headerRec.fields)) {
      // Exports stitched together (or printed with a header per page) repeat the header row.
      issues.push({ file: path, line: sc.recordLine, value: clip(recordText(sc)), reason: 'the header row again, not a record; not loaded', level: 'warning', code: 'repeated-header' });
      continue;
    }
    if (isTotalRow(sc, win)) {
      // The export's own totals line: not a record, and loading it would count its money twice.
      issues.push({
        file: path,
        line: sc.recordLine,
        value: clip(recordText(sc)),
        reason: 'looks like a totals row (合计/总计/小计), not a record; not loaded',
        level: 'warning',
        code: 'total-row',
      });
      continue;
    }
    report.rowsRead++;
    const line = sc.recordLine;
    if (hasNul) {
      const bad = nulField(sc, win);
      if (bad >= 0) {
        rejected++;
        issues.push({
          file: path,
          line,
          // The header as the mapping names it (trimmed), like every value issue, so that masking finds its kind.
          column: rec.mapping[bad]?.source ?? headerRec.fields[bad],
          value: win.toString('utf8', sc.starts[bad], sc.ends[bad]).replace(/\0/g, '\\0'),
          reason: 'the row contains a NUL byte (0x00), a sign of a damaged export; the row is rejected — re-export the file',
          level: 'error',
          code: 'nul-byte',
        });
        continue;
      }
    }
    const starts = sc.starts;
    const ends = sc.ends;
    const flags = sc.flags;
    for (let k = 0; k < active.length; k++) {
      const j = active[k];
      activeBuilders[k].add(win, view, starts[j], ends[j], flags[j], line);
    }
    if (rows === lines.length) {
      const grown = new Int32Array(rows * 2);
      grown.set(lines);
      lines = grown;
    }
    lines[rows++] = line;
  }
  if (sc.loneCR > 0) {
    fileIssue(
      'cr-line-ends',
      sc.lineFeeds === 0
        ? 'lines end with CR only (old Mac format); read as lines — re-save with CRLF or LF line ends to be safe'
        : `${sc.loneCR} line(s) end with a lone CR among LF/CRLF line ends; each was read as a line end`,
      'warning',
    );
  }
  report.rowsLoaded = rows;
  report.rowsRejected = rejected;
  if (rows === 0 && rejected === 0) {
    fileIssue('header-only', `the file has a header (line ${headerLine}) but no data rows`, 'warning');
  }

  const columns: Record<string, Value[]> = {};
  for (const b of activeBuilders) columns[b.def.name] = b.values;
  return {
    name: rec.table,
    rows,
    columns,
    files: [path],
    fileIndex: new Int32Array(rows),
    lines: rows === lines.length ? lines : lines.slice(0, rows),
  };
}

/**
 * Concatenates tables of one canonical table (one per file) into one. Columns
 * are the union; a file without a column contributes nulls. Provenance is kept.
 */
export function concatTables(name: string, parts: LoadedTable[]): LoadedTable {
  if (parts.length === 1) return parts[0];
  if (parts.length === 0) return emptyTable(name);
  const def = tableDef(name);
  const present = new Set(parts.flatMap((p) => Object.keys(p.columns)));
  // Canonical order first, then anything else.
  const order = [...(def?.columns.map((c) => c.name).filter((c) => present.has(c)) ?? []), ...[...present].filter((c) => !def?.columns.some((d) => d.name === c))];
  const rows = parts.reduce((n, p) => n + p.rows, 0);
  const files: string[] = [];
  const fileIndex = new Int32Array(rows);
  const lines = new Int32Array(rows);
  const columns: Record<string, Value[]> = {};
  for (const c of order) columns[c] = new Array(rows);
  let at = 0;
  for (const p of parts) {
    const base = files.length;
    files.push(...p.files);
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
  return { name, rows, columns, files, fileIndex, lines };
}

function emptyTable(name: string, file?: string): LoadedTable {
  return { name, rows: 0, columns: {}, files: file ? [file] : [], fileIndex: new Int32Array(0), lines: new Int32Array(0) };
}

function unreadable(path: string, err: Error): FileReport {
  return {
    ...newReport(path),
    issues: [{ file: path, line: 0, reason: `the file cannot be read (${err.message}); check its permissions`, level: 'error', code: 'unreadable-file' }],
  };
}

function trailingEmpty(sc: CsvScanner, from: number): boolean {
  for (let k = from; k < sc.count; k++) if (sc.starts[k] !== sc.ends[k]) return false;
  return true;
}

/** Is the current record the header row again (every field the header's text, quoted or not)? */
function isHeaderAgain(sc: CsvScanner, data: SliceBuffer, header: Buffer[], headerText: string[]): boolean {
  for (let k = 0; k < header.length; k++) {
    const h = header[k];
    const s = sc.starts[k];
    if (sc.flags[k] !== 0) {
      // Exports that quote every field quote their header too: compare the text inside the quotes (a quoted
      // field shorter than the header and its two quotes cannot be it, which spares a string on data rows).
      if (sc.ends[k] - s < h.length + 2 || fieldText(data, s, sc.ends[k], sc.flags[k]) !== headerText[k]) return false;
      continue;
    }
    if (sc.ends[k] - s !== h.length) return false;
    if (data.compare(h, 0, h.length, s, s + h.length) !== 0) return false;
  }
  return true;
}

/** 合计, 总计 and 小计 in UTF-8: their first characters (合 总 小) and the shared second one (计). */
const TOTAL_FIRST = [Buffer.from('合'), Buffer.from('总'), Buffer.from('小')];
const TOTAL_SECOND = Buffer.from('计');

/** Does the first non-empty of the first two fields start with 合计, 总计 or 小计 (spaces allowed)? */
function isTotalRow(sc: CsvScanner, data: Buffer): boolean {
  for (let k = 0; k < 2 && k < sc.count; k++) {
    let i = sc.starts[k];
    const e = sc.ends[k];
    if (i < e && data[i] === 0x22) i++; // a quoted field
    while (i < e && data[i] === 0x20) i++;
    if (i === e || (data[i] === 0x22 && i + 1 === e)) continue;
    // Only a three-byte UTF-8 character can start 合计: a cheap test before comparing.
    if (data[i] !== 0xe5 && data[i] !== 0xe6) return false;
    if (!TOTAL_FIRST.some((t) => data.compare(t, 0, 3, i, i + 3) === 0)) return false;
    i += 3;
    // Spaces between the characters, ASCII or ideographic (U+3000 = E3 80 80): 合 计, 合　计.
    for (;;) {
      if (i < e && data[i] === 0x20) i++;
      else if (i + 3 <= e && data[i] === 0xe3 && data[i + 1] === 0x80 && data[i + 2] === 0x80) i += 3;
      else break;
    }
    return i + 3 <= e && data.compare(TOTAL_SECOND, 0, 3, i, i + 3) === 0;
  }
  return false;
}

function allEmpty(sc: CsvScanner): boolean {
  return trailingEmpty(sc, 0);
}

function nulField(sc: CsvScanner, data: Buffer): number {
  for (let k = 0; k < sc.count; k++) {
    for (let i = sc.starts[k]; i < sc.ends[k]; i++) if (data[i] === 0) return k;
  }
  return -1;
}

/** The text from `from` to the end of the physical line holding byte `at` (LF, CRLF or a lone CR; not past `end`). */
function lineText(data: Buffer, from: number, at: number, end: number): string {
  let e = at;
  while (e < end && data[e] !== 10 && data[e] !== 13) e++;
  return clip(data.toString('utf8', from, e));
}

function clip(s: string): string {
  return s.length > MAX_RAW ? `${s.slice(0, MAX_RAW)}…` : s;
}

const FULLWIDTH_COMMA = '\uff0c';

function raggedIssue(sc: CsvScanner, file: string, width: number): DataIssue {
  const n = sc.count;
  const text = recordText(sc);
  let reason = `the row has ${n} field${n === 1 ? '' : 's'} but the header has ${width}; the row is rejected`;
  const fw = text.split(FULLWIDTH_COMMA).length - 1;
  if (n < width && fw > 0 && n + fw >= width) {
    reason += ` — it looks like full-width commas (，) were used as separators; replace them with ASCII commas`;
  } else if (n > width) {
    reason += ' — a field probably contains an unquoted comma; quote that field';
  } else {
    reason += ' — fields are missing; re-export the row';
  }
  return { file, line: sc.recordLine, value: clip(text), reason, level: 'error', code: 'ragged-row' };
}
