import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { concatTables, loadBuffer, loadFile, loadPaths, loadText } from '../../src/data/load.js';
import type { FileReport, LoadedTable } from '../../src/data/model.js';
import { columnDef } from '../../src/data/tables.js';
import { parseMoney, parserFor, Problem } from '../../src/data/types/index.js';
import { UsageError } from '../../src/cli/errors.js';
import { external, itExternal } from '../external.js';
import { xlsx } from './xlsx.js';

const SAMPLES = join(import.meta.dirname, 'samples');
const tmp = mkdtempSync(join(tmpdir(), 'fundaudit-load-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Writes a file under the temp folder and returns its path. */
function file(name: string, content: string | Buffer): string {
  const p = join(tmp, name);
  mkdirSync(join(p, '..'), { recursive: true });
  writeFileSync(p, content);
  return p;
}

/** Every file's rows add up, and every rejected row is an issue. */
function balanced(r: FileReport) {
  expect(r.rowsRead).toBe(r.rowsLoaded + r.rowsRejected);
  const rowIssues = r.issues.filter((i) => ['ragged-row', 'unclosed-quote', 'nul-byte'].includes(i.code));
  expect(rowIssues.length).toBe(r.rowsRejected);
}

function col(t: LoadedTable, name: string) {
  return Array.from(t.columns[name] ?? []);
}

/** Chunk size for the streaming tests. */
const CHUNK = 1 << 16;

const ID1 = '510502195603123011';
const ID2 = '510502195811204027';

describe('real-looking exports', () => {
  it('loads a GBK file with a title row and a quoted newline, keeping the line of each record', async () => {
    const { files, tables } = await loadPaths([join(SAMPLES, 'payouts-gbk.csv')]);
    const [r] = files;
    expect(r).toMatchObject({ table: 'payouts', encoding: 'gb18030', headerLine: 2, rowsRead: 4, rowsLoaded: 4, rowsRejected: 0, recognisedBy: 'header' });
    expect(r.issues).toEqual([]);
    expect(r.sha256).toMatch(/^[0-9a-f]{64}$/);
    const t = tables.get('payouts')!;
    // Row 2's policy_ref spans lines 4–5, so the next record starts on line 6.
    expect(Array.from(t.lines)).toEqual([3, 4, 6, 7]);
    expect(t.files).toEqual([join(SAMPLES, 'payouts-gbk.csv')]);
    expect(col(t, 'name')).toEqual(['张三', '李秀英', '王建国', '赵桂兰']);
    expect(col(t, 'amount')).toEqual([325640, 289050, 500000, 198000]);
    expect(col(t, 'period')).toEqual(['2023-01', '2023-01', '2023-01', '2023-01']);
    expect(col(t, 'pay_date')).toEqual(['2023-01-15', '2023-01-15', '2023-01-15', '2023-01-15']);
    expect(col(t, 'scheme')).toEqual(['110', '110', '110', '110']);
    expect(col(t, 'status')).toEqual(['成功', '成功', '退回', '成功']);
    expect(col(t, 'policy_ref')[1]).toBe('泸人社发〔2019〕12号\r\n附件2');
    expect(col(t, 'id_number')[3]).toBe('510502196207076043'); // leading apostrophe dropped
    expect(col(t, 'op_time')[2]).toBe('2023-01-13 22:05:00');
    expect(Object.keys(t.columns)).not.toContain('item_code'); // not in the file: not built
  });

  it('loads a UTF-8 file with BOM, a title row and a blank line above the header', async () => {
    const { files, tables } = await loadPaths([join(SAMPLES, 'persons-bom.csv')]);
    expect(files[0]).toMatchObject({ table: 'persons', encoding: 'utf-8-bom', headerLine: 3, rowsLoaded: 3 });
    const t = tables.get('persons')!;
    expect(Array.from(t.lines)).toEqual([4, 5, 6]);
    expect(col(t, 'person_id')).toEqual(['P0001', 'P0002', 'P0003']);
    expect(col(t, 'gender')).toEqual(['男', '女', '男']);
    expect(col(t, 'birth_date')).toEqual(['1956-03-12', '1958-11-20', '1949-01-01']);
    expect(col(t, 'paid_months')).toEqual([420, 300, 360]);
    expect(col(t, 'phone')).toEqual(['13800000001', '13800000002', null]);
  });

  it('reads a folder\'s own files only; its subfolders with --recursive, in sorted order, concatenating files of one table', async () => {
    const dir = join(tmp, 'walk');
    file('walk/b/2.csv', 'person_id,period,amount\nP2,202302,2.00\n');
    file('walk/a.CSV', 'person_id,period,amount,name\nP1,202301,1.00,张三\n');
    file('walk/notes.md', 'ignored');
    file('walk/.hidden.csv', 'person_id,period,amount\nPX,202301,9.00\n');
    const flat = await loadPaths([dir]);
    expect(flat.files.map((f) => f.path)).toEqual([join(dir, 'a.CSV')]);
    expect(flat.skippedFolders).toEqual([join(dir, 'b')]);
    const { files, tables } = await loadPaths([dir], { recursive: true });
    expect(files.map((f) => f.path)).toEqual([join(dir, 'a.CSV'), join(dir, 'b', '2.csv')]);
    const t = tables.get('payouts')!;
    expect(t.rows).toBe(2);
    expect(t.files).toEqual([join(dir, 'a.CSV'), join(dir, 'b', '2.csv')]);
    expect(Array.from(t.fileIndex)).toEqual([0, 1]);
    expect(Array.from(t.lines)).toEqual([2, 2]);
    expect(col(t, 'name')).toEqual(['张三', null]); // missing in the second file: null-filled
    expect(col(t, 'amount')).toEqual([100, 200]);
  });

  it('throws a UsageError for a path that does not exist', async () => {
    await expect(loadPaths([join(tmp, 'nope')])).rejects.toThrow(UsageError);
    await expect(loadPaths([join(tmp, 'nope')])).rejects.toThrow(/no such file or folder/);
  });

  itExternal('honours --encoding for a public Latin-1 file (csv-spectrum)', async () => {
    const latin = external('csv-spectrum', 'removed', 'latin1.csv');
    const plain = await loadPaths([latin], { fileTables: { [latin]: 'deaths' } });
    expect(plain.files[0]).toMatchObject({ encoding: null, table: null });
    expect(plain.files[0].issues[0]).toMatchObject({ code: 'unknown-encoding', line: 0 });
    const forcedAbc = await loadPaths([latin], { fileTables: { [latin]: 'deaths' }, fileEncodings: { [latin]: 'latin1' } });
    // Decoded now, but a, b, c are no columns of deaths.
    expect(forcedAbc.files[0]).toMatchObject({ encoding: 'latin1', table: null, issues: [expect.objectContaining({ code: 'no-columns' })] });
  });

  it('honours --encoding for the run and per file', async () => {
    const deaths = file('enc/deaths-latin1.csv', Buffer.from(`id_number,name,death_date\n${ID1},Müller,2020-01-02\n`, 'latin1'));
    const forced = await loadPaths([deaths], { fileEncodings: { [deaths]: 'latin1' } });
    expect(forced.files[0]).toMatchObject({ encoding: 'latin1', table: 'deaths', recognisedBy: 'header', rowsLoaded: 1 });
    expect(col(forced.tables.get('deaths')!, 'name')).toEqual(['Müller']);
    const gbk = file('enc/gbk-as-utf8.csv', readFileSync(join(SAMPLES, 'payouts-gbk.csv')));
    const wrong = await loadPaths([gbk], { encoding: 'utf-8' });
    expect(wrong.files[0].issues[0]).toMatchObject({ code: 'encoding', level: 'warning' });
    expect(wrong.files[0].issues[0].reason).toMatch(/not valid utf-8 and were replaced/);
  });

  it('forces a table with --table and reports an unrecognised file with the closest table', async () => {
    const p = file('unrec/x.csv', '姓名,金额\n张三,1\n');
    const r = await loadPaths([p]);
    expect(r.files[0].table).toBeNull();
    expect(r.files[0].issues[0]).toMatchObject({ code: 'unrecognised-file', level: 'error' });
    expect(r.files[0].issues[0].reason).toContain('--table NAME=');
    const forced = await loadPaths([p], { fileTables: { [p]: 'deaths' } });
    expect(forced.files[0]).toMatchObject({ table: 'deaths', recognisedBy: 'option', rowsLoaded: 1 });
    const wrong = await loadPaths([p], { fileTables: { [p]: 'policies' } });
    expect(wrong.files[0]).toMatchObject({ table: null, issues: [expect.objectContaining({ code: 'no-columns', level: 'error' })] });
  });
});

describe('bad input: each problem reported, nothing else lost', () => {
  it('rejects ragged rows (too many and too few fields) and lists them', () => {
    const { table, report } = loadText('payouts', 'person_id,period,amount\nP1,202301,1.00\nP2,202301,2,00\nP3,202301\nP4,202301,4.00\n', 'r.csv');
    balanced(report);
    expect(report).toMatchObject({ rowsRead: 4, rowsLoaded: 2, rowsRejected: 2 });
    expect(col(table, 'person_id')).toEqual(['P1', 'P4']);
    expect(Array.from(table.lines)).toEqual([2, 5]);
    const [many, few] = report.issues;
    expect(many).toMatchObject({ file: 'r.csv', line: 3, code: 'ragged-row', level: 'error', value: 'P2,202301,2,00' });
    expect(many.reason).toMatch(/4 fields but the header has 3.*quote/);
    expect(few).toMatchObject({ line: 4, code: 'ragged-row', value: 'P3,202301' });
    expect(few.reason).toMatch(/2 fields but the header has 3/);
  });

  it('says when a ragged row looks like it used full-width commas as separators', () => {
    const { report } = loadText('payouts', 'person_id,period,amount\nP1，202301，1.00\n', 'fw.csv');
    expect(report.issues[0]).toMatchObject({ line: 2, code: 'ragged-row' });
    expect(report.issues[0].reason).toMatch(/full-width commas/);
  });

  it('keeps full-width commas and quotes inside a field', () => {
    const { table, report } = loadText('payouts', 'person_id,name,period,amount\nP1,张三，李四,202301,1\nP2,“王五”,202301,2\n', 'fwq.csv');
    expect(report.issues).toEqual([]);
    expect(col(table, 'name')).toEqual(['张三，李四', '“王五”']);
  });

  it('reports an unclosed quote on the line where it opened; rows before and after it load', () => {
    const { table, report } = loadText('payouts', 'person_id,period,amount\nP1,202301,1\nP2,"202301,2\nP3,202301,3\n', 'q.csv');
    balanced(report);
    expect(report.issues).toHaveLength(1);
    expect(report.issues[0]).toMatchObject({ line: 3, code: 'unclosed-quote', value: 'P2,"202301,2' });
    expect(report.issues[0].reason).toMatch(/quote opened on line 3/);
    expect(col(table, 'person_id')).toEqual(['P1', 'P3']);
    expect(Array.from(table.lines)).toEqual([2, 4]);
  });

  it('quotes only the line of an unclosed quote, whatever the line ends', () => {
    for (const eol of ['\n', '\r\n', '\r']) {
      const text = ['person_id,period,amount', 'P1,202301,1', 'P2,"202301,2', 'P3,202301,3', ''].join(eol);
      const { table, report } = loadText('payouts', text, 'q.csv');
      expect(report.issues[0], JSON.stringify(eol)).toMatchObject({ line: 3, code: 'unclosed-quote', value: 'P2,"202301,2' });
      expect(col(table, 'person_id')).toEqual(['P1', 'P3']);
    }
  });

  it('rejects a row with a NUL byte, naming its column', () => {
    const { table, report } = loadText('payouts', 'person_id,period,amount\nP1,2023\u000001,1\nP2,202301,2\n', 'nul.csv');
    balanced(report);
    expect(report.issues[0]).toMatchObject({ line: 2, column: 'period', code: 'nul-byte', value: '2023\\001' });
    expect(col(table, 'person_id')).toEqual(['P2']);
  });

  it('reports a binary file and an empty file at file level', () => {
    const bin = loadBuffer(Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.alloc(64, 1)]), 'book.csv', {});
    expect(bin.table).toBeNull();
    expect(bin.report.issues).toEqual([expect.objectContaining({ file: 'book.csv', line: 0, code: 'binary-file', level: 'error' })]);
    const empty = loadBuffer(Buffer.alloc(0), 'empty.csv', {});
    expect(empty.report.issues).toEqual([expect.objectContaining({ code: 'empty-file' })]);
    const blank = loadBuffer(Buffer.from('\r\n\r\n'), 'blank.csv', {});
    expect(blank.report.issues).toEqual([expect.objectContaining({ code: 'empty-file' })]);
  });

  it('loads a header-only file as 0 rows with a note', () => {
    const { table, report } = loadText('payouts', 'person_id,period,amount\r\n', 'h.csv');
    expect(report).toMatchObject({ rowsRead: 0, rowsLoaded: 0, rowsRejected: 0, headerLine: 1 });
    expect(report.issues).toEqual([expect.objectContaining({ code: 'header-only', level: 'warning' })]);
    expect(table.rows).toBe(0);
  });

  it('warns about duplicate header names and loads the first', () => {
    const { table, report } = loadText('payouts', 'person_id,period,amount,发放金额\nP1,202301,1,2\n', 'd.csv');
    expect(report.issues).toEqual([expect.objectContaining({ code: 'duplicate-header', line: 1, column: '发放金额', level: 'warning' })]);
    expect(col(table, 'amount')).toEqual([100]);
  });

  it('turns scientific notation in an identity column into null with an issue, keeping the row', () => {
    const { table, report } = loadText('payouts', `person_id,id_number,period,amount\nP1,5.10502E+17,202301,1\nP2,${ID2},202301,2\n`, 's.csv');
    expect(report).toMatchObject({ rowsLoaded: 2, rowsRejected: 0 });
    expect(report.issues).toEqual([
      expect.objectContaining({ file: 's.csv', line: 2, column: 'id_number', value: '5.10502E+17', code: 'scientific-notation', level: 'error' }),
    ]);
    expect(col(table, 'id_number')).toEqual([null, ID2]);
  });

  it('keeps a value with a warning (wrong check digit, unknown code), and nulls an error, each with file, line, column, raw value', () => {
    const badCheck = ID1.slice(0, 17) + '9';
    const { table, report } = loadText('payouts', `person_id,身份证号码,period,amount,发放状态\nP1,${badCheck},2023-13,abc,成功\nP2,${ID1},202301,1,作废\n`, 'v.csv');
    expect(report.rowsLoaded).toBe(2);
    const by = (code: string) => report.issues.find((i) => i.code === code);
    expect(by('bad-month')).toMatchObject({ line: 2, column: 'period', value: '2023-13', level: 'error' });
    expect(by('bad-money')).toMatchObject({ line: 2, column: 'amount', value: 'abc', level: 'error' });
    expect(report.issues.find((i) => i.column === '身份证号码')).toMatchObject({ line: 2, value: badCheck, level: 'warning' });
    expect(by('unknown-code')).toMatchObject({ line: 3, column: '发放状态', value: '作废', level: 'warning' });
    expect(col(table, 'id_number')).toEqual([badCheck, ID1]);
    expect(col(table, 'period')).toEqual([null, '2023-01']);
    expect(col(table, 'amount')).toEqual([null, 100]);
    expect(col(table, 'status')).toEqual(['成功', '作废']);
  });

  it('reads quoted amounts (read from their bytes when grouped by three) as the money parser does, and reports the others', () => {
    // Each shape the loader's fast path takes, and shapes next to it that it must leave to the parser.
    const fields = ['￥1,500.85', '1,500', '1,500.8', '￥0.00', '0,123.00', '9,999,999,999,999.99', '1234567890123.45', '00000000000001', '￥1,500.855', '12,34', '1,2345.00', ',500', '1,', '99,999,999,999,999.99', '-￥1,500.85', '￥ 1,500', '1,500元', '(1,500.00)', '１,５００'];
    const text = 'person_id,period,amount\n' + fields.map((f, k) => `P${k},202301,"${f}"`).join('\n') + '\n';
    const { table, report } = loadText('payouts', text, 'q.csv');
    expect(report.rowsLoaded).toBe(fields.length);
    const expected = fields.map((f) => {
      const v = parseMoney(f);
      return v instanceof Problem ? null : v;
    });
    expect(col(table, 'amount')).toEqual(expected);
    expect(expected.slice(0, 8)).toEqual([150085, 150000, 150080, 0, 12300, 999999999999999, 123456789012345, 100]);
    const rejected = fields.flatMap((f, k) => (parseMoney(f) instanceof Problem ? [{ line: k + 2, value: f }] : []));
    expect(report.issues.filter((i) => i.column === 'amount').map((i) => ({ line: i.line, value: i.value }))).toEqual(rejected);
    expect(rejected.length).toBeGreaterThan(4);
  });

  it('reads a CR-only file as lines, with a warning', () => {
    const { table, report } = loadText('payouts', 'person_id,period,amount\rP1,202301,1\rP2,202302,2\r', 'cr.csv');
    expect(Array.from(table.lines)).toEqual([2, 3]);
    expect(report.issues).toEqual([expect.objectContaining({ code: 'cr-line-ends', level: 'warning' })]);
  });

  it('skips blank and all-empty rows and ignores trailing empty cells', () => {
    const { table, report } = loadText('payouts', 'person_id,period,amount\n\nP1,202301,1,,\n,,\nP2,202302,2\n', 'b.csv');
    expect(report).toMatchObject({ rowsRead: 2, rowsLoaded: 2, rowsRejected: 0 });
    expect(Array.from(table.lines)).toEqual([3, 5]);
  });

  it('accepts rows that stop where the named headers stop (trailing blank header cells)', () => {
    const { table, report } = loadText('payouts', 'person_id,period,amount,,\nP1,202301,1\nP2,202301,2,,\nP3,202301\n', 'pad.csv');
    expect(report).toMatchObject({ rowsRead: 3, rowsLoaded: 2, rowsRejected: 1 });
    expect(col(table, 'person_id')).toEqual(['P1', 'P2']);
    expect(report.issues[0]).toMatchObject({ line: 4, code: 'ragged-row' });
  });

  it('does not load the export\'s totals row, and says so', () => {
    const csv = '序号,person_id,period,amount\n1,P1,202301,1.00\n2,P2,202301,2.00\n,合 计,,3.00\n"总计：",,,3.00\n3,合计划,202301,4\n';
    const { table, report } = loadText('payouts', csv, 't.csv');
    expect(report).toMatchObject({ rowsRead: 3, rowsLoaded: 3, rowsRejected: 0 });
    expect(col(table, 'amount')).toEqual([100, 200, 400]);
    expect(report.issues).toEqual([
      expect.objectContaining({ line: 4, code: 'total-row', level: 'warning', value: ',合 计,,3.00' }),
      expect.objectContaining({ line: 5, code: 'total-row', level: 'warning' }),
    ]);
  });

  it('skips the header row repeated further down, with a warning', () => {
    const { table, report } = loadText('payouts', 'person_id,period,amount\nP1,202301,1\nperson_id,period,amount\nP2,202302,2\n', 'rep.csv');
    expect(report).toMatchObject({ rowsRead: 2, rowsLoaded: 2, rowsRejected: 0 });
    expect(col(table, 'person_id')).toEqual(['P1', 'P2']);
    expect(report.issues).toEqual([expect.objectContaining({ line: 3, code: 'repeated-header', level: 'warning' })]);
  });

  it('skips a repeated header in an export that quotes every field', () => {
    const text = '"发放流水号","姓名","发放金额"\n"P1","张三","12.5"\n"发放流水号","姓名","发放金额"\n"P2","李四","3"\n';
    const { table, report } = loadText('payouts', text, 'quoted.csv');
    expect(report).toMatchObject({ rowsRead: 2, rowsLoaded: 2, rowsRejected: 0 });
    expect(col(table, 'name')).toEqual(['张三', '李四']);
    expect(report.issues).toEqual([expect.objectContaining({ line: 3, code: 'repeated-header', level: 'warning' })]);
  });

  it('rejects an unknown table name in loadText', () => {
    expect(() => loadText('payments', 'a\n1\n', 'x.csv')).toThrow(/unknown table "payments"/);
  });
});

describe('fast paths agree with the value parsers', () => {
  const cases: Record<string, string[]> = {
    amount: ['0', '1', '1.5', '12.34', '-12.00', '-0.00', '007.10', '99999999999999', '1234567890123.45', '1.234', '1.230', '1,234.00', '￥5', '1e5', '.5', '-', '12.', 'x'],
    // A key built from a failed digit group (-1) must not meet another date's key: 2020-01-5␠ is 2020-01-05, but
    // 2020-00-99 is no date; 2023-1x-05 and 2022-99-05 are both wrong, each in its own way.
    pay_date: ['2023-01-05', '2023-02-29', '2024-02-29', '0000-01-01', '2023-1-5', '2023/01/05', '20230105', '2023-01-0x', '2023-13-01', '2020-01-5 ', '2020-00-99', '2022-99-05', '2023-1x-05', '2023-01-é'],
    period: ['2023-01', '202301', '2023-00', '202313', '2023-1', '2023年1月', '000001', '2020-1 ', '2019-99', '2022-99', '2023-1x', '2023-é'],
    op_time: ['2023-01-05 09:30:00', '2023-01-05 24:00:00', '2023-02-30 10:00:00', '2023-01-05 9:30:00', '2023-01-05T09:30:00', '2023-01-05 09:60:00'],
    name: ['张三', ' 张三 ', '张三', 'Ａ', '1.2E+3'],
    id_number: [ID1, ID1.toLowerCase(), `'${ID1}`, '1.1E+17', ID1],
  };
  for (const [name, raws] of Object.entries(cases)) {
    it(name, () => {
      const def = columnDef('payouts', name)!;
      const parse = parserFor(def);
      // The same raw value twice, so that the second comes from the cache.
      const values = [...raws, ...raws];
      const text = `person_id,period,amount,${name === 'period' || name === 'amount' ? 'pay_date' : name}\n` + values.map((v, i) => `P${i},202301,1,${v}`).join('\n').replace(/^/, '') + '\n';
      const csv = name === 'period' || name === 'amount' ? `person_id,${name}\n` + values.map((v, i) => `P${i},${v.includes(',') ? `"${v}"` : v}`).join('\n') + '\n' : text.replace(/,(1,234\.00)/, ',"$1"');
      const { table, report } = loadText('payouts', csv, 'f.csv');
      const got = col(table, name);
      values.forEach((raw, i) => {
        const want = parse(raw);
        if (want instanceof Problem) {
          expect(got[i], raw).toBe(want.level === 'warning' ? want.kept : null);
          expect(report.issues.some((x) => x.value === raw && x.code === want.code && x.reason === want.reason && x.line === i + 2), raw).toBe(true);
        } else {
          expect(got[i], raw).toBe(want);
        }
      });
    });
  }
});

describe('large files are streamed in chunks with the same result as a whole read', () => {
  it('matches the whole-buffer load over chunk seams (quoted newlines, CRLF, Chinese text)', async () => {
    const rows: string[] = ['标题：2023年待遇发放', '发放流水号,姓名,待遇年月,发放金额,政策依据,经办时间'];
    for (let i = 0; i < 8_000; i++) {
      const note = i % 7 === 0 ? `"泸人社发〔2019〕${i}号\r\n附件, ""二"""` : `文件${i % 13}`;
      rows.push(`F${i},${'张王李赵'[i % 4]}${'秀英建国'[i % 3]},2023${String(1 + (i % 12)).padStart(2, '0')},${(i % 5000) + 0.5},${note},2023-01-0${1 + (i % 9)} 10:00:0${i % 10}`);
    }
    const text = rows.join('\r\n') + '\r\n';
    const p = file('big/payouts.csv', text);
    // 64 KiB chunks: a few hundred KB give several seams, some inside quoted fields.
    expect(Buffer.byteLength(text)).toBeGreaterThan(6 * CHUNK);
    const streamed = loadFile(p, {}, CHUNK);
    const whole = loadBuffer(readFileSync(p), p, {});
    expect(streamed.report).toEqual(whole.report);
    expect(streamed.report).toMatchObject({ rowsLoaded: 8_000, encoding: 'utf-8', headerLine: 2, issues: [] });
    const a = streamed.table!;
    const b = whole.table!;
        expect(JSON.stringify(Array.from(a.lines))).toBe(JSON.stringify(Array.from(b.lines)));
    for (const c of Object.keys(b.columns)) expect(JSON.stringify(col(a, c)), c).toBe(JSON.stringify(col(b, c)));
    expect(col(a, 'policy_ref')[7]).toBe('泸人社发〔2019〕7号\r\n附件, "二"');
    // Rows 0 and 7 span two lines each: row 0 is on lines 3–4, row 7 on 11–12.
    expect([a.lines[0], a.lines[1], a.lines[7], a.lines[8]]).toEqual([3, 5, 11, 13]);
  });
});

describe('a large file that is not loaded', () => {
  it('reports the size and hash of the whole file, not of its first chunk', async () => {
    const rows = ['person_id,name,period,amount'];
    for (let i = 0; i < 12_000; i++) rows.push(`P${i},name${i},202301,${i}`);
    const p = file('big/not-wanted.csv', rows.join('\n') + '\n');
    const unrecognised = file('big/unrecognised.csv', rows.join('\n').replace('person_id,name,period,amount', 'a,b,c,d') + '\n');
    for (const [path, opts] of [[p, { onlyTables: new Set(['persons']) }], [unrecognised, {}]] as const) {
      const whole = loadBuffer(readFileSync(path), path, {}).report;
      expect(whole.bytes).toBeGreaterThan(4 * CHUNK);
      const { table, report } = loadFile(path, opts, CHUNK);
      expect(table).toBeNull();
      expect(report.bytes).toBe(whole.bytes);
      expect(report.sha256).toBe(whole.sha256);
    }
  });
});

describe('damage in a large file', () => {
  it('recovers from an unclosed quote and a NUL byte far from the start as a whole read does', async () => {
    const rows = ['person_id,name,period,amount'];
    for (let i = 0; i < 12_000; i++) rows.push(i === 3_000 ? `P${i},"broken,202301,1` : i === 9_000 ? `P${i},x\u0000y,202301,1` : `P${i},name${i},202301,${i}`);
    const p = file('big/damaged.csv', rows.join('\n') + '\n');
    const streamed = loadFile(p, {}, CHUNK);
    const whole = loadBuffer(readFileSync(p), p, {});
    expect(streamed.report).toEqual(whole.report);
    balanced(streamed.report);
    expect(streamed.report).toMatchObject({ rowsRead: 12_000, rowsLoaded: 11_998, rowsRejected: 2 });
    expect(streamed.report.issues.map((i) => [i.code, i.line])).toEqual([
      ['unclosed-quote', 3_002],
      ['nul-byte', 9_002],
    ]);
    expect(streamed.table!.lines[3_000]).toBe(3_003);
  });
});

describe('large GBK files are transcoded chunk by chunk', () => {
  it('matches the whole-buffer load, with characters split across chunk seams', async () => {
    // GBK bytes: 姓名 = D0D5 C3FB, 张三 = D5C5 C8FD; 待遇年月 and 发放金额 spelled as canonical names.
    const name = Buffer.from([0xd0, 0xd5, 0xc3, 0xfb]);
    const zhang = Buffer.from([0xd5, 0xc5, 0xc8, 0xfd]);
    const parts: Buffer[] = [Buffer.from('person_id,'), name, Buffer.from(',period,amount\r\n')];
    for (let i = 0; i < 30_000; i++) {
      // Row 20,000 holds € (0x80) and a four-byte GB18030 character (U+0080).
      const who = i === 20_000 ? Buffer.from([0x80, 0x81, 0x30, 0x81, 0x30]) : zhang;
      parts.push(Buffer.from(`P${i},`), who, Buffer.from(i % 2 ? ',202301,1.5\r\n' : ',202302,20\r\n'));
    }
    const p = file('big/payouts-gbk.csv', Buffer.concat(parts));
    expect(readFileSync(p).length).toBeGreaterThan(6 * CHUNK);
    const streamed = loadFile(p, {}, CHUNK);
    const whole = loadBuffer(readFileSync(p), p, {});
    expect(streamed.report).toEqual(whole.report);
    expect(streamed.report).toMatchObject({ encoding: 'gb18030', rowsLoaded: 30_000, issues: [] });
    const names = col(streamed.table!, 'name');
    expect(names.filter((n) => n !== '张三')).toEqual(['€\u0080']);
    expect(names[20_000]).toBe('€\u0080');
    expect(col(streamed.table!, 'amount').slice(0, 2)).toEqual([2000, 150]);
    expect(streamed.table!.lines[29_999]).toBe(30_001);
  });
});

describe('a large file whose first chunk cannot tell its encoding', () => {
  it('falls back to a whole-file decode when GBK text starts after the first chunk', async () => {
    const zhang = Buffer.from([0xd5, 0xc5, 0xc8, 0xfd]); // 张三 in GBK
    const parts: Buffer[] = [Buffer.from('person_id,name,period,amount\n')];
    for (let i = 0; i < 12_000; i++) parts.push(Buffer.from(`P${i},`), i < 6_000 ? Buffer.from('Li') : zhang, Buffer.from(',202301,1\n'));
    const p = file('big/late-gbk.csv', Buffer.concat(parts));
    const { table, report } = loadFile(p, {}, CHUNK);
    expect(report).toMatchObject({ encoding: 'gb18030', rowsLoaded: 12_000, issues: [] });
    expect(col(table!, 'name')[11_999]).toBe('张三');
    expect(report.sha256).toBe(loadBuffer(readFileSync(p), p, {}).report.sha256);
  });
});

describe('concatTables', () => {
  it('keeps provenance and null-fills columns a file lacks', () => {
    const a = loadText('payouts', 'person_id,amount,period\nP1,1,202301\n', 'a.csv').table;
    const b = loadText('payouts', 'person_id,name,period\n\nP2,张三,202301\n', 'b.csv').table;
    const t = concatTables('payouts', [a, b]);
    expect(t.files).toEqual(['a.csv', 'b.csv']);
    expect(Array.from(t.fileIndex)).toEqual([0, 1]);
    expect(Array.from(t.lines)).toEqual([2, 3]);
    expect(Object.keys(t.columns)).toEqual(['person_id', 'name', 'period', 'amount']);
    expect(col(t, 'amount')).toEqual([100, null]);
    expect(col(t, 'name')).toEqual([null, '张三']);
  });
});

describe('folders', () => {
  it('load a linked export like a file and report a broken link, never skipping either', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fa-links-'));
    const elsewhere = mkdtempSync(join(tmpdir(), 'fa-target-'));
    writeFileSync(join(elsewhere, 'deaths.csv'), 'id_number,name,death_date\n11010519491231002X,张三,2024-01-15\n');
    symlinkSync(join(elsewhere, 'deaths.csv'), join(dir, 'deaths.csv'));
    symlinkSync(join(elsewhere, 'gone.csv'), join(dir, 'gone.csv'));
    const result = await loadPaths([dir]);
    expect(result.files.map((f) => [f.path, f.table, f.rowsLoaded])).toEqual([
      [join(dir, 'deaths.csv'), 'deaths', 1],
      [join(dir, 'gone.csv'), null, 0],
    ]);
    expect(result.files[1].issues[0]).toMatchObject({ code: 'unreadable-file', level: 'error' });
    rmSync(dir, { recursive: true, force: true });
    rmSync(elsewhere, { recursive: true, force: true });
  });
});

describe('the workbook readers', () => {
  // A loading worker imports the loader for CSV exports: the workbook readers' CommonJS packages (saxes, yauzl)
  // cost every thread that imports them a scan of their exports, and come in only when a workbook does.
  it('are imported only when a workbook is loaded (the build, as a loading worker runs it)', async () => {
    const { execFileSync } = await import('node:child_process');
    const dir = mkdtempSync(join(tmpdir(), 'fundaudit-lazy-'));
    try {
      writeFileSync(join(dir, 'payouts.xlsx'), xlsx([{ name: 'S1', rows: [['待遇年月', '发放金额'], ['2023-01', '12.50']] }]));
      writeFileSync(join(dir, 'deaths.csv'), '公民身份号码,死亡日期\n110105194912310021,2023-01-05\n');
      const load = new URL('../../dist/src/data/load.js', import.meta.url).href;
      const script = `
        import { createRequire } from 'node:module';
        const { loadPaths } = await import(${JSON.stringify(load)});
        const loaded = () => Object.keys(createRequire(import.meta.url).cache).filter((k) => /[\\\\/](saxes|yauzl)[\\\\/]/.test(k)).length > 0;
        const csv = await loadPaths([${JSON.stringify(join(dir, 'deaths.csv'))}]);
        const before = loaded();
        const book = await loadPaths([${JSON.stringify(join(dir, 'payouts.xlsx'))}]);
        console.log(JSON.stringify({ before, after: loaded(), csvRows: csv.files[0].rowsLoaded, bookRows: book.files[0].rowsLoaded }));`;
      const out = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }));
      expect(out).toEqual({ before: false, after: true, csvRows: 1, bookRows: 1 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
