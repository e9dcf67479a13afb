/**
 * The csv format: one file of records, the `record` column saying what each
 * row is (docs/report.md lists them): a `run` record first (what ran, tool,
 * time, how totals are counted, whether personal data is masked), each
 * finding followed by its evidence rows, cases, resolved and suppressed
 * findings, suppressions that expired or matched nothing, rules not run, data
 * issues, then the manifest (inputs with SHA-256 and row counts, rules with
 * their file hash, parameters). Headers and values are in the report's
 * language. Safe to open in a spreadsheet: formula-like cells are
 * neutralised, UTF-8 with a BOM so that Excel reads Chinese, CRLF line ends.
 * Written in pieces (see stream.ts).
 */
import { sourceLabel } from '../../data/provenance.js';
import { evidenceValues, money } from '../display.js';
import { excelText } from '../excel-text.js';
import { CSV_COLUMNS, labels, pick, tableName, type CsvColumn, type CsvRecord, type Labels } from '../i18n.js';
import type { AuditResult, ReportFinding, Suppression } from '../model.js';
import { displayTime } from '../time.js';
import { everyEvidenceRow } from '../../engine/finding.js';

export { CSV_COLUMNS };

/**
 * A cell a spreadsheet will not run: text starting with = + - @ (or tab/CR,
 * which some spreadsheets skip before reading a formula) gets a leading '.
 */
export function neutralise(cell: string): string {
  return /^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell;
}

/** RFC 4180 quoting, after neutralising; long digit strings kept as text (see excel-text.ts). */
export function csvCell(value: string | number | null | undefined): string {
  const s = excelText(neutralise(value === null || value === undefined ? '' : String(value)));
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

type Row = Partial<Record<CsvColumn, string | number | null>>;

function line(record: CsvRecord, l: Labels, rec: Row): string {
  return CSV_COLUMNS.map((c) => csvCell(c === 'record' ? l.csvRecords[record] : rec[c])).join(',') + '\r\n';
}

/** `key=value; …` (`；` in Chinese). */
function pairs(r: AuditResult, o: Array<[string, string | number | boolean | null]>): string {
  return o.map(([k, v]) => `${k}=${v ?? ''}`).join(r.lang === 'en' ? '; ' : '；');
}

function findingRow(f: ReportFinding, r: AuditResult, l: Labels): Row {
  return {
    fingerprint: f.fingerprint,
    rule_id: f.ruleId,
    category: l.categories[f.category],
    risk: l.risks[f.risk],
    severity: l.severities[f.severity],
    title: pick(f.title, r.lang),
    message: pick(f.message, r.lang),
    entity_kind: l.entityKinds[f.entity.kind],
    entity_key: f.entity.key,
    entity_label: f.entity.label ?? '',
    period: f.period,
    amount_yuan: money(f.amount),
    evidence_count: f.evidenceCount,
    baseline: f.baseline ? l.baselineStatus[f.baseline] : '',
    case: f.case ?? '',
  };
}

function* evidenceRows(f: ReportFinding, r: AuditResult, l: Labels): Generator<string> {
  for (const e of everyEvidenceRow(f)) {
    yield line('evidence', l, { fingerprint: f.fingerprint, rule_id: f.ruleId, table: tableName(e.table, r.lang), file: sourceLabel(e), line: e.line, values: evidenceValues(e, r.lang) });
  }
}

function suppressionValues(r: AuditResult, l: Labels, s: Suppression): string {
  return pairs(r, [
    [l.suppressionReason, s.reason],
    [l.approver, s.approver],
    [l.expires, s.expires],
    [l.line, s.line],
  ]);
}

/** The csv report, in pieces. */
export function* csvReport(r: AuditResult): Generator<string> {
  const l = labels(r.lang);
  const m = r.manifest;
  const en = r.lang === 'en';
  yield '\uFEFF' + CSV_COLUMNS.map((c) => csvCell(l.csv[c])).join(',') + '\r\n';
  yield line('run', l, {
    values: pairs(r, [
      [en ? 'rules' : '规则数', r.run.rules],
      [en ? 'ran' : '已运行', r.run.ran],
      [en ? 'skipped' : '未运行', r.run.skipped],
      [en ? 'failed' : '出错', r.run.failed],
      [en ? 'findings' : '疑点数', r.findings.length],
      [en ? 'total_yuan' : '去重后涉及金额', money(r.summary.total.amount)],
      [en ? 'findings_sum_yuan' : '疑点金额直接相加', money(r.summary.total.findingsAmount)],
      [en ? 'counting' : '合计口径', l.countingNote(r.summary.total.findingsAmount)],
      [en ? 'tool' : l.tool, `${m.tool.name} ${m.tool.version}`],
      [en ? 'generated_at' : l.generatedAt, displayTime(r.generatedAt, r.timeZone)],
      [en ? 'lang' : '语言', r.lang],
      [en ? 'personal_data' : '个人信息', r.revealed ? l.personalData.revealed : l.personalData.masked],
    ]),
  });
  for (const f of r.findings) {
    yield line('finding', l, findingRow(f, r, l));
    yield* evidenceRows(f, r, l);
  }
  for (const k of r.cases) {
    yield line('case', l, {
      case: k.id,
      rule_id: k.rules.join(' '),
      amount_yuan: money(k.amount),
      values: pairs(r, [
        [en ? 'findings' : l.findings, k.findings.join(' ')],
        [en ? 'findings_sum_yuan' : '疑点金额直接相加', money(k.findingsAmount)],
      ]),
    });
  }
  for (const f of r.baseline?.resolved ?? []) {
    yield line('resolved', l, {
      fingerprint: f.fingerprint,
      rule_id: f.ruleId,
      severity: f.severity ? l.severities[f.severity] : '',
      title: f.title ? pick(f.title, r.lang) : '',
      entity_kind: f.entity ? (l.entityKinds[f.entity.kind] ?? f.entity.kind) : '',
      entity_key: f.entity?.key ?? '',
      entity_label: f.entity?.label ?? '',
      period: f.period,
      amount_yuan: money(f.amount),
    });
  }
  for (const f of r.suppressions?.suppressed ?? []) {
    yield line('suppressed', l, { ...findingRow(f, r, l), values: suppressionValues(r, l, f.suppression) });
    yield* evidenceRows(f, r, l);
  }
  for (const [status, list] of [
    [l.expiredSuppressions, r.suppressions?.expired ?? []],
    [l.unmatchedSuppressions, r.suppressions?.unmatched ?? []],
  ] as const) {
    for (const s of list) {
      yield line('suppression', l, {
        fingerprint: s.fingerprint ?? '',
        rule_id: s.rule ?? '',
        entity_key: s.entity ?? '',
        period: s.period ?? '',
        title: status,
        file: r.suppressions!.file,
        line: s.line,
        values: suppressionValues(r, l, s),
      });
    }
  }
  for (const sk of r.skipped) {
    yield line('skipped', l, { rule_id: sk.ruleId, title: sk.code === 'error' ? l.ruleStatus.failed : l.ruleStatus.skipped, message: sk.reason });
  }
  for (const i of r.dataIssues.issues) {
    yield line('issue', l, {
      severity: l.levels[i.level],
      title: i.code,
      message: i.reason,
      file: sourceLabel(i),
      line: i.line,
      values: pairs(r, [
        [l.column, i.column ?? ''],
        [l.value, i.value ?? ''],
      ]),
    });
  }
  for (const f of m.files) {
    yield line('input', l, {
      table: f.table ? tableName(f.table, r.lang) : '',
      file: f.path + (f.sheet !== undefined ? `!${f.sheet}` : ''),
      values: pairs(r, [
        ['sha256', f.sha256],
        [en ? 'bytes' : '字节数', f.bytes],
        [en ? 'encoding' : l.encoding, f.encoding],
        [en ? 'rows_read' : '读取行数', f.rowsRead],
        [en ? 'rows_loaded' : '加载行数', f.rowsLoaded],
        [en ? 'rows_rejected' : l.rowsRejected, f.rowsRejected],
      ]),
    });
  }
  for (const rule of m.rules) {
    yield line('rule', l, {
      rule_id: rule.id,
      category: l.categories[rule.category],
      risk: l.risks[rule.risk],
      severity: l.severities[rule.severity],
      file: rule.file,
      values: pairs(r, [
        ['sha256', rule.sha256],
        [en ? 'status' : l.status, l.ruleStatus[rule.status]],
        [en ? 'findings' : l.findings, rule.findings],
      ]),
    });
  }
  for (const [ruleId, params] of Object.entries(m.params)) {
    for (const [name, value] of Object.entries(params)) {
      yield line('param', l, { rule_id: ruleId, values: `${name}=${Array.isArray(value) ? value.join('、') : value}` });
    }
  }
}
