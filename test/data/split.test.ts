/**
 * A file read as two parts (data/split.ts) gives exactly what reading it
 * whole gives — report (issues, counts, profile, hash), rows, values and line
 * numbers — wherever the split point falls: every line start of each file is
 * tried, including those inside quoted fields (where the split cannot hold and
 * the first part reads on), whole and streamed a few bytes at a time.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { concatTables, loadCsvFile, loadCsvTail, loadFile, type HeadSplit } from '../../src/data/load.js';
import { MemorySink } from '../../src/data/memory-sink.js';
import type { FileReport, LoadedTable } from '../../src/data/model.js';
import { mergeParts } from '../../src/data/split.js';
import { encodeGbk } from '../../fixtures/generator/gbk.js';

const tmp = mkdtempSync(join(tmpdir(), 'fundaudit-split-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function file(name: string, content: string | Buffer): string {
  const p = join(tmp, name);
  writeFileSync(p, content);
  return p;
}

/** The file read as two parts split at byte `at`, chunks of `chunk` bytes; `split`: did the split hold. */
function readSplit(path: string, at: number, chunk: number): { split: boolean; report: FileReport; table: LoadedTable | null } {
  const head: HeadSplit = { at };
  const first = loadCsvFile(path, {}, chunk, () => new MemorySink(), head);
  const tail = loadCsvTail(path, {}, at, () => new MemorySink(), chunk);
  if (!head.rows) return { split: false, report: first.report, table: first.sink?.table() ?? null };
  expect(tail, `the second part from byte ${at}`).not.toBeNull();
  mergeParts(first.report, head.rows, tail!.rows);
  const a = first.sink!.table();
  return { split: true, report: first.report, table: concatTables(a.name, [a, tail!.sink.table()]) };
}

/** What a table holds, as rows of values with their line and file. */
function rowsOf(t: LoadedTable | null): unknown[] {
  if (!t) return [];
  const names = Object.keys(t.columns);
  return Array.from({ length: t.rows }, (_, i) => [...names.map((n) => t.columns[n][i]), t.lines[i], t.files[t.fileIndex[i]]]);
}

/** Splits `path` at every line start (and reads it whole and streamed): each read equals the whole read. */
function expectEverySplitSame(path: string, bytes: Buffer): { held: number; tried: number } {
  let held = 0;
  let tried = 0;
  expect(bytes.length).toBeGreaterThan(200);
  // Whole, and streamed in chunks a little longer than the header (the header is located in the first chunk).
  for (const chunk of [1 << 20, 100]) {
    const whole = loadFile(path, {}, chunk);
    expect(whole.report.table).toBe('payouts');
    const want = { report: whole.report, rows: rowsOf(whole.table), columns: whole.table && Object.keys(whole.table.columns) };
    for (let at = bytes.indexOf(10) + 1; at > 0 && at < bytes.length; at = bytes.indexOf(10, at) + 1) {
      const got = readSplit(path, at, chunk);
      tried++;
      if (got.split) held++;
      expect({ report: got.report, rows: rowsOf(got.table), columns: got.table && Object.keys(got.table.columns) }, `split at byte ${at}, chunks of ${chunk}`).toEqual(want);
    }
  }
  return { held, tried };
}

const HEADER = '公民身份号码,姓名,待遇年月,发放金额,发放日期,备注\n';

describe('reading a file as two parts', () => {
  it('gives the same rows, lines and report with quoted fields holding line ends around the split point', () => {
    const text =
      HEADER +
      '110105194912310021,张三,2024-01,1.00,2024-01-15,"two\nlines"\n' +
      '110105194912310021,"李\n四",2024-01,2.00,2024-01-15,x\n' +
      '110105194912310021,王五,2024-02,3.00,2024-02-15,"a ""quoted"" word,\nand a comma"\n' +
      '110105194912310021,赵六,2024-02,4.00,2024-02-15,\n' +
      '110105194912310021,钱七,2024-03,5.00,2024-03-15,"\n\n"\n';
    const bytes = Buffer.from(text);
    const { held, tried } = expectEverySplitSame(file('quoted-payouts.csv', bytes), bytes);
    // Splits inside a quoted field cannot hold (the first part reads on); the others do.
    expect(held).toBeGreaterThan(0);
    expect(held).toBeLessThan(tried);
  });

  it('gives the same with CRLF line ends, a BOM, and lone carriage returns inside rows', () => {
    const text = '\ufeff' + HEADER.replace('\n', '\r\n') + '110105194912310021,张三,2024-01,1.00,2024-01-15,a\rb\r\n110105194912310021,李四,2024-01,2.00,2024-01-15,"c\r\nd"\r\n110105194912310021,王五,2024-01,3.00,2024-01-15,e\rf\r\n';
    const bytes = Buffer.from(text);
    const { held } = expectEverySplitSame(file('crlf-bom-payouts.csv', bytes), bytes);
    expect(held).toBeGreaterThan(1);
  });

  it('reports rejected rows, bad values, empty rows and skipped lines of both parts once each, in order', () => {
    const text =
      HEADER +
      '110105194912310021,张三,2024-01,1.00,2024-01-15,x\n' +
      '110105194912310021,张三,2024-01\n' + // ragged
      ',,,,,\n\n,,,,,\n' + // a run of empty rows
      '110105194912310021,张三,2024-13,abc,2024-02-30,x\n' + // bad values
      '"unclosed,x,2024-01,1,2024-01-15,y\n' + // stray quote, rejected
      HEADER + // the header again
      '合计,,,6.00,,\n' + // a totals line
      '110105194912310021,李四,2024-02,2.00,2024-02-15,y\n' +
      ',,,,,\n\n' + // empty rows at the end
      '\n';
    const bytes = Buffer.from(text);
    const { held } = expectEverySplitSame(file('rejects-payouts.csv', bytes), bytes);
    expect(held).toBeGreaterThan(5);
    const whole = loadFile(join(tmp, 'rejects-payouts.csv'), {});
    expect(whole.report.rowsRejected).toBeGreaterThan(1);
    expect(whole.report.issues.filter((i) => i.code === 'empty-rows').length).toBe(2);
  });

  it('gives the same for a file with only a header and empty rows, and for one with an unclosed quote to the end', () => {
    const a = Buffer.from(HEADER + '\n,,,,,\n\n'.repeat(30));
    expectEverySplitSame(file('empty-payouts.csv', a), a);
    const b = Buffer.from(HEADER + '110105194912310021,张三,2024-01,1.00,2024-01-15,x\n110105194912310021,"张三,2024-01,1.00,2024-01-15,x\n110105194912310021,李四,2024-01,1.00,2024-01-15,x\n');
    expectEverySplitSame(file('unclosed-payouts.csv', b), b);
  });

  it('gives the same for a file whose rows end with CR alone and whose line feeds are all inside quoted fields', () => {
    // The line feeds are the split points tried; none is the start of a record.
    const rows = '110105194912310021,张三,2024-01,1.00,2024-01-15,"a\nb"\r110105194912310021,李四,2024-01,2.00,2024-01-15,"c\nd"\r';
    const bytes = Buffer.from(HEADER.replace('\n', '\r') + rows + rows);
    const { held, tried } = expectEverySplitSame(file('cr-payouts.csv', bytes), bytes);
    expect(tried).toBeGreaterThan(4);
    expect(held).toBe(0);
  });

  it('does not split a GBK file (it is transcoded), and reads it as a whole read does', () => {
    const bytes = encodeGbk(HEADER + '110105194912310021,张三,2024-01,1.00,2024-01-15,x\n110105194912310021,李四,2024-01,2.00,2024-01-15,y\n'.repeat(3));
    const { held } = expectEverySplitSame(file('gbk-payouts.csv', bytes), bytes);
    expect(held).toBe(0);
  });
});
