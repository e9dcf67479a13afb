import { describe, expect, it } from 'vitest';
import { parseMoney, Problem } from '../../../src/data/types/index.js';
import { formatYuan, formatYuanGrouped } from '../../../src/data/yuan.js';

describe('parseMoney → integer fen', () => {
  it.each([
    ['1234.5', 123450],
    ['1234.50', 123450],
    ['1234', 123400],
    ['1,234.56', 123456],
    ['1,234,567.89', 123456789],
    ['￥1,234.56', 123456],
    ['¥1,234.56', 123456],
    ['￥ 12', 1200],
    ['-12.00', -1200],
    ['-￥12.00', -1200],
    ['￥-12.00', -1200],
    ['(12.00)', -1200],
    ['(￥1,234.56)', -123456],
    ['+5', 500],
    ['12.50元', 1250],
    ['12.50 元', 1250],
    ['0.29', 29],
    ['0.1', 10],
    ['0.01', 1],
    ['-0.01', -1],
    ['.5', 50],
    ['5.', 500],
    ['0', 0],
    ['-0.00', 0],
    ['1.500', 150],
    ['１２３４．５６', 123456],
    ['１，２３４．５０', 123450],
    ['－１２．００', -1200],
    [' \u30001,234.56\u00a0', 123456],
    ['9999999999999.99', 999999999999999],
  ])('%j → %d fen', (raw, fen) => {
    const got = parseMoney(raw);
    expect(got).toBe(fen);
    expect(Object.is(got, -0)).toBe(false);
  });

  it('is exact where floating point is not (0.1 + 0.2, 1.005)', () => {
    expect((parseMoney('0.1') as number) + (parseMoney('0.2') as number)).toBe(parseMoney('0.3'));
    expect(parseMoney('1.15')).toBe(115);
    expect(parseMoney('4.35')).toBe(435);
    expect(parseMoney('1,234,567.89')).toBe(123456789);
  });

  it.each(['', '  ', '\u3000'])('blank %j → null', (raw) => expect(parseMoney(raw)).toBeNull());

  it.each(['1.005', '12.345', '0.001'])('more than 2 decimals %j → error, never rounded', (raw) => {
    const p = parseMoney(raw) as Problem;
    expect(p).toBeInstanceOf(Problem);
    expect(p).toMatchObject({ level: 'error', code: 'bad-money', kept: null });
    expect(p.reason).toContain('more than 2 decimals');
  });

  it.each(['1.5e3', '1.10101E+17', '1E+05'])('scientific notation %j → error', (raw) => {
    expect(parseMoney(raw)).toMatchObject({ level: 'error', code: 'scientific-notation' });
  });

  it.each(['abc', '12.00-', '12,34', '1,2345.00', '1234,567', ',123', '1..2', '￥', '-', '(12.00', '12 34', '12.3.4', '$12', 'NaN', '--5', '99999999999999'])(
    'not an amount %j → error',
    (raw) => expect(parseMoney(raw)).toMatchObject({ level: 'error', code: 'bad-money', kept: null }),
  );
});

describe('parseMoney round-trips the report formatting', () => {
  it('reads back every amount formatYuan and formatYuanGrouped write', () => {
    const samples = [0, 1, 9, 10, 29, 99, 100, 101, 12345, 99999, 100000, 123456789, 999999999999999];
    for (let k = 0; k < 2000; k++) samples.push((k * 7_919_993 + k * k * 131) % 10_000_000_000);
    for (const fen of samples) {
      for (const v of [fen, -fen]) {
        expect(parseMoney(formatYuan(v))).toBe(v === 0 ? 0 : v);
        expect(parseMoney(formatYuanGrouped(v))).toBe(v === 0 ? 0 : v);
        expect(parseMoney(`￥${formatYuanGrouped(Math.abs(v))}`)).toBe(Math.abs(v));
      }
    }
  });
});
