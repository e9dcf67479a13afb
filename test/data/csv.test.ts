import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CsvScanner, parseCsv } from '../../src/data/csv.js';
import { describeExternal, external, hasExternal } from '../external.js';

const SPECTRUM = external('csv-spectrum');

/** csv-spectrum's json twin: header → value objects per data record. */
function asObjects(text: string | Buffer): Record<string, string>[] {
  const { records } = parseCsv(typeof text === 'string' ? text : new Uint8Array(text));
  const [header, ...rows] = records;
  return rows.map((r) => Object.fromEntries(header.fields.map((h, i) => [h, r.fields[i]])));
}

describeExternal('csv-spectrum conformance', () => {
  const cases = (hasExternal ? readdirSync(join(SPECTRUM, 'csvs')) : [])
    .filter((f) => f.endsWith('.csv'))
    // Broken upstream: its JSON twin was written from a differently encoded file.
    .filter((f) => f !== 'location_coordinates.csv');
  it('has the cases', () => expect(cases.length).toBeGreaterThanOrEqual(10));
  for (const f of cases) {
    it(f, () => {
      const csv = readFileSync(join(SPECTRUM, 'csvs', f));
      const expected = JSON.parse(readFileSync(join(SPECTRUM, 'json', f.replace(/\.csv$/, '.json')), 'utf8'));
      expect(asObjects(csv)).toEqual(expected);
    });
  }
});

describe('parseCsv', () => {
  it('keeps the line on which each record starts, counting newlines inside quotes', () => {
    const { records } = parseCsv('a,b\n1,"x\ny"\n\n2,"p\r\nq\r\nr"\r\n3,z');
    expect(records.map((r) => r.line)).toEqual([1, 2, 5, 8]);
    expect(records[1].fields).toEqual(['1', 'x\ny']);
    expect(records[2].fields).toEqual(['2', 'p\r\nq\r\nr']);
  });

  it('reads CR-only line ends as lines and counts them', () => {
    const r = parseCsv('a,b\r1,2\r3,4\r');
    expect(r.records.map((x) => [x.line, ...x.fields])).toEqual([
      [1, 'a', 'b'],
      [2, '1', '2'],
      [3, '3', '4'],
    ]);
    expect(r.loneCR).toBe(3);
    expect(r.lineFeeds).toBe(0);
  });

  it('keeps full-width commas and quotes inside a field', () => {
    const { records } = parseCsv('a,b\n张三，李四,“引号”\n');
    expect(records[1].fields).toEqual(['张三，李四', '“引号”']);
  });

  it('keeps a quote inside an unquoted field and text after a closing quote', () => {
    const { records } = parseCsv('a,b\nab"c,"x"y\n');
    expect(records[1].fields).toEqual(['ab"c', 'xy']);
  });

  it('keeps quotes in the text after a closing quote, as the scanner read them', () => {
    const { records } = parseCsv('a,b\n"x"y"z",w\n"1 ""2"""3"",4\n');
    expect(records[1].fields).toEqual(['xy"z"', 'w']);
    expect(records[2].fields).toEqual(['1 "2"3""', '4']);
  });

  it('reports an unclosed quote at the line where it opened and resumes on the next line', () => {
    const r = parseCsv('a,b\n1,2\n3,"oops\n5,6\n7,8\n');
    expect(r.unclosedQuotes).toEqual([{ line: 3, text: '3,"oops', stray: false }]);
    expect(r.records.map((x) => [x.line, ...x.fields])).toEqual([
      [1, 'a', 'b'],
      [2, '1', '2'],
      [4, '5', '6'],
      [5, '7', '8'],
    ]);
  });

  it('reads a trailing comma at the end of the input as one more empty field', () => {
    expect(parseCsv('a,b,\n1,2,').records.map((r) => r.fields)).toEqual([
      ['a', 'b', ''],
      ['1', '2', ''],
    ]);
  });
});

describe('CsvScanner windows', () => {
  it('asks for more input when a record runs past the window, leaving pos at its start', () => {
    const buf = Buffer.from('a,b\n1,"x\ny"\n');
    const sc = new CsvScanner(buf, { end: 9, final: false });
    expect(sc.next()).toBe('record');
    expect(sc.next()).toBe('need-more');
    expect(sc.pos).toBe(4);
    expect(sc.line).toBe(2);
    sc.reset(buf, sc.pos, buf.length, true);
    expect(sc.next()).toBe('record');
    expect(sc.recordLine).toBe(2);
    expect(sc.count).toBe(2);
    expect(sc.next()).toBe('eof');
  });
});
