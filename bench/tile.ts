/**
 * The fast path to a big county (not a test): the demo generator holds a
 * whole county in memory and takes minutes and gigabytes past ~1.5M payout
 * rows, so a county of N copies is made from one generated county instead,
 * file by file and record by record. Copy 0 is the county as generated; in
 * copy k every identity number moves to another region code (check digit
 * recomputed, a wrong one kept wrong), and every identifier — person,
 * employer, staff, payout, record, receipt, transaction and voucher numbers,
 * bank accounts, phones — gets the prefix `K<k>`, the same in every table,
 * so that each copy is a district of its own whose rows join only among
 * themselves. Names, amounts, dates and codes stay as generated, so the
 * loader and the rules meet the same spellings and the same lawful
 * look-alikes and planted cases (k times over). Policies are the province's:
 * written once, cited by every copy.
 *
 * Files are read through the tool's own recognition (which table, header
 * line, which column each header maps to, encoding) and written as UTF-8,
 * the form a hand-written DuckDB read_csv can read too (DuckDB reads no GBK
 * without an extension).
 */
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { loadPaths } from '../src/data/load.js';
import { idCheckDigit } from '../src/data/types/id.js';
import { tableDef } from '../src/data/tables.js';

/** Columns that hold staff identifiers without saying so in tables.ts. */
const STAFF_REFERENCES = new Set(['operator_id', 'reviewer_id']);
/** Tables shared by every copy (written once). */
const SHARED_TABLES = new Set(['policies']);

type Transform = (raw: string, k: number) => string;

/** An identity number in copy k: region code moved by k × 1000 (mod 10^6), check digit right if it was. */
const idTransform: Transform = (raw, k) => {
  const m = /^(\D*)(\d{6})(\d{11}[\dXx]|\d{9})(\D*)$/.exec(raw);
  if (!m) return raw;
  const region = String((Number(m[2]) + 1000 * k) % 1_000_000).padStart(6, '0');
  let rest = m[3];
  if (rest.length === 12) {
    const old17 = m[2] + rest.slice(0, 11);
    const wasRight = idCheckDigit(old17) === rest[11].toUpperCase();
    const right = idCheckDigit(region + rest.slice(0, 11));
    const check = wasRight ? right : right === '0' ? '1' : '0';
    rest = rest.slice(0, 11) + (rest[11] === 'x' ? check.toLowerCase() : check);
  }
  return m[1] + region + rest + m[4];
};

/** An identifier in copy k: `K<k>` put in front of it (after a spreadsheet's apostrophe or ="…"). */
const prefixTransform: Transform = (raw, k) => {
  if (raw.trim() === '' || /^\s*\d(\.\d+)?[eE]\+?\d+\s*$/.test(raw)) return raw; // blank, or a number Excel mangled: kept as the case it is
  const m = /^(\s*(?:'|="|[\u2018\u2019\uff07`])?)([\s\S]*)$/.exec(raw)!;
  return `${m[1]}K${k}${m[2]}`;
};

/** Splits CSV text (comma, RFC 4180 quotes, fields may hold line ends) into records of raw field texts. */
function* records(text: string): Generator<{ fields: string[]; quoted: boolean[] }> {
  let i = 0;
  const n = text.length;
  while (i < n) {
    const fields: string[] = [];
    const quoted: boolean[] = [];
    for (;;) {
      let field = '';
      let q = false;
      if (text[i] === '"') {
        q = true;
        i++;
        for (;;) {
          const j = text.indexOf('"', i);
          if (j < 0) {
            field += text.slice(i);
            i = n;
            break;
          }
          field += text.slice(i, j);
          if (text[j + 1] === '"') {
            field += '"';
            i = j + 2;
          } else {
            i = j + 1;
            break;
          }
        }
      }
      let e = i;
      while (e < n && text[e] !== ',' && text[e] !== '\n' && text[e] !== '\r') e++;
      field += text.slice(i, e);
      i = e;
      fields.push(field);
      quoted.push(q);
      if (i < n && text[i] === ',') {
        i++;
        continue;
      }
      if (text[i] === '\r') i++;
      if (text[i] === '\n') i++;
      break;
    }
    yield { fields, quoted };
  }
}

function quote(field: string, wasQuoted: boolean): string {
  return wasQuoted || /[",\r\n]/.test(field) ? `"${field.replaceAll('"', '""')}"` : field;
}

/**
 * Writes `copies` copies of the county in `base` into `out` (one UTF-8 file per table, same names).
 * Returns the rows written per file.
 */
export async function tileCounty(base: string, out: string, copies: number): Promise<Record<string, number>> {
  mkdirSync(out, { recursive: true });
  const counts: Record<string, number> = {};
  const files = readdirSync(base).filter((f) => f.endsWith('.csv')).sort();
  for (const name of files) {
    const path = join(base, name);
    const [report] = (await loadPaths([path], { onlyTables: new Set() })).files;
    if (!report.table || !report.encoding) throw new Error(`${path}: not recognised as an export`);
    const bytes = readFileSync(path);
    const text = new TextDecoder(report.encoding === 'gb18030' ? 'gb18030' : 'utf-8').decode(bytes);
    const eol = text.includes('\r\n') ? '\r\n' : '\n';
    const def = tableDef(report.table)!;
    const transforms: Array<Transform | null> = report.mapping.map((m) => {
      const col = m.column ? def.columns.find((c) => c.name === m.column) : undefined;
      if (!col) return null;
      if (col.type === 'id') return idTransform;
      return col.identifier || STAFF_REFERENCES.has(col.name) ? prefixTransform : null;
    });
    const all = [...records(text)];
    const head = all.slice(0, report.headerLine > 0 ? headerIndex(all, report.headerLine) + 1 : 1);
    const body = all.slice(head.length);
    const fd = openSync(join(out, name), 'w');
    try {
      const write = (s: string) => writeSync(fd, s);
      for (const r of head) write(r.fields.map((f, j) => quote(f, r.quoted[j])).join(',') + eol);
      const times = SHARED_TABLES.has(report.table) ? 1 : copies;
      for (let k = 0; k < times; k++) {
        const lines: string[] = [];
        for (const r of body) {
          const fields = k === 0 ? r.fields : r.fields.map((f, j) => (transforms[j] ? transforms[j]!(f, k) : f));
          lines.push(fields.map((f, j) => quote(f, r.quoted[j])).join(','));
          if (lines.length === 10000) {
            write(lines.join(eol) + eol);
            lines.length = 0;
          }
        }
        if (lines.length) write(lines.join(eol) + eol);
      }
      counts[name] = body.length * times;
    } finally {
      closeSync(fd);
    }
  }
  return counts;
}

/** Index of the record on which line `line` starts (records may span lines). */
function headerIndex(all: Array<{ fields: string[] }>, line: number): number {
  let at = 1;
  for (let i = 0; i < all.length; i++) {
    if (at === line) return i;
    at += 1 + all[i].fields.reduce((n, f) => n + (f.match(/\n/g)?.length ?? 0), 0);
  }
  throw new Error(`no record on line ${line}`);
}
