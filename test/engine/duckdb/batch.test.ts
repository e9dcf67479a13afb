/**
 * The batch writer's buffers: used again once a batch was appended (load-worker.ts), they give the same
 * batches, byte for byte, as new buffers. Values given as their bytes (RowSink.rowBytes) and datetimes as
 * seconds (RowSink.epochDatetimes) give the same batches as the same values given as strings.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadFileParts } from '../../../src/data/load.js';
import type { Value } from '../../../src/data/model.js';
import type { Source } from '../../../src/data/provenance.js';
import type { RowSink } from '../../../src/data/sink.js';
import { tableDef, type ColumnDef } from '../../../src/data/tables.js';
import { BATCH_ROWS, batchLayout, BatchWriter, NEW_BUFFERS, SlotBuffers, type Buffers, type PartMessage } from '../../../src/engine/duckdb/batch.js';

const tmp = mkdtempSync(join(tmpdir(), 'fundaudit-batch-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The batches a writer sends, each as text (its image and the used part of its heap in base64). */
function recorder(out: string[]): (m: PartMessage) => void {
  return (m) => {
    if (m.type === 'batch') out.push(JSON.stringify({ ...m, buffer: Buffer.from(m.buffer).toString('base64'), heap: Buffer.from(m.heap, 0, m.heapBytes).toString('base64') }));
  };
}

/** A sink that hands a BatchWriter every row as strings: neither bytes nor datetimes as seconds. */
class StringsOnly implements RowSink {
  constructor(private readonly writer: BatchWriter) {}
  begin(table: string, source: Source, columns: readonly ColumnDef[]): void {
    this.writer.begin(table, source, columns);
  }
  row(values: readonly Value[], line: number): void {
    this.writer.row(values, line);
  }
  end(): void {
    this.writer.end();
  }
}

/** Seconds since 1970-01-01 00:00:00 of 'YYYY-MM-DD HH:MM:SS' (an oracle apart from the loader's). */
function seconds(t: string): number {
  const d = new Date(0);
  d.setUTCFullYear(+t.slice(0, 4), +t.slice(5, 7) - 1, +t.slice(8, 10));
  d.setUTCHours(+t.slice(11, 13), +t.slice(14, 16), +t.slice(17, 19), 0);
  return d.getTime() / 1000;
}

describe('SlotBuffers', () => {
  it('takes the lowest free slot, gives back its image zeroed and its heap as it is, larger ones when asked for more', () => {
    const state = SlotBuffers.state(3);
    const pool = new SlotBuffers(state);
    const image = pool.image(64);
    expect(image).toBeInstanceOf(SharedArrayBuffer);
    expect(pool.slot).toBe(0);
    new Uint8Array(image).fill(7);
    const heap = pool.heap(32);
    new Uint8Array(heap).fill(9);
    expect(pool.image(64)).not.toBe(image);
    expect(pool.slot).toBe(1);
    expect([...state]).toEqual([1, 1, 0]);
    SlotBuffers.release(state, 0);
    const again = pool.image(45);
    expect(pool.slot).toBe(0);
    expect(again).toBe(image);
    expect(new Uint8Array(again, 0, 45).every((b) => b === 0)).toBe(true);
    expect(new Uint8Array(again, 45).every((b) => b === 7)).toBe(true);
    expect(pool.heap(16)).toBe(heap);
    expect(new Uint8Array(heap).every((b) => b === 9)).toBe(true);
    const bigger = pool.heap(33);
    expect(bigger).not.toBe(heap);
    expect(bigger.byteLength).toBeGreaterThanOrEqual(33);
    expect(pool.heap(33)).toBe(bigger);
    SlotBuffers.release(state, 0);
    expect(pool.image(65)).not.toBe(image);
  });

  it('gives new ArrayBuffers, and no slot, when every slot is taken; a batch never sent frees its slot', () => {
    const state = SlotBuffers.state(1);
    const pool = new SlotBuffers(state);
    pool.image(16);
    expect(pool.slot).toBe(0);
    const spare = pool.image(16);
    expect(spare).toBeInstanceOf(ArrayBuffer);
    expect(pool.slot).toBeUndefined();
    expect(pool.heap(8)).toBeInstanceOf(ArrayBuffer);
    pool.unused();
    expect([...state]).toEqual([1]);
    SlotBuffers.release(state, 0);
    pool.image(16);
    pool.unused();
    expect([...state]).toEqual([0]);
  });
});

describe('BatchWriter', () => {
  it('writes the same batches into shared slots used again as into new buffers, and frees its slot when it ends', () => {
    const def = tableDef('payouts')!;
    const columns = ['id_number', 'name', 'bank_name', 'period', 'amount', 'pay_date', 'op_time'].map((n) => def.columns.find((c) => c.name === n)!);
    // Strings shorter and longer than 12 bytes, repeated (a dictionary) or not, nulls, over three batches and more.
    const value = (i: number): Value[] => [
      i % 5 === 0 ? null : `11010519491231${String(i % 10000).padStart(4, '0')}`,
      ['张三', 'XXXXXXXXXXXX', 'A', null, `某某某某某${i}`][Math.floor(i / BATCH_ROWS + i) % 5],
      i % 3 === 0 ? null : ['中国农业银行泸县支行', '中国建设银行泸县支行'][i % 2],
      '2024-01',
      i % 7 === 0 ? null : i * 3,
      i % 11 === 0 ? null : '2024-01-15',
      i % 13 === 0 ? null : '2024-01-14 09:30:00',
    ];
    const bytes = batchLayout(['str', 'str', 'str', 'str', 'i64', 'date', 'ts'], BATCH_ROWS).bytes;
    const run = (buffers: Buffers, slots?: Int32Array) => {
      const out: string[] = [];
      const send = (m: PartMessage) => {
        if (m.type !== 'batch') return;
        const { slot, ...rest } = m;
        expect(slot === undefined).toBe(slots === undefined);
        out.push(JSON.stringify({ ...rest, buffer: Buffer.from(m.buffer, 0, bytes).toString('base64'), heap: Buffer.from(m.heap, 0, m.heapBytes).toString('base64') }));
        if (slots && slot !== undefined) SlotBuffers.release(slots, slot);
      };
      const writer = new BatchWriter(send, () => ({ part: 0, file: 0, order: 0 }), buffers);
      writer.begin('payouts', { file: 'p.csv' }, columns);
      for (let i = 0; i < 3 * BATCH_ROWS + 100; i++) writer.row(value(i), i + 2);
      writer.end();
      return out;
    };
    const fresh = run(NEW_BUFFERS);
    expect(fresh.length).toBe(4);
    const slots = SlotBuffers.state(2);
    expect(run(new SlotBuffers(slots), slots)).toEqual(fresh);
    expect([...slots]).toEqual([0, 0]);
  });
});

describe('BatchWriter, values as bytes and datetimes as seconds', () => {
  const def = tableDef('payouts')!;
  const columns = ['id_number', 'name', 'bank_name', 'op_time', 'review_time', 'pay_date', 'period'].map((n) => def.columns.find((c) => c.name === n)!);
  // Inline and long strings, ASCII, CJK (three bytes a character) and past U+FFFF (four bytes, two UTF-16 units),
  // 12 and 13 bytes, few characters but more than 12 bytes; a dictionary column and one that outgrows its
  // dictionary (the heap); datetimes before 1970 and in years whose microseconds pass 2^53.
  const strings = ['A', '张三', '123456789012', '1234567890123', '某某某某某1', '𠀀𠀁', '𠀀张三𠀁abc', '中国农业银行泸县支行'];
  const times = ['2024-01-14 09:30:00', '2024-02-29 23:59:59', '1969-12-31 23:59:59', '1970-01-01 00:00:00', '1000-01-01 00:00:00', '9999-12-31 23:59:59', '2300-06-15 12:00:01'];
  const rows = Array.from({ length: BATCH_ROWS + 700 }, (_, i) => [
    i % 9 === 0 ? strings[i % strings.length] : `51052119${String(i).padStart(10, '0')}`,
    strings[(i * 7) % strings.length],
    i % 4 === 0 ? null : strings[(i * 3) % strings.length],
    times[i % times.length],
    i % 5 === 0 ? null : times[(i * 3) % times.length],
    i % 6 === 0 ? null : times[(i * 5) % times.length].slice(0, 10),
    times[i % times.length].slice(0, 7),
  ]);

  it('writes from the bytes and from seconds the batches it writes from the strings', () => {
    const asStrings: string[] = [];
    const w1 = new BatchWriter(recorder(asStrings), () => ({ part: 0, file: 0, order: 0 }));
    w1.begin('payouts', { file: 'p.csv' }, columns);
    rows.forEach((r, i) => w1.row(r, i + 2));
    w1.end();

    const asBytes: string[] = [];
    const w2 = new BatchWriter(recorder(asBytes), () => ({ part: 0, file: 0, order: 0 }));
    expect(w2.epochDatetimes).toBe(true);
    w2.begin('payouts', { file: 'p.csv' }, columns);
    const from = new Int32Array(columns.length);
    const to = new Int32Array(columns.length);
    rows.forEach((r, i) => {
      // Each string's bytes after some others, as in a record; the datetimes as seconds; every other string as a string.
      const parts: Buffer[] = [Buffer.from('x,')];
      let at = 2;
      const values = r.map((v, c) => {
        from[c] = -1;
        if (typeof v !== 'string') return v;
        if (c === 3 || c === 4) return seconds(v);
        if ((i + c) % 2 === 1) return v;
        const b = Buffer.from(v);
        parts.push(b, Buffer.from(','));
        from[c] = at;
        to[c] = at + b.length;
        at += b.length + 1;
        return v;
      });
      w2.rowBytes(values, i + 2, Buffer.concat(parts), from, to);
    });
    w2.end();
    expect(asBytes.length).toBe(2);
    expect(asBytes).toEqual(asStrings);
  });

  it('the loader gives it the batches it gives a sink that takes strings only', async () => {
    // Values the parsers change (a spreadsheet apostrophe, spaces, a lower-case x, a non-canonical or impossible
    // datetime), quoted ones, shared names and banks (guessed from the identity number, and wrong), blanks.
    const people = [
      ['510521194306026674', '朱飞', '中国农业银行泸县支行', '6228480863062999614'],
      ["'510521193502110078", '朱飞', '中国建设银行泸县支行', '6217003100012345678'],
      ['51052119600101123x', ' 𠀀张三 ', '中国农业银行泸县支行', '="6228480863062999999"'],
      ['510521197001011234', '"李,四"', '', '6228480863062990000'],
    ];
    const times = ['2023-01-05 14:15:46', '2023/1/5 9:03', '2023-02-30 10:00:00', '1969-12-31 23:59:59', '', '2023-01-05T14:15'];
    const dates = ['2023-01-05', '2023/1/5', '2023-02-30', '1969-12-31', '', '20230105', '9999-12-31'];
    const lines = ['支付单号,公民身份号码,姓名,开户银行,银行账号,待遇年月,发放金额,经办时间,复核时间,发放日期'];
    for (let i = 0; i < 3000; i++) {
      const p = people[(i * 5 + Math.floor(i / 7)) % people.length];
      lines.push(`ZF${i},${p[0]},${p[1]},${p[2]},${p[3]},2023-0${1 + (i % 9)},${i}.5,${times[i % times.length]},${times[(i * 5) % times.length]},${dates[Math.floor(i / 3) % dates.length]}`);
    }
    const path = join(tmp, 'payouts.csv');
    writeFileSync(path, lines.join('\n') + '\n');
    const load = async (wrap: boolean) => {
      const out: string[] = [];
      const parts = await loadFileParts(path, {}, () => {
        const writer = new BatchWriter(recorder(out), () => ({ part: 0, file: 0, order: 0 }));
        return wrap ? (new StringsOnly(writer) as unknown as BatchWriter) : writer;
      });
      return { out, reports: parts.map((p) => p.report) };
    };
    const direct = await load(false);
    const strings = await load(true);
    expect(direct.reports[0].rowsLoaded).toBe(3000);
    expect(direct.reports[0].issues.length).toBeGreaterThan(0);
    expect(direct.out).toEqual(strings.out);
    expect(direct.reports).toEqual(strings.reports);
  });
});
