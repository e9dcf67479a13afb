/**
 * Every label a report prints, in Chinese (default) and English. Formatters
 * take their words from here and nowhere else.
 */
import type { Category, EntityKind, I18n, Risk, Severity } from '../rules/model.js';
import type { Lang } from './model.js';
import type { SkippedRule } from '../engine/finding.js';
import { columnDef, tableDef } from '../data/tables.js';

export interface Labels {
  reportTitle: string;
  generatedAt: string;
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
  moreItems: (n: number) => string;
  moreFindings: (n: number) => string;
  status: string;
  skipped: string;
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
  baselineLine: (b: { file: string; known: number; new: number; gone: number }) => string;
  rulesLine: (run: number, withFindings: number, skipped: number) => string;
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
  ran: string;
  categories: Record<Category, string>;
  risks: Record<Risk, string>;
  severities: Record<Severity, string>;
  entityKinds: Record<EntityKind, string>;
  baselineStatus: { new: string; known: string };
  levels: { error: string; warning: string };
}

const zh: Labels = {
  reportTitle: '社会保险基金审计风险报告',
  generatedAt: '生成时间',
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
  moreItems: (n) => `另有 ${n} 条未列出`,
  moreFindings: (n) => `另有 ${n} 个疑点未列出，见 --format json/csv/md/html`,
  status: '状态',
  skipped: '未运行的规则',
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
  baselineLine: (b) => `基线 ${b.file}：新增 ${b.new}，已知 ${b.known}，已消失 ${b.gone}`,
  rulesLine: (run, withFindings, skipped) => `运行规则 ${run} 条，其中 ${withFindings} 条有疑点；未运行 ${skipped} 条`,
  chartTitle: '按类别与风险的涉及金额（元）',
  digitsTitle: '首位数字分布（实际占比与本福特定律期望占比）',
  digit: '数字',
  observed: '实际占比',
  expected: '期望占比',
  sortHint: '点击表头排序',
  none: '无',
  yes: '是',
  no: '否',
  encoding: '编码',
  ran: '已运行',
  categories: { money: '清钱', people: '清人', documents: '清文' },
  risks: { embezzlement: '贪污', diversion: '挪用', withholding: '截留', fraud: '冒领骗取', irregularity: '违规' },
  severities: { info: '提示', low: '低', medium: '中', high: '高', critical: '严重' },
  entityKinds: { person: '人员', staff: '经办人员', account: '账户', employer: '单位', document: '文件', period: '期间' },
  baselineStatus: { new: '新增', known: '已知' },
  levels: { error: '错误', warning: '警告' },
};

const en: Labels = {
  reportTitle: 'Social-insurance fund audit: risk report',
  generatedAt: 'Generated',
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
  moreItems: (n) => `${n} more not listed`,
  moreFindings: (n) => `${n} more finding(s) not listed here; see --format json/csv/md/html`,
  status: 'Status',
  skipped: 'Skipped rules',
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
  baselineLine: (b) => `Baseline ${b.file}: ${b.new} new, ${b.known} known, ${b.gone} gone`,
  rulesLine: (run, withFindings, skipped) => `${run} rule(s) ran, ${withFindings} with findings; ${skipped} skipped`,
  chartTitle: 'Money at risk by category and risk (yuan)',
  digitsTitle: "Leading-digit distributions (observed share against Benford's law)",
  digit: 'Digit',
  observed: 'Observed',
  expected: 'Expected',
  sortHint: 'click a header to sort',
  none: 'none',
  yes: 'yes',
  no: 'no',
  encoding: 'Encoding',
  ran: 'ran',
  categories: { money: 'Money', people: 'People', documents: 'Documents' },
  risks: { embezzlement: 'Embezzlement', diversion: 'Diversion', withholding: 'Withholding', fraud: 'Fraud', irregularity: 'Irregularity' },
  severities: { info: 'info', low: 'low', medium: 'medium', high: 'high', critical: 'critical' },
  entityKinds: { person: 'person', staff: 'staff', account: 'account', employer: 'employer', document: 'document', period: 'period' },
  baselineStatus: { new: 'new', known: 'known' },
  levels: { error: 'error', warning: 'warning' },
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

/**
 * Why a rule did not run, in the report's language. Missing tables and columns
 * are named from the data model; an error keeps the engine's own message.
 */
export function skipReason(s: SkippedRule, lang: Lang): string {
  if (lang === 'en' || !s.missing?.length) return s.reason;
  const named = s.missing.map((m) => {
    const [t, c] = m.split('.');
    const label = c === undefined ? tableDef(t)?.label : columnDef(t, c)?.label;
    return label ? `${m}（${label}）` : m;
  });
  return s.code === 'missing-table'
    ? `缺少数据表 ${named.join('、')}：输入中没有文件被识别为该表（请提供该导出，或用 --table 表名=文件 指定）`
    : `缺少字段 ${named.join('、')}：已加载的文件中没有这些列（请补充导出列，或用 --mapping 映射表头）`;
}
