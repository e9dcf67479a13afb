/**
 * Excel workbooks, made by the tests (test/data/xlsx.ts): each sheet a candidate export, cells typed from their
 * stored type and format, provenance file!sheet:row — and hostile workbooks refused, not unpacked.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadPaths } from '../../src/data/load.js';
import { formatPlace, placeOf } from '../../src/data/provenance.js';
import { serialToDate, numberText } from '../../src/data/workbook/cells.js';
import { STYLE, xlsx, xlsxEntries, zip } from './xlsx.js';

const tmp = mkdtempSync(join(tmpdir(), 'fa-xlsx-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function save(name: string, content: Buffer): string {
  const p = join(tmp, name);
  writeFileSync(p, content);
  return p;
}

/** The 1900-system serial of a date. */
const serial = (iso: string) => (Date.parse(`${iso}T00:00:00Z`) - Date.UTC(1899, 11, 30)) / 86400000;
const ID1 = '510502195603123011';
const ID2 = '510502195811204027';

const PAYOUTS_HEADER = ['发放流水号', '公民身份号码', '姓名', '待遇年月', '发放金额', '发放日期', '经办时间'];

describe('an .xlsx workbook', () => {
  const path = save(
    'payouts.xlsx',
    xlsx([
      {
        name: '发放明细',
        merges: ['A1:G1'],
        rows: [
          ['2023年1月养老金发放明细表'],
          PAYOUTS_HEADER,
          ['F1', ID1, '张三', '202301', 3256.4, { v: serial('2023-01-15'), s: STYLE.date }, { v: serial('2023-01-13') + 0.5, s: STYLE.dateTime }],
          // A money value stored as Excel's binary double, an identity number stored as a number.
          ['F2', { v: 510502195811204000 }, '李秀英', { v: 202301 }, { v: '1234.5599999999999' }, { v: serial('2023-01-15'), s: STYLE.cnDate }, null],
          ['F3', ID2, '王五', '202301', { v: '#N/A', t: 'e' }, { v: '2023-01-15', t: 'str' }, null],
          [null, null, null, null, null, null, null],
          ['', '', ''],
        ],
      },
      { name: '说明', rows: [['本表由系统导出'], ['如有疑问请联系经办人']] },
      { name: 'Sheet3', rows: [] },
    ]),
  );

  it('reads each sheet as a candidate export, types cells by their stored type and format, and keeps file!sheet:row', async () => {
    const { files, tables } = await loadPaths([path]);
    expect(files.map((f) => [f.sheet, f.table])).toEqual([
      ['发放明细', 'payouts'],
      ['说明', null],
    ]);
    const [r] = files;
    expect(r).toMatchObject({ path, sheet: '发放明细', headerLine: 2, rowsRead: 3, rowsLoaded: 3, rowsRejected: 0, encoding: null });
    const t = tables.get('payouts')!;
    expect(t.columns.amount).toEqual([325640, 123456, null]);
    expect(t.columns.pay_date).toEqual(['2023-01-15', '2023-01-15', '2023-01-15']);
    expect(t.columns.op_time).toEqual(['2023-01-13 12:00:00', null, null]);
    expect(t.columns.period).toEqual(['2023-01', '2023-01', '2023-01']);
    expect(t.columns.id_number).toEqual([ID1, null, ID2]);
    expect(formatPlace(placeOf(t, 1))).toBe(`${path}!发放明细:4`);
    const by = (code: string) => r.issues.find((i) => i.code === code);
    expect(by('id-stored-as-number')).toMatchObject({ file: path, sheet: '发放明细', line: 4, column: '公民身份号码', level: 'error' });
    expect(by('cell-error')).toMatchObject({ sheet: '发放明细', line: 5, column: '发放金额', value: '#N/A', level: 'error' });
    // The other sheet is no export, beside one that is: a warning with a line, not an error.
    expect(files[1].issues).toEqual([expect.objectContaining({ code: 'unrecognised-sheet', level: 'warning', sheet: '说明', line: 1 })]);
  });

  it('is read from a folder, and named by its place in every issue', async () => {
    const dir = join(tmp, 'folder');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(dir);
    writeFileSync(join(dir, 'payouts.xlsx'), xlsx([{ name: 'S1', rows: [['待遇年月', '发放金额'], ['202301', 'abc']] }]));
    const { files } = await loadPaths([dir]);
    expect(files[0]).toMatchObject({ sheet: 'S1', table: 'payouts' });
    expect(formatPlace(files[0].issues[0])).toBe(`${join(dir, 'payouts.xlsx')}!S1:2`);
  });

  it('finds a header made of merged cells, with debit and credit under one merged title', async () => {
    const p = save(
      'statement.xlsx',
      xlsx([
        {
          name: '对账单',
          merges: ['A1:A2', 'B1:B2', 'C1:D1'],
          rows: [
            ['本方账号', '交易日期', '发生额', null],
            [null, null, '借方发生额', '贷方发生额'],
            ['6222001', { v: serial('2023-03-01'), s: STYLE.date }, 500, 0],
            ['6222001', { v: serial('2023-03-02'), s: STYLE.date }, 0, 1200.5],
          ],
        },
      ]),
    );
    const { files, tables } = await loadPaths([p]);
    expect(files[0]).toMatchObject({ table: 'bank_flows', headerLine: 2, rowsLoaded: 2, issues: [] });
    const t = tables.get('bank_flows')!;
    expect(t.columns.account_no).toEqual(['6222001', '6222001']);
    expect(t.columns.amount).toEqual([50000, 120050]);
    expect(t.columns.direction).toEqual(['out', 'in']);
  });

  it('warns about merged cells among the data rows, values outside the header, and a hidden sheet', async () => {
    const p = save(
      'merged-data.xlsx',
      xlsx([{ name: 'H', hidden: true, merges: ['A3:A4'], rows: [['待遇年月', '发放金额'], ['202301', 1], ['202302', 2, null, '备注'], [null, 3]] }]),
    );
    const { files } = await loadPaths([p]);
    const codes = files[0].issues.map((i) => [i.code, i.line]);
    expect(codes).toEqual(expect.arrayContaining([['merged-cells', 3], ['outside-header', 3], ['hidden-sheet', 1]]));
    expect(files[0].issues.every((i) => i.line > 0)).toBe(true);
  });

  it('reads the 1904 date system, inline strings and cached formula values (never evaluating them)', async () => {
    const p = save(
      'misc.xlsx',
      xlsx(
        [
          {
            name: 'D',
            rows: [
              ['身份证号', '死亡日期', '数据来源'],
              [{ is: ID1 }, { v: serial('2023-01-15') - 1462, s: STYLE.date }, { t: 'str', f: 'HYPERLINK("http://x","民政")', v: '民政' }],
              [{ is: ID2 }, { v: serial('2023-02-01') - 1462, s: STYLE.date }, { t: 'str', f: "'[1]Sheet1'!A1", v: '公安' }],
            ],
          },
        ],
        { date1904: true },
      ),
    );
    const { tables } = await loadPaths([p]);
    const t = tables.get('deaths')!;
    expect(t.columns.death_date).toEqual(['2023-01-15', '2023-02-01']);
    expect(t.columns.source).toEqual(['民政', '公安']);
  });
});

describe('cell values', () => {
  it('date serials in both systems, with the 1900 leap-year bug', () => {
    expect(serialToDate(1, false)).toBe('1900-01-01');
    expect(serialToDate(59, false)).toBe('1900-02-28');
    expect(serialToDate(60, false)).toBeNull(); // Excel's 1900-02-29 never was
    expect(serialToDate(61, false)).toBe('1900-03-01');
    expect(serialToDate(43835, false)).toBe('2020-01-05');
    expect(serialToDate(43835.999999, false)).toBe('2020-01-06');
    expect(serialToDate(0, true)).toBe('1904-01-01');
    expect(serialToDate(-1, false)).toBeNull();
  });

  it('numbers as Excel shows them: 15 significant digits, large ones left for the parsers to report', () => {
    expect(numberText('1234.5599999999999')).toBe('1234.56');
    expect(numberText('0.30000000000000004')).toBe('0.3');
    expect(numberText('13800000001')).toBe('13800000001');
    expect(numberText('1.10101199003077E+17')).toBe('1.10101199003077E+17');
    expect(numberText('-12')).toBe('-12');
  });
});

describe('hostile and unsupported workbooks', () => {
  const report = async (name: string, content: Buffer) => (await loadPaths([save(name, content)])).files[0];

  it('refuses a zip bomb before inflating it', async () => {
    // 64 MiB of zeros deflate to ~64 KiB: a ratio no spreadsheet part has.
    const zeros = Buffer.alloc(64 << 20);
    const bomb = xlsxEntries([{ name: 'S', rows: [['待遇年月', '发放金额']] }]).map((e) => (e.name.endsWith('sheet1.xml') ? { name: e.name, data: zeros } : e));
    const t0 = performance.now();
    const refused = await report('bomb.xlsx', zip(bomb));
    expect(refused.issues[0]).toMatchObject({ code: 'zip-bomb', level: 'error' });
    expect(refused.issues[0].reason).toMatch(/times larger than it is stored.*zip bomb/);
    expect(performance.now() - t0).toBeLessThan(10_000);
  });

  it('refuses a part that inflates past the size it declares', async () => {
    const entries = xlsxEntries([{ name: 'S', rows: [['待遇年月', '发放金额'], ...Array.from({ length: 2000 }, () => ['202301', 1])] }]);
    const lying = entries.map((e) => (e.name.endsWith('sheet1.xml') ? { ...e, declaredSize: 100 } : e));
    const r = await report('lying.xlsx', zip(lying));
    expect(r.issues.some((i) => i.code === 'zip-bomb' || i.code === 'bad-workbook')).toBe(true);
    expect(r.rowsLoaded).toBe(0);
  });

  it('refuses an archive of too many entries', async () => {
    const entries = xlsxEntries([{ name: 'S', rows: [['待遇年月', '发放金额']] }]);
    for (let i = 0; i < 10_001; i++) entries.push({ name: `junk/${i}`, data: '', method: 0 });
    const r = await report('many.xlsx', zip(entries));
    expect(r.issues[0]).toMatchObject({ code: 'zip-bomb' });
    expect(r.issues[0].reason).toMatch(/lists 100\d\d entries, more than the 10000/);
  });

  it('ignores a huge declared sheet dimension and sizes nothing by it', async () => {
    const r0 = process.memoryUsage().rss;
    const p = save('dimension.xlsx', xlsx([{ name: 'S', dimension: 'A1:XFD1048576', rowNumbers: [1, 2, 1048576], rows: [['待遇年月', '发放金额'], ['202301', 1], ['202302', 2]] }]));
    const { files, tables } = await loadPaths([p]);
    expect(files[0]).toMatchObject({ rowsLoaded: 2 });
    expect(Array.from(tables.get('payouts')!.lines)).toEqual([2, 1048576]);
    expect(process.memoryUsage().rss - r0).toBeLessThan(200 << 20);
  });

  it('refuses cells and rows past Excel\'s limits', async () => {
    const bad = xlsxEntries([{ name: 'S', rows: [['待遇年月', '发放金额']] }]).map((e) =>
      e.name.endsWith('sheet1.xml') ? { ...e, data: String(e.data).replace('</sheetData>', '<row r="2"><c r="XFE2"><v>1</v></c></row></sheetData>') } : e,
    );
    const r = await report('wide.xlsx', zip(bad));
    expect(r.issues.find((i) => i.level === 'error')?.reason).toMatch(/past Excel's last column/);
  });

  it('expands no entities: a billion-laughs shared-strings part is refused as malformed', async () => {
    const laughs =
      '<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>' +
      '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&lol2;</t></si></sst>';
    const r = await report('laughs.xlsx', xlsx([{ name: 'S', rows: [['待遇年月', '发放金额']] }], { sharedStringsXml: laughs }));
    expect(r.issues[0]).toMatchObject({ code: 'bad-workbook', level: 'error' });
    expect(r.issues[0].reason).toMatch(/not well-formed XML/);
  });

  it('keeps prototypes clean whatever attribute names a part uses', async () => {
    const entries = xlsxEntries([{ name: '__proto__', rows: [['待遇年月', '发放金额'], ['202301', 1]] }]).map((e) =>
      e.name.endsWith('sheet1.xml') ? { ...e, data: String(e.data).replace('<row r="2">', '<row r="2" __proto__="x" constructor="y">') } : e,
    );
    const r = await report('proto.xlsx', zip(entries));
    expect(r).toMatchObject({ sheet: '__proto__', rowsLoaded: 1 });
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it('says what an old .xls, an encrypted workbook, an .xlsb, an .ods, a PDF and an archive are, and what to do', async () => {
    const cfb = Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(504)]);
    const cases: [string, Buffer, RegExp][] = [
      ['old.xls', cfb, /Excel 97–2003 workbook.*save it as an Excel workbook \(\.xlsx\)/],
      ['secret.xlsx', cfb, /password-protected/],
      ['binary.xlsb', zip([{ name: '[Content_Types].xml', data: '<Types/>' }, { name: 'xl/workbook.bin', data: 'x' }]), /\.xlsb/],
      ['sheet.ods', zip([{ name: 'mimetype', data: 'application/vnd.oasis.opendocument.spreadsheet', method: 0 }, { name: 'content.xml', data: '<x/>' }]), /OpenDocument/],
      ['report.pdf', Buffer.from('%PDF-1.7\n'), /PDF/],
      ['exports.zip', zip([{ name: 'payouts.csv', data: '待遇年月,发放金额\n202301,1\n' }]), /ZIP archive.*extract it/],
    ];
    for (const [name, content, reason] of cases) {
      const r = await report(name, content);
      expect(r.table, name).toBeNull();
      expect(r.issues[0], name).toMatchObject({ code: expect.stringMatching(/unsupported-file/), level: 'error', line: 0 });
      expect(r.issues[0].reason, name).toMatch(reason);
      expect(r.sha256, name).toMatch(/^[0-9a-f]{64}$/);
    }
  });
});
