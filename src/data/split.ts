/**
 * One large CSV file read as two parts at once (by two threads), with the
 * same outcome as reading it whole: the same rows in the same order, the same
 * line numbers, the same issues in the same order, the same counts.
 *
 * The split point is a guess: the start of a line near the middle. Whether a
 * record really starts there depends on every quote before it (a quoted field
 * may hold line ends), so it is not decided by looking around the point: the
 * first part is read from the start as usual and stops only where one of its
 * records ends exactly at the split point; the scanner's state there is the
 * line number alone, which is the count of line feeds before it, so the
 * second part, read from the split point on that line, sees exactly the
 * records the whole read would. When no record of the first part ends there
 * (the point was inside a quoted field), the first part reads on to the end
 * and the second part's rows are dropped.
 *
 * The header is located by both parts from the file's start (the same bytes,
 * the same decisions); only the first part's report of it is kept. Only files
 * read as UTF-8 bytes as they are (with or without BOM) whose lines end with
 * LF or CRLF are split: a GBK file is transcoded, and line numbers past a
 * point are not line feeds to count when lines end with CR alone.
 */
import { loneCRIssue, type SplitRows } from './csv-file.js';
import type { DataIssue, FileReport } from './model.js';
import { ProfileTracker } from './profile.js';
import { emptyRowsIssue, headerOnlyIssue } from './rows.js';

/** The line feeds in buf[from, to): the line on which the input from `to` starts is one past them. */
export function lineFeeds(buf: Uint8Array, from: number, to: number): number {
  let n = 0;
  let i = from;
  for (;;) {
    i = Buffer.prototype.indexOf.call(buf, 10, i) as number;
    if (i < 0 || i >= to) return n;
    n++;
    i++;
  }
}

/**
 * Completes the report of a split file, which holds what the first part's read put in it (the file, its
 * header and the issues of its rows), with both parts' rows: the counts, the profile, the issues of the second
 * part's rows, and what is reported at the end of a file — in the order reading the file whole reports them.
 */
export function mergeParts(report: FileReport, head: SplitRows, tail: SplitRows): void {
  const place = { file: report.path };
  type Run = { first: number; last: number; count: number };
  // A run of empty rows still open where the first part stopped: the second part's first event ends it, or
  // continues it when that event is an empty row on the next line.
  let carry: Run | null = head.pending && { ...head.pending };
  let leading: (Run & { at: number }) | null = tail.leading && { ...tail.leading };
  let last: Run | null = tail.pending && { ...tail.pending };
  if (carry && tail.events === 0) {
    last = carry;
    carry = null;
  } else if (carry) {
    const next = leading ?? (tail.pending?.leads ? last : null);
    if (next && carry.last + 1 === next.first) {
      next.first = carry.first;
      next.count += carry.count;
      carry = null;
    }
  }
  const issues: DataIssue[] = report.issues;
  if (carry) issues.push(emptyRowsIssue(place, carry.first, carry.last, carry.count));
  tail.issues.forEach((issue, k) => {
    if (leading?.at === k) {
      issues.push(emptyRowsIssue(place, leading.first, leading.last, leading.count));
      leading = null;
    }
    issues.push(issue);
  });
  if (leading) issues.push(emptyRowsIssue(place, leading.first, leading.last, leading.count));
  const loneCR = head.loneCR + tail.loneCR;
  if (loneCR > 0) issues.push(loneCRIssue(report.path, false, loneCR, head.loneCR > 0 ? head.loneCRLine : tail.loneCRLine, report.headerLine));
  if (last) issues.push(emptyRowsIssue(place, last.first, last.last, last.count));
  report.rowsRead = head.read + tail.read;
  report.rowsLoaded = head.loaded + tail.loaded;
  report.rowsRejected = head.rejected + tail.rejected;
  report.rowsSkipped = head.skipped + tail.skipped;
  const profile = new ProfileTracker('', []);
  profile.merge(head.profile);
  profile.merge(tail.profile);
  report.profile = profile.result();
  if (report.rowsLoaded === 0 && report.rowsRejected === 0) issues.push(headerOnlyIssue(place, report.headerLine));
}
