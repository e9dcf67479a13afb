/**
 * Decide a file's encoding and turn its bytes into UTF-8 bytes for the CSV
 * scanner. Real exports are UTF-8 (with or without BOM) or GBK/GB18030; what
 * else turns up (UTF-16 from some tools, Latin-1, an Excel workbook renamed
 * .csv) is reported with what it looks like and how to fix it, never mis-read.
 */
import { isUtf8 } from 'node:buffer';
import type { IssueMessage } from './model.js';

/** The outcome of decoding one file. */
export type Decoded =
  | { ok: true; encoding: string; utf8: Buffer; notes: { line: number; reason: string; msg: IssueMessage }[] }
  | { ok: false; code: string; reason: string; msg: IssueMessage };

/** Encodings accepted by `--encoding`, mapped to the WHATWG label TextDecoder knows. */
const LABELS: ReadonlyMap<string, string> = new Map(Object.entries({
  'utf-8': 'utf-8',
  utf8: 'utf-8',
  'utf-8-bom': 'utf-8',
  gbk: 'gb18030',
  gb2312: 'gb18030',
  gb18030: 'gb18030',
  cp936: 'gb18030',
  'utf-16': 'utf-16le',
  'utf-16le': 'utf-16le',
  'utf-16be': 'utf-16be',
  latin1: 'windows-1252',
  'latin-1': 'windows-1252',
  'iso-8859-1': 'windows-1252',
  'windows-1252': 'windows-1252',
  big5: 'big5',
}));

/** Canonical form of an `--encoding` value, or undefined when it is not one we can read. */
export function normaliseEncoding(enc: string): string | undefined {
  const key = enc.trim().toLowerCase();
  return LABELS.has(key) ? key.replace(/^utf8$/, 'utf-8') : undefined;
}

/** The encodings `--encoding` accepts, for help and error messages. */
export const ENCODING_CHOICES = 'utf-8, gbk, gb18030, utf-16le, utf-16be, latin1, big5';

const FIX = 'save it as CSV (UTF-8 or GBK) from the program that exported it';

/**
 * Decodes `buf` to UTF-8 bytes, detecting the encoding unless `forced` names one.
 * Detection: a UTF-8 BOM → utf-8-bom; valid UTF-8 → utf-8; bytes that decode
 * cleanly as GB18030 and look like Chinese text → gb18030. Anything else is
 * returned as a file-level problem saying what the file looks like.
 */
export function decode(buf: Buffer, forced?: string, fileLabel = 'the file'): Decoded {
  if (forced) return decodeForced(buf, forced);
  if (buf.length === 0) return { ok: false, code: 'empty-file', reason: 'the file is empty (0 bytes); re-export it', msg: { key: 'empty-file' } };
  if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) {
    const body = buf.subarray(3);
    if (isUtf8(body)) return { ok: true, encoding: 'utf-8-bom', utf8: body, notes: [] };
    const offset = firstBadUtf8(body) + 3;
    return {
      ok: false,
      code: 'bad-encoding',
      reason: `the file starts with a UTF-8 byte-order mark but is not valid UTF-8 (first bad byte at offset ${offset}); re-export it, or force an encoding with --encoding ${fileLabel}=gbk`,
      msg: { key: 'bad-encoding.bom', args: { offset, file: fileLabel } },
    };
  }
  const looks = binaryLook(buf);
  if (looks) return { ok: false, code: looks.code, reason: looks.reason.replace('{file}', fileLabel), msg: { key: looks.key, args: { ...looks.args, file: fileLabel } } };
  if (isUtf8(buf)) return { ok: true, encoding: 'utf-8', utf8: buf, notes: [] };
  if (looksLikeGbk(buf)) {
    const utf8 = transcode(buf, 'gb18030', true);
    if (utf8) return { ok: true, encoding: 'gb18030', utf8, notes: [] };
  }
  const bad = firstBadUtf8(buf);
  const sample = buf.subarray(Math.max(0, bad - 12), Math.min(buf.length, bad + 12));
  const line = countLines(buf, bad);
  return {
    ok: false,
    code: 'unknown-encoding',
    reason:
      `the file is neither UTF-8 nor GBK: byte 0x${buf[bad].toString(16).toUpperCase()} on line ${line} ` +
      `(near "${Buffer.from(sample).toString('latin1').replace(/[\r\n]/g, ' ')}") looks like Latin-1/Windows-1252 text; ` +
      `${FIX}, or if it is Latin-1 run with --encoding ${fileLabel}=latin1`,
    msg: { key: 'unknown-encoding.latin1', args: { byte: buf[bad].toString(16).toUpperCase(), line, near: Buffer.from(sample).toString('latin1').replace(/[\r\n]/g, ' '), file: fileLabel } },
  };
}

function decodeForced(buf: Buffer, forced: string): Decoded {
  const key = forced.trim().toLowerCase();
  const label = LABELS.get(key);
  if (!label) return { ok: false, code: 'unknown-encoding', reason: `unknown encoding "${forced}"; use one of ${ENCODING_CHOICES}`, msg: { key: 'unknown-encoding.forced', args: { forced, choices: ENCODING_CHOICES } } };
  let body = buf;
  if (label === 'utf-8') {
    if (body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf) body = body.subarray(3);
    if (isUtf8(body)) return { ok: true, encoding: key === 'utf8' ? 'utf-8' : key, utf8: body, notes: [] };
  }
  const utf8 = transcode(body, label, false);
  if (!utf8) return { ok: false, code: 'bad-encoding', reason: `the file could not be decoded as ${forced}`, msg: { key: 'bad-encoding.forced', args: { forced } } };
  const notes: { line: number; reason: string; msg: IssueMessage }[] = [];
  const bad = label !== 'utf-16le' && label !== 'utf-16be' ? utf8.indexOf(Buffer.from('\ufffd')) : -1;
  if (bad >= 0) {
    const line = countLines(utf8, bad);
    notes.push({ line, reason: `some bytes are not valid ${forced} and were replaced by U+FFFD, the first on line ${line}; check the encoding (--encoding)`, msg: { key: 'encoding', args: { forced, line } } });
  }
  // A UTF-16 BOM decodes to U+FEFF at the start; drop it.
  const bom = Buffer.from('\ufeff');
  return { ok: true, encoding: key, utf8: utf8.subarray(0, 3).equals(bom) ? utf8.subarray(3) : utf8, notes };
}

/**
 * Transcodes to UTF-8 in chunks, so that a large GBK file never exists as one
 * giant JS string (which would cost twice its size and pin it in memory).
 * Returns null when `fatal` and a byte sequence is invalid.
 */
function transcode(buf: Buffer, label: string, fatal: boolean): Buffer | null {
  const dec = new TextDecoder(label, { fatal });
  try {
    return decodeInto(dec, buf, true, Buffer.allocUnsafe(Math.ceil(buf.length * 1.5) + 64));
  } catch {
    return null;
  }
}

/** Input bytes decoded per TextDecoder call: small enough that each string stays in V8's young generation. */
const PIECE = 1 << 15;

/**
 * Decodes `input` into UTF-8 bytes written to `out` (replaced by a bigger buffer
 * when it fills up), a small piece at a time: decoding a whole chunk at once
 * would make one huge string per chunk, which only a full GC reclaims. Writes
 * from `o` on; returns out[0, end of what was written). Throws what the decoder
 * throws.
 */
function decodeInto(dec: TextDecoder, input: Uint8Array, last: boolean, out: Buffer, o = 0): Buffer {
  for (let i = 0; i < input.length || (i === 0 && last); i += PIECE) {
    const end = Math.min(input.length, i + PIECE);
    const text = dec.decode(input.subarray(i, end), { stream: !(last && end === input.length) });
    // A UTF-8 character never takes more than 3 bytes per UTF-16 unit.
    if (o + text.length * 3 > out.length) {
      const bigger = Buffer.allocUnsafe(Math.max(out.length * 2, o + text.length * 3 + (input.length - end) * 2));
      out.copy(bigger, 0, 0, o);
      out = bigger;
    }
    o += out.write(text, o, 'utf8');
    if (input.length === 0) break;
  }
  return out.subarray(0, o);
}

/**
 * Is this GBK text? Chinese in GB2312 — almost everything in an export — has
 * both bytes in 0xA1–0xFE; Latin-1 text has a high byte next to ASCII letters.
 * Most double-byte pairs must be of the first kind.
 */
function looksLikeGbk(buf: Buffer): boolean {
  // Judge from the first non-ASCII byte on: a file may hold only ASCII for a long while.
  let i = 0;
  while (i < buf.length && buf[i] < 0x80) i++;
  const n = Math.min(buf.length, i + (1 << 20));
  let gb2312 = 0;
  let other = 0;
  while (i < n) {
    const c = buf[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    const d = i + 1 < buf.length ? buf[i + 1] : -1;
    if (c >= 0xa1 && c <= 0xf7 && d >= 0xa1 && d <= 0xfe) gb2312++;
    else other++;
    i += 2;
  }
  return gb2312 > 0 && gb2312 >= 4 * other;
}

/** Recognises UTF-16 and binary content (workbooks, archives, PDFs) from the first bytes. */
function binaryLook(buf: Buffer): { code: string; reason: string; key: string; args?: Record<string, string | number> } | null {
  const b0 = buf[0];
  const b1 = buf[1];
  if ((b0 === 0xff && b1 === 0xfe) || (b0 === 0xfe && b1 === 0xff)) {
    const le = b0 === 0xff;
    return { code: 'utf16', reason: `the file is UTF-16 (${le ? 'little' : 'big'}-endian, with a byte-order mark); save it as UTF-8 or GBK, or run with --encoding {file}=utf-16${le ? 'le' : 'be'}`, key: 'utf16.bom', args: { endian: le ? 'le' : 'be' } };
  }
  if (b0 === 0x50 && b1 === 0x4b && buf[2] === 3 && buf[3] === 4) {
    return { code: 'binary-file', reason: 'the file is an Excel workbook (.xlsx) or another ZIP archive, not CSV; open it in Excel and save as "CSV UTF-8" or "CSV"', key: 'binary-file.zip' };
  }
  if (b0 === 0xd0 && b1 === 0xcf && buf[2] === 0x11 && buf[3] === 0xe0) {
    return { code: 'binary-file', reason: 'the file is an old Excel workbook (.xls), not CSV; open it in Excel and save as "CSV UTF-8" or "CSV"', key: 'binary-file.xls' };
  }
  if (buf.subarray(0, 5).toString('latin1') === '%PDF-') {
    return { code: 'binary-file', reason: 'the file is a PDF, not CSV; export the data as CSV from the business system', key: 'binary-file.pdf' };
  }
  const n = Math.min(buf.length, 1 << 16);
  let zeros = 0;
  let zerosOdd = 0;
  let zerosEven = 0;
  let control = 0;
  for (let i = 0; i < n; i++) {
    const c = buf[i];
    if (c === 0) {
      zeros++;
      if (i & 1) zerosOdd++;
      else zerosEven++;
    } else if (c < 9 || (c > 13 && c < 32 && c !== 27)) control++;
  }
  // UTF-16 without a BOM: ASCII characters leave a NUL in every other byte.
  if (n >= 4 && zeros >= n / 4) {
    if (zerosOdd >= 0.9 * zeros || zerosEven >= 0.9 * zeros) {
      const le = zerosOdd > zerosEven;
      return { code: 'utf16', reason: `the file looks like UTF-16 (${le ? 'little' : 'big'}-endian, no byte-order mark): every other byte is 0; save it as UTF-8 or GBK, or run with --encoding {file}=utf-16${le ? 'le' : 'be'}`, key: 'utf16.no-bom', args: { endian: le ? 'le' : 'be' } };
    }
  }
  if (zeros + control > Math.max(8, n / 10)) {
    return { code: 'binary-file', reason: `the file looks binary, not text (${zeros + control} control bytes in the first ${n}); export the data as CSV`, key: 'binary-file', args: { control: zeros + control, n } };
  }
  return null;
}

/** Offset of the first byte that breaks UTF-8 (buf.length when none). */
function firstBadUtf8(buf: Uint8Array): number {
  let i = 0;
  const n = buf.length;
  while (i < n) {
    const c = buf[i];
    let need = 0;
    if (c < 0x80) {
      i++;
      continue;
    } else if (c >= 0xc2 && c <= 0xdf) need = 1;
    else if (c >= 0xe0 && c <= 0xef) need = 2;
    else if (c >= 0xf0 && c <= 0xf4) need = 3;
    else return i;
    for (let k = 1; k <= need; k++) if (i + k >= n || (buf[i + k] & 0xc0) !== 0x80) return i;
    i += need + 1;
  }
  return n;
}

function countLines(buf: Uint8Array, upTo: number): number {
  let line = 1;
  for (let i = 0; i < upTo; i++) if (buf[i] === 10) line++;
  return line;
}

/**
 * Decodes a large file chunk by chunk, so that it never has to be in memory
 * whole. Built from the first chunk: only for files that look like plain
 * UTF-8, UTF-8 with BOM or GBK there (or have a forced encoding); anything
 * else, and any chunk that later turns out not to decode, makes `push` throw
 * StreamFallback, and the caller decodes the whole file with `decode()`, which
 * gives the precise file-level issue.
 */
export class StreamDecoder {
  private carry: Buffer | null = null;
  private readonly decoder: TextDecoder | null;
  private out: Buffer = Buffer.alloc(0);
  private first = true;

  private constructor(
    readonly encoding: string,
    label: string | null,
  ) {
    this.decoder = label ? new TextDecoder(label, { fatal: true }) : null;
  }

  /** Does it pass UTF-8 bytes through as they are (only a BOM at the start dropped), not transcode? */
  get plain(): boolean {
    return this.decoder === null;
  }

  /** Bytes dropped at the start (a UTF-8 BOM), once the first chunk is pushed. */
  skipped = 0;

  /** A UTF-8 decoder for input that starts inside a file, at the start of a character: no BOM is looked for. */
  static continuing(): StreamDecoder {
    const dec = new StreamDecoder('utf-8', null);
    dec.first = false;
    return dec;
  }

  /** A decoder for the file whose first chunk is `head`, or null when only a whole-file decode can tell. */
  static for(head: Buffer, forced?: string): StreamDecoder | null {
    if (forced) {
      const key = forced.trim().toLowerCase();
      const label = LABELS.get(key);
      if (!label || label === 'utf-16le' || label === 'utf-16be' || label === 'windows-1252' || label === 'big5') return null;
      return new StreamDecoder(key === 'utf8' ? 'utf-8' : key, label === 'utf-8' ? null : label);
    }
    if (head.length < 4) return null;
    if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return new StreamDecoder('utf-8-bom', null);
    if (binaryLook(head)) return null;
    if (isUtf8(head.subarray(0, completeUtf8(head)))) return new StreamDecoder('utf-8', null);
    if (looksLikeGbk(head)) return new StreamDecoder('gb18030', 'gb18030');
    return null;
  }

  /**
   * UTF-8 bytes of the next raw chunk (`last`: no more follow), valid until the
   * next call. Throws StreamFallback when it does not decode. `room`: bytes
   * just before `raw` in its buffer that are the caller's to overwrite (at
   * least CARRY_ROOM, or 0), where the end of the chunk before (an unfinished
   * character) is put, instead of copying the chunk after it.
   */
  push(raw: Buffer, last: boolean, room = 0): Buffer {
    let chunk = raw;
    if (this.first) {
      this.first = false;
      if (chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) {
        chunk = chunk.subarray(3);
        this.skipped = 3;
      }
    }
    if (this.decoder) {
      // One output buffer for the whole file: the caller copies each chunk out before pushing the next.
      if (this.out.length < chunk.length * 1.5 + 64) this.out = Buffer.allocUnsafe(Math.ceil(chunk.length * 1.5) + 64);
      try {
        const utf8 = decodeInto(this.decoder, chunk, last, this.out);
        if (utf8.buffer !== this.out.buffer) this.out = Buffer.from(utf8.buffer, utf8.byteOffset, utf8.length);
        return utf8;
      } catch {
        throw new StreamFallback();
      }
    }
    if (this.carry) {
      // A chunk ending inside a character (most, in Chinese text) left its end here: put before the next chunk
      // in the room the caller left, not a copy of the whole chunk into a new buffer (Buffer.concat: a tenth of
      // a loading worker's CPU on 1M payout rows, its 8 MB new pages faulted in each time).
      const n = this.carry.length;
      if (room >= n && chunk === raw) {
        chunk = Buffer.from(raw.buffer, raw.byteOffset - n, raw.length + n);
        this.carry.copy(chunk, 0);
      } else {
        chunk = Buffer.concat([this.carry, chunk]);
      }
      this.carry = null;
    }
    const cut = last ? chunk.length : completeUtf8(chunk);
    if (cut < chunk.length) {
      this.carry = Buffer.from(chunk.subarray(cut));
      chunk = chunk.subarray(0, cut);
    }
    if (!isUtf8(chunk)) throw new StreamFallback();
    return chunk;
  }
}

/** Room a caller of StreamDecoder.push leaves before each chunk for the end of the one before (see push). */
export const CARRY_ROOM = 3;

/** Thrown by StreamDecoder when the file must be decoded whole instead. */
export class StreamFallback extends Error {
  constructor() {
    super('decode the whole file');
  }
}

/** Length of the prefix of `buf` that does not end inside a UTF-8 multibyte sequence. */
function completeUtf8(buf: Uint8Array): number {
  const n = buf.length;
  for (let back = 1; back <= 3 && back <= n; back++) {
    const c = buf[n - back];
    if ((c & 0xc0) === 0x80) continue; // continuation byte: look further back
    if (c < 0x80) return n;
    const need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
    return back < need ? n - back : n;
  }
  return n;
}
