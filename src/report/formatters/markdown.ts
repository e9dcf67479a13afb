/**
 * The markdown format, for working papers: headings, the summary table, top
 * entities, findings by rule with their evidence, skipped rules, data issues
 * and the manifest.
 */
import { formatYuanGrouped } from '../../data/yuan.js';
import { displayRange, evidenceRef, evidenceValues, tableFiles } from '../display.js';
import { sourceLabel } from '../../data/provenance.js';
import { labels, pick, tableLabel, type Labels } from '../i18n.js';
import { printableDeep } from '../printable.js';
import type { AuditResult, ReportFinding } from '../model.js';

/** Data issues listed before "N more". */
const ISSUE_LIMIT = 200;

/** Escapes text for a markdown table cell or paragraph: no markup, no raw HTML, one line. */
export function mdEscape(s: string): string {
  return s
    .replace(/\\/g, '\\\\')
    .replace(/[|*`#[\]~]/g, (ch) => '\\' + ch)
    // An underscore inside a word (payout_id) is never emphasis in CommonMark; only escape the others.
    .replace(/(?<![\p{L}\p{N}])_|_(?![\p{L}\p{N}])/gu, '\\_')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\r?\n/g, ' ');
}

function mdTable(head: string[], rows: string[][], align: Array<'l' | 'r'> = []): string[] {
  return [
    `| ${head.map(mdEscape).join(' | ')} |`,
    `| ${head.map((_, i) => (align[i] === 'r' ? '---:' : '---')).join(' | ')} |`,
    ...rows.map((r) => `| ${r.map(mdEscape).join(' | ')} |`),
  ];
}

function header(r: AuditResult, l: Labels): string[] {
  const out = [`# ${mdEscape(l.reportTitle)}`, ''];
  out.push(`- ${l.generatedAt}: ${r.generatedAt}`);
  out.push(`- ${l.tool}: ${mdEscape(`${r.tool.name} ${r.tool.version}`)}`);
  out.push(`- ${r.revealed ? `**${mdEscape(l.revealed)}**` : mdEscape(l.masked)}`);
  if (r.baseline) out.push(`- ${mdEscape(l.baselineLine(r.baseline))}`);
  return [...out, ''];
}

function inputs(r: AuditResult, l: Labels): string[] {
  const i = r.inputs;
  const out = [
    `## ${l.inputs}`,
    '',
    `${l.files} ${i.files} · ${l.tables} ${i.tables.length} · ${l.rows} ${i.rows} · ${l.rowsRejected} ${i.rowsRejected} · ` +
      `${l.periodCovered} ${displayRange(i.period, l.none)} · ${l.dataIssues} ${i.dataIssues}`,
    '',
  ];
  if (i.tables.length === 0) return out;
  return [
    ...out,
    ...mdTable(
      [l.table, l.files, l.rows, l.periodCovered],
      i.tables.map((t) => [tableLabel(t, r.lang), tableFiles(t), String(t.rows), displayRange(t.period, '')]),
      ['l', 'r', 'r', 'l'],
    ),
    '',
  ];
}

function summary(r: AuditResult, l: Labels): string[] {
  const s = r.summary;
  const out = [`## ${l.summary}`, '', mdEscape(l.rulesLine(s.rulesRun, s.rulesWithFindings, s.rulesSkipped)), ''];
  if (s.total.count === 0) return [...out, l.noFindings, ''];
  const rows = s.cells
    .filter((c) => c.count > 0)
    .map((c) => [l.categories[c.category], l.risks[c.risk], String(c.count), String(c.newCount), formatYuanGrouped(c.amount)]);
  rows.push([l.total, '', String(s.total.count), String(s.total.newCount), formatYuanGrouped(s.total.amount)]);
  return [
    ...out,
    ...mdTable([l.category, l.risk, l.count, l.newCount, l.amountYuan], rows, ['l', 'l', 'r', 'r', 'r']),
    '',
    s.bySeverity
      .filter((x) => x.count > 0)
      .map((x) => `${l.severities[x.severity]} ${x.count}`)
      .join(' · '),
    '',
  ];
}

function entities(r: AuditResult, l: Labels): string[] {
  if (r.entities.length === 0) return [];
  return [
    `## ${l.topEntities}`,
    '',
    ...mdTable(
      [l.rank, l.entityKind, l.key, l.label, l.findings, l.score, l.amountYuan, l.rules],
      r.entities.map((e) => [
        String(e.rank),
        l.entityKinds[e.kind],
        e.key,
        e.label ?? '',
        String(e.findings),
        String(e.score),
        formatYuanGrouped(e.amount),
        e.rules.join(', '),
      ]),
      ['r', 'l', 'l', 'l', 'r', 'r', 'r', 'l'],
    ),
    '',
  ];
}

/** One finding: its message, its facts, its evidence and (for a digit test) its digit table. */
function finding(f: ReportFinding, n: number, r: AuditResult, l: Labels): string[] {
  const facts = [
    `${l.entityKinds[f.entity.kind]} ${f.entity.key}${f.entity.label ? ' ' + f.entity.label : ''}`,
    f.amount !== null ? `${l.amount} ${formatYuanGrouped(f.amount)}` : null,
    f.period ? `${l.period} ${f.period}` : null,
    f.baseline ? l.baselineStatus[f.baseline] : null,
  ].filter((x): x is string => x !== null);
  const out = [`${n + 1}. ${mdEscape(pick(f.message, r.lang))}`, '', `   ${mdEscape(facts.join(' · '))} · \`${f.fingerprint}\``, ''];
  if (f.evidence.length > 0) {
    out.push(...mdTable([l.evidence, l.table, l.value], f.evidence.map((e) => [evidenceRef(e), e.table, evidenceValues(e)])).map((x) => '   ' + x));
    if (f.evidenceCount > f.evidence.length) out.push('', `   ${l.evidenceMore(f.evidenceCount - f.evidence.length)}`);
    out.push('');
  }
  if (f.digits) {
    const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
    out.push(
      ...mdTable(
        [l.digit, l.count, l.observed, l.expected],
        f.digits.bars.map((b) => [String(b.digit), String(b.count), pct(b.observed), pct(b.expected)]),
        ['r', 'r', 'r', 'r'],
      ).map((x) => '   ' + x),
      '',
    );
  }
  return out;
}

function findings(r: AuditResult, l: Labels): string[] {
  if (r.findings.length === 0) return [];
  const out = [`## ${l.findings} (${r.findings.length})`, ''];
  const groups = new Map<string, ReportFinding[]>();
  for (const f of r.findings) (groups.get(f.ruleId) ?? groups.set(f.ruleId, []).get(f.ruleId)!).push(f);
  for (const [ruleId, fs] of groups) {
    const f0 = fs[0];
    out.push(
      `### ${mdEscape(ruleId)} ${mdEscape(pick(f0.title, r.lang))}`,
      '',
      `${l.severity}: ${l.severities[f0.severity]} · ${l.category}: ${l.categories[f0.category]} · ${l.risk}: ${l.risks[f0.risk]} · ${l.count}: ${fs.length}`,
      '',
    );
    fs.forEach((f, n) => out.push(...finding(f, n, r, l)));
  }
  return out;
}

function skippedAndIssues(r: AuditResult, l: Labels): string[] {
  const out: string[] = [];
  if (r.skipped.length > 0) {
    out.push(`## ${l.skipped} (${r.skipped.length})`, '', ...mdTable([l.rule, l.reason], r.skipped.map((x) => [x.ruleId, x.reason])), '');
  }
  const d = r.dataIssues;
  if (d.total > 0) {
    out.push(`## ${l.dataIssues} (${d.total})`, '');
    out.push(
      ...mdTable(
        [l.file, l.line, l.column, l.value, l.level, l.reason],
        d.issues.slice(0, ISSUE_LIMIT).map((x) => [sourceLabel(x), String(x.line), x.column ?? '', x.value ?? '', l.levels[x.level], x.reason]),
      ),
      '',
    );
    if (d.total > ISSUE_LIMIT) out.push(l.moreItems(d.total - ISSUE_LIMIT), '');
  }
  return out;
}

function manifest(r: AuditResult, l: Labels): string[] {
  const m = r.manifest;
  const out = [`## ${l.manifest}`, ''];
  out.push(
    ...mdTable(
      [l.file, l.table, l.encoding, l.rows, l.rowsRejected, l.sha256],
      m.files.map((f) => [f.path, f.table ?? '', f.encoding ?? '', String(f.rowsLoaded), String(f.rowsRejected), f.sha256]),
    ),
    '',
  );
  out.push(...mdTable([l.rule, l.status, l.findings, l.file, l.sha256], m.rules.map((x) => [x.id, x.status, String(x.findings), x.file, x.sha256])), '');
  const params = Object.entries(m.params).flatMap(([rule, ps]) =>
    Object.entries(ps).map(([name, v]) => [`${rule}.${name}`, Array.isArray(v) ? v.join(', ') : String(v)]),
  );
  if (params.length > 0) out.push(`### ${l.params}`, '', ...mdTable([l.key, l.value], params), '');
  out.push(`### ${l.options}`, '', '```json', JSON.stringify(m.options, null, 2), '```', '');
  return out;
}

/** Renders the markdown report. */
export function formatMarkdown(result: AuditResult): string {
  const r = printableDeep(result);
  const l = labels(r.lang);
  return [...header(r, l), ...inputs(r, l), ...summary(r, l), ...entities(r, l), ...findings(r, l), ...skippedAndIssues(r, l), ...manifest(r, l)].join('\n');
}
