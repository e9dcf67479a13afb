import { describe, expect, it } from 'vitest';
import { maskAccount, maskAddress, maskId, maskName, maskPhone } from '../../src/report/mask.js';
import { ACCOUNT, FILES, fileReport, finding, ID_OUYANG, ID_ZHANG, STAFF_PHONE, sampleResult } from './sample.js';

describe('masking one value', () => {
  it('identity numbers keep the first 6 and last 4', () => {
    expect(maskId('11010119900307123X')).toBe('110101********123X');
    expect(maskId('110101900307123')).toBe('110101*****7123');
  });
  it('names keep the surname, two characters for compound surnames', () => {
    expect(maskName('张三')).toBe('张*');
    expect(maskName('张三丰')).toBe('张**');
    expect(maskName('欧阳修文')).toBe('欧阳**');
    expect(maskName('司马光')).toBe('司马*');
    expect(maskName('诸葛亮')).toBe('诸葛*');
    expect(maskName('欧阳')).toBe('欧*');
  });
  it("organisations' names are not personal data and stay readable", () => {
    expect(maskName('泸州市财政局社保基金专户')).toBe('泸州市财政局社保基金专户');
    expect(maskName('四川某某建筑有限公司')).toBe('四川某某建筑有限公司');
    expect(maskName('张局')).toBe('张*');
  });
  it('accounts keep the last 4, phones the first 3 and last 4, addresses are cut', () => {
    expect(maskAccount('6222 0202 0011 2233 445')).toBe('****3445');
    expect(maskPhone('13812341234')).toBe('138****1234');
    expect(maskAddress('北京市海淀区中关村大街1号')).toBe('北京市海淀区…');
  });
});

describe('a masked report', () => {
  const raw = sampleResult();
  const r = sampleResult({ reveal: false });
  const json = JSON.stringify(r);

  it('says it is masked; a revealed one shows the values', () => {
    expect(r.revealed).toBe(false);
    expect(raw.revealed).toBe(true);
    expect(raw.findings[1].entity.key).toBe(ID_ZHANG);
  });

  it('masks entity keys and labels, details and evidence values', () => {
    const zhang = r.findings.find((f) => f.fingerprint === 'fp-death-zhang')!;
    expect(zhang.entity).toEqual({ kind: 'person', key: '110105********002X', label: '张*' });
    expect(zhang.details).toMatchObject({ id_number: '110105********002X', name: '张*', months: 2, total: 600000 });
    expect(zhang.evidence[0].values).toMatchObject({ id_number: '110105********002X', name: '张*', bank_account: '****3445', amount: 300000 });
    const ouyang = r.findings.find((f) => f.fingerprint === 'fp-death-ouyang')!;
    expect(ouyang.entity.label).toBe('欧阳**');
    const acct = r.findings.find((f) => f.fingerprint === 'fp-shared-account')!;
    expect(acct.entity.key).toBe('****3445');
    expect(acct.details.contact).toBe('138****5678');
    expect(acct.evidence[0].values.account_holder).toBe('李*');
  });

  it('renders a message from its own masked values, and leaves the rule\'s own words alone', () => {
    const other = sampleResult({
      reveal: false,
      run: {
        findings: [
          finding({ fingerprint: 'a', ruleId: 'A', entity: { kind: 'account', key: ACCOUNT, label: '现金' }, details: { bank_account: ACCOUNT, counterparty_name: '现金' }, pii: { 'entity.key': 'account', bank_account: 'account', counterparty_name: 'name' }, message: { zh: '账户 {bank_account}（{counterparty_name}）', en: '' } }),
          finding({ fingerprint: 'b', ruleId: 'B', entity: { kind: 'staff', key: 'S010' }, details: { operator_id: 'S010' }, message: { zh: '{operator_id} 收取的现金缴费滞留', en: '' } }),
        ],
        skipped: [],
        ran: { A: 1, B: 1 },
        params: {},
      },
    });
    // 现金 (cash) in a name column is nobody's name: only personal data is masked.
    expect(other.findings.find((f) => f.ruleId === 'A')!.message.zh).toBe('账户 ****3445（现金）');
    expect(other.findings.find((f) => f.ruleId === 'B')!.message.zh).toBe('S010 收取的现金缴费滞留');
  });

  it('masks each value the message shows by its placeholder\'s kind, and an entity without one by its kind', () => {
    const f = sampleResult({
      reveal: false,
      run: {
        findings: [
          // The compiled rule gives the account entity's key column the account kind in messages (see test/plan/compile.test.ts).
          finding({
            fingerprint: 'k', ruleId: 'K', entity: { kind: 'account', key: '22304101040008866' }, details: { account_no: '22304101040008866', who: '李四' }, pii: { who: 'name' },
            template: { zh: [], en: [{ column: 'account_no', kind: 'account' }, ': ', { column: 'who', kind: 'name' }, ' (', { column: 'who', kind: 'name' }, ')'] },
          }),
        ],
        skipped: [],
        ran: { K: 1 },
        params: {},
      },
    }).findings[0];
    expect(f.entity.key).toBe('****8866');
    expect(f.message.en).toBe('****8866: 李* (李*)');
    // One value, one treatment: the account masked as the entity's key is masked in the details too.
    expect(f.details).toEqual({ account_no: '****8866', who: '李*' });
  });

  it('masks every raw value inside rendered messages', () => {
    const zhang = r.findings.find((f) => f.fingerprint === 'fp-death-zhang')!;
    expect(zhang.message.zh).toBe('张*（110105********002X）于 2024-01-15 死亡，其后仍发放 2 个月共 6,000.00 元');
    const acct = r.findings.find((f) => f.fingerprint === 'fp-shared-account')!;
    expect(acct.message.en).toBe("Account ****3445 received 3 people's benefits, phone 138****5678");
  });

  it('masks ranked entities and data-issue values of personal-data columns, also in the reason', () => {
    expect(r.entities.map((e) => e.key)).toEqual(['****3445', '110105********002X', '440524********0014']);
    expect(r.entities[1].label).toBe('张*');
    const idIssue = r.dataIssues.issues.find((i) => i.code === 'id-checksum')!;
    expect(idIssue.value).toBe('110105********0021');
    expect(idIssue.reason).toBe('identity number 110105********0021 has a wrong check digit');
    expect(r.dataIssues.issues.find((i) => i.code === 'bad-money')!.value).toBe('abc');
  });

  it('masks whole-row values of ragged rows by header position and by shape', () => {
    const ragged = sampleResult({ reveal: false,
        files: [
          fileReport('in/payouts.csv', 'payouts', {
            mapping: [
              { source: '身份证号码', column: 'id_number' },
              { source: '姓名', column: 'name' },
              { source: '发放金额', column: 'amount' },
            ],
            issues: [
              { file: 'in/payouts.csv', line: 9, value: `${ID_ZHANG},张三,3000.00,13812345678,${ACCOUNT},extra`, reason: 'the row has 6 fields but the header has 3', level: 'error', code: 'ragged-row' },
            ],
          }),
        ],
      });
    expect(ragged.dataIssues.issues[0].value).toBe('110105********002X,张*,3000.00,138****5678,****3445,extra');
  });

  it('masks names in rows whose fields do not line up with the header, and rows split by full-width commas', () => {
    const mapping = [
      { source: '个人编号', column: 'person_id' },
      { source: '身份证号码', column: 'id_number' },
      { source: '姓名', column: 'name' },
      { source: '待遇项目', column: 'item' },
      { source: '户名', column: 'account_holder' },
    ];
    const issue = (line: number, value: string) => ({ file: 'in/payouts.csv', line, value, reason: 'the row has the wrong number of fields', level: 'error' as const, code: 'ragged-row' });
    const masked = sampleResult({ reveal: false,
        files: [
          fileReport('in/payouts.csv', 'payouts', {
            mapping,
            issues: [
              // An unquoted comma in the name shifts every later field one column to the right.
              issue(4, `P004,${ID_ZHANG},王,小明,基本养老金,王小明`),
              // Full-width commas: one field to an ASCII-comma reader.
              issue(5, `P005，${ID_OUYANG}，欧阳修文，基本养老金，欧阳修文`),
            ],
          }),
        ],
      }).dataIssues.issues;
    const text = JSON.stringify(masked);
    for (const raw of ['小明', '王小明', '欧阳修文', ID_ZHANG, ID_OUYANG]) expect(text).not.toContain(raw);
    expect(masked[1].value).toBe('P005，440524********0014，欧阳**，基本养老金，欧阳**');
  });

  it('masks an issue repeated row after row like the first, and each different value, file or column by its own', () => {
    // A county repeats one bad identity number in every month's payout: hundreds of thousands of issues, each
    // masked once per distinct text. The repeats must read the same, and no near-repeat may borrow another's mask.
    const idIssue = (file: string, line: number, column: string, value: string) =>
      ({ file, line, column, value, reason: `identity number ${value} has a wrong check digit`, level: 'warning' as const, code: 'id-checksum' });
    const mapping = [{ source: '身份证号码', column: 'id_number' }, { source: '备注', column: null }];
    const issues = sampleResult({ reveal: false,
        files: [
          fileReport('in/payouts.csv', 'payouts', {
            mapping,
            issues: [
              ...Array.from({ length: 5 }, (_, k) => idIssue('in/payouts.csv', 2 + k, '身份证号码', '110105200001010021')),
              idIssue('in/payouts.csv', 9, '身份证号码', '110105200001010022'),
              // Same value under a column that says nothing about it: scanned, not masked as an identity number.
              idIssue('in/payouts.csv', 10, '备注', '张三'),
            ],
          }),
          fileReport('in/张三.csv', 'payouts', { mapping, issues: [idIssue('in/张三.csv', 2, '身份证号码', '110105200001010021')] }),
        ],
      }).dataIssues.issues;
    const byLine = (file: string, line: number) => issues.find((i) => i.file === file && i.line === line)!;
    for (let line = 2; line < 7; line++) {
      expect(byLine('in/payouts.csv', line)).toMatchObject({ value: '110105********0021', reason: 'identity number 110105********0021 has a wrong check digit' });
    }
    expect(byLine('in/payouts.csv', 9).value).toBe('110105********0022');
    expect(byLine('in/payouts.csv', 10).value).toBe('张三');
    const other = issues.find((i) => i.file !== 'in/payouts.csv')!;
    expect(other.value).toBe('110105********0021');
    expect(JSON.stringify(issues)).not.toContain('110105200001010021');
    // Every issue keeps its own place and its keys in the loader's order.
    expect(issues.filter((i) => i.file === 'in/payouts.csv').map((i) => i.line)).toEqual([2, 3, 4, 5, 6, 9, 10]);
    expect(Object.keys(byLine('in/payouts.csv', 2))).toEqual(Object.keys(byLine('in/payouts.csv', 9)));
  });

  it("masks a file's first row in the manifest's header mapping when it is a data row (a file without a header)", () => {
    const files = [
      ...FILES,
      fileReport('in/死亡名单.csv', null, {
        mapping: [
          { source: ID_ZHANG, column: null },
          { source: '张三', column: null },
          { source: '2024-01-15', column: null },
        ],
      }),
      fileReport('in/extra.csv', null, { mapping: [{ source: '序号', column: null }, { source: '备注', column: null }] }),
    ];
    const masked = sampleResult({ reveal: false, files });
    const mapping = (path: string) => masked.manifest.files.find((f) => f.path === path)!.mapping.map((m) => m.source);
    expect(mapping('in/死亡名单.csv')).toEqual(['110105********002X', '张*', '2024-01-15']);
    // Real headers stay readable: mapped ones, and unmapped ones of a header row.
    expect(mapping('in/payouts.csv')).toEqual(['身份证号码', '姓名', '发放金额']);
    expect(mapping('in/extra.csv')).toEqual(['序号', '备注']);
  });

  it('leaves no raw identity number, name, account or phone anywhere in the result', () => {
    for (const rawValue of [ID_ZHANG, ID_OUYANG, ACCOUNT, STAFF_PHONE, '张三', '欧阳修文', '李四', '110105194912310021']) {
      expect(json).not.toContain(rawValue);
    }
  });
});
