import { describe, expect, it } from 'vitest';
import { normaliseHeader } from '../../src/data/header.js';
import { columnForHeader, recognise } from '../../src/data/recognise.js';
import { TABLES } from '../../src/data/tables.js';
import { UsageError } from '../../src/cli/errors.js';

/** A deterministic shuffle: odd positions reversed, then the even ones. */
function shuffle<T>(xs: T[]): T[] {
  return [...xs.filter((_, i) => i % 2 === 1).reverse(), ...xs.filter((_, i) => i % 2 === 0)];
}

/** Stray ASCII, ideographic and no-break spaces, varying by position. */
function messy(h: string, i: number): string {
  const pads = [[' ', ''], ['\u3000', '\u3000'], ['', ' \u00a0'], ['\t', ' ']][i % 4];
  const inner = i % 3 === 0 && h.length > 1 ? `${h[0]} ${h.slice(1)}` : h;
  return pads[0] + inner + pads[1];
}

function fileRows(headers: string[], title = 'XX县2024年社会保险基金数据导出表'): string[][] {
  const header = shuffle(headers).map(messy);
  return [[title, '', ''], [''], ['', '', ''], header, header.map((_, i) => `v${i}`)];
}

describe('normaliseHeader', () => {
  it.each([
    [' 姓名 ', '姓名'],
    ['姓 名', '姓名'],
    ['\u3000身份证号\u3000', '身份证号'],
    ['*姓名', '姓名'],
    ['姓名*', '姓名'],
    ['＊姓名', '姓名'],
    ['发放金额(元)', '发放金额'],
    ['发放金额（元）', '发放金额'],
    ['发放金额 （ 元 ）', '发放金额'],
    ['*发放金额（元）', '发放金额'],
    ['待遇年月(YYYYMM)', '待遇年月'],
    ['身份证号（18位）', '身份证号'],
    ['ＡＡＣ００１', 'aac001'],
    ['Person_ID', 'person_id'],
    ['发生额(借方)', '发生额(借方)'],
    ['\uFEFF个人编号', '个人编号'],
    ['发放\n金额', '发放金额'],
  ])('%j → %j', (cell, want) => expect(normaliseHeader(cell)).toBe(want));
});

describe('recognise', () => {
  for (const t of TABLES) {
    it(`recognises ${t.name} from Chinese headers below a title row and blank rows, shuffled, with stray spaces`, () => {
      const headers = t.columns.map((c) => c.aliases[0] ?? c.label);
      const rec = recognise(fileRows(headers), 'export.csv');
      expect(rec.table).toBe(t.name);
      expect(rec.headerRow).toBe(3);
      expect(rec.recognisedBy).toBe('header');
      expect(rec.missingColumns).toEqual([]);
      expect(rec.duplicateHeaders).toEqual([]);
      const header = fileRows(headers)[3];
      expect(rec.mapping.map((m) => m.column)).toEqual(shuffle(t.columns.map((c) => c.name)));
      expect(rec.mapping.map((m) => m.source)).toEqual(header.map((h) => h.replace(/^[\s\u3000\u00a0]+|[\s\u3000\u00a0]+$/g, '')));
    });

    it(`recognises ${t.name} from English canonical headers`, () => {
      const rec = recognise(fileRows(t.columns.map((c) => c.name), 'Exported data'), 'data.csv');
      expect(rec.table).toBe(t.name);
      expect(rec.headerRow).toBe(3);
      expect(rec.missingColumns).toEqual([]);
    });

    it(`recognises ${t.name} from its key columns alone, in full-width characters`, () => {
      const headers = t.keyColumns.map((k) => t.columns.find((c) => c.name === k)!.aliases[0]);
      const fullWidth = headers.map((h) => h.replace(/[\x21-\x7e]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) + 0xfee0)));
      const rec = recognise([fullWidth], 'x.csv');
      expect(rec.table).toBe(t.name);
      expect(rec.missingColumns).toEqual(t.columns.map((c) => c.name).filter((c) => !t.keyColumns.includes(c)));
    });
  }

  it('recognises English headers with other spacing and case (Person ID, ID-Number)', () => {
    const rec = recognise([['Person ID', 'ID-Number', 'NAME', 'Gender']], 'people.csv');
    expect(rec.table).toBe('persons');
    expect(rec.mapping.map((m) => m.column)).toEqual(['person_id', 'id_number', 'name', 'gender']);
  });

  it('recognises the code-style headers of business systems (aac001, aae002 …)', () => {
    const rec = recognise([['aac001', 'aac002', 'aac003', 'aae140', 'aae002', 'aae143', 'aae180', '实缴金额']], 'ac43.csv');
    expect(rec.table).toBe('contributions');
    expect(rec.mapping.map((m) => m.column)).toEqual(['person_id', 'id_number', 'name', 'scheme', 'period', 'contrib_type', 'base', 'paid_amount']);
  });

  it('matches whole cells only: 待遇项目 does not take 待遇项目代码', () => {
    const rec = recognise([['待遇年月', '发放金额', '待遇项目代码']], 'payouts.csv');
    expect(rec.table).toBe('payouts');
    expect(rec.mapping.map((m) => m.column)).toEqual(['period', 'amount', 'item_code']);
    expect(rec.missingColumns).toContain('item');
  });

  it('keeps unknown headers, unmapped', () => {
    const rec = recognise([['待遇年月', '备注', '发放金额', '']], 'payouts.csv');
    expect(rec.mapping).toEqual([
      { source: '待遇年月', column: 'period' },
      { source: '备注', column: null },
      { source: '发放金额', column: 'amount' },
      { source: '', column: null },
    ]);
  });

  it('maps two headers of one column to the first and lists the rest as duplicates', () => {
    const rec = recognise([['身份证号', '待遇年月', '公民身份号码', '发放金额', ' 身份证号 ']], 'payouts.csv');
    expect(rec.table).toBe('payouts');
    expect(rec.mapping.map((m) => m.column)).toEqual(['id_number', 'period', null, 'amount', null]);
    expect(rec.duplicateHeaders).toEqual([
      { index: 2, source: '公民身份号码', column: 'id_number' },
      { index: 4, source: '身份证号', column: 'id_number' },
    ]);
  });

  it('prefers the table with more matching columns over a file-name hint', () => {
    // A persons file also has an employer id and name and a bank account (employers' key columns are there).
    const rec = recognise([['个人编号', '身份证号', '姓名', '性别', '单位编号', '单位名称', '银行账号']], '单位信息.csv');
    expect(rec.table).toBe('persons');
  });

  it('breaks ties by the file-name hint, then by table order', () => {
    const headers = [['身份证号', '死亡日期', '认证日期']];
    expect(recognise(headers, '资格认证2024.csv').table).toBe('certifications');
    expect(recognise(headers, 'deaths.csv').table).toBe('deaths');
    expect(recognise(headers, 'other.csv').table).toBe('deaths');
  });

  it('does not take a data row or a title row for the header', () => {
    const rows = [['XX县2024年养老保险待遇发放明细表'], ['制表单位：XX县社保局', '', '单位：元'], ['个人编号', '姓名', '待遇年月', '发放金额'], ['0001', '张三', '202401', '1000']];
    const rec = recognise(rows, 'a.csv');
    expect(rec).toMatchObject({ table: 'payouts', headerRow: 2 });
  });

  it('names the closest table and the key columns it lacks when nothing is recognised', () => {
    const rec = recognise([['标题'], ['身份证号', '姓名', '死亡时间']], '死亡人员.csv');
    expect(rec.table).toBeNull();
    expect(rec.recognisedBy).toBeNull();
    expect(rec.headerRow).toBe(1);
    expect(rec.closest).toEqual({ table: 'deaths', missing: ['death_date'] });
    expect(rec.missingColumns).toEqual([]);
    expect(rec.mapping.map((m) => m.column)).toEqual(['id_number', 'name', null]);
  });

  it('gives no closest table when no header is known at all', () => {
    const rec = recognise([[''], ['foo', 'bar']], 'x.csv');
    expect(rec).toMatchObject({ table: null, headerRow: 1 });
    expect(rec.closest).toBeUndefined();
    expect(rec.mapping).toEqual([{ source: 'foo', column: null }, { source: 'bar', column: null }]);
  });

  it('handles no rows', () => {
    expect(recognise([], 'x.csv')).toMatchObject({ table: null, headerRow: 0, mapping: [] });
  });

  it('forces a table with opts.table and still finds the header row', () => {
    const rec = recognise([['标题'], ['个人编号', '姓名', '实发金额']], 'x.csv', { table: 'payouts' });
    expect(rec).toMatchObject({ table: 'payouts', headerRow: 1, recognisedBy: 'option' });
    expect(rec.mapping.map((m) => m.column)).toEqual(['person_id', 'name', null]);
    expect(rec.missingColumns).toContain('amount');
    expect(recognise([['a']], 'x.csv', { table: 'payouts', tableFrom: 'mapping' }).recognisedBy).toBe('mapping');
  });

  it('rejects an unknown forced table', () => {
    expect(() => recognise([['a']], 'x.csv', { table: 'payout' })).toThrow(UsageError);
  });

  it('uses extra header aliases, reporting the mapping when it made the difference', () => {
    const rows = [['个人编号', '实发金额', '所属年月']];
    expect(recognise(rows, 'x.csv').table).toBeNull();
    const rec = recognise(rows, 'x.csv', { headerAliases: { payouts: { 实发金额: 'amount', '所属年月': 'period' } } });
    expect(rec).toMatchObject({ table: 'payouts', recognisedBy: 'mapping' });
    expect(rec.mapping.map((m) => m.column)).toEqual(['person_id', 'amount', 'period']);
    const plain = recognise([['待遇年月', '发放金额', '备注']], 'x.csv', { headerAliases: { payouts: { 备注: 'policy_ref' } } });
    expect(plain).toMatchObject({ table: 'payouts', recognisedBy: 'header' });
    expect(plain.mapping[2].column).toBe('policy_ref');
  });

  it('rejects extra aliases to unknown tables or columns', () => {
    expect(() => recognise([['a']], 'x.csv', { headerAliases: { payout: { a: 'amount' } } })).toThrow(/unknown table "payout"/);
    expect(() => recognise([['a']], 'x.csv', { headerAliases: { payouts: { a: 'amt' } } })).toThrow(/not a column of payouts/);
  });

  it('looks for the header in the first 100 rows (a bank bill\'s preamble runs to dozens), no further', () => {
    const at = (n: number) => [...Array.from({ length: n }, () => ['说明']), ['待遇年月', '发放金额']];
    expect(recognise(at(24), 'payouts.csv')).toMatchObject({ table: 'payouts', headerRow: 24 });
    expect(recognise(at(99), 'payouts.csv').table).toBe('payouts');
    expect(recognise(at(100), 'payouts.csv').table).toBeNull();
  });

  it('takes the header row it is told, and only that row', () => {
    const rows = [['待遇年月', '发放金额'], ['说明'], ['待遇年月', '发放金额', '姓名']];
    expect(recognise(rows, 'x.csv', { headerRow: 2 })).toMatchObject({ table: 'payouts', headerRow: 2 });
    expect(recognise(rows, 'x.csv', { headerRow: 1 })).toMatchObject({ table: null, headerRow: 1 });
  });

  it('makes amount and direction of a statement from its debit and credit columns', () => {
    const r = recognise([['本方账号', '交易日期', '借方发生额', '贷方发生额', '余额']], 'statement.csv');
    expect(r.table).toBe('bank_flows');
    expect(r.mapping.slice(2, 4)).toEqual([
      { source: '借方发生额', column: 'amount', side: 'out' },
      { source: '贷方发生额', column: 'amount', side: 'in' },
    ]);
    expect(r.missingColumns).not.toContain('amount');
    expect(r.missingColumns).not.toContain('direction');
    // One side alone makes nothing; a plain amount column beside the sides wins.
    expect(recognise([['本方账号', '借方金额', '收支方向']], 'x.csv').table).toBeNull();
    const plain = recognise([['本方账号', '发生额', '借贷标志', '借方', '贷方']], 'x.csv');
    expect(plain.mapping.map((m) => m.column)).toEqual(['account_no', 'amount', 'direction', null, null]);
  });

  it('maps every alias of every column to that column, and no alias to two columns of one table', () => {
    for (const t of TABLES) {
      for (const c of t.columns) {
        for (const alias of [c.name, ...c.aliases]) expect(columnForHeader(t.name, alias), `${t.name}: ${alias}`).toBe(c.name);
      }
    }
  });

  it('maps a single header to a column with columnForHeader', () => {
    expect(columnForHeader('payouts', ' 发放金额（元） ')).toBe('amount');
    expect(columnForHeader('payouts', '待遇项目代码')).toBe('item_code');
    expect(columnForHeader('payouts', '备注')).toBeNull();
  });

  it('leaves a header unmapped when its unit changes the scale of the column, rather than misread every value', () => {
    for (const h of ['发放金额(万元)', '发放金额（千元）', '发放金额(分)', '发放金额(角)', '发放金额(单位:万元)']) {
      expect(columnForHeader('payouts', h), h).toBeNull();
    }
    for (const h of ['实际缴费月数(年)', '实际缴费月数(天)']) expect(columnForHeader('persons', h), h).toBeNull();
    // Units that keep the scale are still dropped.
    expect(columnForHeader('payouts', '发放金额(人民币元)')).toBe('amount');
    expect(columnForHeader('persons', '实际缴费月数(个月)')).toBe('paid_months');
    expect(columnForHeader('payouts', '发放日期(年月日)')).toBe('pay_date');
  });
});
