import { describe, expect, it } from 'vitest';
import { parserFor, Problem } from '../../../src/data/types/index.js';
import { TABLES } from '../../../src/data/tables.js';

describe('parserFor', () => {
  it('gives every column of every table a parser that reads blank as null', () => {
    for (const t of TABLES) {
      for (const col of t.columns) {
        const p = parserFor(col);
        expect(p(''), `${t.name}.${col.name}`).toBeNull();
        expect(p(' \u3000 '), `${t.name}.${col.name}`).toBeNull();
        expect(parserFor(col)).toBe(p);
      }
    }
  });

  it('types by the column type', () => {
    const col = (table: string, name: string) => TABLES.find((t) => t.name === table)!.columns.find((c) => c.name === name)!;
    expect(parserFor(col('payouts', 'amount'))('1,234.56')).toBe(123456);
    expect(parserFor(col('payouts', 'period'))('202001')).toBe('2020-01');
    expect(parserFor(col('payouts', 'pay_date'))('2020/1/5')).toBe('2020-01-05');
    expect(parserFor(col('payouts', 'op_time'))('2020/1/5 9:03')).toBe('2020-01-05 09:03:00');
    expect(parserFor(col('persons', 'paid_months'))('180')).toBe(180);
    expect(parserFor(col('persons', 'id_number'))('11010519491231002x')).toBe('11010519491231002X');
    expect(parserFor(col('payouts', 'status'))('支付成功')).toBe('成功');
    expect(parserFor(col('payouts', 'item'))(' 基本养老金 ')).toBe('基本养老金');
    expect(parserFor(col('payouts', 'amount'))('1.005')).toBeInstanceOf(Problem);
  });
});
