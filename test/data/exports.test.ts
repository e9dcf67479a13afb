/**
 * Exports as offices hand them over: malformed quotes reported (never silently repaired), delimiters detected
 * or told, headers found far down or named, empty rows counted, bank statements with debit and credit columns.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadBuffer, loadPaths, loadText } from '../../src/data/load.js';
import type { FileReport } from '../../src/data/model.js';

const tmp = mkdtempSync(join(tmpdir(), 'fa-exports-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Rows read = loaded + rejected, every rejected row an issue, every warning on a line. */
function balanced(r: FileReport) {
  expect(r.rowsRead).toBe(r.rowsLoaded + r.rowsRejected);
  expect(r.issues.filter((i) => ['ragged-row', 'unclosed-quote', 'stray-quote', 'nul-byte'].includes(i.code) && i.line > 0).length).toBeGreaterThanOrEqual(r.rowsRejected);
  for (const i of r.issues) if (i.level === 'warning') expect(i.line, i.code).toBeGreaterThan(0);
}

const load = (text: string, opts = {}) => loadBuffer(Buffer.from(text, 'utf8'), 'x.csv', opts, 'payouts');

describe('malformed quotes are reported at their line and column', () => {
  it('text after a closing quote: kept with a warning when the row still fits', () => {
    const { table, report } = load('person_id,name,period\nP1,"b"c,202301\nP2,ok,202301\n');
    balanced(report);
    expect(table!.columns.name).toEqual(['bc', 'ok']);
    expect(report.issues).toEqual([expect.objectContaining({ line: 2, column: 'name', value: '"b"c', code: 'text-after-quote', level: 'warning' })]);
  });

  it('a quote inside a quoted field that shifts the fields: the row is rejected, saying why', () => {
    for (const row of ['"P1,"x,202301', 'P1,"x,"202301']) {
      const { report } = load(`person_id,name,period\n${row}\nP2,ok,202301\n`);
      balanced(report);
      expect(report).toMatchObject({ rowsRead: 2, rowsLoaded: 1, rowsRejected: 1 });
      expect(report.issues[0], row).toMatchObject({ line: 2, code: 'ragged-row', level: 'error' });
      expect(report.issues[0].reason, row).toMatch(/text follows a closing quote.*double the inner quote/);
    }
  });

  it('a quoted field that swallows a line end and closes before more text: the stray quote\'s line is rejected, the next line read', () => {
    const { table, report } = load('person_id,name,period\nP1,"abc,202301\nP2,def"x,202301\nP3,ghi,202301\n');
    balanced(report);
    expect(report).toMatchObject({ rowsRead: 3, rowsLoaded: 2, rowsRejected: 1 });
    expect(report.issues[0]).toMatchObject({ line: 2, code: 'stray-quote', level: 'error', value: 'P1,"abc,202301' });
    expect(table!.columns.person_id).toEqual(['P2', 'P3']);
    expect(Array.from(table!.lines)).toEqual([3, 4]);
  });

  it('spaces after a closing quote: kept, with a warning', () => {
    const { table, report } = load('person_id,name,period\nP1,"张三"  ,202301\n');
    expect(table!.columns.name).toEqual(['张三']);
    expect(report.issues).toEqual([expect.objectContaining({ line: 2, column: 'name', code: 'space-after-quote', level: 'warning' })]);
  });

  it('an unclosed quote on the first line is reported, not taken for a missing header', () => {
    const r = loadBuffer(Buffer.from('"person_id,name,period\nP1,a,202301\n'), 'q.csv', {});
    expect(r.report.issues.map((i) => [i.code, i.line])).toContainEqual(['unclosed-quote', 1]);
    const header = loadBuffer(Buffer.from('person_id,"name,period\nP1,a,202301\n'), 'q.csv', {}, 'payouts');
    expect(header.report.issues.find((i) => i.code === 'unclosed-quote')).toMatchObject({ line: 1, level: 'error' });
  });
});

describe('blank and empty rows are counted and reported', () => {
  it('counts blank lines and all-empty rows (quoted empties too) as skipped, one warning per run with its lines', () => {
    const { table, report } = load('person_id,period,amount\nP1,202301,1\n\n,,\n"","",""\nP2,202302,2\n , ,\n');
    balanced(report);
    expect(report).toMatchObject({ rowsRead: 2, rowsLoaded: 2, rowsRejected: 0, rowsSkipped: 4 });
    expect(table!.columns.person_id).toEqual(['P1', 'P2']);
    expect(report.issues.map((i) => [i.code, i.line])).toEqual([
      ['empty-rows', 3],
      ['empty-rows', 7],
    ]);
    expect(report.issues[0].reason).toMatch(/3 empty rows .* lines 3–5/);
  });

  it('a lone CR inside a row of an LF file stays in the value and is reported on its line', () => {
    const { table, report } = load('person_id,name,period\nP1,a\rb,202301\nP2,c,202301\n');
    balanced(report);
    expect(table!.columns.name).toEqual(['a\rb', 'c']);
    expect(report.issues).toEqual([expect.objectContaining({ code: 'cr-line-ends', line: 2, level: 'warning' })]);
  });
});

describe('delimiters', () => {
  it('detects tab, semicolon and pipe, and says which it used', () => {
    for (const d of ['\t', ';', '|']) {
      const { table, report } = loadBuffer(Buffer.from(['person_id', 'period', 'amount'].join(d) + '\n' + ['P1', '202301', '1,234.50'].join(d) + '\n'), `x.txt`, {});
      expect(report, JSON.stringify(d)).toMatchObject({ table: 'payouts', delimiter: d, rowsLoaded: 1 });
      expect(table!.columns.amount).toEqual([123450]);
    }
  });

  it('reads as told with --delimiter, and says when the file looks otherwise', () => {
    const tsv = Buffer.from('person_id\tperiod\tamount\nP1\t202301\t1\n');
    const told = loadBuffer(tsv, 't.csv', { delimiter: ',' }, 'payouts');
    expect(told.report.issues[0]).toMatchObject({ code: 'delimiter-mismatch', level: 'warning', line: 1 });
    expect(told.report.issues[0].reason).toMatch(/looks tab-separated/);
    const unknown = loadBuffer(Buffer.from('a\tb\n1\t2\n'), 'u.csv', {});
    expect(unknown.report.issues[0].reason).toMatch(/read as tab-separated/);
  });

  it('never advises a change that would break the row', () => {
    // One full-width comma too many for the header: replacing them all would not give 3 fields.
    const { report } = load('person_id,name,period\nP1，张三，李四，202301\n');
    expect(report.issues[0].code).toBe('ragged-row');
    expect(report.issues[0].reason).not.toMatch(/replac/);
    const fits = load('person_id,name,period\nP1，张三，202301\n');
    expect(fits.report.issues[0].reason).toMatch(/replacing each of its 2 full-width commas/);
  });
});

describe('headers far down, or named', () => {
  const preamble = Array.from({ length: 24 }, (_, i) => `#支付宝交易记录明细查询 第${i + 1}行`).join('\n');
  const bill = `${preamble}\n交易号,本方账号,交易创建时间,交易对方,金额（元）,收/支\n2019001,a@x.cn,2019-01-02 10:00:00,某店,12.50,支出\n2019002,a@x.cn,2019-01-03 11:00:00,某人,100.00,收入\n`;

  it('finds the header of a bank bill below 24 lines of preamble', () => {
    const { table, report } = loadBuffer(Buffer.from(bill), 'alipay.csv', {});
    expect(report).toMatchObject({ table: 'bank_flows', headerLine: 25, rowsLoaded: 2 });
    expect(table!.columns.direction).toEqual(['out', 'in']);
  });

  it('takes the header line it is told, and says which rows it searched when none fits', () => {
    const told = loadBuffer(Buffer.from(bill), 'alipay.csv', { fileHeaderLines: { 'alipay.csv': 25 } });
    expect(told.report).toMatchObject({ headerLine: 25, rowsLoaded: 2 });
    const wrong = loadBuffer(Buffer.from(bill), 'alipay.csv', { fileHeaderLines: { 'alipay.csv': 3 } });
    expect(wrong.report.issues[0].reason).toMatch(/the header on line 3 matches no known table/);
    const none = loadBuffer(Buffer.from('说明\n备注,其他\n1,2\n'), 'n.csv', {});
    expect(none.report.issues[0].reason).toMatch(/searched: lines 1–3, 3 rows.*--header-line n\.csv=N/);
  });
});

describe('bank statements', () => {
  it('derives amount and direction from debit and credit columns, each shape', () => {
    for (const [out, inn] of [['借方发生额', '贷方发生额'], ['支出金额', '收入金额'], ['借方', '贷方']]) {
      const text = `本方账号,交易日期,${out},${inn},摘要\n6222,2023-01-02,500.00,0.00,代发\n6222,2023-01-03,,1200.50,划入\n6222,2023-01-04,1,2,错\n6222,2023-01-05,0,,余额\n6222,2023-01-06,-30,,冲正\n`;
      const { table, report } = loadBuffer(Buffer.from(text), 'statement.csv', {});
      expect(report, out).toMatchObject({ table: 'bank_flows', rowsLoaded: 5 });
      expect(table!.columns.amount, out).toEqual([50000, 120050, null, null, 3000]);
      expect(table!.columns.direction, out).toEqual(['out', 'in', null, null, 'in']);
      expect(report.issues.map((i) => [i.code, i.line, i.level]), out).toEqual([
        ['both-sides', 4, 'error'],
        ['no-side', 5, 'error'],
        ['negative-side', 6, 'warning'],
      ]);
    }
  });

  it('normalises a signed amount beside a direction column to a positive amount', () => {
    const text = '本方账号,借贷标志,发生额\n6222,付,-100.00\n6222,收,200\n6222,收,-5\n6222,,-7\n';
    const { table, report } = loadBuffer(Buffer.from(text), 's.csv', {});
    expect(table!.columns.amount).toEqual([10000, 20000, 500, 700]);
    expect(table!.columns.direction).toEqual(['out', 'in', 'out', 'out']);
    expect(report.issues.map((i) => [i.code, i.line])).toEqual([
      ['negative-amount', 4],
      ['direction-from-sign', 5],
    ]);
  });
});

describe('files of one table that look like different audits', () => {
  it('warns when two files\' identity numbers come from different regions, or their months lie far apart', async () => {
    const dir = join(tmp, 'audits');
    mkdirSync(dir);
    writeFileSync(join(dir, 'a.csv'), '身份证号,待遇年月,发放金额\n510502195603123011,202301,1\n510502195811204027,202302,1\n');
    writeFileSync(join(dir, 'b.csv'), '身份证号,待遇年月,发放金额\n11010519491231002X,202301,1\n');
    writeFileSync(join(dir, 'c.csv'), '身份证号,待遇年月,发放金额\n510502195603123011,202303,1\n');
    writeFileSync(join(dir, 'd.csv'), '身份证号,待遇年月,发放金额\n510502195603123011,201901,1\n');
    const { files, tables } = await loadPaths([dir]);
    const warn = (f: FileReport) => f.issues.find((i) => i.code === 'different-audits');
    expect(warn(files[0])).toBeUndefined();
    expect(warn(files[1])).toMatchObject({ line: 1, level: 'warning' });
    expect(warn(files[1])!.reason).toMatch(/region code 110105.*510502/);
    expect(warn(files[2])).toBeUndefined(); // the month after a.csv's last: one audit
    expect(warn(files[3])!.reason).toMatch(/2019-01 – 2019-01 and .*a\.csv 2023-01 – 2023-02, with 47 months between/);
    expect(tables.get('payouts')!.files).toHaveLength(4);
  });
});

describe('loadText stays comma-separated', () => {
  it('reads an inline table with semicolons inside values as commas', () => {
    const { table } = loadText('staff', 'staff_id,roles\nS1,经办;复核\n', 'case');
    expect(table.columns.roles).toEqual(['经办;复核']);
  });
});
