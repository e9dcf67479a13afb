/**
 * Workbooks made by the tests themselves (no binary fixtures of unknown origin): a minimal ZIP writer and an
 * .xlsx builder with shared strings, date styles, merged cells — and the means to make hostile ones.
 */
import { deflateRawSync } from 'node:zlib';

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

export interface ZipEntry {
  name: string;
  data: Buffer | string;
  /** Store uncompressed (0) or deflate (8, default). */
  method?: 0 | 8;
  /** Lie about the uncompressed size (a hostile archive). */
  declaredSize?: number;
}

/** A ZIP archive of the entries. */
export function zip(entries: ZipEntry[]): Buffer {
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const data = Buffer.isBuffer(e.data) ? e.data : Buffer.from(e.data, 'utf8');
    const method = e.method ?? 8;
    const body = method === 8 ? deflateRawSync(data) : data;
    const name = Buffer.from(e.name, 'utf8');
    const crc = crc32(data);
    const size = e.declaredSize ?? data.length;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    locals.push(local, name, body);
    const cd = Buffer.alloc(46);
    cd.writeUInt32LE(0x02014b50, 0);
    cd.writeUInt16LE(20, 4);
    cd.writeUInt16LE(20, 6);
    cd.writeUInt16LE(0x0800, 8);
    cd.writeUInt16LE(method, 10);
    cd.writeUInt32LE(crc, 16);
    cd.writeUInt32LE(body.length, 20);
    cd.writeUInt32LE(size, 24);
    cd.writeUInt16LE(name.length, 28);
    cd.writeUInt32LE(offset, 42);
    central.push(cd, name);
    offset += 30 + name.length + body.length;
  }
  const cdBuf = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cdBuf.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cdBuf, end]);
}

/** A cell: a string (shared), a number, or the parts spelled out. */
export type CellSpec = string | number | boolean | null | { v?: string | number; t?: string; s?: number; f?: string; is?: string };

export interface SheetSpec {
  name: string;
  /** Rows from row 1 down (or from the row numbers in `rowNumbers`). */
  rows: CellSpec[][];
  rowNumbers?: number[];
  merges?: string[];
  dimension?: string;
  hidden?: boolean;
  /** Raw XML put before </worksheet> (hostile extras). */
  extra?: string;
}

/** Cell styles: 0 General, 1 date (built-in 14), 2 custom 年月日 date, 3 date and time, 4 two decimals. */
export const STYLE = { general: 0, date: 1, cnDate: 2, dateTime: 3, money: 4 };

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function colName(k: number): string {
  let s = '';
  for (let n = k + 1; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
}

/** The entries of an .xlsx workbook of `sheets` (add or replace entries to make it hostile). */
export function xlsxEntries(sheets: SheetSpec[], opts: { date1904?: boolean; sharedStringsXml?: string } = {}): ZipEntry[] {
  const strings: string[] = [];
  const index = new Map<string, number>();
  const sst = (s: string) => {
    let i = index.get(s);
    if (i === undefined) {
      i = strings.push(s) - 1;
      index.set(s, i);
    }
    return i;
  };
  const sheetXml = sheets.map((sh) => {
    const rows = sh.rows
      .map((cells, r) => {
        const rn = sh.rowNumbers?.[r] ?? r + 1;
        const cs = cells
          .map((c, k) => {
            if (c === null) return '';
            const ref = `${colName(k)}${rn}`;
            if (typeof c === 'string') return `<c r="${ref}" t="s"><v>${sst(c)}</v></c>`;
            if (typeof c === 'number') return `<c r="${ref}"><v>${c}</v></c>`;
            if (typeof c === 'boolean') return `<c r="${ref}" t="b"><v>${c ? 1 : 0}</v></c>`;
            const t = c.t ? ` t="${c.t}"` : '';
            const s = c.s !== undefined ? ` s="${c.s}"` : '';
            const f = c.f ? `<f>${esc(c.f)}</f>` : '';
            if (c.is !== undefined) return `<c r="${ref}" t="inlineStr"${s}><is><t>${esc(c.is)}</t></is></c>`;
            return `<c r="${ref}"${t}${s}>${f}${c.v !== undefined ? `<v>${esc(String(c.v))}</v>` : ''}</c>`;
          })
          .join('');
        return `<row r="${rn}">${cs}</row>`;
      })
      .join('');
    const merges = sh.merges?.length ? `<mergeCells count="${sh.merges.length}">${sh.merges.map((m) => `<mergeCell ref="${m}"/>`).join('')}</mergeCells>` : '';
    return (
      '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' +
      (sh.dimension ? `<dimension ref="${sh.dimension}"/>` : '') +
      `<sheetData>${rows}</sheetData>${merges}${sh.extra ?? ''}</worksheet>`
    );
  });
  const rel = (i: number) => `<Relationship Id="rId${i + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet${i + 1}.xml"/>`;
  const n = sheets.length;
  return [
    {
      name: '[Content_Types].xml',
      data: '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>',
    },
    {
      name: '_rels/.rels',
      data: '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    },
    {
      name: 'xl/workbook.xml',
      data:
        '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">' +
        (opts.date1904 ? '<workbookPr date1904="1"/>' : '<workbookPr/>') +
        `<sheets>${sheets.map((s, i) => `<sheet name="${esc(s.name)}" sheetId="${i + 1}" r:id="rId${i + 1}"${s.hidden ? ' state="hidden"' : ''}/>`).join('')}</sheets></workbook>`,
    },
    {
      name: 'xl/_rels/workbook.xml.rels',
      data:
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
        sheets.map((_, i) => rel(i)).join('') +
        `<Relationship Id="rId${n + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>` +
        `<Relationship Id="rId${n + 2}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>` +
        '</Relationships>',
    },
    {
      name: 'xl/styles.xml',
      data:
        '<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' +
        '<numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/><numFmt numFmtId="165" formatCode="yyyy\\-mm\\-dd\\ hh:mm:ss"/></numFmts>' +
        '<cellStyleXfs count="1"><xf numFmtId="0"/></cellStyleXfs>' +
        '<cellXfs count="5"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="164"/><xf numFmtId="165"/><xf numFmtId="2"/></cellXfs></styleSheet>',
    },
    ...sheets.map((_, i) => ({ name: `xl/worksheets/sheet${i + 1}.xml`, data: sheetXml[i] })),
    {
      name: 'xl/sharedStrings.xml',
      data:
        opts.sharedStringsXml ??
        `<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="${strings.length}" uniqueCount="${strings.length}">` +
          strings.map((s) => `<si><t xml:space="preserve">${esc(s)}</t></si>`).join('') +
          '</sst>',
    },
  ];
}

/** An .xlsx workbook of `sheets`. */
export function xlsx(sheets: SheetSpec[], opts: { date1904?: boolean; sharedStringsXml?: string } = {}): Buffer {
  return zip(xlsxEntries(sheets, opts));
}
