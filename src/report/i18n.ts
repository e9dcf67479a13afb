/**
 * Every label a report prints, in Chinese (default) and English. Formatters
 * take their words from here and nowhere else, so that a report speaks one
 * language throughout: headings, statuses, CSV headers and values alike.
 */
import type { Category, EntityKind, I18n, Risk, Severity } from '../rules/model.js';
import type { Lang, RunStatus } from './model.js';
import type { SkippedRule } from '../engine/finding.js';
import { DUCKDB_MEMORY } from '../rules/budget.js';
import { columnDef, tableDef } from '../data/tables.js';
import { formatYuanGrouped } from '../data/yuan.js';

/** The columns of the csv format, in order; their headers are in Labels.csv. */
export const CSV_COLUMNS = [
  'record',
  'fingerprint',
  'rule_id',
  'category',
  'risk',
  'severity',
  'title',
  'message',
  'entity_kind',
  'entity_key',
  'entity_label',
  'period',
  'amount_yuan',
  'evidence_count',
  'baseline',
  'case',
  'table',
  'file',
  'line',
  'values',
] as const;
export type CsvColumn = (typeof CSV_COLUMNS)[number];

/** What a csv row is (its `record` cell). */
export type CsvRecord = 'run' | 'finding' | 'evidence' | 'case' | 'resolved' | 'suppressed' | 'suppression' | 'skipped' | 'issue' | 'input' | 'rule' | 'param';

export interface Labels {
  reportTitle: string;
  generatedAt: string;
  timeZone: string;
  tool: string;
  masked: string;
  revealed: string;
  inputs: string;
  files: string;
  tables: string;
  table: string;
  rows: string;
  rowsRejected: string;
  periodCovered: string;
  dataIssues: string;
  summary: string;
  category: string;
  risk: string;
  severity: string;
  count: string;
  newCount: string;
  amount: string;
  amountYuan: string;
  /** Short column header for money in yuan, for narrow tables. */
  amountShort: string;
  total: string;
  noFindings: string;
  /** Said instead of "no findings" when rules were skipped or failed: nothing found among what ran. */
  noFindingsOfRun: (run: RunStatus) => string;
  topFindings: string;
  topEntities: string;
  rank: string;
  entity: string;
  entityKind: string;
  key: string;
  label: string;
  findings: string;
  score: string;
  rules: string;
  rule: string;
  title: string;
  message: string;
  period: string;
  evidence: string;
  evidenceMore: (n: number) => string;
  /** `证据 3 / 120 条`: rows shown of all the finding rests on. */
  evidenceOf: (shown: number, total: number) => string;
  moreItems: (n: number) => string;
  moreOfRule: (n: number, amount: number) => string;
  status: string;
  skipped: string;
  failed: string;
  reason: string;
  line: string;
  column: string;
  value: string;
  level: string;
  manifest: string;
  version: string;
  file: string;
  sha256: string;
  params: string;
  options: string;
  baseline: string;
  baselineLine: (b: { file: string; new: number; persisting: number; resolved: number }) => string;
  resolvedFindings: string;
  newFindings: string;
  /** The first line of every report: what ran. */
  runLine: (run: RunStatus) => string;
  /** How totals are counted, with the plain sum of the findings' amounts. */
  countingNote: (findingsAmount: number) => string;
  cases: string;
  caseLabel: string;
  caseLine: (c: { id: string; findings: number; amount: number; findingsAmount: number }) => string;
  suppressed: string;
  suppressionsLine: (s: { file: string; entries: number; suppressed: number; expired: number; unmatched: number }) => string;
  expiredSuppressions: string;
  unmatchedSuppressions: string;
  suppressionReason: string;
  approver: string;
  expires: string;
  chartTitle: string;
  digitsTitle: string;
  digit: string;
  observed: string;
  expected: string;
  sortHint: string;
  none: string;
  yes: string;
  no: string;
  encoding: string;
  dataIssueGroup: (g: { count: number }) => string;
  /** The last line of the terminal report: what ran and what was found, once more. */
  recap: (run: RunStatus, findings: number, amount: number) => string;
  categories: Record<Category, string>;
  risks: Record<Risk, string>;
  severities: Record<Severity, string>;
  entityKinds: Record<EntityKind, string>;
  baselineStatus: { new: string; persisting: string };
  levels: { error: string; warning: string };
  ruleStatus: { ran: string; skipped: string; failed: string };
  csv: Record<CsvColumn, string>;
  csvRecords: Record<CsvRecord, string>;
  personalData: { masked: string; revealed: string };
}

const yuan = (fen: number) => formatYuanGrouped(fen);

const zh: Labels = {
  reportTitle: '社会保险基金审计风险报告',
  generatedAt: '生成时间',
  timeZone: '时区',
  tool: '工具',
  masked: '个人信息已脱敏',
  revealed: '注意：本报告未脱敏，含完整个人信息（--reveal）',
  inputs: '输入数据',
  files: '文件',
  tables: '数据表',
  table: '表',
  rows: '行数',
  rowsRejected: '拒收行',
  periodCovered: '数据期间',
  dataIssues: '数据问题',
  summary: '风险汇总',
  category: '类别',
  risk: '风险',
  severity: '等级',
  count: '疑点数',
  newCount: '新增',
  amount: '涉及金额',
  amountYuan: '涉及金额（元）',
  amountShort: '金额（元）',
  total: '合计',
  noFindings: '未发现疑点',
  noFindingsOfRun: (r) => `已运行的 ${r.ran} 条规则未发现疑点；另有 ${r.skipped + r.failed} 条规则未运行，其所查事项未经检查`,
  topFindings: '重点疑点',
  topEntities: '重点对象',
  rank: '序',
  entity: '对象',
  entityKind: '对象类型',
  key: '标识',
  label: '名称',
  findings: '疑点',
  score: '加权分',
  rules: '命中规则',
  rule: '规则',
  title: '标题',
  message: '说明',
  period: '期间',
  evidence: '证据',
  evidenceMore: (n) => `另有 ${n} 条证据`,
  evidenceOf: (shown, total) => (shown === total ? `证据 ${total} 条` : `证据 ${total} 条，列出 ${shown} 条`),
  moreItems: (n) => `另有 ${n} 条未列出`,
  moreOfRule: (n, amount) => `另有 ${n} 个疑点未列出（涉及金额 ${yuan(amount)} 元），见 --top 或 --format json/csv/md/html`,
  status: '状态',
  skipped: '未运行的规则',
  failed: '出错',
  reason: '原因',
  line: '行',
  column: '列',
  value: '值',
  level: '级别',
  manifest: '清单',
  version: '版本',
  file: '文件',
  sha256: 'SHA-256',
  params: '参数',
  options: '选项',
  baseline: '基线',
  baselineLine: (b) => `基线 ${b.file}：新增 ${b.new}，持续存在 ${b.persisting}，已解决 ${b.resolved}`,
  resolvedFindings: '已解决的疑点（基线中有、本次未再发现）',
  newFindings: '新增',
  runLine: (r) =>
    `规则：共 ${r.rules} 条，运行 ${r.ran} 条（其中 ${r.withFindings} 条有疑点），未运行 ${r.skipped} 条（缺少数据或超预算），出错 ${r.failed} 条`,
  countingNote: (sum) =>
    `金额合计按证据行去重：同一证据行的金额无论被几条规则引用，只计一次；各规则的金额是其疑点金额之和，规则之间可能重叠（各疑点金额直接相加为 ${yuan(sum)} 元）。`,
  cases: '关联疑点（依据同一证据行，金额只计一次）',
  caseLabel: '关联',
  caseLine: (c) => `${c.id}：${c.findings} 个疑点，去重后涉及金额 ${yuan(c.amount)} 元（各疑点相加 ${yuan(c.findingsAmount)} 元）`,
  suppressed: '已接受的疑点（抑制）',
  suppressionsLine: (s) => `抑制文件 ${s.file}：共 ${s.entries} 条，抑制疑点 ${s.suppressed} 个，已过期 ${s.expired} 条，未匹配 ${s.unmatched} 条`,
  expiredSuppressions: '已过期的抑制（不再生效）',
  unmatchedSuppressions: '未匹配任何疑点的抑制',
  suppressionReason: '理由',
  approver: '批准人',
  expires: '有效期至',
  chartTitle: '按类别与风险的涉及金额（元，按等级着色，证据行去重）',
  digitsTitle: '首位数字分布（实际占比与本福特定律期望占比）',
  digit: '数字',
  observed: '实际占比',
  expected: '期望占比',
  sortHint: '点击表头排序',
  none: '无',
  yes: '是',
  no: '否',
  encoding: '编码',
  dataIssueGroup: (g) => `${g.count} 条`,
  recap: (r, n, amount) => `运行规则 ${r.ran}/${r.rules} 条（未运行 ${r.skipped}，出错 ${r.failed}）；疑点 ${n} 个，去重后涉及金额 ${yuan(amount)} 元`,
  categories: { money: '清钱', people: '清人', documents: '清文' },
  risks: { embezzlement: '贪污', diversion: '挪用', withholding: '截留', fraud: '冒领骗取', irregularity: '违规' },
  severities: { info: '提示', low: '低', medium: '中', high: '高', critical: '严重' },
  entityKinds: { person: '人员', staff: '经办人员', account: '账户', employer: '单位', document: '文件', period: '期间' },
  baselineStatus: { new: '新增', persisting: '持续存在' },
  levels: { error: '错误', warning: '警告' },
  ruleStatus: { ran: '已运行', skipped: '未运行', failed: '出错' },
  csv: {
    record: '记录类型',
    fingerprint: '指纹',
    rule_id: '规则编号',
    category: '类别',
    risk: '风险',
    severity: '等级',
    title: '标题',
    message: '说明',
    entity_kind: '对象类型',
    entity_key: '对象标识',
    entity_label: '对象名称',
    period: '期间',
    amount_yuan: '涉及金额（元）',
    evidence_count: '证据行数',
    baseline: '基线状态',
    case: '关联',
    table: '表',
    file: '文件',
    line: '行',
    values: '内容',
  },
  csvRecords: {
    run: '运行',
    finding: '疑点',
    evidence: '证据',
    case: '关联',
    resolved: '已解决',
    suppressed: '已接受',
    suppression: '抑制',
    skipped: '未运行规则',
    issue: '数据问题',
    input: '输入文件',
    rule: '规则',
    param: '参数',
  },
  personalData: { masked: '已脱敏', revealed: '未脱敏' },
};

const en: Labels = {
  reportTitle: 'Social-insurance fund audit: risk report',
  generatedAt: 'Generated',
  timeZone: 'Time zone',
  tool: 'Tool',
  masked: 'personal data masked',
  revealed: 'WARNING: personal data NOT masked in this report (--reveal)',
  inputs: 'Inputs',
  files: 'Files',
  tables: 'Tables',
  table: 'Table',
  rows: 'Rows',
  rowsRejected: 'Rejected rows',
  periodCovered: 'Period covered',
  dataIssues: 'Data issues',
  summary: 'Summary',
  category: 'Category',
  risk: 'Risk',
  severity: 'Severity',
  count: 'Findings',
  newCount: 'New',
  amount: 'Money at risk',
  amountYuan: 'Money at risk (yuan)',
  amountShort: 'Yuan',
  total: 'Total',
  noFindings: 'No findings',
  noFindingsOfRun: (r) => `The ${r.ran} rule(s) that ran found nothing; ${r.skipped + r.failed} rule(s) did not run, so what they check was not checked`,
  topFindings: 'Top findings',
  topEntities: 'Top entities',
  rank: '#',
  entity: 'Entity',
  entityKind: 'Kind',
  key: 'Key',
  label: 'Name',
  findings: 'Findings',
  score: 'Score',
  rules: 'Rules',
  rule: 'Rule',
  title: 'Title',
  message: 'Message',
  period: 'Period',
  evidence: 'Evidence',
  evidenceMore: (n) => `${n} more evidence row(s)`,
  evidenceOf: (shown, total) => (shown === total ? `${total} evidence row(s)` : `${total} evidence row(s), ${shown} shown`),
  moreItems: (n) => `${n} more not listed`,
  moreOfRule: (n, amount) => `${n} more finding(s) not listed (${yuan(amount)} yuan); see --top or --format json/csv/md/html`,
  status: 'Status',
  skipped: 'Rules not run',
  failed: 'failed',
  reason: 'Reason',
  line: 'Line',
  column: 'Column',
  value: 'Value',
  level: 'Level',
  manifest: 'Manifest',
  version: 'Version',
  file: 'File',
  sha256: 'SHA-256',
  params: 'Parameters',
  options: 'Options',
  baseline: 'Baseline',
  baselineLine: (b) => `Baseline ${b.file}: ${b.new} new, ${b.persisting} persisting, ${b.resolved} resolved`,
  resolvedFindings: 'Resolved findings (in the baseline, not found again)',
  newFindings: 'New',
  runLine: (r) => `Rules: ${r.rules} in all, ${r.ran} ran (${r.withFindings} with findings), ${r.skipped} not run (missing data or budget), ${r.failed} failed`,
  countingNote: (sum) =>
    `Totals count each evidence row's money once, however many rules cite it; a rule's amount is the sum of its findings' amounts, and rules may overlap (the findings' amounts added up give ${yuan(sum)} yuan).`,
  cases: 'Linked findings (resting on the same evidence rows, money counted once)',
  caseLabel: 'Case',
  caseLine: (c) => `${c.id}: ${c.findings} findings, ${yuan(c.amount)} yuan counted once (${yuan(c.findingsAmount)} yuan added up)`,
  suppressed: 'Accepted findings (suppressed)',
  suppressionsLine: (s) => `Suppressions ${s.file}: ${s.entries} entries, ${s.suppressed} finding(s) suppressed, ${s.expired} expired, ${s.unmatched} unmatched`,
  expiredSuppressions: 'Expired suppressions (no longer in force)',
  unmatchedSuppressions: 'Suppressions that matched no finding',
  suppressionReason: 'Reason',
  approver: 'Approver',
  expires: 'Expires',
  chartTitle: 'Money at risk by category and risk (yuan, coloured by severity, rows counted once)',
  digitsTitle: "Leading-digit distributions (observed share against Benford's law)",
  digit: 'Digit',
  observed: 'Observed',
  expected: 'Expected',
  sortHint: 'click a header to sort',
  none: 'none',
  yes: 'yes',
  no: 'no',
  encoding: 'Encoding',
  dataIssueGroup: (g) => `${g.count}×`,
  recap: (r, n, amount) => `${r.ran}/${r.rules} rule(s) ran (${r.skipped} skipped, ${r.failed} failed); ${n} finding(s), ${yuan(amount)} yuan at risk counted once`,
  categories: { money: 'Money', people: 'People', documents: 'Documents' },
  risks: { embezzlement: 'Embezzlement', diversion: 'Diversion', withholding: 'Withholding', fraud: 'Fraud', irregularity: 'Irregularity' },
  severities: { info: 'info', low: 'low', medium: 'medium', high: 'high', critical: 'critical' },
  entityKinds: { person: 'person', staff: 'staff', account: 'account', employer: 'employer', document: 'document', period: 'period' },
  baselineStatus: { new: 'new', persisting: 'persisting' },
  levels: { error: 'error', warning: 'warning' },
  ruleStatus: { ran: 'ran', skipped: 'skipped', failed: 'failed' },
  csv: Object.fromEntries(CSV_COLUMNS.map((c) => [c, c])) as Record<CsvColumn, string>,
  csvRecords: {
    run: 'run',
    finding: 'finding',
    evidence: 'evidence',
    case: 'case',
    resolved: 'resolved',
    suppressed: 'suppressed',
    suppression: 'suppression',
    skipped: 'skipped',
    issue: 'issue',
    input: 'input',
    rule: 'rule',
    param: 'param',
  },
  personalData: { masked: 'masked', revealed: 'revealed' },
};

/** The labels of a language. */
export function labels(lang: Lang): Labels {
  return lang === 'en' ? en : zh;
}

/** The text of an I18n pair in the report's language, falling back to the other when blank. */
export function pick(text: I18n, lang: Lang): string {
  return (lang === 'en' ? text.en || text.zh : text.zh || text.en) ?? '';
}

/** A table as a report names it: `payouts 待遇发放明细` in Chinese, `payouts` in English (the labels are Chinese). */
export function tableLabel(t: { name: string; label: string }, lang: Lang): string {
  return lang === 'en' ? t.name : `${t.name} ${t.label}`;
}

/** A canonical column as a report names it: its Chinese label under zh (`发放金额`), its name under en. */
export function columnLabel(table: string, column: string, lang: Lang): string {
  return lang === 'en' ? column : (columnDef(table, column)?.label ?? column);
}

/** A canonical table's name in the report's language: `待遇发放明细` under zh. */
export function tableName(table: string, lang: Lang): string {
  return lang === 'en' ? table : (tableDef(table)?.label ?? table);
}

/** What each budget limit is called in Chinese, with its unit and the param that raises it for one rule. */
const BUDGET_ZH: Record<string, { what: string; unit: string; param: string }> = {
  seconds: { what: '运行时间上限', unit: ' 秒', param: 'budget_seconds' },
  memory_mb: { what: '内存上限', unit: ' MiB', param: 'budget_memory_mb' },
  join_growth: { what: '关联膨胀上限', unit: ' 倍', param: 'budget_join_growth' },
};

/** A budget skip in Chinese: which limit, its value, how to raise it, and the engine's own account of what it saw. */
function budgetReasonZh(ruleId: string, limit: string, value: number, detail: string): string {
  if (limit === DUCKDB_MEMORY.config) {
    // The run's limit on DuckDB's memory, not the rule's budget: raised for the whole run.
    return `DuckDB 在本次运行的内存上限（${value} MiB）内无法完成本规则（超出部分写入临时磁盘后仍不够），已停止，其余规则照常运行；如需放宽：${DUCKDB_MEMORY.option} N（单位 MiB），或在配置文件中设置 ${DUCKDB_MEMORY.config}: N（技术信息：${detail}）`;
  }
  const b = BUDGET_ZH[limit];
  const head = b
    ? `超出${b.what}（${value}${b.unit}），已停止，其余规则照常运行；如需放宽：--param ${ruleId}.${b.param}=N，或在配置文件中对全部规则设置 budget: { ${limit}: N }`
    : `超出资源预算（${limit} = ${value}），已停止，其余规则照常运行`;
  return `${head}（技术信息：${detail}）`;
}

/**
 * Why a rule did not run, in the report's language. Missing tables and columns
 * are named from the data model; an error keeps the engine's own message,
 * which names the step that failed.
 */
export function skipReason(s: SkippedRule, lang: Lang): string {
  if (lang === 'en') return s.reason;
  if (s.code === 'budget' && s.budget) return budgetReasonZh(s.ruleId, s.budget.limit, s.budget.value, s.reason);
  if (!s.missing?.length) return s.code === 'error' ? `运行出错，其余规则照常运行（技术信息：${s.reason}）` : s.reason;
  const named = s.missing.map((m) => {
    const [t, c] = m.split('.');
    const label = c === undefined ? tableDef(t)?.label : columnDef(t, c)?.label;
    return label ? `${m}（${label}）` : m;
  });
  return s.code === 'missing-table'
    ? `缺少数据表 ${named.join('、')}：输入中没有文件被识别为该表（请提供该导出，或用 --table 表名=文件 指定）`
    : `缺少字段 ${named.join('、')}：已加载的文件中没有这些列（请补充导出列，或用 --mapping 映射表头）`;
}
