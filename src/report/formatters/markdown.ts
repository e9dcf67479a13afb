/**
 * The markdown format, for working papers: what ran, the summary, findings by
 * rule with their evidence, cases, top entities, baseline changes, suppressed
 * findings, rules not run, data issues (grouped, then listed) and the
 * manifest. Written in pieces (see stream.ts).
 */
import { byRule, displayRange, entityText, evidenceRef, evidenceValues, money, tableFiles, suppressionLists } from '../display.js';
import { formatPlace, sourceLabel } from '../../data/provenance.js';
import { labels, pick, tableLabel, tableName, type Labels } from '../i18n.js';
import { printable, printableDeep } from '../printable.js';
import type { AuditResult, ReportFinding, Suppression } from '../model.js';
import { displayTime } from '../time.js';
import { everyEvidenceRow, evidenceRowCount } from '../../engine/finding.js';

/** Data issues listed one by one before "N more" (all of them are in the json and csv formats). */
const ISSUE_LIMIT = 200;

/** Escapes text for a markdown table cell or paragraph: no markup, no raw HTML, one line, no control characters. */
export function mdEscape(s: string): string {
  return printable(s)
    .replace(/\\/g, '\\\\')
    .replace(/[|*`#[\]~]/g, (ch) => '\\' + ch)
    // An underscore inside a word (payout_id) is never emphasis in CommonMark; only escape the others.
    .replace(/(?<![\p{L}\p{N}])_|_(?![\p{L}\p{N}])/gu, '\\_')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\r?\n/g, ' ');
}

function* mdTable(head: string[], rows: Iterable<string[]>, align: Array<'l' | 'r'> = [], indent = ''): Generator<string> {
  yield `${indent}| ${head.map(mdEscape).join(' | ')} |\n`;
  yield `${indent}| ${head.map((_, i) => (align[i] === 'r' ? '---:' : '---')).join(' | ')} |\n`;
  for (const r of rows) yield `${indent}| ${r.map(mdEscape).join(' | ')} |\n`;
}

function* header(r: AuditResult, l: Labels): Generator<string> {
  yield `# ${mdEscape(l.reportTitle)}\n\n`;
  yield `- ${mdEscape(l.runLine(r.run))}\n`;
  yield `- ${l.generatedAt}: ${mdEscape(displayTime(r.generatedAt, r.timeZone))}\n`;
  yield `- ${l.tool}: ${mdEscape(`${r.tool.name} ${r.tool.version}`)}\n`;
  yield `- ${r.revealed ? `**${mdEscape(l.revealed)}**` : mdEscape(l.masked)}\n`;
  if (r.baseline) yield `- ${mdEscape(l.baselineLine({ ...r.baseline, resolved: r.baseline.resolved.length }))}\n`;
  const s = r.suppressions;
  if (s) yield `- ${mdEscape(l.suppressionsLine({ file: s.file, entries: s.entries, suppressed: s.suppressed.length, expired: s.expired.length, unmatched: s.unmatched.length }))}\n`;
  yield '\n';
}

function* summary(r: AuditResult, l: Labels): Generator<string> {
  const s = r.summary;
  yield `## ${l.summary}\n\n`;
  if (s.total.count === 0) {
    yield `${mdEscape(r.run.skipped + r.run.failed > 0 ? l.noFindingsOfRun(r.run) : l.noFindings)}\n\n`;
    return;
  }
  const rows = s.cells.filter((c) => c.count > 0).map((c) => [l.categories[c.category], l.risks[c.risk], String(c.count), String(c.newCount), money(c.amount)]);
  rows.push([l.total, '', String(s.total.count), String(s.total.newCount), money(s.total.amount)]);
  yield* mdTable([l.category, l.risk, l.count, l.newCount, l.amountYuan], rows, ['l', 'l', 'r', 'r', 'r']);
  yield '\n';
  yield s.bySeverity
    .filter((x) => x.count > 0)
    .map((x) => `${l.severities[x.severity]} ${x.count}`)
    .join(' · ') + '\n\n';
  yield `${mdEscape(l.countingNote(s.total.findingsAmount))}\n\n`;
}

/** One finding: its message, its facts, its evidence and (for a digit test) its digit table. */
function* finding(raw: ReportFinding, n: number, r: AuditResult, l: Labels): Generator<string> {
  const f = printableDeep(raw);
  const facts = [
    entityText(f, l),
    f.amount !== null ? `${l.amount} ${money(f.amount)}` : null,
    f.period ? `${l.period} ${f.period}` : null,
    f.baseline ? l.baselineStatus[f.baseline] : null,
    f.case ? `${l.caseLabel} ${f.case}` : null,
  ].filter((x): x is string => x !== null);
  yield `${n + 1}. ${mdEscape(pick(f.message, r.lang))}\n\n   ${mdEscape(facts.join(' · '))} · \`${f.fingerprint}\`\n\n`;
  const listed = evidenceRowCount(f);
  if (listed > 0) {
    yield `   ${mdEscape(l.evidenceOf(listed, f.evidenceCount))}\n\n`;
    yield* mdTable([l.evidence, l.table, l.value], Array.from(everyEvidenceRow(f), (e) => [evidenceRef(e), tableName(e.table, r.lang), evidenceValues(e, r.lang)]), [], '   ');
    if (f.evidenceCount > listed) yield `\n   ${l.evidenceMore(f.evidenceCount - listed)}\n`;
    yield '\n';
  }
  if (f.digits) {
    const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
    yield* mdTable([l.digit, l.count, l.observed, l.expected], f.digits.bars.map((b) => [String(b.digit), String(b.count), pct(b.observed), pct(b.expected)]), ['r', 'r', 'r', 'r'], '   ');
    yield '\n';
  }
}

function* findings(r: AuditResult, l: Labels): Generator<string> {
  if (r.findings.length === 0) return;
  yield `## ${l.findings} (${r.findings.length})\n\n`;
  for (const [ruleId, fs] of byRule(r.findings)) {
    const f0 = fs[0];
    const total = fs.reduce((n, f) => n + (f.amount ?? 0), 0);
    yield `### ${mdEscape(ruleId)} ${mdEscape(pick(f0.title, r.lang))}\n\n`;
    yield `${l.severity}: ${l.severities[f0.severity]} · ${l.category}: ${l.categories[f0.category]} · ${l.risk}: ${l.risks[f0.risk]} · ${l.count}: ${fs.length} · ${l.amount}: ${money(total)}\n\n`;
    for (let n = 0; n < fs.length; n++) yield* finding(fs[n], n, r, l);
  }
}

function* cases(r: AuditResult, l: Labels): Generator<string> {
  if (r.cases.length === 0) return;
  const byFingerprint = new Map(r.findings.map((f) => [f.fingerprint, f]));
  yield `## ${mdEscape(l.cases)} (${r.cases.length})\n\n`;
  for (const k of r.cases) {
    yield `- ${mdEscape(l.caseLine({ id: k.id, findings: k.findings.length, amount: k.amount, findingsAmount: k.findingsAmount }))}\n`;
    for (const fp of k.findings) {
      const f = byFingerprint.get(fp);
      if (f) yield `  - ${mdEscape(`${f.ruleId} · ${entityText(f, l)}${f.amount !== null ? ` · ${money(f.amount)}` : ''}`)} · \`${fp}\`\n`;
    }
  }
  yield '\n';
}

function* entities(r: AuditResult, l: Labels): Generator<string> {
  if (r.entities.length === 0) return;
  yield `## ${l.topEntities}\n\n`;
  yield* mdTable(
    [l.rank, l.entityKind, l.key, l.label, l.findings, l.score, l.amountYuan, l.rules],
    r.entities.map((e) => [String(e.rank), l.entityKinds[e.kind], e.key, e.label ?? '', String(e.findings), String(e.score), money(e.amount), e.rules.join(', ')]),
    ['r', 'l', 'l', 'l', 'r', 'r', 'r', 'l'],
  );
  yield '\n';
}

function* baseline(r: AuditResult, l: Labels): Generator<string> {
  const b = r.baseline;
  if (!b) return;
  yield `## ${l.baseline}\n\n${mdEscape(l.baselineLine({ ...b, resolved: b.resolved.length }))}\n\n`;
  const fresh = r.findings.filter((f) => f.baseline === 'new');
  if (fresh.length > 0) {
    yield `### ${l.newFindings} (${fresh.length})\n\n`;
    yield* mdTable([l.rule, l.entity, l.period, l.amountYuan, 'fingerprint'], fresh.map((f) => [f.ruleId, entityText(f, l), f.period ?? '', money(f.amount), f.fingerprint]), ['l', 'l', 'l', 'r', 'l']);
    yield '\n';
  }
  if (b.resolved.length > 0) {
    yield `### ${mdEscape(l.resolvedFindings)} (${b.resolved.length})\n\n`;
    yield* mdTable(
      [l.severity, l.rule, l.entity, l.period, l.amountYuan, 'fingerprint'],
      b.resolved.map((f) => [
        f.severity ? l.severities[f.severity] : '',
        f.ruleId,
        f.entity ? `${l.entityKinds[f.entity.kind] ?? f.entity.kind} ${f.entity.key}${f.entity.label ? ' ' + f.entity.label : ''}` : '',
        f.period ?? '',
        money(f.amount),
        f.fingerprint,
      ]),
      ['l', 'l', 'l', 'l', 'r', 'l'],
    );
    yield '\n';
  }
}

function suppressionRow(l: Labels, s: Suppression): string[] {
  return [s.fingerprint ?? '', [s.rule, s.entity, s.period].filter(Boolean).join(' · '), s.reason, s.approver, s.expires, String(s.line)];
}

function* suppressions(r: AuditResult, l: Labels): Generator<string> {
  const s = r.suppressions;
  if (!s) return;
  if (s.suppressed.length > 0) {
    yield `## ${mdEscape(l.suppressed)} (${s.suppressed.length})\n\n`;
    yield* mdTable(
      [l.severity, l.rule, l.entity, l.amountYuan, l.suppressionReason, l.approver, l.expires],
      s.suppressed.map((f) => [l.severities[f.severity], f.ruleId, entityText(f, l), money(f.amount), f.suppression.reason, f.suppression.approver, f.suppression.expires]),
      ['l', 'l', 'l', 'r', 'l', 'l', 'l'],
    );
    yield '\n';
  }
  for (const [title, list] of suppressionLists(s, l)) {
    yield `## ${mdEscape(title)} (${list.length})\n\n`;
    yield* mdTable(['fingerprint', `${l.rule} · ${l.entity} · ${l.period}`, l.suppressionReason, l.approver, l.expires, l.line], list.map((e) => suppressionRow(l, e)));
    yield '\n';
  }
}

function* skippedAndIssues(r: AuditResult, l: Labels): Generator<string> {
  if (r.skipped.length > 0) {
    yield `## ${l.skipped} (${r.skipped.length})\n\n`;
    yield* mdTable([l.rule, l.status, l.reason], r.skipped.map((x) => [x.ruleId, x.code === 'error' ? l.ruleStatus.failed : l.ruleStatus.skipped, x.reason]));
    yield '\n';
  }
  const d = r.dataIssues;
  if (d.total === 0) return;
  yield `## ${l.dataIssues} (${d.total}: ${l.levels.error} ${d.errors}, ${l.levels.warning} ${d.warnings})\n\n`;
  yield* mdTable(
    [l.level, 'code', l.count, l.reason, l.file],
    d.groups.map((g) => [l.levels[g.level], g.code, String(g.count), g.reason, g.first.map((p) => formatPlace(p)).join(', ')]),
    ['l', 'l', 'r', 'l', 'l'],
  );
  yield '\n';
  yield* mdTable(
    [l.file, l.line, l.column, l.value, l.level, l.reason],
    d.issues.slice(0, ISSUE_LIMIT).map((x) => [sourceLabel(x), String(x.line), x.column ?? '', x.value ?? '', l.levels[x.level], x.reason]),
  );
  yield '\n';
  if (d.total > ISSUE_LIMIT) yield `${l.moreItems(d.total - ISSUE_LIMIT)}\n\n`;
}

function* inputsAndManifest(r: AuditResult, l: Labels): Generator<string> {
  const i = r.inputs;
  yield `## ${l.inputs}\n\n`;
  yield mdEscape(
    `${l.files} ${i.files} · ${l.tables} ${i.tables.length} · ${l.rows} ${i.rows} · ${l.rowsRejected} ${i.rowsRejected} · ` +
      `${l.periodCovered} ${displayRange(i.period, l.none)} · ${l.dataIssues} ${i.dataIssues}`,
  ) + '\n\n';
  if (i.tables.length > 0) {
    yield* mdTable([l.table, l.files, l.rows, l.periodCovered], i.tables.map((t) => [tableLabel(t, r.lang), tableFiles(t), String(t.rows), displayRange(t.period, '')]), ['l', 'r', 'r', 'l']);
    yield '\n';
  }
  const m = r.manifest;
  yield `## ${l.manifest}\n\n`;
  yield* mdTable(
    [l.file, l.table, l.encoding, l.rows, l.rowsRejected, l.sha256],
    m.files.map((f) => [f.path + (f.sheet !== undefined ? `!${f.sheet}` : ''), f.table ?? '', f.encoding ?? '', String(f.rowsLoaded), String(f.rowsRejected), f.sha256]),
  );
  yield '\n';
  yield* mdTable([l.rule, l.status, l.findings, l.file, l.sha256], m.rules.map((x) => [x.id, l.ruleStatus[x.status], String(x.findings), x.file, x.sha256]));
  yield '\n';
  const params = Object.entries(m.params).flatMap(([rule, ps]) => Object.entries(ps).map(([name, v]) => [`${rule}.${name}`, Array.isArray(v) ? v.join(', ') : String(v)]));
  if (params.length > 0) {
    yield `### ${l.params}\n\n`;
    yield* mdTable([l.key, l.value], params);
    yield '\n';
  }
  yield `### ${l.options}\n\n\`\`\`json\n${printable(JSON.stringify(m.options, null, 2))}\n\`\`\`\n`;
}

/** The markdown report, in pieces. */
export function* markdownReport(r: AuditResult): Generator<string> {
  const l = labels(r.lang);
  yield* header(r, l);
  yield* summary(r, l);
  yield* findings(r, l);
  yield* cases(r, l);
  yield* entities(r, l);
  yield* baseline(r, l);
  yield* suppressions(r, l);
  yield* skippedAndIssues(r, l);
  yield* inputsAndManifest(r, l);
}
