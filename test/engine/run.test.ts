import { describe, expect, it } from 'vitest';
import { requiredTables } from '../../src/engine/run.js';
import { selectRules } from '../../src/rules/select.js';
import { UsageError } from '../../src/cli/errors.js';
import { EVIDENCE_CAP, everyEvidenceRow } from '../../src/engine/finding.js';
import type { Check, LoadedRule } from '../../src/rules/model.js';
import { concatTables } from '../../src/data/load.js';
import { reportFinding } from '../../src/report/build.js';
import { buildFindings } from '../../src/engine/findings.js';
import { compiled, message, rule, run, tables } from './helpers.js';

const PAYOUTS = `payout_id,id_number,name,item,period,amount,status,bank_account
  P1,11010519491231002X,张三,基本养老金,2024-01,3000.00,成功,6222001
  P2,11010519491231002X,张三,基本养老金,2024-02,3000.00,成功,6222001
  P3,11010519491231002X,张三,基本养老金,2024-03,3000.50,成功,6222001
  P4,440524188001010014,李四,基本养老金,2024-02,2500.00,成功,6222002`;
const DEATHS = `id_number,name,death_date,source
  11010519491231002X,张三,2024-01-15,民政
  440524188001010014,李四,2024-03-02,公安`;

const paidAfterDeath: Check = {
  kind: 'pipeline',
  from: 'payouts',
  steps: [
    { filter: "d.status == '成功'" },
    { join: { with: { from: 'deaths', steps: [{ select: ['id_number', 'death_date'] }] }, on: 'id_number' } },
    { filter: 'd.period > op.add_months(op.month_of(d.death_date), $.grace_months)' },
    { groupby: ['id_number', 'name', 'death_date'] },
    { rollup: { first_period: 'op.min(d.period)', months: 'op.distinct(d.period)', total: 'op.sum(d.amount)' } },
  ],
};

function deathRule(): LoadedRule {
  return rule(
    'PAID-AFTER-DEATH',
    paidAfterDeath,
    {
      entity: { kind: 'person', key: 'id_number', label: 'name' },
      amount: 'total',
      period: 'first_period',
      message: { zh: '{name}（{id_number}）死亡后发放 {months} 个月共 {total:money} 元', en: '{name} paid {months} month(s) after death: {total:money} yuan' },
    },
    {
      params: {
        grace_months: { type: 'int', default: 0, description: { zh: '', en: '' } },
        threshold: { type: 'money', default: '5000', description: { zh: '', en: '' } },
      },
    },
  );
}

describe('findings', () => {
  const data = tables({ payouts: PAYOUTS, deaths: DEATHS });

  it('entity, amount, period, messages, details and evidence', async () => {
    const result = await run([deathRule()], data);
    expect(result.skipped).toEqual([]);
    expect(result.ran).toEqual({ 'PAID-AFTER-DEATH': 1 });
    expect(result.params).toEqual({ 'PAID-AFTER-DEATH': { grace_months: 0, threshold: '5000.00' } });
    const [f] = result.findings;
    expect(f.ruleId).toBe('PAID-AFTER-DEATH');
    expect(f.entity).toEqual({ kind: 'person', key: '11010519491231002X', label: '张三' });
    expect(f.amount).toBe(600050);
    expect(f.period).toBe('2024-02');
    expect([message(f, 'zh'), message(f, 'en')]).toEqual(['张三（11010519491231002X）死亡后发放 2 个月共 6000.50 元', '张三 paid 2 month(s) after death: 6000.50 yuan']);
    expect(f.details).toEqual({ id_number: '11010519491231002X', name: '张三', death_date: '2024-01-15', first_period: '2024-02', months: 2, total: 600050 });
    expect(f.evidenceCount).toBe(3);
    expect(f.evidence.map((e) => [e.table, e.file, e.line])).toEqual([
      ['deaths', 'test/deaths.csv', 2],
      ['payouts', 'test/payouts.csv', 3],
      ['payouts', 'test/payouts.csv', 4],
    ]);
    expect(f.evidence[1].values).toMatchObject({ payout_id: 'P2', amount: 300000, period: '2024-02' });
    expect(f.pii).toEqual({ 'entity.key': 'id', 'entity.label': 'name', id_number: 'id', name: 'name', bank_account: 'account' });
    expect(f.fingerprint).toMatch(/^[0-9a-f]{16}$/);
  });

  it('param overrides change the result; money params are yuan to the user', async () => {
    const result = await run([deathRule()], data, { params: { 'PAID-AFTER-DEATH': { grace_months: 1, threshold: 12.5 } } });
    expect(result.findings.map((f) => f.amount)).toEqual([300050]);
    expect(result.params['PAID-AFTER-DEATH']).toEqual({ grace_months: 1, threshold: '12.50' });
  });

  it('the fingerprint survives renamed and reordered files, not changed facts', async () => {
    const a = (await run([deathRule()], data)).findings[0].fingerprint;
    const lines = PAYOUTS.split('\n');
    const reordered = tables({ payouts: [lines[0], ...lines.slice(1).reverse()].join('\n'), deaths: DEATHS });
    for (const t of reordered.values()) t.files = t.files.map((f) => f.replace('test/', 'elsewhere/renamed-'));
    const b = (await run([deathRule()], reordered)).findings[0];
    expect(b.evidence[0].file).toBe('elsewhere/renamed-deaths.csv');
    expect(b.fingerprint).toBe(a);
    const changed = tables({ payouts: PAYOUTS.replace('3000.50', '3000.60'), deaths: DEATHS });
    expect((await run([deathRule()], changed)).findings[0].fingerprint).not.toBe(a);
  });

  it("the fingerprint does not change when another file of the table has a column this row's file lacks", async () => {
    const big = rule('BIG', { kind: 'pipeline', from: 'payouts', steps: [{ filter: 'd.amount > 280000' }] });
    const feb = tables({ payouts: 'payout_id,id_number,item,period,amount,status\nP2,11010519491231002X,基本养老金,2024-02,3000.00,成功' }).get('payouts')!;
    const jan = tables({ payouts: 'payout_id,id_number,item,period,amount,status,operator_id\nP1,440524188001010014,基本养老金,2024-01,2500.00,成功,op1' }).get('payouts')!;
    const alone = (await run([big], new Map([['payouts', feb]]))).findings;
    const together = (await run([big], new Map([['payouts', concatTables('payouts', [jan, feb])]]))).findings;
    expect(together).toHaveLength(1);
    expect(together[0].evidence[0].values.operator_id).toBeNull();
    expect(together[0].fingerprint).toBe(alone[0].fingerprint);
    // A value in that column is a fact: it does change the fingerprint.
    const withOperator = tables({ payouts: 'payout_id,id_number,item,period,amount,status,operator_id\nP2,11010519491231002X,基本养老金,2024-02,3000.00,成功,op2' });
    expect((await run([big], withOperator)).findings[0].fingerprint).not.toBe(alone[0].fingerprint);
  });

  it('a self-join shows each source row once as evidence', async () => {
    const selfJoin = rule('SELF', {
      kind: 'pipeline',
      from: 'payouts',
      steps: [{ join: { with: 'payouts', on: 'id_number' } }, { groupby: ['id_number'] }, { rollup: { pairs: 'op.count()' } }],
    });
    const f = (await run([selfJoin], data)).findings.find((x) => x.entity.key === '11010519491231002X')!;
    expect(f.details.pairs).toBe(9);
    expect(f.evidenceCount).toBe(3);
    expect(f.evidence.map((e) => e.line)).toEqual([2, 3, 4]);
  });

  it('a list in the details reads as the message shows it, so that masking hides it in both', async () => {
    const r = rule('LIST', { kind: 'pipeline', from: 'payouts', steps: [{ groupby: ['id_number'] }, { rollup: { payees: 'op.array_agg_distinct(d.name)', items: 'op.array_agg(d.payout_id)' } }] }, {
      pii: { payees: 'name' },
      message: { zh: '收款人 {payees}', en: 'payees {payees}, payments {items}' },
    });
    const withTwoNames = tables({ payouts: PAYOUTS.replace('P2,11010519491231002X,张三', 'P2,11010519491231002X,张三丰') });
    const f = (await run([r], withTwoNames)).findings.find((x) => x.entity.key === '11010519491231002X')!;
    expect(f.details).toMatchObject({ payees: '张三、张三丰', items: 'P1、P2、P3' });
    expect(message(f)).toBe('payees 张三、张三丰, payments P1、P2、P3');
    const masked = reportFinding({ ...f, baseline: null }, false);
    expect(masked.message.en).not.toContain('张三');
    expect(masked.message.en).toBe(`payees ${masked.details.payees}, payments P1、P2、P3`);
  });

  it('every evidence row is carried by its place, ordered by file then line, and only the first ones with their values', async () => {
    const rows = ['payout_id,id_number,item,period,amount,status'];
    for (let i = 0; i < 60; i++) rows.push(`P${i},11010519491231002X,基本养老金,2024-01,1.00,成功`);
    const dup = rule('DUP', { kind: 'duplicates', table: 'payouts', key: ['id_number', 'period'], amount: 'amount' }, { amount: 'amount', message: { zh: '{count} 笔', en: '{count} payments' } });
    const [f] = (await run([dup], tables({ payouts: rows.join('\n') }))).findings;
    expect(f.evidenceCount).toBe(60);
    // The first ones with their values; the rest as one list of lines for their file.
    expect(f.evidence).toHaveLength(EVIDENCE_CAP);
    expect(f.evidence.every((e) => e.values.payout_id === `P${e.line - 2}`)).toBe(true);
    expect(f.places).toEqual([{ table: 'payouts', file: 'test/payouts.csv', lines: Array.from({ length: 60 - EVIDENCE_CAP }, (_, i) => EVIDENCE_CAP + i + 2) }]);
    const every = [...everyEvidenceRow(f)];
    expect(every.map((e) => e.line)).toEqual(Array.from({ length: 60 }, (_, i) => i + 2));
    expect(every.slice(EVIDENCE_CAP).map((e) => e.values)).toEqual(Array.from({ length: 60 - EVIDENCE_CAP }, () => ({})));
    expect(f.amount).toBe(6000);
    expect(message(f)).toBe('60 payments');
  });

  it('orders evidence rows by file, sheet and line, whichever order an executor lists them in', async () => {
    const dup = compiled(rule('DUP', { kind: 'duplicates', table: 'payouts', key: ['id_number', 'period'], amount: 'amount' }));
    // Two sheets of one workbook, each with rows on lines 2 and 3.
    const places: Record<number, { file: string; sheet: string; line: number }> = {
      0: { file: 'book.xlsx', sheet: '2024', line: 3 },
      1: { file: 'book.xlsx', sheet: '2023', line: 3 },
      2: { file: 'book.xlsx', sheet: '2024', line: 2 },
      3: { file: 'book.xlsx', sheet: '2023', line: 2 },
    };
    const source = { place: (_t: string, r: number) => places[r], values: (_t: string, r: number) => ({ payout_id: `P${r}` }), digest: (_t: string, r: number) => r };
    const result = (rows: number[]) => ({ columns: ['id_number', 'period', 'count', 'amount'], rows: [{ id_number: 'X', period: '2024-01', count: 4, amount: 4 }], evidence: [[{ table: 'payouts', rows }]] });
    const [a] = await buildFindings(dup, result([0, 1, 2, 3]), source);
    const [b] = await buildFindings(dup, result([3, 2, 1, 0]), source);
    expect(a.evidence.map((e) => `${e.sheet}:${e.line}`)).toEqual(['2023:2', '2023:3', '2024:2', '2024:3']);
    expect(b.evidence).toEqual(a.evidence);
    expect(b.fingerprint).toBe(a.fingerprint);
  });

  it('join-suffixed personal columns are still marked as personal data', async () => {
    const r = rule('SUFFIX', {
      kind: 'pipeline',
      from: 'payouts',
      steps: [{ join: { with: 'deaths', where: '(a, b) => a.id_number == b.id_number' } }, { select: ['id_number_1', 'name_1', 'name_2'] }],
    }, { entity: { kind: 'person', key: 'id_number_1', label: 'name_2' } });
    const f = (await run([r], data)).findings[0];
    expect(f.pii).toMatchObject({ 'entity.key': 'id', 'entity.label': 'name', id_number_1: 'id', name_1: 'name', name_2: 'name' });
  });

  it('personal data copied into new columns keeps its kind, and a masked report masks it everywhere', async () => {
    const r = rule('COPY', {
      kind: 'pipeline',
      from: 'payouts',
      steps: [{ groupby: ['item'] }, { rollup: { who: 'op.max(d.name)', card: 'op.max(d.bank_account)', ids: "op.max(op.substring(d.id_number, 0, 6) + ' ' + op.substring(d.id_number, 6, 18))", n: 'op.count()' } }],
    }, { entity: { kind: 'document', key: 'item' }, message: { zh: '{who} {card} {ids} {n}', en: '{who} {card} {ids} {n}' } });
    const [f] = (await run([r], data)).findings;
    expect(f.pii).toMatchObject({ who: 'name', card: 'account', ids: 'id' });
    expect(f.pii.n).toBeUndefined();
    const shown = reportFinding({ ...f, baseline: null }, false);
    expect(shown.details).toMatchObject({ who: '李*', card: '****2002', n: 4 });
    // Pieces of an identity number put together: masked whole, or pieces cut at other places would each show a part.
    expect(shown.details.ids).toBe('****** ************');
    expect(f.computed).toEqual(['ids']);
    expect(shown.message.en).toBe(`李* ****2002 ${shown.details.ids} 4`);
    expect(JSON.stringify(shown)).not.toMatch(/李四|6222002|440524188001010014/);
  });

  it('personal data declared by the rule is marked too', async () => {
    const r = rule('DECLARED', { kind: 'pipeline', from: 'payouts', steps: [{ derive: { payee: 'd.name' } }, { select: ['payee', 'period'] }] }, {
      entity: { kind: 'person', key: 'payee' },
      pii: { payee: 'name' },
    });
    const f = (await run([r], data)).findings[0];
    expect(f.pii['entity.key']).toBe('name');
    expect(f.pii.payee).toBe('name');
    expect(Object.keys(f.details)).toEqual(['payee', 'period']);
  });

  it('findings are sorted by severity, rule id, entity, period', async () => {
    const low = rule('A-LOW', { kind: 'pipeline', from: 'payouts' }, {}, { severity: 'low' });
    const high = rule('Z-HIGH', { kind: 'pipeline', from: 'payouts' }, { period: 'period' }, { severity: 'critical' });
    const out = (await run([low, high], data)).findings.map((f) => [f.ruleId, f.entity.key, f.period]);
    expect(out).toEqual([
      ['Z-HIGH', '11010519491231002X', '2024-01'],
      ['Z-HIGH', '11010519491231002X', '2024-02'],
      ['Z-HIGH', '11010519491231002X', '2024-03'],
      ['Z-HIGH', '440524188001010014', '2024-02'],
      ['A-LOW', '11010519491231002X', null],
      ['A-LOW', '11010519491231002X', null],
      ['A-LOW', '11010519491231002X', null],
      ['A-LOW', '440524188001010014', null],
    ]);
  });
});

describe('each rule runs on its own', () => {
  const data = tables({ payouts: PAYOUTS, deaths: DEATHS });

  it('an error in one rule is a skipped rule; the others run', async () => {
    const broken = rule('BROKEN', { kind: 'pipeline', from: 'payouts', steps: [{ join: { with: 'deaths', on: 'id_number', where: '(a, b) => true' } }] });
    const badFn = rule('BAD-FN', { kind: 'pipeline', from: 'payouts', steps: [{ filter: 'op.no_such_function(d.amount)' }] });
    const result = await run([broken, deathRule(), badFn], data);
    expect(result.ran).toEqual({ 'PAID-AFTER-DEATH': 1 });
    expect(result.findings).toHaveLength(1);
    expect(result.skipped.map((s) => [s.ruleId, s.code])).toEqual([
      ['BROKEN', 'error'],
      ['BAD-FN', 'error'],
    ]);
    expect(result.skipped[0].reason).toMatch(/^check\.steps\[0\]\.join\.where: join takes either `on` or `where`, not both/);
    expect(result.skipped[1].reason).toMatch(/^check\.steps\[0\]\.filter: op\.no_such_function is not an allowed function/);
  });

  it('a missing table or column skips the rule and names what is missing', async () => {
    const onlyPayouts = tables({ payouts: PAYOUTS });
    const noStatus = tables({ payouts: PAYOUTS.replace(',status,', ',other,'.replace('other', 'account_holder')), deaths: DEATHS });
    expect((await run([deathRule()], onlyPayouts)).skipped).toEqual([
      { ruleId: 'PAID-AFTER-DEATH', code: 'missing-table', reason: 'needs table deaths (死亡人员信息), which no input file was recognised as', missing: ['deaths'] },
    ]);
    const s = (await run([deathRule()], noStatus)).skipped;
    expect(s).toEqual([
      { ruleId: 'PAID-AFTER-DEATH', code: 'missing-column', reason: 'needs column payouts.status (发放状态), which the loaded files lack', missing: ['payouts.status'] },
    ]);
  });

  it('a column only the finding shows (a name passed through to the message) is a missing column, not a run error', async () => {
    const returned = rule('RETURNED', { kind: 'pipeline', from: 'payouts', steps: [{ filter: "d.status == '退回'" }] }, {
      entity: { kind: 'person', key: 'id_number' },
      amount: 'amount',
      message: { zh: '{name} 的待遇被退回', en: 'payment to {name} returned' },
    });
    const noName = tables({ payouts: PAYOUTS.replace(',name,', ',account_holder,') });
    expect((await run([returned], noName)).skipped).toEqual([
      { ruleId: 'RETURNED', code: 'missing-column', reason: 'needs column payouts.name (姓名), which the loaded files lack', missing: ['payouts.name'] },
    ]);
  });

  it('a message placeholder naming no output column is an error before any finding is made', async () => {
    const r = deathRule();
    r.rule.finding.message.en = 'paid {totl:money}';
    const s = (await run([r], data)).skipped[0];
    expect(s.code).toBe('error');
    expect(s.reason).toMatch(/^finding\.message\.en: `totl` is not an output column of the check/);
    expect(s.reason).toMatch(/did you mean `total`\?/);
  });

  it('a finding column the check does not output is an error', async () => {
    const r = deathRule();
    r.rule.finding.amount = 'amount';
    expect((await run([r], data)).skipped[0].reason).toMatch(/^finding\.amount: `amount` is not an output column of the check/);
  });

  it('a mistyped param override is a usage error before anything runs', async () => {
    await expect(run([deathRule()], data, { params: { 'PAID-AFTER-DEATH': { grace_months: 'two' } } })).rejects.toThrow(UsageError);
    await expect(run([deathRule()], data, { params: { NOPE: { x: 1 } } })).rejects.toThrow(/unknown rule "NOPE"/);
  });
});

describe('selecting rules', () => {
  const a = rule('PAID-AFTER-DEATH', paidAfterDeath);
  const b = rule('SHARED-ACCOUNT', { kind: 'shared_attribute', table: 'payouts', attribute: 'bank_account', entity: 'id_number' }, {}, { category: 'money', risk: 'embezzlement' });

  it('by id, category or risk; skip wins', async () => {
    expect(selectRules([a, b], ['money']).map((r) => r.rule.id)).toEqual(['SHARED-ACCOUNT']);
    expect(selectRules([a, b], ['fraud']).map((r) => r.rule.id)).toEqual(['PAID-AFTER-DEATH']);
    expect(selectRules([a, b], ['paid-after-death,money']).map((r) => r.rule.id)).toEqual(['PAID-AFTER-DEATH', 'SHARED-ACCOUNT']);
    expect(selectRules([a, b], [], ['embezzlement']).map((r) => r.rule.id)).toEqual(['PAID-AFTER-DEATH']);
    expect(selectRules([a, b]).length).toBe(2);
  });

  it('an unknown selector is a usage error listing the valid ones', async () => {
    try {
      selectRules([a, b], ['PAID-AFTER-DEATHS']);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(UsageError);
      expect((err as UsageError).message).toBe('--only PAID-AFTER-DEATHS: no rule, category or risk of that name');
      expect((err as UsageError).fix).toContain('rules: PAID-AFTER-DEATH, SHARED-ACCOUNT');
      expect((err as UsageError).fix).toContain('categories: money, people, documents');
    }
  });

  it('requiredTables lists what the selected rules read', async () => {
    expect([...requiredTables([compiled(a)])].sort()).toEqual(['deaths', 'payouts']);
    expect([...requiredTables([compiled(b)])]).toEqual(['payouts']);
  });
});

describe('isolation between rules of one run', () => {
  it("one rule's params never leak into another's tables", async () => {
    const data = tables({ payouts: PAYOUTS });
    const mk = (id: string, min: string) =>
      rule(id, { kind: 'pipeline', from: 'payouts', steps: [{ filter: 'd.amount >= $.min' }] }, {}, { params: { min: { type: 'money', default: min, description: { zh: '', en: '' } } } });
    const result = await run([mk('HIGH', '3000'), mk('LOW', '1')], data);
    expect(result.ran).toEqual({ HIGH: 3, LOW: 4 });
  });

  it('money sums are exact: 0.10 + 0.20 yuan is 0.30', async () => {
    const data = tables({ payouts: 'id_number,amount\n11010519491231002X,0.10\n11010519491231002X,0.20\n11010519491231002X,"1,234,567.89"' });
    const r = rule('SUM', { kind: 'pipeline', from: 'payouts', steps: [{ groupby: ['id_number'] }, { rollup: { total: 'op.sum(d.amount)' } }] }, { amount: 'total', message: { zh: '{total:money}', en: '{total:money}' } });
    const [f] = (await run([r], data)).findings;
    expect(f.amount).toBe(123456819);
    expect(message(f)).toBe('1234568.19');
  });
});
