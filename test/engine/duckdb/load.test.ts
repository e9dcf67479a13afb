/**
 * Loading into DuckDB gives what loading into memory gives: the same reports,
 * the same tables with the same columns, rows in the same order with the same
 * values, places (file, sheet, line) and digests — in this thread and in
 * worker threads. (Worker threads run the built loader: `npm test` builds
 * first; after editing src/, run `npm run build` before this file alone.)
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { loadPaths } from '../../../src/data/load.js';
import type { LoadedTable, LoadOptions } from '../../../src/data/model.js';
import { placeOf } from '../../../src/data/provenance.js';
import { rowHash } from '../../../src/engine/row-hash.js';
import { AuditDatabase } from '../../../src/engine/duckdb/database.js';
import { loadIntoDuckDB, type DuckDBLoad, type DuckDBLoadSettings } from '../../../src/engine/duckdb/load.js';
import { readRows, valueSql } from '../../../src/engine/duckdb/read.js';
import { ident } from '../../../src/engine/duckdb/schema.js';
import { encodeGbk } from '../../../fixtures/generator/gbk.js';
import { xlsx } from '../../data/xlsx.js';

const DEMO = join(import.meta.dirname, '../../../fixtures/demo');
const tmp = mkdtempSync(join(tmpdir(), 'fundaudit-duckdb-load-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let open: AuditDatabase[] = [];
afterEach(() => {
  for (const db of open) db.close();
  open = [];
});

async function database(): Promise<AuditDatabase> {
  const db = await AuditDatabase.open({ memoryBytes: 512 << 20, threads: 2, maxTempBytes: 1 << 30 });
  open.push(db);
  return db;
}

function file(name: string, content: string | Buffer): string {
  const p = join(tmp, name);
  writeFileSync(p, content);
  return p;
}

/** Every table, value, place and digest of the DuckDB load equals the in-memory load's. */
async function expectSameAsMemory(paths: string[], opts: LoadOptions, workers: number, settings: DuckDBLoadSettings = {}): Promise<DuckDBLoad> {
  const memory = await loadPaths(paths, opts);
  const db = await database();
  const duck = await loadIntoDuckDB(paths, opts, db, { workers, checkpointRows: 5000, ...settings });
  expect(duck.workers).toBe(workers);
  expect(duck.files).toEqual(memory.files);
  expect(duck.skippedFolders).toEqual(memory.skippedFolders);
  expect([...duck.tables.keys()]).toEqual([...memory.tables.keys()]);
  for (const [name, table] of memory.tables) {
    const got = duck.tables.get(name)!;
    expect(got.rows, name).toBe(table.rows);
    expect(got.columns, name).toEqual(Object.keys(table.columns));
    const { rows } = await readRows(
      db.connection,
      `SELECT ${[...got.columns.map((c) => valueSql(name, c)), '__src', '__line', '__digest', '__row'].join(', ')} FROM ${ident(name)} ORDER BY __row`,
    );
    expectRows(name, table, got.columns, rows, duck);
  }
  return duck;
}

function expectRows(name: string, table: LoadedTable, columns: string[], rows: unknown[][], duck: DuckDBLoad): void {
  expect(rows.length).toBe(table.rows);
  const k = columns.length;
  // Row by row as strings (an expect per row would take longer than the load); the first difference in full.
  for (let i = 0; i < table.rows; i++) {
    const r = rows[i];
    const source = duck.sources[r[k] as number];
    const got = [...r.slice(0, k), source.file, source.sheet ?? null, r[k + 1], r[k + 2], r[k + 3]];
    const place = placeOf(table, i);
    const want = [...columns.map((c) => table.columns[c][i] ?? null), place.file, place.sheet ?? null, place.line, rowHash(table, i), i];
    if (JSON.stringify(got) !== JSON.stringify(want)) expect(got, `${name} row ${i}: values, file, sheet, line, digest, row`).toEqual(want);
  }
}

describe('loading into DuckDB', () => {
  it('loads the demo county as memory does, in this thread', async () => {
    const duck = await expectSameAsMemory([DEMO], {}, 0);
    expect(duck.tables.get('payouts')!.rows).toBeGreaterThan(20000);
  });

  it('loads the demo county as memory does, in two worker threads', async () => {
    await expectSameAsMemory([DEMO], {}, 2);
  });

  it('loads only the tables asked for, and still reports every file', async () => {
    const opts = { onlyTables: new Set(['payouts', 'deaths']) };
    const duck = await expectSameAsMemory([DEMO], opts, 0);
    expect([...duck.tables.keys()]).toEqual(['payouts', 'deaths']);
  });

  it('numbers the rows of a table read from several files and sheets in the order given, whichever worker finished first', async () => {
    const header = '支付单号,公民身份号码,姓名,待遇年月,发放金额,发放日期,发放状态,经办时间\n';
    const big = Array.from({ length: 40000 }, (_, i) => `A${i},110105194912310021,张三,2024-01,${(i % 900) + 100}.50,2024-01-15,成功,2024-01-14 09:3${i % 10}:00`).join('\n');
    const a = file('a-payouts.csv', header + big + '\n');
    // Second file: GBK, other columns (no 经办时间, a 备注 the loader ignores), and a row with a bad date.
    const b = file('b-payouts.csv', encodeGbk('发放日期,待遇年月,发放金额,公民身份号码,姓名,银行账号\n2024/2/1,202402,1.00,11010519491231002X,李四,\'6222000011112222\n2024-02-30,202402,2.00,11010519491231002X,李四,6222000011112222\n'));
    const c = file('c-book.xlsx', xlsx([
      { name: '死亡', rows: [['身份证号', '姓名', '死亡日期'], ['11010519491231002X', '李四', '2024-01-03']] },
      { name: '发放', rows: [['公民身份号码', '待遇年月', '发放金额'], ['11010519491231002X', '202403', 3.5], ['110105194912310021', '2024-03', 4]] },
    ]));
    for (const workers of [0, 2]) {
      const duck = await expectSameAsMemory([c, b, a], {}, workers);
      expect(duck.tables.get('payouts')!.rows).toBe(40004);
      // Parts of payouts in the order given: the workbook's sheet, then b, then a.
      expect(duck.tables.get('payouts')!.columns).toContain('op_time');
    }
  });

  it('keeps rows read = loaded + rejected, and no rejected row reaches DuckDB', async () => {
    const p = file('bad-payouts.csv', '公民身份号码,姓名,待遇年月,发放金额\n110105194912310021,张三,2024-01,1.00\n110105194912310021,张三,2024-01\n"unclosed,x,2024-01,1\n110105194912310021,张三,2024-02,abc\n');
    const duck = await expectSameAsMemory([p], {}, 0);
    const r = duck.files[0];
    expect(r.rowsRead).toBe(r.rowsLoaded + r.rowsRejected);
    expect(r.rowsRejected).toBeGreaterThan(0);
    expect(duck.tables.get('payouts')!.rows).toBe(r.rowsLoaded);
  });

  it('drops the rows of a streamed file that has to be read again whole', async () => {
    // Past the loader's 8 MiB chunk the bytes stop being UTF-8: it reads the file again whole, as GBK.
    const header = 'payout_id,id_number,name,period,amount\n';
    // Long rows, so that few of them fill the chunk.
    const filler = 'ZHANG SAN '.repeat(40);
    const line = (i: number) => `P${String(i).padStart(9, '0')},110105194912310021,${filler}${i},2024-01,100.00\n`;
    const rows: string[] = [];
    let size = header.length;
    for (let i = 0; size < 8.5 * 2 ** 20; i++) {
      rows.push(line(i));
      size += rows[rows.length - 1].length;
    }
    const p = file('streamed-payouts.csv', Buffer.concat([Buffer.from(header + rows.join('')), encodeGbk('P999999999,110105194912310021,张三,2024-02,1.00\n')]));
    for (const workers of [0, 1]) {
      const duck = await expectSameAsMemory([p], {}, workers);
      expect(duck.files[0].encoding).toBe('gb18030');
      expect(duck.tables.get('payouts')!.rows).toBe(rows.length + 1);
    }
    expect(readFileSync(p).length).toBeGreaterThan(8 * 2 ** 20);
  });

  it('reads large files as two parts at once in two workers, with the same tables, lines, rejected rows and reports', async () => {
    // A split point in the middle of each file of 200 bytes or more: the demo county's, and files made to put
    // quoted line ends, CRLF, a BOM, rejected rows and empty rows on both sides of it.
    const duck = await expectSameAsMemory([DEMO], {}, 2, { splitBytes: 200 });
    // Most demo files are GBK, which is not split (it is transcoded): two are UTF-8.
    expect(duck.split).toBe(2);
    const header = '公民身份号码,姓名,待遇年月,发放金额,发放日期,备注\r\n';
    const row = (i: number) =>
      i % 7 === 3 ? `110105194912310021,张三,2024-01\r\n`
      : i % 11 === 5 ? `,,,,,\r\n\r\n`
      : i % 13 === 6 ? `110105194912310021,"张\n三",2024-13,abc,2024-01-15,"x\r\ny"\r\n`
      : `110105194912310021,李四,2024-0${(i % 9) + 1},${i}.00,2024-01-15,r${i}\r\n`;
    const rows = Array.from({ length: 300 }, (_, i) => row(i)).join('');
    // In the third file the middle, where the split point is looked for, is inside a quoted field of many
    // lines: the split does not hold, and the first part reads the whole file.
    const long = `110105194912310021,王五,2024-01,1.00,2024-01-15,"${'第一行\n'.repeat(400)}"\n`;
    const paths = [
      file('split-a-payouts.csv', '\ufeff' + header + rows),
      file('split-b-payouts.csv', header + rows.replace(/\r\n/g, '\n')),
      file('split-c-payouts.csv', header + rows.slice(0, 2000) + long + rows.slice(rows.length - 2000)),
    ];
    const split = await expectSameAsMemory(paths, {}, 2, { splitBytes: 100 });
    expect(split.split).toBe(2);
    expect(split.files[0].rowsRejected).toBeGreaterThan(30);
    expect(split.files[2].rowsLoaded).toBeGreaterThan(10);
  });

  it('loads text of one- to four-byte characters on either side of 12 bytes (inline in DuckDB or not), repeated or not', async () => {
    // Names of 1- to 16-byte UTF-8 in every width of character: é (2), 张 (3), 𠀀 (4, a surrogate pair in JS);
    // the bank column repeats a few long names (a dictionary), the name column holds a thousand distinct ones.
    const chars = ['a', 'é', '张', '𠀀'];
    const name = (i: number) => chars[i % 4].repeat(1 + ((i >> 2) % 8)) + (i >= 32 ? String(i) : '');
    const rows = Array.from({ length: 1200 }, (_, i) => `110105194912310021,${name(i)},2024-01,1.00,${chars[i % 4].repeat(5 + (i % 3))}银行`).join('\n');
    const p = file('utf8-widths-payouts.csv', `公民身份号码,姓名,待遇年月,发放金额,开户银行\n${rows}\n`);
    for (const workers of [0, 1]) {
      const duck = await expectSameAsMemory([p], {}, workers);
      expect(duck.tables.get('payouts')!.rows).toBe(1200);
    }
  });

  it('writes a worker\'s batches into buffers used again once appended, every row as memory has it', async () => {
    // Batches of 16,384 rows (batch.ts), most in buffers the main thread handed back once appended
    // (load-worker.ts): names of twelve bytes in some, of one in others, and blanks. A buffer handed back before
    // its batch was appended, or used by two batches, would change rows; equal names must stay one group.
    const batch = 16384;
    const names = ['XXXXXXXXXXXX', 'YYYYYYYYYYYY', 'XXXXXXXXXXXX', 'YYYYYYYYYYYY', 'A', 'A', 'XXXXXXXXXXXX', 'A'];
    const name = (i: number) => (i % 9 === 4 ? '' : names[Math.min(names.length - 1, Math.floor(i / batch))]);
    const rows = Array.from({ length: 7 * batch + 100 }, (_, i) => `110105194912310021,${name(i)},2024-01,${i % 100}.00`).join('\n');
    const p = file('reused-payouts.csv', `公民身份号码,姓名,待遇年月,发放金额\n${rows}\n`);
    const duck = await expectSameAsMemory([p], {}, 1);
    expect(duck.tables.get('payouts')!.rows).toBe(7 * batch + 100);
    const db = open[open.length - 1];
    const { rows: groups } = await readRows(db.connection, `SELECT name, count(*) FROM payouts GROUP BY name ORDER BY name`);
    const count = (n: string) => Array.from({ length: 7 * batch + 100 }, (_, i) => name(i)).filter((x) => x === n).length;
    expect(groups.map(([n, c]) => [n, Number(c)])).toEqual([['A', count('A')], ['XXXXXXXXXXXX', count('XXXXXXXXXXXX')], ['YYYYYYYYYYYY', count('YYYYYYYYYYYY')], [null, count('')]]);
  });

  it('gives a table missing from the files no view, and a column no file has no place among its columns', async () => {
    const p = file('only-deaths.csv', '身份证号,姓名,死亡日期\n11010519491231002X,李四,2024-01-03\n');
    const db = await database();
    const duck = await loadIntoDuckDB([p], {}, db, { workers: 0 });
    expect([...duck.tables.keys()]).toEqual(['deaths']);
    expect(duck.tables.get('deaths')!.columns).toEqual(['id_number', 'name', 'death_date']);
    await expect(db.connection.run('SELECT * FROM payouts')).rejects.toThrow(/payouts/);
  });

  it('compresses loaded text with a dictionary, never with FSST or ZSTD, whose analysis costs the load more than it saves', async () => {
    const db = await database();
    await loadIntoDuckDB([DEMO], { onlyTables: new Set(['payouts']) }, db, { workers: 0 });
    const { rows } = await readRows(
      db.connection,
      `SELECT column_name, compression FROM pragma_storage_info('payouts__rows') WHERE segment_type = 'VARCHAR' AND column_name IN ('item', 'status')`,
    );
    expect(rows.length).toBeGreaterThan(0);
    for (const [column, compression] of rows) expect([column, compression]).toEqual([column, 'DICT_FSST']);
    // Left out by the database's setting, which DuckDB must really hold (given at instance creation, it did not).
    const { rows: setting } = await readRows(db.connection, `SELECT current_setting('disabled_compression_methods')`);
    expect(String(setting[0][0]).toUpperCase().split(',').sort()).toEqual(['FSST', 'ZSTD']);
  });
});
