import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CARRY_ROOM, decode, normaliseEncoding, StreamDecoder, StreamFallback } from '../../src/data/decode.js';
import { external, itExternal } from '../external.js';

const text = '发放流水号,姓名,发放金额\r\nP1,张三,1234.50\r\n';

/** GBK bytes of a few known characters, so the test needs no encoder: 张三 = D5C5 C8FD, 姓名 = D0D5 C3FB. */
const GBK_SAMPLE = Buffer.concat([
  Buffer.from([0xd0, 0xd5, 0xc3, 0xfb]),
  Buffer.from(',id\r\n'),
  Buffer.from([0xd5, 0xc5, 0xc8, 0xfd]),
  Buffer.from(',1\r\n'),
]);

function ok(d: ReturnType<typeof decode>) {
  if (!d.ok) throw new Error(`expected a decoded file, got ${d.code}: ${d.reason}`);
  return d;
}

describe('decode', () => {
  it('reads UTF-8 without a BOM as is', () => {
    const d = ok(decode(Buffer.from(text)));
    expect(d.encoding).toBe('utf-8');
    expect(d.utf8.toString()).toBe(text);
  });

  it('strips a UTF-8 BOM and says so', () => {
    const d = ok(decode(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)])));
    expect(d.encoding).toBe('utf-8-bom');
    expect(d.utf8.toString()).toBe(text);
  });

  it('detects GBK Chinese and transcodes it to UTF-8', () => {
    const d = ok(decode(GBK_SAMPLE));
    expect(d.encoding).toBe('gb18030');
    expect(d.utf8.toString()).toBe('姓名,id\r\n张三,1\r\n');
  });

  itExternal('reports Latin-1 text instead of misreading it, with the --encoding fix', () => {
    const buf = readFileSync(external('csv-spectrum', 'removed', 'latin1.csv'));
    const d = decode(buf, undefined, 'latin1.csv');
    expect(d.ok).toBe(false);
    if (d.ok) return;
    expect(d.code).toBe('unknown-encoding');
    expect(d.reason).toMatch(/Latin-1/);
    expect(d.reason).toMatch(/line 3/);
    expect(d.reason).toContain('--encoding latin1.csv=latin1');
  });

  itExternal('reads Latin-1 when forced', () => {
    const buf = readFileSync(external('csv-spectrum', 'removed', 'latin1.csv'));
    const d = ok(decode(buf, 'latin1'));
    expect(d.utf8.toString()).toBe('a,b,c\n1,2,3\n4,5,©');
  });

  it('reports UTF-16 with and without a BOM', () => {
    const le = Buffer.from('a,b\n1,2\n', 'utf16le');
    const withBom = decode(Buffer.concat([Buffer.from([0xff, 0xfe]), le]), undefined, 'x.csv');
    expect(withBom).toMatchObject({ ok: false, code: 'utf16' });
    if (!withBom.ok) expect(withBom.reason).toContain('--encoding x.csv=utf-16le');
    expect(decode(le)).toMatchObject({ ok: false, code: 'utf16' });
  });

  it('reads UTF-16 when forced, dropping its BOM', () => {
    const d = ok(decode(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('姓名,b\n', 'utf16le')]), 'utf-16le'));
    expect(d.utf8.toString()).toBe('姓名,b\n');
  });

  it('recognises workbooks and binary files', () => {
    const xlsx = Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.alloc(100, 7)]);
    expect(decode(xlsx)).toMatchObject({ ok: false, code: 'binary-file' });
    const d = decode(xlsx);
    if (!d.ok) expect(d.reason).toMatch(/Excel/);
    const bin = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256));
    expect(decode(bin)).toMatchObject({ ok: false, code: 'binary-file' });
  });

  it('reports an empty file', () => {
    expect(decode(Buffer.alloc(0))).toMatchObject({ ok: false, code: 'empty-file' });
  });

  it('rejects an unknown forced encoding, naming the choices', () => {
    const d = decode(Buffer.from('a'), 'ebcdic');
    expect(d).toMatchObject({ ok: false, code: 'unknown-encoding' });
    if (!d.ok) expect(d.reason).toContain('gbk');
    expect(normaliseEncoding('GBK')).toBe('gbk');
    expect(normaliseEncoding('ebcdic')).toBeUndefined();
  });

  it('transcodes a GBK file larger than one chunk without breaking characters at the seams', () => {
    const rows = 1_100_000; // 8.8 MB, past the 8 MiB transcoding chunk
    const parts: Buffer[] = [];
    for (let i = 0; i < rows; i++) parts.push(GBK_SAMPLE.subarray(9));
    const d = ok(decode(Buffer.concat([GBK_SAMPLE.subarray(0, 9), ...parts])));
    expect(d.encoding).toBe('gb18030');
    const s = d.utf8.toString();
    expect(s.startsWith('姓名,id\r\n张三,1\r\n')).toBe(true);
    expect(s.split('张三,1\r\n').length - 1).toBe(rows);
  });
});


describe('StreamDecoder', () => {
  /** `bytes` cut into chunks of `size`, each read after CARRY_ROOM bytes of one reused buffer, as loadCsvFile reads them. */
  function pushAll(bytes: Buffer, size: number, room: number): { out: Buffer; inPlace: number } {
    const dec = StreamDecoder.for(bytes.subarray(0, size))!;
    const raw = Buffer.alloc(room + size);
    const parts: Buffer[] = [];
    let inPlace = 0;
    for (let at = 0; at < bytes.length; at += size) {
      const n = bytes.copy(raw, room, at, Math.min(bytes.length, at + size));
      const chunk = dec.push(raw.subarray(room, room + n), at + size >= bytes.length, room);
      if (chunk.buffer === raw.buffer) inPlace++;
      // Copied out before the next chunk is read, as the CSV reader does.
      parts.push(Buffer.from(chunk));
    }
    return { out: Buffer.concat(parts), inPlace };
  }

  it('passes UTF-8 through whole, a character cut by a chunk end put before the next chunk in the room left for it', () => {
    // Seven-byte chunks cut most of these one- to four-byte characters somewhere inside.
    const text = Buffer.from('a张b€c😀d' + '姓名,金额\n'.repeat(20) + 'é'.repeat(9));
    for (const room of [0, CARRY_ROOM]) {
      const { out, inPlace } = pushAll(text, 7, room);
      expect(out.equals(text), `room ${room}`).toBe(true);
      // With room, no chunk is copied elsewhere; without, those after a cut character are.
      expect(inPlace === Math.ceil(text.length / 7), `room ${room}`).toBe(room > 0);
    }
  });

  it('still refuses bytes that are not UTF-8 across a chunk end, and a character cut by the end of the file', () => {
    // The first byte of a three-byte character ends the first chunk; the next chunk starts with an 'A'.
    const bad = Buffer.concat([Buffer.from('abéabcde'), Buffer.from([0xe5]), Buffer.from('Aécd'.repeat(3))]);
    expect(bad.indexOf(0xe5)).toBe(9);
    expect(() => pushAll(bad, 10, CARRY_ROOM)).toThrow(StreamFallback);
    const cut = Buffer.from('abcdef张').subarray(0, 8);
    expect(() => pushAll(cut, 7, CARRY_ROOM)).toThrow(StreamFallback);
  });
});
