/**
 * The csv format: one row per finding, followed by its evidence rows, in one
 * file; the `record` column says which is which. The manifest travels in the
 * same file: a `run` record first (tool, time, whether personal data is
 * masked), then after the findings one `input` record per file (SHA-256, row
 * counts), one `rule` record per rule (file hash) and one `param` record per
 * parameter in effect. Safe to open in a
 * spreadsheet: formula-like cells are neutralised, UTF-8 with a BOM so that
 * Excel reads Chinese correctly, CRLF line ends.
 */
import { sourceLabel } from '../../data/provenance.js';
import { evidenceValues } from '../display.js';
import { excelText } from '../excel-text.js';
import { pick } from '../i18n.js';
import type { AuditResult } from '../model.js';

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
  'table',
  'file',
  'line',
  'values',
] as const;

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

/** Renders findings and evidence rows as one CSV document. */
export function formatCsv(r: AuditResult): string {
  const lines: string[] = [CSV_COLUMNS.join(',')];
  const row = (rec: Partial<Record<(typeof CSV_COLUMNS)[number], string | number | null>>) =>
    lines.push(CSV_COLUMNS.map((c) => csvCell(rec[c])).join(','));
  const pairs = (o: Record<string, string | number | boolean | null>) =>
    Object.entries(o)
      .map(([k, v]) => `${k}=${v ?? ''}`)
      .join('; ');
  const m = r.manifest;
  row({
    record: 'run',
    values: pairs({
      tool: `${m.tool.name} ${m.tool.version}`,
      generated_at: r.generatedAt,
      lang: r.lang,
      personal_data: r.revealed ? 'revealed' : 'masked',
    }),
  });
  for (const f of r.findings) {
    row({
      record: 'finding',
      fingerprint: f.fingerprint,
      rule_id: f.ruleId,
      category: f.category,
      risk: f.risk,
      severity: f.severity,
      title: pick(f.title, r.lang),
      message: pick(f.message, r.lang),
      entity_kind: f.entity.kind,
      entity_key: f.entity.key,
      entity_label: f.entity.label ?? '',
      period: f.period,
      amount_yuan: f.amountYuan,
      evidence_count: f.evidenceCount,
      baseline: f.baseline ?? '',
    });
    for (const e of f.evidence) {
      row({
        record: 'evidence',
        fingerprint: f.fingerprint,
        rule_id: f.ruleId,
        table: e.table,
        file: sourceLabel(e),
        line: e.line,
        values: evidenceValues(e),
      });
    }
  }
  for (const f of m.files) {
    row({
      record: 'input',
      table: f.table ?? '',
      file: f.path,
      values: pairs({ sha256: f.sha256, bytes: f.bytes, encoding: f.encoding, rows_read: f.rowsRead, rows_loaded: f.rowsLoaded, rows_rejected: f.rowsRejected }),
    });
  }
  for (const rule of m.rules) {
    row({
      record: 'rule',
      rule_id: rule.id,
      category: rule.category,
      risk: rule.risk,
      severity: rule.severity,
      file: rule.file,
      values: pairs({ sha256: rule.sha256, status: rule.status, findings: rule.findings }),
    });
  }
  for (const [ruleId, params] of Object.entries(m.params)) {
    for (const [name, value] of Object.entries(params)) {
      row({ record: 'param', rule_id: ruleId, values: `${name}=${Array.isArray(value) ? value.join('、') : value}` });
    }
  }
  return '\uFEFF' + lines.join('\r\n') + '\r\n';
}
