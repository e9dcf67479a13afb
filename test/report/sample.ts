/**
 * A small, hand-made audit for the report tests: two rules' findings, a
 * skipped rule, file reports with data issues. Values are unmasked, as the
 * engine returns them.
 */
import type { FileReport, LoadedTable } from '../../src/data/model.js';
import type { PiiKind } from '../../src/data/tables.js';
import type { Finding, RunResult } from '../../src/engine/finding.js';
import { parseTemplate, type TemplatePart } from '../../src/plan/template.js';
import type { I18n, LoadedRule, Rule } from '../../src/rules/model.js';
import { buildResult, type BuildInput } from '../../src/report/build.js';
import type { AuditResult, ManifestOptions, ReportFormat } from '../../src/report/model.js';
import { renderReport, type RenderOptions } from '../../src/report/render.js';
import { joined } from '../../src/report/stream.js';
import type { Baseline } from '../../src/report/baseline.js';

export const ID_ZHANG = '11010519491231002X';
export const ID_OUYANG = '440524188001010014';
export const ACCOUNT = '6222020200112233445';
export const STAFF_PHONE = '13812345678';

/** A message template, each placeholder with the kind `pii` gives its column (as a compiled rule's). */
function template(text: string, pii: Record<string, PiiKind>): TemplatePart[] {
  return parseTemplate(text).parts.map((p) => (typeof p !== 'string' && Object.hasOwn(pii, p.column) ? { ...p, kind: pii[p.column] } : p));
}

/** A finding as the engine returns it; `message` is written as the rule's templates. */
export function finding(over: Partial<Finding> & Pick<Finding, 'fingerprint' | 'ruleId'> & { message?: I18n }): Finding {
  const { message, ...rest } = over;
  const f: Finding = {
    category: 'people',
    risk: 'fraud',
    severity: 'high',
    title: { zh: '死亡后继续发放待遇', en: 'Benefits paid after death' },
    template: { zh: [], en: [] },
    entity: { kind: 'person', key: ID_ZHANG, label: '张三' },
    period: '2024-02',
    amount: 600000,
    details: {},
    evidence: [],
    evidenceCount: 0,
    pii: {},
    digits: null,
    ...rest,
  };
  if (message) f.template = { zh: template(message.zh, f.pii), en: template(message.en, f.pii) };
  return f;
}

/** The kinds the compiled rule gives a person finding's entity and its canonical personal-data columns. */
const PERSON_PII: Record<string, PiiKind> = { 'entity.key': 'id', 'entity.label': 'name', id_number: 'id', name: 'name', bank_account: 'account' };

export const FINDINGS: Finding[] = [
  finding({
    fingerprint: 'fp-death-zhang',
    ruleId: 'PAID-AFTER-DEATH',
    pii: PERSON_PII,
    message: {
      zh: '{name}（{id_number}）于 2024-01-15 死亡，其后仍发放 {months} 个月共 {total:money} 元',
      en: '{name} ({id_number}) died on 2024-01-15; {months} month(s) paid afterwards, {total:money} yuan',
    },
    details: { id_number: ID_ZHANG, name: '张三', months: 2, total: 600000 },
    evidence: [
      { table: 'payouts', file: 'in/payouts.csv', line: 3, values: { id_number: ID_ZHANG, name: '张三', amount: 300000, bank_account: ACCOUNT, period: '2024-02' } },
      { table: 'payouts', file: 'in/payouts.csv', line: 4, values: { id_number: ID_ZHANG, name: '张三', amount: 300000, bank_account: ACCOUNT, period: '2024-03' } },
      { table: 'deaths', file: 'in/deaths.csv', line: 2, values: { id_number: ID_ZHANG, name: '张三', death_date: '2024-01-15' } },
    ],
    evidenceCount: 3,
  }),
  finding({
    fingerprint: 'fp-death-ouyang',
    ruleId: 'PAID-AFTER-DEATH',
    entity: { kind: 'person', key: ID_OUYANG, label: '欧阳修文' },
    amount: 12345,
    pii: PERSON_PII,
    message: { zh: '{name}（{id_number}）死亡后仍发放 {total:money} 元', en: '{name} ({id_number}) paid {total:money} yuan after death' },
    details: { id_number: ID_OUYANG, name: '欧阳修文', total: 12345 },
    evidence: [{ table: 'payouts', file: 'in/payouts.csv', line: 5, values: { id_number: ID_OUYANG, name: '欧阳修文', amount: 12345 } }],
    evidenceCount: 1,
  }),
  finding({
    fingerprint: 'fp-shared-account',
    ruleId: 'SHARED-PAYEE-ACCOUNT',
    category: 'money',
    risk: 'embezzlement',
    severity: 'critical',
    title: { zh: '多人共用收款账户', en: 'Several beneficiaries paid into one account' },
    entity: { kind: 'account', key: ACCOUNT },
    period: null,
    amount: 1,
    pii: { 'entity.key': 'account', bank_account: 'account', contact: 'phone', account_holder: 'name' },
    message: { zh: '账户 {bank_account} 收取 {entities} 人待遇，联系电话 {contact}', en: "Account {bank_account} received {entities} people's benefits, phone {contact}" },
    details: { bank_account: ACCOUNT, entities: 3, contact: STAFF_PHONE, formula: '=HYPERLINK("http://x")' },
    evidence: [{ table: 'payouts', file: 'in/payouts.csv', line: 3, values: { bank_account: ACCOUNT, account_holder: '李四', summary: '=1+2', amount: -1200 } }],
    evidenceCount: 7,
  }),
];

export function fileReport(path: string, table: string | null, over: Partial<FileReport> = {}): FileReport {
  return {
    path,
    bytes: 100,
    sha256: 'a'.repeat(64),
    table,
    recognisedBy: table ? 'header' : null,
    encoding: 'utf-8',
    headerLine: 1,
    mapping: [],
    missingColumns: [],
    rowsRead: 3,
    rowsLoaded: 3,
    rowsRejected: 0,
    issues: [],
    ...over,
  };
}

export const FILES: FileReport[] = [
  fileReport('in/payouts.csv', 'payouts', {
    mapping: [
      { source: '身份证号码', column: 'id_number' },
      { source: '姓名', column: 'name' },
      { source: '发放金额', column: 'amount' },
    ],
    rowsRead: 4,
    rowsLoaded: 3,
    rowsRejected: 1,
    issues: [
      { file: 'in/payouts.csv', line: 6, column: '身份证号码', value: '110105194912310021', reason: 'identity number 110105194912310021 has a wrong check digit', level: 'warning', code: 'id-checksum' },
      { file: 'in/payouts.csv', line: 5, column: '发放金额', value: 'abc', reason: 'not an amount', level: 'error', code: 'bad-money' },
    ],
  }),
  fileReport('in/deaths.csv', 'deaths'),
];

function table(name: string, columns: Record<string, Array<string | number | null>>): LoadedTable {
  const rows = Object.values(columns)[0].length;
  return { name, rows, columns, files: [`in/${name}.csv`], fileIndex: new Array(rows).fill(0), lines: columns[Object.keys(columns)[0]].map((_, i) => i + 2) };
}

export const TABLES = new Map<string, LoadedTable>([
  ['payouts', table('payouts', { period: ['2024-01', '2024-02', '2023-11'], amount: [1, 2, 3] })],
  ['deaths', table('deaths', { death_date: ['2024-01-15'] })],
]);

function rule(id: string, category: Rule['category'], risk: Rule['risk'], severity: Rule['severity']): LoadedRule {
  return {
    file: `rules/${category}/${id}.yaml`,
    sha256: 'b'.repeat(64),
    rule: {
      id,
      title: { zh: id, en: id },
      description: { zh: '', en: '' },
      category,
      risk,
      severity,
      basis: [],
      tags: [],
      params: {},
      check: { kind: 'pipeline', from: 'payouts' },
      finding: { entity: { kind: 'person', key: 'id_number' }, message: { zh: '', en: '' } },
      tests: [],
    },
  };
}

export const RULES: LoadedRule[] = [
  rule('SHARED-PAYEE-ACCOUNT', 'money', 'embezzlement', 'critical'),
  rule('PAID-AFTER-DEATH', 'people', 'fraud', 'high'),
  rule('PAID-WHILE-IMPRISONED', 'people', 'fraud', 'high'),
];

export const RUN: RunResult = {
  findings: FINDINGS,
  skipped: [{ ruleId: 'PAID-WHILE-IMPRISONED', reason: 'table prisoners was not loaded', code: 'missing-table' }],
  ran: { 'PAID-AFTER-DEATH': 2, 'SHARED-PAYEE-ACCOUNT': 1, 'PAID-WHILE-IMPRISONED': 0 },
  params: { 'PAID-AFTER-DEATH': { grace_months: 0, survivor_items: ['丧葬补助金'] } },
};

export const OPTIONS: ManifestOptions = {
  rules: [],
  only: [],
  skip: [],
  failOn: 'none',
  lang: 'zh',
  reveal: false,
  baseline: null,
  encoding: null,
  tables: {},
  suppressions: null,
  mapping: null,
  config: null,
  defaultRules: true,
  failOnSkipped: false,
};

/** A (small) report rendered as one string, for tests. */
export function rendered(r: AuditResult, format: ReportFormat, opts: RenderOptions = {}): string {
  return joined(renderReport(r, format, opts));
}

/** The sample audit, unmasked unless `reveal: false` is given. */
export function sampleResult(over: Partial<BuildInput> = {}, baseline: Baseline | null = null): AuditResult {
  return buildResult({
    tool: { name: 'fundaudit', version: '0.0.0-test' },
    now: new Date(Date.UTC(2024, 5, 1)),
    lang: 'zh',
    files: FILES,
    tables: TABLES,
    rules: RULES,
    run: RUN,
    options: OPTIONS,
    baseline,
    reveal: true,
    ...over,
  });
}
