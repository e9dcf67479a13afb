/**
 * What kind of file an input is, from its first bytes (and its name where the
 * bytes cannot tell): CSV text, a ZIP container (an .xlsx workbook, or
 * something else that workbook/ tells apart), or a kind fundaudit does not
 * read — said with what it is and what to do.
 */

/** `key`: which message of `unsupported-file` (see DataIssue.msg). */
export type FileKind = { kind: 'text' } | { kind: 'zip' } | { kind: 'unsupported'; reason: string; key: string };

/** File names a folder contributes: exports (CSV, text, workbooks), and kinds reported as unsupported. */
export const EXPORT_FILE = /\.(csv|txt|tsv|tab|xlsx|xlsm)$/i;
export const UNSUPPORTED_FILE = /\.(xls|xlsb|et|ods|numbers|pdf|zip|rar|7z|gz|tgz|tar)$/i;

const SAVE = 'open it in Excel or WPS and save it as an Excel workbook (.xlsx) or as "CSV UTF-8", then run again';

/** The kind of the file named `path` whose first bytes are `head`. */
export function fileKind(path: string, head: Uint8Array): FileKind {
  const b = head;
  const at = (bytes: number[], from = 0) => bytes.every((x, i) => b[from + i] === x);
  if (at([0x50, 0x4b, 0x03, 0x04]) || at([0x50, 0x4b, 0x05, 0x06])) return { kind: 'zip' };
  if (at([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])) {
    // An OLE compound file: an Excel 97–2003 workbook, or an .xlsx saved with a password (encrypted inside one).
    return /\.xls[xm]$/i.test(path)
      ? { kind: 'unsupported', reason: 'the workbook is password-protected (encrypted), and fundaudit does not read encrypted workbooks; open it in Excel, remove the password (File › Info › Protect Workbook), save it, and run again', key: 'unsupported-file.encrypted' }
      : { kind: 'unsupported', reason: `the file is an Excel 97–2003 workbook (.xls) or another OLE document, which fundaudit does not read (no well-kept reader of the old format is safe on hostile files); ${SAVE}`, key: 'unsupported-file.xls' };
  }
  if (at([0x25, 0x50, 0x44, 0x46, 0x2d])) return { kind: 'unsupported', reason: 'the file is a PDF, not an export of data; export the data from the business system as CSV or .xlsx', key: 'unsupported-file.pdf' };
  if (at([0x52, 0x61, 0x72, 0x21])) return { kind: 'unsupported', reason: 'the file is a RAR archive; extract it and point fundaudit at the files inside', key: 'unsupported-file.rar' };
  if (at([0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c])) return { kind: 'unsupported', reason: 'the file is a 7-Zip archive; extract it and point fundaudit at the files inside', key: 'unsupported-file.7z' };
  if (at([0x1f, 0x8b])) return { kind: 'unsupported', reason: 'the file is gzip-compressed; decompress it and point fundaudit at the files inside', key: 'unsupported-file.gzip' };
  if (b.length >= 262 && at([0x75, 0x73, 0x74, 0x61, 0x72], 257)) return { kind: 'unsupported', reason: 'the file is a tar archive; extract it and point fundaudit at the files inside', key: 'unsupported-file.tar' };
  return { kind: 'text' };
}

/** Reasons for a ZIP container that is not an .xlsx workbook, by what it holds. */
export const ZIP_REASONS = {
  xlsb: `the file is an Excel binary workbook (.xlsb), which fundaudit does not read; ${SAVE}`,
  ods: `the file is an OpenDocument spreadsheet (.ods), which fundaudit does not read; ${SAVE}`,
  numbers: `the file is an Apple Numbers document, which fundaudit does not read; export it as .xlsx or CSV`,
  archive: 'the file is a ZIP archive, not a workbook; extract it and point fundaudit at the files inside',
  docx: 'the file is a Word or PowerPoint document, not an export of data; export the data as CSV or .xlsx',
};
