/**
 * Personal data is masked by what a value is, not by the name of its column:
 * hostile rules that copy it into new columns or piece identity numbers back
 * together (test/cli/hostile/exfil), and exports with identity numbers,
 * phones, cards and names typed into free-text columns, headers and file
 * names. Only personal data is masked; one value reads one way throughout a
 * finding; `--reveal` shows it, and a revealed CSV keeps identity numbers and
 * accounts as text for Excel. Through the real binary, every format.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { fundaudit, ROOT } from './binary.js';

const EXFIL = join(ROOT, 'test/cli/hostile/exfil');

/** An 18-digit identity number with its check digit (GB 11643). */
function id(first17: string): string {
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...first17].reduce((s, d, i) => s + Number(d) * w[i], 0);
  return first17 + '10X98765432'[sum % 11];
}

const ZHANG = id('11010519491231002');
const OUYANG = id('44052418800101001');
const WANG = id('51052119500101003');
const LI = id('51052119800202004');
const FUND = '22304101040008866';
const CARD_ZHANG = '6222020200112233445';
const CARD_OUYANG = '6222020200998877665';
const CARD_LI = '6222020200555566667';

/** Every piece of personal data the exports hold, as written; none may appear in a masked output. */
const PERSONAL = [
  ZHANG, OUYANG, WANG, LI, '110105194912310021', '320102198007077771', '110105 19491231 002', '440524-1880-0101-001',
  CARD_ZHANG, CARD_OUYANG, CARD_LI, '6222 0202 0099 8877 665', '13800138000', '13912345678', '2345678', '138-1234-5678', '13700137000',
  '张三', '欧阳修文', '王五', '李四',
  // Pieces a mask must not give away either: the middle digits of identity numbers.
  ZHANG.slice(6, 14), OUYANG.slice(6, 14), LI.slice(6, 14),
];
/** Organisations, no one's names, and the fund's own account: not personal data, never masked. */
const NOT_PERSONAL = ['现金', '泸州市财政局', '四川某某建筑有限公司', FUND, '基本养老金', '泸人社发〔2019〕12号'];

let dir: string;
let exports: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'fa-masking-'));
  exports = join(dir, 'exports');
  mkdirSync(exports);
  const csv = (name: string, rows: string[]) => writeFileSync(join(exports, name), rows.join('\n') + '\n');
  csv('persons.csv', [
    '个人编号,身份证号码,姓名,出生日期,联系电话,居住地址,所属镇街,银行账号',
    // An address that begins with a name; a region column with a name and a phone in it.
    `P1,${ZHANG},张三,1949-12-31,13800138000,"张三家，四川省泸州市江阳区大山坪路1号",城关镇 联系人王五13912345678,${CARD_ZHANG}`,
    `P2,${OUYANG},欧阳修文,1880-01-01,0830-2345678,四川省泸州市龙马潭区,城关镇,${CARD_OUYANG}`,
  ]);
  csv('payouts.csv', [
    // An unmapped header holding an identity number.
    '个人编号,身份证号码,姓名,待遇项目,待遇年月,发放金额,发放状态,银行账号,户名,经办人,政策依据,备注110105194912310021',
    `P1,${ZHANG},张三,基本养老金,2024-02,3000.00,成功,${CARD_ZHANG},张三,S1,依据110105 19491231 002X申请,`,
    // Two names in one cell, each masked on its own.
    `P1,${ZHANG},张三,基本养老金,2024-03,3000.00,成功,${CARD_ZHANG},王五/张三,S1,泸人社发〔2019〕12号,`,
    `P2,${OUYANG},欧阳修文,基本养老金,2024-02,5000.00,成功,${CARD_OUYANG},欧阳修文,S1,泸人社发〔2019〕12号,`,
  ]);
  csv('deaths.csv', [
    '身份证号,姓名,死亡日期,数据来源',
    `${ZHANG},张三,2024-01-15,民政局 王五之子报 sfz${ZHANG}`,
    // A date that is an identity number: the data issue quotes it.
    `${WANG},王五,身份证320102198007077771,公安`,
  ]);
  csv('staff.csv', ['工号,姓名,身份证号,岗位,银行账号,联系电话', `S1,李四,${LI},经办、复核（身份证440524-1880-0101-0014）,${CARD_LI},13700137000`]);
  csv('bank_flows.csv', [
    '交易流水号,本方账号,账户类型,交易日期,借贷标志,发生额,对方账号,对方户名,摘要',
    `T1,${FUND},支出户,2024-02-10,付,3000.00,${CARD_ZHANG},张三,代发张三养老金 卡号6222 0202 0099 8877 665 电话138-1234-5678`,
    `T2,${FUND},支出户,2024-02-11,付,500.00,,现金,提现`,
    `T3,${FUND},支出户,2024-02-12,付,80000.00,9558800000123456,四川某某建筑有限公司,工程款 联系人欧阳修文`,
    `T4,22304101040009999,收入户,2024-02-13,付,100000.00,${FUND},泸州市财政局,划转`,
  ]);
  csv('contributions.csv', ['个人编号,身份证号码,姓名,费款所属期,实缴金额,缴费方式', `P1,${ZHANG},张三,2024-01,240.00,现金（经手人李四 0830-2345678）`]);
  // A file named after a person and an identity number.
  csv('发放明细_王五_110105194912310021.csv', ['备注', '随便写写']);
});

const audit = (extra: string[]) => fundaudit(['audit', exports, '--rules', EXFIL, ...extra]);

function leaks(text: string): string[] {
  return PERSONAL.filter((p) => text.includes(p));
}

describe('a masked report', () => {
  const formats = ['terminal', 'json', 'csv', 'md', 'html'];
  it.each(formats)('holds no identity number, name, account or phone, whole or in pieces (%s)', (format) => {
    const r = audit(['--format', format]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    // The terminal report wraps long lines, values included: read it unwrapped.
    const text = format === 'terminal' ? r.stdout.replace(/\n +/g, '') : r.stdout;
    expect(leaks(text)).toEqual([]);
    // The terminal report shows entities and messages, not every evidence value.
    for (const word of format === 'terminal' ? NOT_PERSONAL.slice(0, 4) : NOT_PERSONAL) expect(text, word).toContain(word);
  });

  it('masks by what each value is: copies of personal data, pieces of identity numbers, lists, free text', () => {
    const doc = JSON.parse(audit(['--format', 'json']).stdout);
    const rollup = doc.findings.find((f: { ruleId: string; details: { n: number } }) => f.ruleId === 'EXFIL-ROLLUP' && f.details.n === 2);
    expect(rollup.details).toMatchObject({
      who: '张*',
      card: '****3445',
      // Computed from an identity number: masked whole, or pieces cut at different places would each show a part.
      spaced: '********* *********',
      head: '***********',
      tail: '***********',
      rebuilt: '110105********002X',
      both: expect.stringMatching(/^\*+$/),
      // Each name of a list on its own.
      holders: '张*、王*/张*',
    });
    expect(rollup.entity).toEqual({ kind: 'person', key: '********* *********', label: '张*' });
    expect(rollup.period).toBe('***********');
    const join = doc.findings.find((f: { ruleId: string; entity: { key: string } }) => f.ruleId === 'EXFIL-JOIN');
    // An identity number split by spaces in free text: its separators kept, its middle masked.
    expect(join.entity.key).toBe('依据110105 ******** 002X申请');
    expect(join.details).toMatchObject({ payee: '张*', card: '****3445', phone: '138****8000', clerk: '李*', clerk_phone: '137****7000', told_by: '民政局 王*之子报 sfz110105********002X' });
    expect(join.details.roles).toBe('经办、复核（身份证440524-****-****-0014）');
    expect(join.details.address).toBe('张*家，四川…');
    expect(join.details.region).toBe('城关镇 联系人王*139****5678');
  });

  it('shows organisations, what is no one\'s name, and the fund\'s own account as they are', () => {
    const doc = JSON.parse(audit(['--format', 'json']).stdout);
    const concat = doc.findings.filter((f: { ruleId: string }) => f.ruleId === 'EXFIL-CONCAT');
    const labels = concat.map((f: { entity: { label: string } }) => f.entity.label);
    expect(labels).toEqual(expect.arrayContaining(['现金', '泸州市财政局', '四川某某建筑有限公司', '张*']));
    // The fund's account: whole as a counterparty (the entity key) and as the account of every bank row.
    expect(concat.map((f: { entity: { key: string } }) => f.entity.key)).toContain(FUND);
    const fromContributions = concat.find((f: { details: { own: string } }) => String(f.details.own).startsWith('现金'));
    expect(fromContributions.details).toMatchObject({ who: '张*', acct: '110105********002X', note: '**********', own: '现金（经手人李* 083****5678）' });
  });

  it('one value reads one way throughout a finding: entity, details, evidence and message', () => {
    const revealed = JSON.parse(audit(['--format', 'json', '--reveal']).stdout);
    const masked = JSON.parse(audit(['--format', 'json']).stdout);
    type F = { fingerprint: string; entity: Record<string, string>; details: Record<string, unknown>; evidence: Array<{ values: Record<string, unknown> }>; message: { zh: string } };
    for (const raw of revealed.findings as F[]) {
      const m = (masked.findings as F[]).find((x) => x.fingerprint === raw.fingerprint)!;
      const shown = new Map<string, Set<string>>();
      const note = (r: unknown, v: unknown) => {
        if (r === null || typeof r !== 'string') return;
        if (!shown.has(r)) shown.set(r, new Set());
        shown.get(r)!.add(String(v));
      };
      note(raw.entity.key, m.entity.key);
      note(raw.entity.label, m.entity.label);
      for (const k of Object.keys(raw.details)) note(raw.details[k], m.details[k]);
      raw.evidence.forEach((e, i) => Object.keys(e.values).forEach((k) => note(e.values[k], m.evidence[i].values[k])));
      for (const [value, ways] of shown) expect([...ways], `${raw.fingerprint}: ${value}`).toHaveLength(1);
      expect(leaks(m.message.zh)).toEqual([]);
    }
  });

  it('masks free text in data issues, headers and file names, in the report and in inspect', () => {
    const doc = JSON.parse(audit(['--format', 'json']).stdout);
    const paths = doc.manifest.files.map((f: { path: string }) => f.path);
    expect(paths.some((p: string) => p.endsWith('发放明细_王*_110105********0021.csv'))).toBe(true);
    const headers = doc.manifest.files.flatMap((f: { mapping: Array<{ source: string }> }) => f.mapping.map((m) => m.source));
    expect(headers).toContain('备注110105********0021');
    const dateIssue = doc.dataIssues.issues.find((i: { column?: string }) => i.column === '死亡日期');
    expect(dateIssue.value).toBe('身份证320102********7771');
    for (const format of ['text', 'json']) {
      const r = fundaudit(['inspect', exports, '--format', format]);
      expect(leaks(r.stdout)).toEqual([]);
      expect(r.stdout).toContain('110105********0021');
    }
  });
});

describe('--reveal', () => {
  it('is the only way to see personal data, in every format', () => {
    for (const format of ['json', 'md']) {
      const r = audit(['--format', format, '--reveal']);
      for (const p of [ZHANG, '张三', CARD_ZHANG, '13800138000']) expect(r.stdout).toContain(p);
    }
  });

  it('writes identity numbers and accounts into the CSV as text that Excel keeps (a leading tab, never a formula)', () => {
    const r = audit(['--format', 'csv', '--reveal']);
    expect(r.code).toBe(0);
    const cells = r.stdout.split(/\r?\n/).flatMap((line) => line.split(','));
    const bare = cells.filter((c) => /^\d{15,}[\dXx]?$/.test(c));
    expect(bare).toEqual([]);
    // Entity keys: an identity number (EXFIL-CONCAT over contributions) and a card number (over bank_flows).
    expect(cells).toContain(`\t${ZHANG}`);
    expect(cells).toContain(`\t${CARD_ZHANG}`);
    expect(cells.some((c) => c.startsWith('=') || c.startsWith('"='))).toBe(false);
  });
});
