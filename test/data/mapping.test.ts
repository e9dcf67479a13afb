import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/cli/errors.js';
import { loadMappingFile, mappingForFile, type MappingFile } from '../../src/data/mapping.js';
import { recognise } from '../../src/data/recognise.js';

const dir = mkdtempSync(join(tmpdir(), 'fundaudit-mapping-'));
let n = 0;
function write(text: string): string {
  const path = join(dir, `mapping-${n++}.yaml`);
  writeFileSync(path, text);
  return path;
}

/** The UsageError thrown by loading `text`. */
function failure(text: string): { path: string; err: UsageError } {
  const path = write(text);
  try {
    loadMappingFile(path);
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return { path, err: err as UsageError };
  }
  throw new Error('expected loadMappingFile to throw');
}

const EXAMPLE = `# 某县社保局导出文件的映射
files:
  - pattern: "待遇发放*.csv"
    table: payouts
    encoding: gbk
  - pattern: "银行/*.csv"
    table: bank_flows
  - pattern: "*.txt"
    encoding: GB18030
headers:
  payouts:
    实发金额: amount
    "所属年月": period
  bank_flows:
    交易金额（元）: amount
`;

describe('loadMappingFile', () => {
  it('reads files and headers', () => {
    const m = loadMappingFile(write(EXAMPLE));
    expect(m).toEqual({
      files: [
        { pattern: '待遇发放*.csv', table: 'payouts', encoding: 'gbk' },
        { pattern: '银行/*.csv', table: 'bank_flows' },
        { pattern: '*.txt', encoding: 'gb18030' },
      ],
      headers: { payouts: { 实发金额: 'amount', 所属年月: 'period' }, bank_flows: { '交易金额（元）': 'amount' } },
    });
  });

  it('reads the example of docs/mapping.md', async () => {
    const { readFileSync } = await import('node:fs');
    const doc = readFileSync('docs/mapping.md', 'utf8');
    const yaml = /```yaml\n([\s\S]*?)```/.exec(doc)![1];
    const m = loadMappingFile(write(yaml));
    expect(m.files.length).toBeGreaterThan(0);
    expect(Object.keys(m.headers).length).toBeGreaterThan(0);
  });

  it('accepts an empty file, a BOM, and sections left empty', () => {
    expect(loadMappingFile(write(''))).toEqual({ files: [], headers: {} });
    expect(loadMappingFile(write('\uFEFFfiles:\nheaders:\n  payouts:\n'))).toEqual({ files: [], headers: {} });
  });

  it('feeds recognition: extra aliases make an export recognisable', () => {
    const m = loadMappingFile(write(EXAMPLE));
    const rec = recognise([['个人编号', '实发金额', '所属年月']], '待遇发放2024.csv', { headerAliases: m.headers });
    expect(rec).toMatchObject({ table: 'payouts', recognisedBy: 'mapping' });
  });

  it('reports bad YAML with file:line:col', () => {
    const { path, err } = failure('files:\n  - pattern: "a.csv\n    table: payouts\n');
    expect(err.message).toContain(`${path}:`);
    expect(err.message).toMatch(/:\d+:\d+: /);
    expect(err.fix).toContain('docs/mapping.md');
  });

  it('reports a duplicate key', () => {
    const { path, err } = failure('headers:\n  payouts:\n    实发金额: amount\n    实发金额: period\n');
    expect(err.message).toContain(`${path}:4:`);
  });

  it('reports an unknown table, with its position and the known tables', () => {
    const { path, err } = failure('headers:\n  payout:\n    实发金额: amount\n');
    expect(err.message).toContain(`${path}:2:3: unknown table "payout"`);
    expect(err.message).toContain('payouts');
  });

  it('reports an unknown column, with its position and the columns of the table', () => {
    const { path, err } = failure('headers:\n  payouts:\n    实发金额: amt\n');
    expect(err.message).toContain(`${path}:3:11: "amt" is not a column of payouts`);
    expect(err.message).toContain('amount');
  });

  it('reports every problem, not just the first', () => {
    const { path, err } = failure(
      [
        'files:',
        '  - pattern: "*.csv"',
        '    table: payments', // 3
        '    encoding: ebcdic', // 4
        '  - table: payouts', // 5: no pattern
        '  - pattern: "x.csv"', // 6: neither table nor encoding
        'headers:',
        '  payouts:',
        '    实发金额: amt', // 9
        'extra: 1', // 10
      ].join('\n'),
    );
    expect(err.message).toContain('6 problems');
    expect(err.message).toContain(`${path}:3:12: unknown table "payments"`);
    expect(err.message).toContain(`${path}:4:15: unknown encoding "ebcdic"`);
    expect(err.message).toContain(`${path}:5:5: this file entry has no pattern`);
    expect(err.message).toContain(`${path}:6:5: the entry for "x.csv" sets none of table, encoding, delimiter, header_line`);
    expect(err.message).toContain(`${path}:9:11: "amt" is not a column of payouts`);
    expect(err.message).toContain(`${path}:10:1: unknown key "extra"`);
  });

  it('reports wrong shapes', () => {
    expect(failure('- a\n- b\n').err.message).toContain(':1:1: a mapping file is a map');
    expect(failure('files: payouts.csv\n').err.message).toContain(':1:8: files must be a list');
    expect(failure('headers:\n  payouts: amount\n').err.message).toContain(':2:12: under payouts');
  });

  it('reports a file that cannot be read', () => {
    expect(() => loadMappingFile(join(dir, 'missing.yaml'))).toThrow(/cannot read mapping file .*missing\.yaml: no such file/);
  });
});

describe('mappingForFile', () => {
  const m: MappingFile = {
    files: [
      { pattern: '待遇发放*.csv', table: 'payouts' },
      { pattern: 'bank/*.csv', table: 'bank_flows' },
      { pattern: '**/old/*.csv', encoding: 'gbk' },
      { pattern: 'persons_20??.csv', table: 'persons', encoding: 'utf-8' },
      { pattern: '*.csv', encoding: 'gb18030' },
    ],
    headers: {},
  };

  it('matches a pattern without / on the base name', () => {
    expect(mappingForFile(m, 'exports/2024/待遇发放_01.csv')).toEqual({ table: 'payouts', encoding: 'gb18030' });
    expect(mappingForFile(m, '待遇发放.csv')).toEqual({ table: 'payouts', encoding: 'gb18030' });
    expect(mappingForFile(m, 'exports/待遇发放.txt')).toEqual({});
  });

  it('matches ? as one character and ignores case', () => {
    expect(mappingForFile(m, 'in/PERSONS_2024.CSV')).toEqual({ table: 'persons', encoding: 'utf-8' });
    expect(mappingForFile(m, 'in/persons_202.csv')).toEqual({ encoding: 'gb18030' });
  });

  it('matches a pattern with / on the path or a tail of it', () => {
    expect(mappingForFile(m, 'bank/a.csv')).toMatchObject({ table: 'bank_flows' });
    expect(mappingForFile(m, './exports/bank/a.csv')).toMatchObject({ table: 'bank_flows' });
    expect(mappingForFile(m, 'exports\\bank\\a.csv')).toMatchObject({ table: 'bank_flows' });
    expect(mappingForFile(m, 'bank/2024/a.csv')).not.toHaveProperty('table');
    expect(mappingForFile(m, 'mybank/a.csv')).not.toHaveProperty('table');
  });

  it('takes each field from the first matching entry that sets it', () => {
    expect(mappingForFile(m, 'x/old/待遇发放1.csv')).toEqual({ table: 'payouts', encoding: 'gbk' });
    expect(mappingForFile(m, 'old/b.csv')).toEqual({ encoding: 'gbk' });
    expect(mappingForFile(m, 'a/b/old/c.csv')).toEqual({ encoding: 'gbk' });
  });

  it('treats regular-expression characters in patterns literally', () => {
    const lit: MappingFile = { files: [{ pattern: 'a+(1).csv', table: 'deaths' }], headers: {} };
    expect(mappingForFile(lit, 'a+(1).csv')).toEqual({ table: 'deaths' });
    expect(mappingForFile(lit, 'aa(1).csv')).toEqual({});
  });
});

describe('a mapping file names delimiters and header lines', () => {
  it('per file pattern, checked', async () => {
    const { loadMappingFile: load, mappingForFile: forFile } = await import('../../src/data/mapping.js');
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'fa-map-'));
    const ok = join(dir, 'ok.yaml');
    writeFileSync(ok, 'files:\n  - pattern: "alipay*.csv"\n    table: bank_flows\n    header_line: 25\n    delimiter: tab\n');
    expect(forFile(load(ok), 'exports/alipay_2019.csv')).toEqual({ table: 'bank_flows', headerLine: 25, delimiter: '\t' });
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'files:\n  - pattern: "a.csv"\n    header_line: zero\n    delimiter: colon\n');
    expect(() => load(bad)).toThrow(/header_line must be the line number[\s\S]*unknown delimiter "colon"/);
  });
});
