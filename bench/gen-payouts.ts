/**
 * Generates a realistic payouts export for the load benchmark: every payouts
 * column of tables.ts, Chinese headers, ~85,000 people paid monthly for a year
 * (so names, identity numbers, accounts and items repeat as in a real county),
 * valid 18-digit identity numbers, 19-digit bank accounts, money with two
 * decimals, dates, datetimes and status codes. Deterministic (seeded).
 *
 * Usage: node dist/bench/gen-payouts.js [out.csv] [rows] [--gbk]
 */
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { idCheckDigit } from '../src/data/types/id.js';

/** Default output, cached between runs (bench/out/ is git-ignored). */
export const DEFAULT_OUT = fileURLToPath(new URL('../../bench/out/payouts-1m.csv', import.meta.url));
export const DEFAULT_ROWS = 1_000_000;

const HEADER = [
  '发放流水号', '个人编号', '公民身份号码', '姓名', '险种类型', '待遇项目', '待遇项目代码', '待遇年月', '发放金额',
  '发放日期', '发放状态', '开户银行', '银行账号', '户名', '政策依据', '经办人', '经办时间', '复核人', '复核时间',
];

const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤';
const GIVEN = '秀英桂兰玉珍凤华建国明德福海军红梅淑芬志强永平春生金花德明学文光荣丽娟秀兰子豪晓东小红国庆立新卫东兰英素珍家宝长林';
const REGIONS = ['510502', '510503', '510504', '510521', '510522', '510524', '510525'];
const BANKS = ['中国工商银行', '中国农业银行', '中国建设银行', '泸州银行', '农村商业银行', '中国邮政储蓄银行'];
const ITEMS: [string, string, string, number, number][] = [
  // item, item code, scheme, min yuan, max yuan
  ['基本养老金', '0101', '110', 1800, 6500],
  ['基本养老金', '0101', '120', 3500, 9000],
  ['城乡居民基础养老金', '0201', '170', 120, 260],
  ['失业保险金', '0301', '210', 1400, 1900],
  ['丧葬补助金', '0102', '110', 4000, 12000],
];
const POLICIES = ['泸人社发〔2019〕12号', '泸人社发〔2021〕7号', '川人社发〔2022〕31号', ''];
const STATUSES = ['成功', '成功', '成功', '成功', '成功', '成功', '成功', '成功', '成功', '成功', '成功', '成功', '成功', '成功', '成功', '成功', '成功', '成功', '退回', '失败'];

/** mulberry32: a small seeded PRNG, so the file is the same on every machine. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pad = (n: number, w: number) => String(n).padStart(w, '0');

interface Person {
  personId: string;
  id: string;
  name: string;
  item: (typeof ITEMS)[number];
  amount: number;
  bank: string;
  account: string;
  holder: string;
  policy: string;
}

function people(count: number, r: () => number): Person[] {
  const out: Person[] = [];
  for (let i = 0; i < count; i++) {
    const y = 1935 + Math.floor(r() * 35);
    const m = 1 + Math.floor(r() * 12);
    const d = 1 + Math.floor(r() * 28);
    const first17 = REGIONS[Math.floor(r() * REGIONS.length)] + y + pad(m, 2) + pad(d, 2) + pad(Math.floor(r() * 1000), 3);
    const name =
      SURNAMES[Math.floor(r() * SURNAMES.length)] + GIVEN[Math.floor(r() * GIVEN.length)] + (r() < 0.7 ? GIVEN[Math.floor(r() * GIVEN.length)] : '');
    const item = ITEMS[r() < 0.02 ? 4 : Math.floor(r() * 4)];
    const amount = Math.round((item[3] + r() * (item[4] - item[3])) * 100);
    out.push({
      personId: 'P' + pad(i + 1, 7),
      id: first17 + idCheckDigit(first17),
      name,
      item,
      amount,
      bank: BANKS[Math.floor(r() * BANKS.length)],
      account: '6217' + pad(Math.floor(r() * 1e9), 9) + pad(Math.floor(r() * 1e6), 6),
      holder: r() < 0.97 ? name : SURNAMES[Math.floor(r() * SURNAMES.length)] + GIVEN[Math.floor(r() * GIVEN.length)],
      policy: POLICIES[Math.floor(r() * POLICIES.length)],
    });
  }
  return out;
}

/** Writes `rows` payout rows to `out` as UTF-8 (or GBK-compatible GB18030 when `gbk`); returns the byte size. */
export function generatePayouts(out: string, rows = DEFAULT_ROWS, gbk = false): number {
  mkdirSync(dirname(out), { recursive: true });
  const r = rng(20240601);
  const perMonth = Math.ceil(rows / 12);
  const persons = people(perMonth, r);
  const fd = openSync(out, 'w');
  let bytes = 0;
  const write = (s: string) => {
    const b = gbk ? encodeGbk(s) : Buffer.from(s, 'utf8');
    writeSync(fd, b);
    bytes += b.length;
  };
  write(HEADER.join(',') + '\r\n');
  let lines: string[] = [];
  let n = 0;
  for (let month = 1; month <= 12 && n < rows; month++) {
    const period = '2023-' + pad(month, 2);
    for (let i = 0; i < persons.length && n < rows; i++, n++) {
      const p = persons[i];
      const payDay = 15;
      const opDay = 10 + Math.floor(r() * 4);
      const opTime = `${period}-${pad(opDay, 2)} ${pad(8 + Math.floor(r() * 10), 2)}:${pad(Math.floor(r() * 60), 2)}:${pad(Math.floor(r() * 60), 2)}`;
      const revTime = `${period}-${pad(opDay + 1, 2)} ${pad(9 + Math.floor(r() * 8), 2)}:${pad(Math.floor(r() * 60), 2)}:${pad(Math.floor(r() * 60), 2)}`;
      const amount = p.amount + (r() < 0.05 ? Math.floor(r() * 5000) : 0);
      lines.push(
        [
          '2023' + pad(month, 2) + pad(i + 1, 7),
          p.personId,
          p.id,
          p.name,
          p.item[2],
          p.item[0],
          p.item[1],
          period.replace('-', ''),
          (amount / 100).toFixed(2),
          `${period}-${payDay}`,
          STATUSES[Math.floor(r() * STATUSES.length)],
          p.bank,
          p.account,
          p.holder,
          p.policy,
          'JB' + pad(1 + Math.floor(r() * 24), 2),
          opTime,
          'FH' + pad(1 + Math.floor(r() * 8), 2),
          revTime,
        ].join(','),
      );
      if (lines.length === 10_000) {
        write(lines.join('\r\n') + '\r\n');
        lines = [];
      }
    }
  }
  if (lines.length) write(lines.join('\r\n') + '\r\n');
  closeSync(fd);
  return bytes;
}

let gbkTable: Map<string, Buffer> | null = null;

/** GBK encoding without a dependency: each distinct character is encoded once by search of the GB18030 decoder. */
function encodeGbk(s: string): Buffer {
  if (!gbkTable) {
    gbkTable = new Map();
    const dec = new TextDecoder('gb18030');
    for (let hi = 0x81; hi <= 0xfe; hi++) {
      for (let lo = 0x40; lo <= 0xfe; lo++) {
        if (lo === 0x7f) continue;
        const ch = dec.decode(Uint8Array.of(hi, lo));
        if (ch.length === 1 && ch !== '\ufffd' && !gbkTable.has(ch)) gbkTable.set(ch, Buffer.from([hi, lo]));
      }
    }
  }
  const parts: Buffer[] = [];
  let ascii = '';
  for (const ch of s) {
    if (ch.charCodeAt(0) < 0x80) {
      ascii += ch;
      continue;
    }
    if (ascii) {
      parts.push(Buffer.from(ascii, 'latin1'));
      ascii = '';
    }
    const b = gbkTable.get(ch);
    if (!b) throw new Error(`no GBK encoding for ${ch}`);
    parts.push(b);
  }
  if (ascii) parts.push(Buffer.from(ascii, 'latin1'));
  return Buffer.concat(parts);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2).filter((a) => a !== '--gbk');
  const out = args[0] ?? DEFAULT_OUT;
  const rows = args[1] ? Number(args[1]) : DEFAULT_ROWS;
  const t = performance.now();
  const bytes = generatePayouts(out, rows, process.argv.includes('--gbk'));
  process.stdout.write(`wrote ${out}: ${rows} rows, ${(bytes / 1e6).toFixed(1)} MB in ${((performance.now() - t) / 1000).toFixed(1)} s\n`);
}
