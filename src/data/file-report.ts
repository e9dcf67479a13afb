/** A file's report before anything is known about it, and the hash every report carries. */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { FileReport } from './model.js';

/** A report with nothing in it yet. */
export function newReport(path: string, sheet?: string): FileReport {
  return {
    path,
    ...(sheet === undefined ? {} : { sheet }),
    bytes: 0,
    sha256: '',
    table: null,
    recognisedBy: null,
    encoding: null,
    delimiter: null,
    headerLine: 0,
    mapping: [],
    missingColumns: [],
    rowsRead: 0,
    rowsLoaded: 0,
    rowsRejected: 0,
    rowsSkipped: 0,
    issues: [],
  };
}

/** SHA-256 of a file, read in chunks. */
export async function hashFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
