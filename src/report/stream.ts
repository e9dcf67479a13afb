/**
 * Reports are written as streams: a formatter yields its text in pieces, and
 * the pieces go out in buffers of a fixed size, so that a report of any size
 * (a county's findings with all their evidence can pass V8's 512 MiB string
 * limit) is never one string in memory. `jsonChunks` is JSON.stringify(v,
 * null, 2) in pieces, byte for byte.
 */
import type { Writable } from 'node:stream';

/** Text in pieces, in order. */
export type Chunks = Iterable<string>;

/** The size of the buffers written. */
const BUFFER_CHARS = 1 << 16;

/** The pieces joined into buffers of about 64 KiB (UTF-8). */
export function* buffered(chunks: Chunks, size = BUFFER_CHARS): Generator<Buffer> {
  let parts: string[] = [];
  let length = 0;
  for (const c of chunks) {
    if (c.length === 0) continue;
    parts.push(c);
    length += c.length;
    if (length >= size) {
      yield Buffer.from(parts.join(''), 'utf8');
      parts = [];
      length = 0;
    }
  }
  if (length > 0) yield Buffer.from(parts.join(''), 'utf8');
}

/**
 * Writes the pieces to a stream (stdout), waiting whenever it asks to: a slow
 * reader (a pager, a pipe) holds the writer back instead of the report piling
 * up in memory. Resolves false when the reader went away (EPIPE).
 */
export async function writeChunksTo(chunks: Chunks, out: Writable): Promise<boolean> {
  let closed = false;
  const onError = (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') closed = true;
  };
  out.on('error', onError);
  try {
    for (const b of buffered(chunks)) {
      if (closed) return false;
      if (!out.write(b)) {
        await new Promise<void>((resolve) => {
          const done = () => {
            out.off('drain', done);
            out.off('close', done);
            out.off('error', done);
            resolve();
          };
          out.on('drain', done);
          out.on('close', done);
          out.on('error', done);
        });
      }
    }
    return !closed;
  } finally {
    out.off('error', onError);
  }
}

/** All the pieces as one string: for small texts (tests, a few kilobytes) only. */
export function joined(chunks: Chunks): string {
  return Array.from(chunks).join('');
}

/**
 * A list written by jsonChunks as a JSON array, its items made one at a time:
 * a large list (a SARIF log's results) need never exist as objects all at once.
 */
export class LazyList {
  constructor(readonly items: () => Iterable<unknown>) {}
}

/**
 * A value written by jsonChunks as the text it makes, given the depth it is written at: for a list too long to be
 * made of objects (a finding's evidence rows carried by place), written as JSON.stringify would write it.
 */
export class JsonText {
  constructor(readonly pieces: (depth: number) => Iterable<string>) {}
}

/** Past this many nodes a value is written piece by piece instead of by one JSON.stringify. */
const SMALL_NODES = 4096;

/** Counts the nodes of a value up to `budget`; returns the budget left (negative: too big). */
function within(value: unknown, budget: number): number {
  if (value === null || typeof value !== 'object') return budget - 1;
  if (value instanceof LazyList || value instanceof JsonText) return -1;
  if (Array.isArray(value)) {
    budget -= 1;
    for (const v of value) {
      budget = within(v, budget);
      if (budget < 0) return budget;
    }
    return budget;
  }
  budget -= 1;
  for (const k in value) {
    budget = within((value as Record<string, unknown>)[k], budget);
    if (budget < 0) return budget;
  }
  return budget;
}

/**
 * JSON.stringify(value, null, 2) in pieces: each small part (up to a few
 * thousand nodes — a finding with its evidence) by one JSON.stringify,
 * re-indented; large arrays and objects element by element.
 */
export function* jsonChunks(value: unknown, depth = 0): Generator<string> {
  if (value === null || typeof value !== 'object' || within(value, SMALL_NODES) >= 0) {
    const text = JSON.stringify(value, null, 2);
    // Strings in JSON hold no raw line breaks: every one is a line of the layout.
    yield depth === 0 ? text : text.replace(/\n/g, '\n' + '  '.repeat(depth));
    return;
  }
  if (value instanceof JsonText) {
    yield* value.pieces(depth);
    return;
  }
  const pad = '  '.repeat(depth + 1);
  const end = '  '.repeat(depth);
  if (Array.isArray(value) || value instanceof LazyList) {
    let i = 0;
    for (const v of value instanceof LazyList ? value.items() : value) {
      yield (i++ === 0 ? '[\n' : ',\n') + pad;
      // As JSON.stringify: undefined and functions in an array are null.
      yield* v === undefined || typeof v === 'function' ? ['null'] : jsonChunks(v, depth + 1);
    }
    yield i === 0 ? '[]' : `\n${end}]`;
    return;
  }
  const entries = Object.entries(value).filter(([, v]) => v !== undefined && typeof v !== 'function');
  if (entries.length === 0) {
    yield '{}';
    return;
  }
  yield '{';
  let first = true;
  for (const [k, v] of entries) {
    yield `${first ? '\n' : ',\n'}${pad}${JSON.stringify(k)}: `;
    first = false;
    yield* jsonChunks(v, depth + 1);
  }
  yield `\n${end}}`;
}
