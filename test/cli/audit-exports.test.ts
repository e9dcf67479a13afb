/**
 * `fundaudit audit` on exports as offices hand them over, through the real binary: a workbook's rows cited as
 * book.xlsx!Sheet:row, a folder's own files only, and a file of a kind it cannot read told apart.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { STYLE, xlsx } from '../data/xlsx.js';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/fundaudit');
const RULES = join(ROOT, 'test/cli/rules');
const dir = mkdtempSync(join(tmpdir(), 'fa-audit-exports-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ZHANG = '11010519491231002X';
const serial = (iso: string) => (Date.parse(`${iso}T00:00:00Z`) - Date.UTC(1899, 11, 30)) / 86400000;

function run(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', SOURCE_DATE_EPOCH: '1700000000' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('fundaudit audit on workbooks and folders', () => {
  const county = join(dir, 'county');
  mkdirSync(join(county, 'other-county'), { recursive: true });
  writeFileSync(
    join(county, '发放.xlsx'),
    xlsx([
      {
        name: '发放明细',
        rows: [
          ['公民身份号码', '姓名', '待遇年月', '发放金额', '发放状态'],
          [ZHANG, '张三', '202401', 1500, '成功'],
          [ZHANG, '张三', '202403', 1500, '成功'],
        ],
      },
    ]),
  );
  writeFileSync(join(county, 'deaths.csv'), `身份证号,姓名,死亡日期\n${ZHANG},张三,2024-01-20\n`);
  // Another county's deaths in a subfolder: not read without --recursive.
  writeFileSync(join(county, 'other-county', 'deaths.csv'), `身份证号,姓名,死亡日期\n${ZHANG},张三,2023-06-01\n`);

  it('cites a workbook row as book.xlsx!Sheet:row, in the terminal and in json', () => {
    const r = run(['audit', county, '--no-default-rules', '--rules', RULES]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`${join(county, '发放.xlsx')}!发放明细:3`);
    const j = JSON.parse(run(['audit', county, '--no-default-rules', '--rules', RULES, '--format', 'json', '--reveal']).stdout);
    expect(j.findings).toHaveLength(1);
    expect(j.findings[0].evidence.find((e: { table: string }) => e.table === 'payouts')).toMatchObject({ file: join(county, '发放.xlsx'), sheet: '发放明细', line: 3 });
    expect(j.manifest.files.map((f: { path: string; sheet?: string }) => [f.path, f.sheet])).toEqual([
      [join(county, 'deaths.csv'), undefined],
      [join(county, '发放.xlsx'), '发放明细'],
    ]);
    // The subfolder's file stayed out: one deaths file, one finding dated from its death.
    expect(j.inputs.tables.find((t: { name: string }) => t.name === 'deaths').sources).toEqual([join(county, 'deaths.csv')]);
  });

  it('reads subfolders with --recursive, listing the table\'s files', () => {
    const j = JSON.parse(run(['audit', county, '--no-default-rules', '--rules', RULES, '--format', 'json', '--recursive']).stdout);
    expect(j.inputs.tables.find((t: { name: string }) => t.name === 'deaths').sources).toEqual([join(county, 'deaths.csv'), join(county, 'other-county', 'deaths.csv')]);
  });

  it('says what a file it cannot read is and what to do, with exit 2 when nothing else is there', () => {
    const xls = join(dir, 'payouts.xls');
    writeFileSync(xls, Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(504)]));
    const r = run(['audit', xls, '--no-default-rules', '--rules', RULES]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^fundaudit: .*payouts\.xls cannot be loaded: the file is an Excel 97–2003 workbook \(\.xls\)/);
    expect(r.stderr).toMatch(/\n  fix: open it in Excel or WPS and save it as an Excel workbook \(\.xlsx\) or as "CSV UTF-8", then run again\n$/);
    const pdf = join(dir, 'scan.pdf');
    writeFileSync(pdf, '%PDF-1.4\n');
    expect(run(['audit', pdf, '--no-default-rules', '--rules', RULES]).stderr).toContain('the file is a PDF');
  });

  it('types date-formatted cells as dates', () => {
    const book = join(dir, 'deaths.xlsx');
    writeFileSync(book, xlsx([{ name: 'S', rows: [['身份证号', '死亡日期'], [ZHANG, { v: serial('2024-01-20'), s: STYLE.date }]] }]));
    const j = JSON.parse(spawnSync(process.execPath, [BIN, 'inspect', book, '--format', 'json'], { encoding: 'utf8' }).stdout);
    expect(j.files[0]).toMatchObject({ sheet: 'S', table: 'deaths', rowsLoaded: 1, issueCount: { errors: 0, warnings: 0 } });
  });

  it('warns when cash receipts run past the years the holiday calendar knows, on both engines alike', () => {
    const next = join(dir, 'next-year');
    mkdirSync(next);
    // Collected on 5 February 2027, banked on the 20th: the 2027 Spring Festival is not in the shipped calendar.
    writeFileSync(
      join(next, 'contributions.csv'),
      `缴费流水号,个人编号,公民身份号码,姓名,险种类型,费款所属期,实缴金额,到账日期,票据号,缴费方式,经办人,经办时间\nJF1,P1,${ZHANG},张三,110,202701,880.00,2027-02-20,PJ1,现金,S010,2027-02-05 10:00:00\n`,
    );
    const args = ['audit', next, '--only', 'CASH-HELD-BACK', '--format', 'json', '--lang', 'en'];
    const duck = run(args);
    const arquero = run([...args, '--engine', 'arquero']);
    expect(duck.code).toBe(0);
    expect(arquero.stdout).toBe(duck.stdout);
    const warning = JSON.parse(duck.stdout).dataIssues.issues.find((i: { code: string }) => i.code === 'calendar-years');
    expect(warning).toMatchObject({ file: '<fundaudit>/reference/calendar.csv', level: 'warning' });
    expect(warning.reason).toMatch(/^the holiday calendar covers 2015–2026 but has no arrangements for 2027, which contributions reaches \(up to 2027-01\).*--table calendar=FILE/);
    // Within the calendar's years: no such warning.
    writeFileSync(join(next, 'contributions.csv'), readFileSync(join(next, 'contributions.csv'), 'utf8').replaceAll('2027', '2026'));
    expect(run(args).stdout).not.toContain('calendar-years');
  });
});
