/**
 * The column typers (columns.ts) give every field the value its column's parser gives its text, however the
 * value was found: from a fast shape of its bytes, from the cache by the row before's value, by the row's
 * identity number (a guess that is wrong when people share a name or a bank), or by a probe of the cache.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCsv } from '../../src/data/csv.js';
import { loadFileParts } from '../../src/data/load.js';
import type { Value } from '../../src/data/model.js';
import type { RowSink } from '../../src/data/sink.js';
import { tableDef, type ColumnDef } from '../../src/data/tables.js';
import { parserFor, Problem } from '../../src/data/types/index.js';

const tmp = mkdtempSync(join(tmpdir(), 'fundaudit-columns-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Keeps every row's values by column name. */
class Rows implements RowSink {
  columns: readonly ColumnDef[] = [];
  rows: Array<Record<string, Value>> = [];
  begin(_table: string, _source: unknown, columns: readonly ColumnDef[]): void {
    this.columns = columns;
  }
  row(values: readonly Value[]): void {
    this.rows.push(Object.fromEntries(this.columns.map((c, k) => [c.name, values[k]])));
  }
  end(): void {}
}

/** Each record's values as the parsers of `headers`' columns (by canonical name) give them from its text. */
function parsed(table: string, headers: Record<string, string>, text: string): Array<Record<string, Value>> {
  const def = tableDef(table)!;
  const cols = Object.keys(headers).map((n) => def.columns.find((c) => c.name === n)!);
  return parseCsv(text)
    .records.slice(1)
    .map((r) =>
      Object.fromEntries(
        cols.map((c, k) => {
          const v = parserFor(c)(r.fields[k]);
          return [c.name, v instanceof Problem ? (v.level === 'warning' ? v.kept : null) : v === '' ? null : v];
        }),
      ),
    );
}

describe('ColumnTyper', () => {
  it('types each field as its parser does, where identity numbers share names, banks and accounts', async () => {
    const def = tableDef('payouts')!;
    const headers: Record<string, string> = { period: '待遇年月', amount: '发放金额', id_number: '公民身份号码', name: '姓名', bank_name: '开户银行', bank_account: '银行账号', account_holder: '户名', item: '待遇项目' };
    const names = ['朱飞', '朱飞 ', '李四', '𠀀张三', '王五'];
    const banks = ['中国农业银行泸县支行', '中国建设银行泸县支行', ''];
    // People whose name, bank and account change from one month to the next and are shared with others, some
    // written in two ways (an apostrophe, spaces): a guess from the identity number is right, then wrong.
    const people = Array.from({ length: 40 }, (_, p) => `5105211960010${String(1000 + p).slice(1)}${p % 2}`);
    const lines = [Object.values(headers).join(',')];
    for (let month = 0; month < 6; month++) {
      for (let p = 0; p < people.length; p += 1 + (month % 2)) {
        const id = (p + month) % 7 === 0 ? `'${people[p]}` : people[p];
        const name = names[(p * 3 + (month > 3 ? 1 : 0)) % names.length];
        lines.push([`2023-0${month + 1}`, `${p}.5`, id, name, banks[(p + month) % banks.length], `6228${(p * 7 + month) % 13}`, names[(p + month) % names.length], ['基本养老金', '丧葬补助金'][p % 2]].join(','));
      }
    }
    const text = lines.join('\n') + '\n';
    const path = join(tmp, 'payouts.csv');
    writeFileSync(path, text);
    const [part] = await loadFileParts(path, {}, () => new Rows());
    expect(part.report.table).toBe('payouts');
    expect(part.sink!.rows).toEqual(parsed('payouts', headers, text));
  });

  it('types a value written after an apostrophe and without one as its parser does each way, and says which bytes it is', async () => {
    const headers: Record<string, string> = { id_number: '公民身份号码', name: '姓名', bank_account: '银行账号', account_holder: '户名', item: '待遇项目', period: '待遇年月', amount: '发放金额' };
    // Each way of writing a value, first met in either order: the apostrophe a spreadsheet writes before text
    // (dropped from an identity number and an account, kept in a name), two of them, a wrapper after it, a
    // value that is an apostrophe and no more, and an identity number that is valid one way only.
    const ids = ['510521194306026674', '11010519491231002X', '110105194912310021', "'", "''510521194306026674"];
    const names = ['朱飞', "'朱飞", "''朱飞", "'", "'李 四 "];
    const accounts = ['6228480863062999614', "'6228480863062999614", "''6228", '\'="6228"', '="6228"', "'"];
    const lines = [Object.values(headers).join(',')];
    for (let r = 0; r < 60; r++) {
      const id = ids[(r * 7) % ids.length];
      const quote = (r >> 1) % 3 === 1 && !id.startsWith("'") ? "'" : '';
      lines.push([quote + id, names[(r * 3) % names.length], accounts[(r * 5) % accounts.length], names[(r + 1) % names.length], r % 4 === 0 ? "'基本养老金" : '基本养老金', '2023-01', '1500.85'].join(','));
    }
    const text = lines.join('\n') + '\n';
    const path = join(tmp, 'payouts-apostrophes.csv');
    writeFileSync(path, text);
    const records = parseCsv(text).records.slice(1);
    const expected = parsed('payouts', headers, text);
    const spans: Array<Record<string, string | null>> = [];
    class BytesRows extends Rows {
      rowBytes(values: readonly Value[], line: number, buf: Uint8Array, from: Int32Array, to: Int32Array): void {
        this.row(values);
        // A value said to be its bytes is the string they spell.
        spans.push(Object.fromEntries(this.columns.map((c, k) => [c.name, from[k] < 0 ? null : Buffer.from(buf.subarray(from[k], to[k])).toString('utf8')])));
      }
    }
    for (const sink of [() => new Rows(), () => new BytesRows()]) {
      spans.length = 0;
      const [part] = await loadFileParts(path, {}, sink);
      const loaded = part.sink!.rows;
      expect(loaded).toEqual(expected);
      spans.forEach((row, i) => Object.entries(row).forEach(([name, bytes]) => bytes !== null && expect(bytes).toBe(loaded[i][name])));
    }
    // Both ways, told apart: some values are their bytes after the apostrophe, some with it.
    expect(spans.some((row, i) => row.id_number !== null && records[i].fields[0].startsWith("'"))).toBe(true);
    expect(spans.some((row) => row.name?.startsWith("'"))).toBe(true);
  });

  it('types serial numbers, and codes that count up only in a month, as their parser does, and then values that come again', async () => {
    const headers: Record<string, string> = { payout_id: '支付单号', person_id: '个人编号', id_number: '公民身份号码', name: '姓名', period: '待遇年月', amount: '发放金额' };
    // Past COUNT_PROBE rows: a payout number that counts up (over a carry, 0999 → 1000, and written after an
    // apostrophe now and then), then comes again; people in code order, one row each a month, as if counting.
    const people = 4200;
    const lines = [Object.values(headers).join(',')];
    for (let month = 1; month <= 3; month++) {
      for (let p = 0; p < people; p++) {
        const serial = month === 3 ? p : (month - 1) * people + p;
        const id = `ZF${String(serial).padStart(8, '0')}`;
        lines.push([p % 1000 === 7 ? `'${id}` : id, `51052${String(p + 990).padStart(5, '0')}`, `5105211960010100${p % 2}`, '朱飞', `2023-0${month}`, `${p}.5`].join(','));
      }
    }
    const text = lines.join('\n') + '\n';
    const path = join(tmp, 'payouts-serial.csv');
    writeFileSync(path, text);
    const [part] = await loadFileParts(path, {}, () => new Rows());
    expect(part.report.table).toBe('payouts');
    expect(part.sink!.rows).toEqual(parsed('payouts', headers, text));
  });
});
