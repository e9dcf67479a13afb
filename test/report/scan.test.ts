import { describe, expect, it } from 'vitest';
import { isOrganisationName, maskValue } from '../../src/report/mask.js';
import { maskOfKind } from '../../src/report/maskers.js';
import { looksLikeId, scanText, type KnownValues } from '../../src/report/scan.js';

const known: KnownValues = {
  names: new Set(['张三', '欧阳修文', '王五']),
  nameLengths: [4, 2],
  accounts: new Set(['440012345678']),
  open: new Set(['22304101040008866']),
};

describe('scanText: personal data in free text', () => {
  it.each([
    ['身份证11010519491231002X', '身份证110105********002X'],
    ['身份证11010519491231002x', '身份证110105********002x'],
    ['sfz11010519491231002X补发', 'sfz110105********002X补发'],
    ['号码 110105 19491231 002X 申请', '号码 110105 ******** 002X 申请'],
    ['440524-1880-0101-0014', '440524-****-****-0014'],
    ['旧证 110105491231002 换发', '旧证 110105*****1002 换发'],
  ])('identity numbers: %s', (text, masked) => expect(scanText(text)).toBe(masked));

  it.each([
    ['电话13812345678', '电话138****5678'],
    ['电话 138-1234-5678', '电话 138****5678'],
    ['手机 138 1234 5678', '手机 138****5678'],
    ['+86 13812345678', '+86138****5678'],
    ['座机0830-2345678', '座机083****5678'],
    ['2024-01-15 13812345678', '2024-01-15 138****5678'],
  ])('phones: %s', (text, masked) => expect(scanText(text)).toBe(masked));

  it.each([
    ['卡号6222020200112233445', '卡号****3445'],
    ['卡号 6222 0202 0011 2233 445 转入', '卡号 ****3445 转入'],
    ['账号440012345678退回', '账号****5678退回'],
  ])('card numbers and the known accounts of people: %s', (text, masked) => expect(scanText(text, known)).toBe(masked));

  it('names of people the run knows, the longest first', () => {
    expect(scanText('代发张三养老金，联系人欧阳修文', known)).toBe('代发张*养老金，联系人欧阳**');
    expect(scanText('王五/张三', known)).toBe('王*/张*');
  });

  it('leaves what is not personal data as it is', () => {
    for (const text of [
      '2024-01-15', '2024-01-15 14:03:00', '1,234.56', '￥1234567.89', 'ZF2023011000868', 'T20240115000123', '泸人社发〔2019〕12号',
      '代发2024年1月养老金', '第17316至17332号', '20240115', '划转至22304101040008866', '利息',
    ]) {
      expect(scanText(text, known), text).toBe(text);
    }
  });

  it('tells identity numbers by their birth date, not the check digit', () => {
    expect(looksLikeId('110105194912310021')).toBe(true);
    expect(looksLikeId('110105194913310021')).toBe(false);
    expect(looksLikeId('202301150000123')).toBe(false);
  });
});

describe('masking by kind', () => {
  it('masks each item of a list on its own', () => {
    expect(maskOfKind('name', '汪小明、李四、欧阳修文')).toBe('汪**、李*、欧阳**');
    expect(maskOfKind('name', '王五/张三')).toBe('王*/张*');
    expect(maskOfKind('id', '11010519491231002X、440524188001010014')).toBe('110105********002X、440524********0014');
  });

  it('masks a computed value whole', () => {
    expect(maskOfKind('id', '110105 19491231', true)).toBe('****** ********');
  });

  it("only personal data: organisations, cash, interest and the fund's own account stay", () => {
    for (const v of ['现金', '利息', '泸县财政局', '四川某某建筑有限公司', '中国农业银行泸县支行', '代发工资', '泸县人民医院']) {
      expect(isOrganisationName(v), v).toBe(true);
      expect(maskValue('name', v), v).toBe(v);
    }
    for (const v of ['张三', '张局', '欧阳修文', '李建国']) expect(isOrganisationName(v), v).toBe(false);
    expect(maskValue('account', '22304101040008866', known)).toBe('22304101040008866');
    expect(maskValue('id', '22304101040008866', known)).toBe('22304101040008866');
    expect(maskValue('account', '6222020200112233445', known)).toBe('****3445');
  });

  it('an address that begins with a name loses the name too', () => {
    expect(maskValue('address', '张三家，四川省泸州市江阳区', known)).toBe('张*家，四川…');
  });

  it('a number kind on text without digits is read as a name (a counterparty known by its name)', () => {
    expect(maskValue('account', '某投资公司')).toBe('某投资公司');
    expect(maskValue('account', '张三')).toBe('张*');
  });
});

describe('headers', () => {
  it('an unmapped header holding an identity number is masked; the other headers of a real header row stay', async () => {
    const { maskMapping } = await import('../../src/report/mask.js');
    const mapping = [
      { source: '身份证号码', column: 'id_number' },
      { source: '备注110105194912310021', column: null },
      { source: '经办机构', column: null },
    ];
    expect(maskMapping(mapping, known).map((m) => m.source)).toEqual(['身份证号码', '备注110105********0021', '经办机构']);
  });

  it('a first record read as the header (a file without one) is masked as data', async () => {
    const { maskMapping } = await import('../../src/report/mask.js');
    const mapping = [{ source: '11010519491231002X', column: null }, { source: '赵六', column: null }, { source: '2024-01-15', column: null }];
    expect(maskMapping(mapping, known).map((m) => m.source)).toEqual(['110105********002X', '赵*', '2024-01-15']);
  });
});
