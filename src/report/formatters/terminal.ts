/**
 * The terminal report (default format), read top down on a screen: what ran,
 * the summary, then the findings by rule most severe first (each rule's first
 * `top` findings, the rest summarised with a count and their money), cases,
 * top entities, baseline and suppressions, rules not run, data issues grouped
 * by kind, the inputs, and a one-line recap at the end. Fits the given width
 * (the terminal's, else 100 columns), CJK counted double-width. Colour only
 * when the caller says so. Written in pieces (see stream.ts).
 */
import Table from 'cli-table3';
import { Chalk, type ChalkInstance } from 'chalk';
import type { Severity } from '../../rules/model.js';
import { formatPlace } from '../../data/provenance.js';
import { byRule, displayRange, entityText, evidenceRef, money, tableFiles, suppressionLists } from '../display.js';
import { labels, pick, tableLabel, type Labels } from '../i18n.js';
import type { AuditResult, ReportFinding, Suppression } from '../model.js';
import { printable, printableDeep } from '../printable.js';
import { displayTime } from '../time.js';
import { textWidth, wrapText } from '../width.js';
import { firstEvidenceRows } from '../../engine/finding.js';

export interface TerminalOptions {
  color: boolean;
  /** Columns to fit (default 100). */
  width?: number;
  /** Evidence rows shown per finding. */
  evidenceSamples?: number;
  /** Data issue kinds listed before "N more". */
  issueLimit?: number;
  /** Findings listed per rule (and entities, resolved and suppressed findings listed) before "N more"; the other formats list them all. */
  top?: number;
}

type Align = 'left' | 'right';

/** The narrowest a report is laid out for; a narrower terminal wraps it. */
const MIN_WIDTH = 60;

/** A bordered table fitted to `maxWidth`: the widest columns give way first, cells wrap. */
function fitTable(head: string[], rows: string[][], maxWidth: number, align: Align[] = []): string {
  const n = head.length;
  const natural = head.map((h, i) => Math.max(textWidth(h), ...rows.map((r) => Math.max(0, ...(r[i] ?? '').split('\n').map(textWidth)))));
  const widths = natural.map((w) => w + 2);
  // The longest word of a column: shrinking below it would cut rule ids and numbers mid-word.
  // CJK text may break between any two characters, so each CJK character is a word of its own.
  const words = (cell: string) => cell.split(/\s+|(?<=[\u2e80-\u9fff\uac00-\uffe6])|(?=[\u2e80-\u9fff\uac00-\uffe6])/u);
  const minimum = head.map((h, i) => Math.max(...h.split(/\s+/).map(textWidth), ...rows.flatMap((r) => words(r[i] ?? '').map(textWidth))) + 2);
  const budget = maxWidth - (n + 1);
  while (widths.reduce((a, b) => a + b, 0) > budget) {
    // Take from the column with the most room above its longest word; then from the widest.
    const slack = widths.map((w, i) => w - minimum[i]);
    const most = Math.max(...slack);
    const pick = most > 0 ? slack.indexOf(most) : widths.indexOf(Math.max(...widths));
    if (widths[pick] <= 6) break;
    widths[pick]--;
  }
  const table = new Table({
    head: head.map((h, i) => wrapText(h, widths[i] - 2).join('\n')),
    colWidths: widths,
    colAligns: head.map((_, i) => align[i] ?? 'left'),
    style: { head: [], border: [], 'padding-left': 1, 'padding-right': 1, compact: true },
    wordWrap: false,
  });
  for (const r of rows) table.push(r.map((cell, i) => wrapText(cell ?? '', widths[i] - 2).join('\n')));
  return table.toString();
}

function severityColour(c: ChalkInstance, s: Severity): (t: string) => string {
  switch (s) {
    case 'critical':
      return (t) => c.bold.red(t);
    case 'high':
      return (t) => c.red(t);
    case 'medium':
      return (t) => c.yellow(t);
    case 'low':
      return (t) => c.cyan(t);
    default:
      return (t) => c.dim(t);
  }
}

/** What every section renders with: the result, its labels, the options in force and the colours. */
interface Ctx {
  r: AuditResult;
  l: Labels;
  c: ChalkInstance;
  width: number;
  samples: number;
  issueLimit: number;
  top: number;
}

/** Text wrapped to the width less the indent, each line indented. */
function para(x: Ctx, text: string, indent = '  ', rest = indent): string[] {
  return wrapText(printable(text), x.width - Math.max(textWidth(indent), textWidth(rest))).map((line, i) => (i === 0 ? indent : rest) + line);
}

const heading = (x: Ctx, t: string) => x.c.bold(printable(t));

function* header(x: Ctx): Generator<string> {
  const { r, l, c } = x;
  yield heading(x, l.reportTitle) + '\n';
  for (const line of para(x, `${l.generatedAt} ${displayTime(r.generatedAt, r.timeZone)} · ${r.tool.name} ${r.tool.version}`, '')) yield line + '\n';
  yield (r.revealed ? c.bold.red(l.revealed) : l.masked) + '\n';
  const run = para(x, l.runLine(r.run), '');
  yield (r.run.skipped + r.run.failed > 0 ? run.map((t) => c.yellow(t)) : run).join('\n') + '\n';
  if (r.baseline) for (const line of para(x, l.baselineLine({ ...r.baseline, resolved: r.baseline.resolved.length }), '')) yield line + '\n';
  if (r.suppressions) {
    const s = r.suppressions;
    for (const line of para(x, l.suppressionsLine({ file: s.file, entries: s.entries, suppressed: s.suppressed.length, expired: s.expired.length, unmatched: s.unmatched.length }), '')) yield line + '\n';
  }
  yield '\n';
}

function* summary(x: Ctx): Generator<string> {
  const { r, l, c } = x;
  const s = r.summary;
  yield heading(x, l.summary) + '\n';
  if (s.total.count === 0) {
    yield para(x, r.run.skipped + r.run.failed > 0 ? l.noFindingsOfRun(r.run) : l.noFindings).join('\n') + '\n\n';
    return;
  }
  const withBaseline = r.baseline !== null;
  const head = [l.category, l.risk, l.count, ...(withBaseline ? [l.newCount] : []), l.amountYuan];
  const rows = s.cells
    .filter((cell) => cell.count > 0)
    .map((cell) => [l.categories[cell.category], l.risks[cell.risk], String(cell.count), ...(withBaseline ? [String(cell.newCount)] : []), money(cell.amount)]);
  rows.push([l.total, '', String(s.total.count), ...(withBaseline ? [String(s.total.newCount)] : []), money(s.total.amount)]);
  yield fitTable(head, rows, x.width, ['left', 'left', 'right', 'right', 'right']) + '\n';
  yield '  ' +
    s.bySeverity
      .filter((y) => y.count > 0)
      .map((y) => severityColour(c, y.severity)(`${l.severities[y.severity]} ${y.count}`))
      .join(' · ') +
    '\n';
  yield para(x, l.countingNote(s.total.findingsAmount)).map((t) => c.dim(t)).join('\n') + '\n\n';
}

function* findingLines(x: Ctx, raw: ReportFinding): Generator<string> {
  const { l, r, c, width } = x;
  const f = printableDeep(raw);
  yield* wrapText(pick(f.message, r.lang), width - 4).map((t, i) => (i === 0 ? '  • ' : '    ') + t + '\n');
  const facts = [
    // A period entity repeats the period shown next to it.
    f.entity.kind === 'period' ? null : entityText(f, l),
    f.amount !== null ? `${l.amount} ${money(f.amount)}` : null,
    f.period ? `${l.period} ${f.period}` : null,
    f.baseline ? l.baselineStatus[f.baseline] : null,
    f.case ? `${l.caseLabel} ${f.case}` : null,
  ].filter((t): t is string => t !== null);
  yield* wrapText(facts.join(' · '), width - 4).map((t) => '    ' + c.dim(t) + '\n');
  if (f.evidenceCount > 0) {
    const shown = firstEvidenceRows(f, x.samples).map(evidenceRef);
    const more = f.evidenceCount - shown.length;
    const text = `${l.evidence}: ${shown.join(', ')}${more > 0 ? ` (${l.evidenceMore(more)})` : ''}`;
    yield* wrapText(text, width - 4).map((t) => '    ' + t + '\n');
  }
}

/** Findings by rule, most severe rules first (the findings' order), each rule's first `top` listed. */
function* findings(x: Ctx): Generator<string> {
  const { r, l, c, width } = x;
  if (r.findings.length === 0) return;
  yield heading(x, `${l.findings} (${r.findings.length})`) + '\n';
  for (const [ruleId, fs] of byRule(r.findings)) {
    const f0 = fs[0];
    const total = fs.reduce((n, f) => n + (f.amount ?? 0), 0);
    const colour = severityColour(c, f0.severity);
    // Wrapped as plain text, then coloured: escape codes would throw the width off.
    const tag = `[${l.severities[f0.severity]}]`;
    const title = wrapText(printable(`${tag} ${ruleId} ${pick(f0.title, r.lang)}`), width);
    title[0] = colour(tag) + ' ' + c.bold(printable(ruleId)) + title[0].slice(tag.length + 1 + printable(ruleId).length);
    yield title.join('\n') + '\n';
    const facts = `${l.categories[f0.category]}/${l.risks[f0.risk]} · ${l.count} ${fs.length} · ${l.amount} ${money(total)}`;
    yield wrapText(facts, width - 2).map((t) => '  ' + c.dim(t)).join('\n') + '\n';
    for (const f of fs.slice(0, x.top)) yield* findingLines(x, f);
    if (fs.length > x.top) {
      const rest = fs.slice(x.top).reduce((n, f) => n + (f.amount ?? 0), 0);
      yield para(x, `… ${l.moreOfRule(fs.length - x.top, rest)}`).join('\n') + '\n';
    }
    yield '\n';
  }
}

function* cases(x: Ctx): Generator<string> {
  const { r, l } = x;
  if (r.cases.length === 0) return;
  yield heading(x, `${l.cases} (${r.cases.length})`) + '\n';
  const byFingerprint = new Map(r.findings.map((f) => [f.fingerprint, f]));
  for (const k of r.cases.slice(0, x.top)) {
    yield para(x, l.caseLine({ id: k.id, findings: k.findings.length, amount: k.amount, findingsAmount: k.findingsAmount })).join('\n') + '\n';
    for (const fp of k.findings) {
      const f = byFingerprint.get(fp);
      if (f) yield para(x, `${f.ruleId} · ${entityText(f, l)}${f.amount !== null ? ` · ${money(f.amount)}` : ''}`, '    - ', '      ').join('\n') + '\n';
    }
  }
  if (r.cases.length > x.top) yield `  … ${l.moreItems(r.cases.length - x.top)}\n`;
  yield '\n';
}

function* entities(x: Ctx): Generator<string> {
  const { r, l } = x;
  if (r.entities.length === 0) return;
  const shown = r.entities.slice(0, x.top);
  yield heading(x, l.topEntities) + '\n';
  yield fitTable(
    [l.rank, l.entity, l.findings, l.score, l.amountShort, l.rules],
    shown.map((e) => [
      String(e.rank),
      // Key first (what to look up), then kind and name: keeps the column narrow.
      printable(`${e.key}\n${l.entityKinds[e.kind]}${e.label ? ' ' + e.label : ''}`),
      String(e.findings),
      String(e.score),
      money(e.amount),
      e.rules.join(' '),
    ]),
    x.width,
    ['right', 'left', 'right', 'right', 'right', 'left'],
  ) + '\n';
  if (r.entities.length > shown.length) yield `  … ${l.moreItems(r.entities.length - shown.length)}\n`;
  yield '\n';
}

function* baseline(x: Ctx): Generator<string> {
  const { r, l } = x;
  if (!r.baseline) return;
  const fresh = r.findings.filter((f) => f.baseline === 'new');
  if (fresh.length > 0) {
    yield heading(x, `${l.newFindings} (${fresh.length})`) + '\n';
    for (const f of fresh.slice(0, x.top)) yield para(x, `[${l.severities[f.severity]}] ${f.ruleId} · ${entityText(f, l)}${f.period ? ` · ${f.period}` : ''}${f.amount !== null ? ` · ${money(f.amount)}` : ''}`, '  - ', '    ').join('\n') + '\n';
    if (fresh.length > x.top) yield `  … ${l.moreItems(fresh.length - x.top)}\n`;
    yield '\n';
  }
  const gone = r.baseline.resolved;
  if (gone.length === 0) return;
  yield heading(x, `${l.resolvedFindings} (${gone.length})`) + '\n';
  for (const f of gone.slice(0, x.top)) {
    const who = f.entity ? `${l.entityKinds[f.entity.kind] ?? f.entity.kind} ${f.entity.key}${f.entity.label ? ' ' + f.entity.label : ''}` : '';
    yield para(x, [f.severity ? `[${l.severities[f.severity]}] ${f.ruleId}` : f.ruleId, who, f.period, f.amount !== null ? money(f.amount) : null].filter(Boolean).join(' · '), '  - ', '    ').join('\n') + '\n';
  }
  if (gone.length > x.top) yield `  … ${l.moreItems(gone.length - x.top)}\n`;
  yield '\n';
}

function suppressionText(l: Labels, s: Suppression): string {
  const what = s.fingerprint ?? [s.rule, s.entity, s.period].filter(Boolean).join(' · ');
  return `${what} — ${l.suppressionReason}: ${s.reason} · ${l.approver}: ${s.approver} · ${l.expires}: ${s.expires} (line ${s.line})`;
}

function* suppressions(x: Ctx): Generator<string> {
  const { r, l, c } = x;
  const s = r.suppressions;
  if (!s) return;
  if (s.suppressed.length > 0) {
    yield heading(x, `${l.suppressed} (${s.suppressed.length})`) + '\n';
    for (const f of s.suppressed.slice(0, x.top)) {
      yield para(x, `[${l.severities[f.severity]}] ${f.ruleId} · ${entityText(f, l)}${f.amount !== null ? ` · ${money(f.amount)}` : ''}`, '  - ', '    ').join('\n') + '\n';
      yield para(x, `${l.suppressionReason}: ${f.suppression.reason} · ${l.approver}: ${f.suppression.approver} · ${l.expires}: ${f.suppression.expires}`, '    ').map((t) => c.dim(t)).join('\n') + '\n';
    }
    if (s.suppressed.length > x.top) yield `  … ${l.moreItems(s.suppressed.length - x.top)}\n`;
    yield '\n';
  }
  for (const [title, list] of suppressionLists(s, l)) {
    yield c.yellow(heading(x, `${title} (${list.length})`)) + '\n';
    for (const e of list) yield para(x, suppressionText(l, e), '  - ', '    ').join('\n') + '\n';
    yield '\n';
  }
}

function* skipped(x: Ctx): Generator<string> {
  const { r, l } = x;
  if (r.skipped.length === 0) return;
  yield heading(x, `${l.skipped} (${r.skipped.length})`) + '\n';
  for (const sk of r.skipped) yield para(x, `${sk.ruleId}${sk.code === 'error' ? ` (${l.failed})` : ''}: ${sk.reason}`, '  ', '    ').join('\n') + '\n';
  yield '\n';
}

/** Data issues grouped by kind: the count, the first issue's reason and the first places. */
function* dataIssues(x: Ctx): Generator<string> {
  const { r, l, c } = x;
  const d = r.dataIssues;
  if (d.total === 0) return;
  yield heading(x, `${l.dataIssues} (${d.total}: ${l.levels.error} ${d.errors}, ${l.levels.warning} ${d.warnings})`) + '\n';
  for (const g of d.groups.slice(0, x.issueLimit)) {
    const mark = g.level === 'error' ? c.red('✗') : c.yellow('!');
    const places = g.first.map((p) => `${formatPlace(p)}${p.column ? ` [${p.column}]` : ''}`).join(', ');
    const more = g.count > g.first.length ? ` … ${l.moreItems(g.count - g.first.length)}` : '';
    const lines = para(x, `${g.code} ${l.dataIssueGroup(g)}: ${g.reason}`, '    ');
    yield `  ${mark} ${lines[0].slice(4)}\n`;
    for (const line of lines.slice(1)) yield `${line}\n`;
    yield para(x, `${places}${more}`, '    ').map((t) => c.dim(t)).join('\n') + '\n';
  }
  if (d.groups.length > x.issueLimit) yield `  … ${l.moreItems(d.groups.length - x.issueLimit)}\n`;
  yield '\n';
}

function* inputs(x: Ctx): Generator<string> {
  const { r, l } = x;
  const i = r.inputs;
  yield heading(x, l.inputs) + '\n';
  yield para(
    x,
    `${l.files} ${i.files} · ${l.tables} ${i.tables.length} · ${l.rows} ${i.rows}` +
      (i.rowsRejected ? ` · ${l.rowsRejected} ${i.rowsRejected}` : '') +
      ` · ${l.periodCovered} ${displayRange(i.period, l.none)} · ${l.dataIssues} ${i.dataIssues}`,
  ).join('\n') + '\n';
  if (i.tables.length > 0) {
    yield fitTable(
      [l.table, l.files, l.rows, l.periodCovered],
      i.tables.map((t) => [tableLabel(t, r.lang), printable(tableFiles(t)), String(t.rows), displayRange(t.period, '')]),
      x.width,
      ['left', 'right', 'right', 'left'],
    ) + '\n';
  }
  yield '\n';
}

/** The terminal report, in pieces. */
export function* terminalReport(r: AuditResult, opts: TerminalOptions): Generator<string> {
  const x: Ctx = {
    r,
    l: labels(r.lang),
    c: new Chalk({ level: opts.color ? 1 : 0 }),
    width: Math.max(MIN_WIDTH, opts.width ?? 100),
    samples: opts.evidenceSamples ?? 3,
    issueLimit: opts.issueLimit ?? 10,
    top: Math.max(1, opts.top ?? 10),
  };
  yield* header(x);
  yield* summary(x);
  yield* findings(x);
  yield* cases(x);
  yield* entities(x);
  yield* baseline(x);
  yield* suppressions(x);
  yield* skipped(x);
  yield* dataIssues(x);
  yield* inputs(x);
  yield para(x, x.l.recap(r.run, r.findings.length, r.summary.total.amount), '').map((t) => x.c.bold(t)).join('\n') + '\n';
}

/** Where the report's column count comes from: a terminal's width, else 100. */
export function terminalWidth(stream: { isTTY?: boolean; columns?: number }): number {
  return stream.isTTY && stream.columns ? stream.columns : 100;
}
