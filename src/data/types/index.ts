/**
 * Typing of raw field text into the values rules see (see model.ts for the representation). One parser per
 * column type, each in its own file; `parserFor` picks the one for a column definition.
 */
import type { ColumnDef } from '../tables.js';
import { parseDate } from './date.js';
import { parseDatetime } from './datetime.js';
import { enumParser } from './enum.js';
import { parseId } from './id.js';
import { parseInteger } from './int.js';
import { parseMoney } from './money.js';
import { parseMonth } from './month.js';
import type { Parser } from './problem.js';
import { parseIdentifier, parseText } from './text.js';

export { Problem, type Parser } from './problem.js';
export { parseDate } from './date.js';
export { parseDatetime } from './datetime.js';
export { enumParser, codeKey } from './enum.js';
export { idCheckDigit, idInfo, parseId, upgradeId15 } from './id.js';
export { parseInteger } from './int.js';
export { parseMoney } from './money.js';
export { parseMonth } from './month.js';
export { parseIdentifier, parseText } from './text.js';
export { daysInMonth, isCalendarDate } from './calendar.js';

const cache = new WeakMap<ColumnDef, Parser>();

/**
 * The parser for a column: raw field text (as decoded, untrimmed) → typed value, null for blank, or a Problem.
 * Parsers are pure and reusable; enum parsers are built once per column definition.
 */
export function parserFor(col: ColumnDef): Parser {
  let p = cache.get(col);
  if (p !== undefined) return p;
  switch (col.type) {
    case 'text':
      p = col.identifier ? parseIdentifier : parseText;
      break;
    case 'id':
      p = parseId;
      break;
    case 'date':
      p = parseDate;
      break;
    case 'month':
      p = parseMonth;
      break;
    case 'datetime':
      p = parseDatetime;
      break;
    case 'money':
      p = parseMoney;
      break;
    case 'int':
      p = parseInteger;
      break;
    case 'enum':
      p = enumParser(col);
      break;
    default: {
      const never: never = col.type;
      throw new Error(`no parser for column type ${String(never)}`);
    }
  }
  cache.set(col, p);
  return p;
}
