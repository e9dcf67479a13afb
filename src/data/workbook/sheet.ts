/**
 * A worksheet's XML read as a stream of rows, each cell's stored value turned
 * into the text the value parsers read (cells.ts), with flags for what the
 * text alone cannot say (a number, a spreadsheet error). Rows come out as
 * RecordViews (record.ts) for the row policies, like CSV records: the line of
 * a row is its row number in the sheet.
 *
 * Nothing in the sheet is trusted to size anything: the `<dimension>` a sheet
 * declares is ignored, rows and columns past Excel's limits are errors, and a
 * row's fields past the header's width are never laid out (values there are
 * reported instead).
 */
import { StringDecoder } from 'node:string_decoder';
import { SaxesParser, type SaxesTagPlain } from 'saxes';
import { CELL_ERROR, NUMERIC } from '../csv.js';
import type { RecordView } from '../record.js';
import { numberText, serialToDate } from './cells.js';
import { attr, local } from './parts.js';
import { ZipError } from './zip.js';

/** Excel's own limits. */
export const MAX_ROWS = 1_048_576;
export const MAX_COLUMNS = 16_384;

/** One cell as read. */
export interface Cell {
  /** 0-based column. */
  col: number;
  text: string;
  flags: number;
}

/** Column letters (`A`, `AB`, `XFD`) of a cell reference as a 0-based index, or -1. */
export function columnIndex(ref: string): number {
  let n = 0;
  let i = 0;
  for (; i < ref.length; i++) {
    const c = ref.charCodeAt(i);
    if (c >= 65 && c <= 90) n = n * 26 + (c - 64);
    else if (c >= 97 && c <= 122) n = n * 26 + (c - 96);
    else break;
    if (n > MAX_COLUMNS) return -1;
  }
  return i === 0 ? -1 : n - 1;
}

/** Column letters of a 0-based index. */
export function columnName(k: number): string {
  let s = '';
  for (let n = k + 1; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
}

/** What the workbook says about cells in general. */
export interface CellContext {
  sharedStrings: string[];
  dateStyles: boolean[];
  date1904: boolean;
}

/**
 * Parses a sheet's XML as it streams in, calling `onRow(line, cells)` for each row that has a cell (cells in
 * column order; the array is reused). `write` takes the inflated bytes; `end` finishes. Malformed XML, rows or
 * columns past Excel's limits throw ZipError.
 */
export class SheetReader {
  private readonly parser: SaxesParser;
  private readonly decoder = new StringDecoder('utf8');
  private readonly cells: Cell[] = [];
  private row = 0;
  private lastRow = 0;
  private col = -1;
  private type = '';
  private style = 0;
  private inCell = false;
  private inValue = false;
  private inText = false;
  private phonetic = 0;
  private text = '';
  private failed: Error | null = null;

  constructor(
    private readonly ctx: CellContext,
    private readonly onRow: (line: number, cells: Cell[]) => void,
  ) {
    const p = new SaxesParser({ position: false });
    p.on('error', (e) => {
      this.failed ??= e;
    });
    p.on('opentag', (t) => this.open(t as SaxesTagPlain));
    p.on('closetag', (t) => this.close(local(t.name)));
    p.on('text', (t) => this.onText(t));
    p.on('cdata', (t) => this.onText(t));
    this.parser = p;
  }

  write(chunk: Buffer): void {
    this.parser.write(this.decoder.write(chunk));
    if (this.failed) throw this.malformed();
  }

  end(): void {
    this.parser.write(this.decoder.end());
    this.parser.close();
    if (this.failed) throw this.malformed();
  }

  private malformed(): ZipError {
    return new ZipError(`the sheet's XML is not well-formed (${(this.failed as Error).message}); re-save the workbook from Excel or WPS`);
  }

  private open(t: SaxesTagPlain): void {
    const n = local(t.name);
    if (n === 'c') {
      const r = attr(t, 'r');
      const col = r === undefined ? this.col + 1 : columnIndex(r);
      if (col < 0 || col >= MAX_COLUMNS) throw new ZipError(`row ${this.row} has a cell at "${r}", past Excel's last column XFD; the workbook is damaged or hostile`);
      this.col = col;
      this.type = attr(t, 't') ?? 'n';
      const s = attr(t, 's');
      this.style = s === undefined ? 0 : Number(s);
      this.inCell = true;
      this.text = '';
    } else if (n === 'row') {
      const r = attr(t, 'r');
      const row = r === undefined ? this.lastRow + 1 : Number(r);
      if (!Number.isInteger(row) || row < 1 || row > MAX_ROWS) throw new ZipError(`a row is numbered "${r}", outside Excel's 1–${MAX_ROWS}; the workbook is damaged or hostile`);
      this.row = row;
      this.col = -1;
      this.cells.length = 0;
    } else if (this.inCell) {
      if (n === 'v') this.inValue = true;
      else if (n === 't') this.inText = true;
      else if (n === 'rPh') this.phonetic++;
    }
  }

  private onText(t: string): void {
    if (this.inValue || (this.inText && this.phonetic === 0)) this.text += t;
  }

  private close(n: string): void {
    if (n === 'v') this.inValue = false;
    else if (n === 't') this.inText = false;
    else if (n === 'rPh') this.phonetic--;
    else if (n === 'c') {
      this.inCell = false;
      this.cell();
    } else if (n === 'row') {
      this.lastRow = this.row;
      if (this.cells.length > 0) this.onRow(this.row, this.cells);
    }
  }

  /** The cell just closed, as text and flags. */
  private cell(): void {
    const raw = this.text;
    let text = raw;
    let flags = 0;
    switch (this.type) {
      case 's': {
        const s = this.ctx.sharedStrings[Number(raw)];
        if (s === undefined) throw new ZipError(`cell ${columnName(this.col)}${this.row} refers to shared string ${raw}, which the workbook does not have; it is damaged`);
        text = s;
        break;
      }
      case 'b':
        text = raw === '1' ? 'TRUE' : raw === '0' ? 'FALSE' : raw;
        break;
      case 'e':
        flags = CELL_ERROR;
        break;
      case 'str':
      case 'inlineStr':
      case 'd':
        break;
      default: {
        if (raw === '') break;
        flags = NUMERIC;
        if (this.ctx.dateStyles[this.style]) {
          const d = serialToDate(Number(raw), this.ctx.date1904);
          if (d !== null) {
            text = d;
            flags = 0;
            break;
          }
        }
        text = numberText(raw);
      }
    }
    if (text === '' && flags === 0) return;
    const cells = this.cells;
    // Cells come in column order; one out of order (or twice) is put in its place, the later one winning.
    if (cells.length > 0 && cells[cells.length - 1].col >= this.col) {
      const at = cells.findIndex((c) => c.col >= this.col);
      if (cells[at].col === this.col) cells[at] = { col: this.col, text, flags };
      else cells.splice(at, 0, { col: this.col, text, flags });
      return;
    }
    cells.push({ col: this.col, text, flags });
  }
}

/**
 * A sheet row laid out as a record of `width` fields (values past it are left out; the caller reports them):
 * the fields' UTF-8 bytes one after the other, separated by commas so that the record's raw text reads like a
 * CSV line in an issue.
 */
export class SheetRecord implements RecordView {
  buf: Buffer = Buffer.allocUnsafe(4096);
  view: DataView = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.length);
  count = 0;
  starts = new Int32Array(64);
  ends = new Int32Array(64);
  flags = new Uint8Array(64);
  recordFlags = 0;
  recordLine = 0;
  readonly recordStart = 0;

  /** Lays out `cells` of row `line` over `width` fields. */
  fill(line: number, cells: readonly Cell[], width: number): this {
    if (this.starts.length < width) {
      this.starts = new Int32Array(width);
      this.ends = new Int32Array(width);
      this.flags = new Uint8Array(width);
    }
    let need = width;
    for (const c of cells) if (c.col < width) need += Buffer.byteLength(c.text) + 1;
    if (this.buf.length < need) {
      this.buf = Buffer.allocUnsafe(Math.max(need, this.buf.length * 2));
      this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.length);
    }
    let o = 0;
    let k = 0;
    let rf = 0;
    for (const c of cells) {
      if (c.col >= width) break;
      for (; k < c.col; k++) {
        this.starts[k] = this.ends[k] = o;
        this.flags[k] = 0;
        this.buf[o++] = 44;
      }
      this.starts[k] = o;
      o += this.buf.write(c.text, o, 'utf8');
      this.ends[k] = o;
      this.flags[k] = c.flags;
      rf |= c.flags;
      this.buf[o++] = 44;
      k++;
    }
    for (; k < width; k++) {
      this.starts[k] = this.ends[k] = o;
      this.flags[k] = 0;
    }
    this.count = width;
    this.recordFlags = rf;
    this.recordLine = line;
    return this;
  }
}
