/**
 * Display width of text on a terminal: CJK and full-width characters take two
 * columns. Used to wrap and fit the terminal report.
 */

function isWide(cp: number): boolean {
  return (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0x303e) ||
    (cp >= 0x3041 && cp <= 0x33ff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0xa000 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  );
}

/** Columns a string takes on a terminal (no ANSI codes expected). */
export function textWidth(s: string): number {
  let w = 0;
  for (const ch of s) w += isWide(ch.codePointAt(0)!) ? 2 : 1;
  return w;
}

/**
 * Wraps text to `width` columns: at spaces where possible, anywhere in CJK text
 * (which has no spaces). Existing line breaks are kept.
 */
export function wrapText(text: string, width: number): string[] {
  const out: string[] = [];
  for (const para of text.split(/\r?\n/)) {
    let line = '';
    let lineW = 0;
    let lastSpace = -1; // index in `line` of the last space
    for (const ch of para) {
      const w = textWidth(ch);
      if (lineW + w > width && line !== '') {
        if (ch === ' ') {
          out.push(line);
          line = '';
          lineW = 0;
          lastSpace = -1;
          continue;
        }
        if (lastSpace > 0) {
          out.push(line.slice(0, lastSpace));
          line = line.slice(lastSpace + 1);
          lineW = textWidth(line);
        } else {
          out.push(line);
          line = '';
          lineW = 0;
        }
        lastSpace = -1;
      }
      if (ch === ' ') lastSpace = line.length;
      line += ch;
      lineW += w;
    }
    out.push(line);
  }
  return out;
}

/** Cuts text to at most `width` columns, ending with '…' when cut. */
export function truncate(s: string, width: number): string {
  if (textWidth(s) <= width) return s;
  let out = '';
  let w = 0;
  for (const ch of s) {
    const cw = textWidth(ch);
    if (w + cw > width - 1) break;
    out += ch;
    w += cw;
  }
  return out + '…';
}
