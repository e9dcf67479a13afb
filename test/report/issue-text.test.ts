/**
 * Data issues in the report's language: every message the loader can give
 * has its Chinese (found from the loader's own source), and real broken
 * exports come out in Chinese under zh, in the loader's English under en.
 */
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPaths } from '../../src/data/load.js';
import { issueKey, issueText, ZH } from '../../src/report/issue-text.js';

const DATA = resolve(import.meta.dirname, '../../src/data');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [readFileSync(p, 'utf8')] : [];
  });
}

/** The message keys the loader gives, read from its source. */
function loaderKeys(): Set<string> {
  const text = sources(DATA).join('\n');
  const keys = new Set<string>();
  // `{ file: 'calendar.csv', key: 'date' }` is a reference table's key column (reference.ts), not a message.
  for (const m of text.matchAll(/(?<!file: [^,]*, )key: '([a-z0-9][a-z0-9.-]*)'/g)) keys.add(m[1]);
  for (const m of text.matchAll(/said\('([a-z-]+)'/g)) keys.add(`ragged-row.${m[1]}`);
  for (const m of text.matchAll(/^ {2}([a-z]+): [`'"]the file is/gm)) keys.add(`unsupported-file.${m[1]}`);
  // Codes of issues made with a message of their own (args on their helper), and of issues with one message only.
  for (const m of text.matchAll(/(?:new Problem\(\s*|issue\((?:[^,()]*, ){0,3}|fileIssue\(|code: )'([a-z][a-z0-9-]*)'/g)) keys.add(m[1]);
  for (const m of text.matchAll(/new ZipError\([^;]*?, '([a-z-]+)'\)/g)) keys.add(m[1]);
  keys.add('bad-workbook'); // ZipError's own default code
  for (const level of ['error', 'warning']) keys.delete(level);
  return keys;
}

/** Codes only ever given with a message of a variant (code.variant). */
const ONLY_VARIANTS = new Set(['ragged-row', 'unsupported-file', 'different-audits', 'bad-encoding', 'unknown-encoding', 'utf16', 'unrecognised-sheet']);

describe('issue text', () => {
  it("has Chinese for every message the loader can give", () => {
    const keys = [...loaderKeys()].filter((k) => !ONLY_VARIANTS.has(k));
    expect(keys.length).toBeGreaterThan(60);
    expect(keys.filter((k) => !Object.hasOwn(ZH, k))).toEqual([]);
  });

  it('renders the loader\'s issues of real broken exports in Chinese, in English under en', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fa-issues-'));
    const id = '11010519491231002X';
    const files: Record<string, string | Buffer> = {
      'payouts.csv': [
        '身份证号码,姓名,待遇项目,待遇年月,发放金额,发放状态,发放日期,银行账号',
        `${id},张三,基本养老金,2024-01,3000.00,成功,2024-01-05,6222`,
        `${id},张三,基本养老金,2024-13,3000.005,支付中,2024-02-30,6222`, // month, money decimals, unknown code, calendar
        `11010519491231002Y,张三,基本养老金,202402,abc,成功,202402,6222`, // id shape, bad money, month-only date
        `110105194912310021,张三,基本养老金,2024-03,1.5E+3,成功,45000,6222`, // check digit, scientific money, date serial
        `${id},张三，基本养老金，2024-04，1.00，成功，2024-04-01，6222`, // full-width commas
        `${id},"张"三",基本养老金,2024-05,1.00,成功,2024-05-01,6222`, // text after a quote
        '合计,,,,12000.00,,,',
        '身份证号码,姓名,待遇项目,待遇年月,发放金额,发放状态,发放日期,银行账号',
        ',,,,,,,',
        `${id},张三,基本养老金,2024-06,1.00,成功,2024-06-01,6222,extra,more`,
        '',
      ].join('\n'),
      'persons.csv': ['个人编号,身份证号码,姓名,身份证号码', `P1,1.10101E+17,张三,${id}`, ''].join('\n'),
      'utf16.csv': Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('a,b\n1,2\n', 'utf16le')]),
      'empty.csv': '',
      'notes.csv': '备注,说明\n1,2\n',
      'only-header.csv': '身份证号,姓名,死亡日期\n',
      'doc.pdf': '%PDF-1.4 whatever',
      // é followed by a comma: neither UTF-8 nor GBK (a GBK trail byte is never below 0x40).
      'latin.csv': Buffer.from([0x61, 0x2c, 0x62, 0x0a, 0x63, 0x61, 0x66, 0xe9, 0x2c, 0x32, 0x0a]),
    };
    for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
    const loaded = await loadPaths([dir]);
    const issues = loaded.files.flatMap((f) => f.issues);
    const codes = new Set(issues.map((i) => i.code));
    for (const code of ['bad-month', 'bad-money', 'unknown-code', 'bad-date', 'id-format', 'id-checksum', 'scientific-notation', 'ragged-row', 'text-after-quote', 'total-row', 'repeated-header', 'empty-rows', 'duplicate-header', 'utf16', 'empty-file', 'unrecognised-file', 'header-only', 'unsupported-file', 'unknown-encoding']) {
      expect(codes, code).toContain(code);
    }
    for (const i of issues) {
      const zh = issueText(i, 'zh');
      expect(zh, `${issueKey(i)}: ${i.reason}`).toMatch(/[\u4e00-\u9fff]/);
      expect(zh, issueKey(i)).not.toMatch(/undefined|NaN|\[object/);
      expect(zh, issueKey(i)).not.toBe(i.reason);
      expect(issueText(i, 'en')).toBe(i.reason);
    }
  });
});
