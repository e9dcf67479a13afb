/**
 * The small parts of an .xlsx workbook, read whole: which sheets it has and
 * where (workbook.xml and its relationships), how its cells are formatted
 * (styles.xml: which styles show dates) and its shared strings. Parsed with
 * saxes, a strict XML parser that expands no entities but XML's own five (so a
 * "billion laughs" document is an error, not a bomb), never fetches anything
 * and hands attributes over in objects without a prototype.
 */
import { SaxesParser, type SaxesTagPlain } from 'saxes';
import { isDateFormat } from './cells.js';
import { ZipError, type ZipParts } from './zip.js';

/** The local name of an element or attribute, without a namespace prefix. */
export function local(name: string): string {
  const i = name.indexOf(':');
  return i < 0 ? name : name.slice(i + 1);
}

/** An attribute by local name. */
export function attr(tag: SaxesTagPlain, name: string): string | undefined {
  const a = tag.attributes as Record<string, string>;
  if (Object.prototype.hasOwnProperty.call(a, name)) return a[name];
  for (const k of Object.keys(a)) if (local(k) === name) return a[k];
  return undefined;
}

/** Parses a part, calling the handlers; a malformed part is a ZipError naming it. */
export function parseXml(
  name: string,
  text: string,
  on: { open?: (tag: SaxesTagPlain) => void; close?: (name: string) => void; text?: (t: string) => void },
): void {
  const p = new SaxesParser();
  let failed: Error | null = null;
  p.on('error', (e) => {
    failed ??= e;
  });
  if (on.open) p.on('opentag', on.open);
  if (on.close) p.on('closetag', (t) => on.close!(local(t.name)));
  if (on.text) {
    p.on('text', on.text);
    p.on('cdata', on.text);
  }
  p.write(text).close();
  if (failed) throw new ZipError(`part ${name} of the workbook is not well-formed XML (${(failed as Error).message}); re-save the workbook from Excel or WPS`);
}

/** XML bytes as text: UTF-8 (with or without BOM); a UTF-16 part is refused with a reason. */
export function xmlText(name: string, buf: Buffer): string {
  if ((buf[0] === 0xff && buf[1] === 0xfe) || (buf[0] === 0xfe && buf[1] === 0xff)) {
    throw new ZipError(`part ${name} of the workbook is UTF-16 XML, which fundaudit does not read; re-save the workbook from Excel or WPS`);
  }
  return buf.toString('utf8').replace(/^\ufeff/, '');
}

async function readXml(zip: ZipParts, name: string): Promise<string | null> {
  const buf = await zip.readPart(name);
  return buf === null ? null : xmlText(name, buf);
}

/** A part name resolved against the folder of the part whose relationship points at it. */
export function resolvePart(base: string, target: string): string {
  if (target.startsWith('/')) return target.slice(1);
  const parts = base.split('/').slice(0, -1);
  for (const seg of target.split('/')) {
    if (seg === '..') parts.pop();
    else if (seg !== '.' && seg !== '') parts.push(seg);
  }
  return parts.join('/');
}

/** The relationships of a part: id → target part name and type. */
async function relationships(zip: ZipParts, part: string): Promise<Map<string, { target: string; type: string; external: boolean }>> {
  const folder = part.includes('/') ? part.slice(0, part.lastIndexOf('/') + 1) : '';
  const relsName = `${folder}_rels/${part.slice(folder.length)}.rels`;
  const out = new Map<string, { target: string; type: string; external: boolean }>();
  const text = await readXml(zip, relsName);
  if (text === null) return out;
  parseXml(relsName, text, {
    open: (tag) => {
      if (local(tag.name) !== 'Relationship') return;
      const id = attr(tag, 'Id');
      const target = attr(tag, 'Target');
      if (id === undefined || target === undefined) return;
      const external = attr(tag, 'TargetMode') === 'External';
      out.set(id, { target: external ? target : resolvePart(part, target), type: attr(tag, 'Type') ?? '', external });
    },
  });
  return out;
}

/** One sheet of a workbook. */
export interface SheetInfo {
  name: string;
  /** Part name of its XML (null: a chart sheet or a dangling reference, which holds no rows). */
  part: string | null;
  hidden: boolean;
}

/** What the workbook part says. */
export interface WorkbookInfo {
  sheets: SheetInfo[];
  date1904: boolean;
  /** Number format per cell style index (cellXfs): true when it shows a date or time. */
  dateStyles: boolean[];
  sharedStrings: string[];
}

/** Reads the workbook's sheets, styles and shared strings. Throws ZipError when the workbook part is missing or malformed. */
export async function readWorkbook(zip: ZipParts): Promise<WorkbookInfo> {
  const root = await relationships(zip, '');
  const office = [...root.values()].find((r) => /\/officeDocument$/.test(r.type) && !r.external)?.target ?? 'xl/workbook.xml';
  const text = await readXml(zip, office);
  if (text === null) throw new ZipError('the workbook has no workbook part (xl/workbook.xml); it is damaged — re-save it from Excel or WPS');
  const rels = await relationships(zip, office);
  const sheets: SheetInfo[] = [];
  let date1904 = false;
  parseXml(office, text, {
    open: (tag) => {
      const n = local(tag.name);
      if (n === 'workbookPr') {
        const v = attr(tag, 'date1904');
        date1904 = v === '1' || v === 'true';
      } else if (n === 'sheet') {
        const rel = rels.get(attr(tag, 'id') ?? '');
        const isSheet = rel !== undefined && !rel.external && /\/worksheet$/.test(rel.type) && zip.has(rel.target);
        const state = attr(tag, 'state');
        sheets.push({ name: attr(tag, 'name') ?? `sheet${sheets.length + 1}`, part: isSheet ? rel.target : null, hidden: state === 'hidden' || state === 'veryHidden' });
      }
    },
  });
  const styles = [...rels.values()].find((r) => /\/styles$/.test(r.type))?.target;
  const strings = [...rels.values()].find((r) => /\/sharedStrings$/.test(r.type))?.target;
  return {
    sheets,
    date1904,
    dateStyles: styles ? await readStyles(zip, styles) : [],
    sharedStrings: strings ? await readSharedStrings(zip, strings) : [],
  };
}

async function readStyles(zip: ZipParts, part: string): Promise<boolean[]> {
  const text = await readXml(zip, part);
  if (text === null) return [];
  const formats = new Map<number, string>();
  const xfs: boolean[] = [];
  const xfIds: number[] = [];
  let inCellXfs = false;
  parseXml(part, text, {
    open: (tag) => {
      const n = local(tag.name);
      if (n === 'numFmt') formats.set(Number(attr(tag, 'numFmtId')), attr(tag, 'formatCode') ?? '');
      else if (n === 'cellXfs') inCellXfs = true;
      else if (n === 'xf' && inCellXfs) xfIds.push(Number(attr(tag, 'numFmtId') ?? 0));
    },
    close: (n) => {
      if (n === 'cellXfs') inCellXfs = false;
    },
  });
  for (const id of xfIds) xfs.push(isDateFormat(id, formats.get(id)));
  return xfs;
}

async function readSharedStrings(zip: ZipParts, part: string): Promise<string[]> {
  const text = await readXml(zip, part);
  if (text === null) return [];
  const out: string[] = [];
  let cur = '';
  let inT = false;
  let phonetic = 0;
  parseXml(part, text, {
    open: (tag) => {
      const n = local(tag.name);
      if (n === 'si') cur = '';
      else if (n === 't') inT = true;
      else if (n === 'rPh') phonetic++;
    },
    close: (n) => {
      if (n === 'si') out.push(cur);
      else if (n === 't') inT = false;
      else if (n === 'rPh') phonetic--;
    },
    // Phonetic runs (rPh) are a reading aid, not part of the text.
    text: (t) => {
      if (inT && phonetic === 0) cur += t;
    },
  });
  return out;
}
