/**
 * `fundaudit inspect`, through the real binary (build first: npm run build).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { textWidth } from '../../src/report/width.js';
import { external, itExternal } from '../external.js';
import { xlsx } from '../data/xlsx.js';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/fundaudit');
const SAMPLES = 'test/data/samples';
const BAD = `${SAMPLES}/bad`;
const tmp = mkdtempSync(join(tmpdir(), 'fa-inspect-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function run(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [BIN, 'inspect', ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function json(args: string[]) {
  const r = run([...args, '--format', 'json']);
  return { ...r, result: JSON.parse(r.stdout) };
}

describe('fundaudit inspect, text', () => {
  it('shows table, encoding, header line, mapping and rows for each file, and exits 0 when all loaded', () => {
    const r = run(['fixtures/sample']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const out = r.stdout;
    expect(out).toContain('fixtures/sample/待遇发放明细_2023年1-3月.csv\n  table     payouts 待遇发放明细 (by its header)\n  encoding  gb18030 (GBK), header on line 2');
    expect(out).toContain('发放金额(元) → amount');
    expect(out).toMatch(/missing   item_code, review_time/);
    expect(out).toContain('rows      18 read, 18 loaded, 0 rejected');
    expect(out).toContain('fixtures/sample/死亡人员名单.csv\n  table     deaths 死亡人员信息 (by its header)\n  encoding  utf-8-bom, header on line 1');
    expect(out).toContain('4 files: 4 loaded, 0 rows rejected');
    expect(out).toContain('tables: persons 6 rows, payouts 18 rows, deaths 1 row, staff 2 rows');
    expect(out).not.toMatch(/\x1b\[/); // no colour when not a terminal
  });

  it('lists rejected rows and value issues with line, column and raw value, the first 10 per file, and exits 1', () => {
    const r = run([`${BAD}/payouts-messy.csv`]);
    expect(r.code).toBe(1);
    const out = r.stdout;
    expect(out).toContain('rows      16 read, 14 loaded, 2 rejected');
    expect(out).toContain('issues    13 errors');
    expect(out).toContain('line 3, 发放日期: "2023-02-30" error');
    expect(out).toContain('line 5: "F900,P0900,202301,1,234.00,2023-01-15" error');
    expect(out).toMatch(/line 7: "F901，P0901，202301，5\.00，2023-01-15" error\n\s+the row has 1 field but the header has 5; the row is rejected — it looks like full-width\n\s+commas/);
    expect(out).toContain('… and 3 more (--format json lists them all)');
    expect(out.match(/^ {4}line \d+/gm)).toHaveLength(10);
  });

  it('keeps every line within 100 columns (CJK counted double)', () => {
    for (const args of [['fixtures/sample'], [BAD]]) {
      for (const line of run(args).stdout.split('\n')) {
        // A file's path heads its block and is printed whole; everything else wraps or is cut at 100.
        if (line.startsWith('test/') || line.startsWith('fixtures/')) continue;
        expect(textWidth(line), line).toBeLessThanOrEqual(100);
      }
    }
  });

  it('says which table an unrecognised file is closest to and what it lacks; binary files are named as such', () => {
    const r = run([BAD]);
    expect(r.code).toBe(1); // some files unusable while another loaded
    expect(r.stdout).toContain('table     not recognised; closest: persons, lacking person_id, id_number');
    expect(r.stdout).toContain('unmapped  备注, 金额');
    expect(r.stdout).toMatch(/workbook\.csv\n  table     not read\n  issues    1 error\n    whole file error\n      the file is not a readable ZIP container/);
    expect(r.stdout).toContain('3 files: 1 loaded, 2 not usable, 2 rows rejected');
  });

  it('never colours output that is not a terminal, even when FORCE_COLOR is set', () => {
    const r = run(['fixtures/sample'], { FORCE_COLOR: '1' });
    expect(r.stdout).not.toMatch(/\x1b\[/);
  });

  it('shows examples in --help', () => {
    const r = spawnSync(process.execPath, [BIN, 'inspect', '--help'], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Examples:');
    expect(r.stdout).toContain('fundaudit inspect ./exports --encoding gbk');
    expect(r.stdout).toContain('--table payouts=');
  });
});

describe('fundaudit inspect, json', () => {
  it('names every file by its path and lists all issues', () => {
    const { code, result } = json([BAD, `${SAMPLES}/payouts-gbk.csv`]);
    expect(code).toBe(1);
    expect(result.exitCode).toBe(1);
    expect(result.files.map((f: { path: string }) => f.path)).toEqual([
      `${BAD}/payouts-messy.csv`,
      `${BAD}/unknown-table.csv`,
      `${BAD}/workbook.csv`,
      `${SAMPLES}/payouts-gbk.csv`,
    ]);
    const messy = result.files[0];
    expect(messy).toMatchObject({ table: 'payouts', encoding: 'utf-8', headerLine: 1, rowsRead: 16, rowsLoaded: 14, rowsRejected: 2, issueCount: { errors: 13, warnings: 0 } });
    expect(messy.issues).toHaveLength(13);
    expect(messy.issues[0]).toEqual({
      file: `${BAD}/payouts-messy.csv`,
      line: 3,
      column: '发放日期',
      value: '2023-02-30',
      reason: expect.stringContaining('not a real calendar date'),
      level: 'error',
      code: 'bad-date',
    });
    expect(messy.mapping[0]).toEqual({ source: '发放流水号', column: 'payout_id' });
    expect(result.files[1]).toMatchObject({ table: null, closest: { table: 'persons', missing: ['person_id', 'id_number'] }, unmapped: ['备注', '金额'] });
    expect(result.files[2]).toMatchObject({ table: null, encoding: null, issues: [expect.objectContaining({ code: 'bad-workbook', line: 0 })] });
    expect(result.files[3]).toMatchObject({ encoding: 'gb18030', headerLine: 2, rowsLoaded: 4, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(result.tables.payouts).toEqual({ rows: 18, files: [`${BAD}/payouts-messy.csv`, `${SAMPLES}/payouts-gbk.csv`], sources: [`${BAD}/payouts-messy.csv`, `${SAMPLES}/payouts-gbk.csv`], columns: expect.arrayContaining(['payout_id', 'amount']) });
  });

  it('exits 0 when every file loaded', () => {
    const { code, result } = json([`${SAMPLES}/persons-bom.csv`]);
    expect(code).toBe(0);
    expect(result.files[0]).toMatchObject({ path: `${SAMPLES}/persons-bom.csv`, table: 'persons', encoding: 'utf-8-bom', headerLine: 3 });
  });
});

describe('exit 2: bad usage or no files, with a one-line cause and fix; exit 1 when no file could be used', () => {
  it('for a path that does not exist', () => {
    const r = run(['no/such/folder']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('fundaudit: no such file or folder: no/such/folder\n  fix: check the path (folders are searched for *.csv, *.txt, *.tsv, *.xlsx)\n');
  });

  it('exit 1 for files none of which can be loaded: they were inspected, and found wanting', () => {
    const r = run([`${BAD}/unknown-table.csv`, `${BAD}/workbook.csv`]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('2 files: 0 loaded, 2 not usable');
    expect(r.stderr).toMatch(/^fundaudit: none of the 2 file\(s\) could be loaded\n  fix: .*--table NAME=FILE/);
  });

  it('for a folder without CSV files', () => {
    const empty = join(tmp, 'empty');
    mkdirSync(empty);
    const r = run([empty]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no export files under');
  });

  it('for a bad option value', () => {
    expect(run(['fixtures/sample', '--format', 'xml']).stderr).toContain('use --format text or --format json');
    expect(run(['fixtures/sample', '--format', 'xml']).code).toBe(2);
    const enc = run(['fixtures/sample', '--encoding', 'ebcdic']);
    expect(enc.code).toBe(2);
    expect(enc.stderr).toContain('unknown encoding "ebcdic"');
    const table = run(['fixtures/sample', '--table', 'payments=x.csv']);
    expect(table.code).toBe(2);
    expect(table.stderr).toContain('unknown table "payments"');
  });
});

describe('overrides', () => {
  itExternal('says how to read a public Latin-1 file (csv-spectrum) forced to a table', () => {
    const latin = external('csv-spectrum', 'removed', 'latin1.csv');
    const plain = json([latin, '--table', `deaths=${latin}`]);
    expect(plain.code).toBe(1);
    expect(plain.result.files[0].issues[0].reason).toContain(`--encoding ${latin}=latin1`);
  });

  it('--table NAME=FILE forces a table and --encoding FILE=ENC an encoding', () => {
    const deaths = join(tmp, 'deaths-latin1.csv');
    writeFileSync(deaths, Buffer.from('id_number,name,death_date\n510502195603123011,Müller,2020-01-02\n', 'latin1'));
    const forced = json([deaths, '--table', `deaths=${deaths}`, '--encoding', `${deaths}=latin1`]);
    expect(forced.code).toBe(0);
    expect(forced.result.files[0]).toMatchObject({ table: 'deaths', recognisedBy: 'option', encoding: 'latin1', rowsLoaded: 1 });
    expect(run([deaths, '--table', `deaths=${deaths}`, '--encoding', `${deaths}=latin1`]).stdout).toContain('deaths 死亡人员信息 (forced by --table)');
    const wrongTable = json([deaths, '--table', `bank_flows=${deaths}`, '--encoding', 'latin1']);
    expect(wrongTable.code).toBe(1);
    expect(wrongTable.result.files[0].issues[0]).toMatchObject({ code: 'no-columns' });
  });

  it('--mapping adds header aliases and tables by file pattern', () => {
    const dir = join(tmp, 'mapped');
    mkdirSync(dir);
    writeFileSync(join(dir, '发放.csv'), '流水,实发金额,所属月份\nF1,12.50,202301\n');
    writeFileSync(join(dir, '名单.csv'), '证件,日期\n510502195603123011,2023-01-02\n');
    const mapping = join(dir, 'mapping.yaml');
    writeFileSync(
      mapping,
      ['files:', '  - pattern: "名单.csv"', '    table: deaths', 'headers:', '  payouts:', '    流水: payout_id', '    实发金额: amount', '    所属月份: period', '  deaths:', '    证件: id_number', '    日期: death_date', ''].join('\n'),
    );
    const { code, result } = json([join(dir, '发放.csv'), join(dir, '名单.csv'), '--mapping', mapping]);
    expect(code).toBe(0);
    expect(result.files[0]).toMatchObject({ table: 'payouts', recognisedBy: 'mapping', rowsLoaded: 1 });
    expect(result.files[1]).toMatchObject({ table: 'deaths', recognisedBy: 'mapping', rowsLoaded: 1 });
    const bad = run([dir, '--mapping', join(dir, 'nope.yaml')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('cannot read mapping file');
  });
});

describe('personal data', () => {
  // 11010519491231002X with its check digit changed: kept as written, reported with its raw value.
  const file = join(tmp, 'persons-bad-id.csv');
  writeFileSync(file, '个人编号,公民身份号码,姓名\nP1,110105194912310021,张三\nP2,1.10101E+17,李四\n');

  it('masks identity numbers quoted in data issues, in text and json', () => {
    const text = run([file]).stdout;
    expect(text).toContain('"110105********0021"');
    expect(text).not.toContain('110105194912310021');
    const issues = json([file]).result.files[0].issues;
    // Whatever an identity column holds is masked as an identity, mangled or not.
    expect(issues.map((i: { value: string }) => i.value)).toEqual(['110105********0021', '1.1010*E+17']);
  });

  it('never spells out in a reason the birth date that the masked number hides', () => {
    const f = join(tmp, 'persons-bad-birth.csv');
    // A right check digit on 1949-13-31, and a 15-digit number born on 62-13-27: neither date is real.
    writeFileSync(f, '个人编号,公民身份号码,姓名\nP1,110105194913310021,张三\nP2,610104621327690,李四\n');
    const text = run([f]).stdout;
    expect(text).toContain('"110105********0021"');
    expect(text).toContain('[id-birth-date]');
    expect(text).not.toMatch(/19491331|621327/);
    expect(JSON.stringify(json([f]).result)).not.toMatch(/19491331|621327/);
  });

  it('masks the value of a row rejected for a NUL byte by its column, even under a header with stray spaces', () => {
    const f = join(tmp, 'persons-nul.csv');
    writeFileSync(f, '个人编号,姓 名 ,公民身份号码\nP1,张\u0000三丰,11010519491231002X\n');
    const issue = json([f]).result.files[0].issues[0];
    expect(issue).toMatchObject({ code: 'nul-byte', line: 2, column: '姓 名' });
    expect(issue.value).not.toContain('三丰');
  });

  it('--reveal shows them as written', () => {
    expect(run([file, '--reveal']).stdout).toContain('"110105194912310021"');
  });
});

describe('a file without a header row', () => {
  const file = join(tmp, 'no-header.csv');
  writeFileSync(file, '11010519491231002X,张三丰,2024-01-15\n440524188001010014,李四,2024-02-01\n');

  it('does not print its first record unmasked as headers', () => {
    const text = run([file]).stdout;
    expect(text).not.toContain('11010519491231002X');
    expect(text).not.toContain('张三丰');
    const mapping = json([file]).result.files[0].mapping.map((m: { source: string }) => m.source);
    expect(mapping).toEqual(['110105********002X', '张**', '2024-01-15']);
    expect(run([file, '--reveal']).stdout).toContain('张三丰');
  });
});

describe('exports beyond plain CSV', () => {
  const dir = join(tmp, 'beyond');
  mkdirSync(join(dir, 'county-b'), { recursive: true });
  writeFileSync(
    join(dir, 'payouts.xlsx'),
    xlsx([
      { name: '发放明细', rows: [['2023年1月发放明细'], ['个人编号', '待遇年月', '发放金额'], ['P1', '202301', 12.5], ['P2', '2023-13', 3]] },
      { name: '说明', rows: [['本表由系统导出']] },
    ]),
  );
  writeFileSync(join(dir, 'payouts-feb.csv'), '个人编号,待遇年月,发放金额\nP1,202302,12.50\n');
  writeFileSync(join(dir, 'old.xls'), Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(504)]));
  writeFileSync(join(dir, 'county-b', 'payouts.csv'), '个人编号,待遇年月,发放金额\nP9,202301,1\n');

  it('reads a workbook in a folder sheet by sheet, lists a table\'s files, names subfolders left out, and says what an .xls is', () => {
    const r = run([dir]);
    expect(r.code).toBe(1); // the .xls cannot be used
    const out = r.stdout;
    expect(out).toContain(`${dir}/payouts.xlsx!发放明细\n  table     payouts 待遇发放明细 (by its header)\n  sheet     发放明细, header on row 2`);
    expect(out).toContain('line 4, 待遇年月: "2023-13" error');
    expect(out).toContain(`${dir}/payouts.xlsx!说明\n  table     not recognised`);
    expect(out).toMatch(/old\.xls\n  table     not read\n  issues    1 error\n    whole file error\n      the file is an Excel 97–2003 workbook \(\.xls\)/);
    expect(out.replace(/\n\s+/g, ' ')).toContain(`payouts from 2 files: ${dir}/payouts-feb.csv, ${dir}/payouts.xlsx!发放明细`);
    expect(out).toContain(`subfolders not read (add --recursive): ${dir}/county-b`);
    expect(out).not.toContain('P9');
    const deep = json([dir, '--recursive']).result;
    expect(deep.tables.payouts.sources).toEqual([`${dir}/county-b/payouts.csv`, `${dir}/payouts-feb.csv`, `${dir}/payouts.xlsx!发放明细`]);
    expect(deep.skippedFolders).toEqual([]);
  });

  it('exits 1 for a file of a kind it does not read, and says what to do', () => {
    const r = run([join(dir, 'old.xls')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('save it as an Excel workbook (.xlsx) or as "CSV UTF-8"');
    expect(r.stderr).toContain('none of the 1 file(s) could be loaded');
  });

  it('takes --header-line and --delimiter, and says in the output what was used', () => {
    const f = join(tmp, 'bill.txt');
    writeFileSync(f, ['支付宝交易记录', '账号:[a@x.cn]', '', '本方账号\t交易创建时间\t金额（元）\t收/支', 'a@x.cn\t2019-01-02 10:00:00\t12.50\t支出', ''].join('\n'));
    const r = run([f, '--header-line', `${f}=4`, '--delimiter', `${f}=tab`]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('encoding  utf-8, tab-separated, header on line 4');
    expect(run([f, '--delimiter', 'colon']).stderr).toContain('--delimiter colon: unknown delimiter');
    expect(run([f, '--header-line', 'x']).stderr).toContain('expected FILE=N');
  });
});
