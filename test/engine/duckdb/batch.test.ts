/**
 * The batch writer's buffers: used again once a batch was appended (load-worker.ts), they give the same
 * batches, byte for byte, as new buffers.
 */
import { describe, expect, it } from 'vitest';
import type { Value } from '../../../src/data/model.js';
import { tableDef } from '../../../src/data/tables.js';
import { BATCH_ROWS, BatchWriter, BufferPool, NEW_BUFFERS, type Buffers, type PartMessage } from '../../../src/engine/duckdb/batch.js';

describe('BufferPool', () => {
  it('gives back an image of the same size zeroed, a heap large enough as it is, and makes new ones otherwise', () => {
    const pool = new BufferPool();
    const image = new ArrayBuffer(64);
    new Uint8Array(image).fill(7);
    const heap = new ArrayBuffer(32);
    new Uint8Array(heap).fill(9);
    pool.give(image, heap);
    const other = pool.image(128);
    expect(other).not.toBe(image);
    const again = pool.image(64);
    expect(again).toBe(image);
    expect(new Uint8Array(again).every((b) => b === 0)).toBe(true);
    expect(pool.heap(33)).not.toBe(heap);
    expect(pool.heap(16)).toBe(heap);
    expect(pool.image(64)).not.toBe(image);
  });

  it('takes what `collect` hands back when a buffer is asked for, and keeps six of each at most', () => {
    const returned: ArrayBuffer[][] = [];
    const pool = new BufferPool((give) => {
      for (const [i, h] of returned.splice(0)) give(i, h);
    });
    const images = Array.from({ length: 8 }, () => new ArrayBuffer(16));
    for (const b of images) returned.push([b, new ArrayBuffer(8)]);
    const got = Array.from({ length: 7 }, () => pool.image(16));
    // The first two handed back were let go: six used again, then a new one.
    expect(got.slice(0, 6).every((b, k) => b === images[k + 2])).toBe(true);
    expect(images.includes(got[6])).toBe(false);
  });
});

describe('BatchWriter', () => {
  it('writes the same batches into buffers used again as into new ones', () => {
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
    const run = (buffers: Buffers, give: boolean) => {
      const out: string[] = [];
      const send = (m: PartMessage) => {
        if (m.type !== 'batch') return;
        out.push(JSON.stringify({ ...m, buffer: Buffer.from(m.buffer).toString('base64'), heap: Buffer.from(m.heap, 0, m.heapBytes).toString('base64') }));
        if (give) (buffers as BufferPool).give(m.buffer, m.heap);
      };
      const writer = new BatchWriter(send, () => ({ part: 0, file: 0, order: 0 }), buffers);
      writer.begin('payouts', { file: 'p.csv' }, columns);
      for (let i = 0; i < 3 * BATCH_ROWS + 100; i++) writer.row(value(i), i + 2);
      writer.end();
      return out;
    };
    const fresh = run(NEW_BUFFERS, false);
    expect(fresh.length).toBe(4);
    expect(run(new BufferPool(), true)).toEqual(fresh);
  });
});
