/**
 * Inline tests: a rule has them, with at least one case that must fire and
 * one that must not; case names are unique; expectations are possible; test
 * tables are canonical tables whose CSV headers name their columns.
 */
import { TABLE_NAMES, tableDef } from '../../data/tables.js';
import { columnForHeader } from '../../data/recognise.js';
import type { RuleFile } from './context.js';
import { compilationOf, isObject, report } from './context.js';
import { nearestName } from '../../plan/nearest.js';

export function validateTests(f: RuleFile): void {
  const rule = f.parsed.value;
  if (!isObject(rule)) return;
  const tests = rule.tests;
  if (!Array.isArray(tests) || tests.length === 0) {
    report(f, tests === undefined ? ['id'] : ['tests'], 'no-tests', 'the rule has no tests', 'add tests: at least one case that must fire (expect: { count: 1 }) and one that must not (expect: { none: true })', { key: tests === undefined });
    return;
  }

  // What the check reads: a test lacking one of these tables or columns would skip the rule and find nothing.
  const compiled = compilationOf(f);
  // Unknown when the check does not compile or reads an unknown table.
  const reads = compiled.output ? { tables: compiled.tables, inputColumns: compiled.needs } : undefined;
  let fires = false;
  let quiet = false;
  const names = new Map<string, number>();
  tests.forEach((t, i) => {
    if (!isObject(t)) return;
    if (typeof t.name === 'string') {
      const first = names.get(t.name);
      if (first !== undefined) {
        report(f, ['tests', i, 'name'], 'duplicate-test-name', `test name \`${t.name}\` is also used by test ${first + 1}`, 'give each case a name that says what it shows');
      } else names.set(t.name, i);
    }

    const expect = t.expect;
    if (isObject(expect)) {
      if (expect.none === true) {
        quiet = true;
        for (const k of ['count', 'entities', 'amount']) {
          if (Object.hasOwn(expect, k)) {
            report(f, ['tests', i, 'expect', k], 'bad-expect', `\`none: true\` together with \`${k}\` cannot both hold`,
              `remove ${k}, or remove none: true`, { key: true });
          }
        }
      } else if (expect.count === 0) {
        quiet = true;
        if (Array.isArray(expect.entities) && expect.entities.length > 0) {
          report(f, ['tests', i, 'expect', 'entities'], 'bad-expect', '`count: 0` together with entities cannot both hold', 'remove the entities, or raise the count', { key: true });
        }
      } else if ((typeof expect.count === 'number' && expect.count > 0) || (Array.isArray(expect.entities) && expect.entities.length > 0) || (typeof expect.amount === 'string' && Number(expect.amount) !== 0)) {
        fires = true;
        if (typeof expect.count === 'number' && Array.isArray(expect.entities) && new Set(expect.entities).size > expect.count) {
          report(f, ['tests', i, 'expect', 'entities'], 'bad-expect', `${new Set(expect.entities).size} distinct entities expected but count is ${expect.count}`, 'raise the count, or list fewer entities');
        }
      } else if (Object.keys(expect).length === 0 || expect.none === false) {
        report(f, ['tests', i, 'expect'], 'bad-expect', 'the expectation checks nothing', 'write none: true, or a count, entities or an amount');
      }
    }

    if (!isObject(t.tables)) return;
    const tables = t.tables;
    // A misspelt table name is reported as such, not also as a missing table.
    const misspelt = Object.keys(tables).some((name) => !tableDef(name));
    // Reference tables (the holiday calendar) are supplied when a case leaves them out, as in an audit.
    for (const table of misspelt ? [] : reads?.tables.filter((x) => !Object.hasOwn(tables, x) && !tableDef(x)?.reference) ?? []) {
      report(f, ['tests', i, 'tables'], 'test-missing-table', `this test has no \`${table}\` table, which the rule reads: it would be skipped and find nothing`,
        `add ${table}: | with a header naming ${(reads!.inputColumns[table] ?? []).join(', ')}, and the rows the case needs`, { key: true });
    }
    for (const [table, csv] of Object.entries(t.tables)) {
      const def = tableDef(table);
      if (!def) {
        const near = nearestName(table, TABLE_NAMES);
        report(f, ['tests', i, 'tables', table], 'unknown-table', `test table \`${table}\` is not a canonical table`,
          `${near ? `did you mean \`${near}\`? ` : ''}the canonical tables are ${TABLE_NAMES.join(', ')}`, { key: true });
        continue;
      }
      if (typeof csv !== 'string') continue;
      const header = headerCells(csv);
      const present = new Set(header.map((cell) => columnForHeader(table, cell.text)));
      // A reference table's columns are all optional: the missing ones are filled with blanks (reference.ts).
      const lacking = def.reference ? [] : (reads?.inputColumns[table] ?? []).filter((c) => !present.has(c));
      // A misspelt header cell is reported as such, not also as a missing column.
      const misspelt = header.some((cell) => cell.text.trim() !== '' && columnForHeader(table, cell.text) === null);
      if (lacking.length > 0 && header.length > 0 && !misspelt) {
        report(f, ['tests', i, 'tables', table], 'test-missing-column', `the ${table} table of this test lacks ${lacking.map((c) => `\`${c}\``).join(', ')}, which the rule reads: it would be skipped and find nothing`,
          `add ${lacking.join(', ')} to the header (and a value to each row)`, { offset: header[0].offset, length: 1 });
      }
      for (const cell of header) {
        if (cell.text.trim() === '' || columnForHeader(table, cell.text) !== null) continue;
        const near = nearestName(cell.text.trim(), def.columns.map((c) => c.name));
        report(f, ['tests', i, 'tables', table], 'unknown-test-column', `test CSV header \`${cell.text.trim()}\` names no column of ${table}`,
          `${near ? `did you mean \`${near}\`? ` : ''}columns of ${table}: ${def.columns.map((c) => c.name).join(', ')}`,
          { offset: cell.offset, length: cell.text.length });
      }
    }
  });
  if (!fires) report(f, ['tests'], 'no-firing-test', 'no test case expects a finding', 'add a case that must fire, e.g. expect: { count: 1, entities: [...] }');
  if (!quiet) report(f, ['tests'], 'no-quiet-test', 'no test case expects no finding', 'add a look-alike case that must not fire: expect: { none: true }');
}

/** The cells of the first non-blank line of a CSV text, with their offsets in it (quotes honoured). */
export function headerCells(csv: string): { text: string; offset: number }[] {
  let start = 0;
  while (start < csv.length && /[\r\n \t]/.test(csv[start])) start++;
  const cells: { text: string; offset: number }[] = [];
  let i = start;
  let cellStart = i;
  let text = '';
  let quoted = false;
  for (; i <= csv.length; i++) {
    const ch = csv[i];
    if (quoted) {
      if (ch === '"' && csv[i + 1] === '"') { text += '"'; i++; }
      else if (ch === '"') quoted = false;
      else if (ch !== undefined) text += ch;
      continue;
    }
    if (ch === '"') { quoted = true; continue; }
    if (ch === ',' || ch === '\n' || ch === '\r' || ch === undefined) {
      cells.push({ text, offset: cellStart });
      if (ch !== ',') break;
      text = '';
      cellStart = i + 1;
      continue;
    }
    text += ch;
  }
  return cells;
}
