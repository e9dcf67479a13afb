/**
 * The terminal report (default format): inputs, summary by category × risk,
 * top entities, findings by rule with sample evidence, skipped rules and data
 * issues. Fits 100 columns, CJK counted double-width. Colour only when the
 * caller says so (a TTY without NO_COLOR).
 */
import Table from 'cli-table3';
import { Chalk, type ChalkInstance } from 'chalk';
import type { Severity } from '../../rules/model.js';
import { formatYuanGrouped } from '../../data/yuan.js';
import { displayRange, evidenceRef, tableFiles } from '../display.js';
import { formatPlace } from '../../data/provenance.js';
import { labels, pick, tableLabel, type Labels } from '../i18n.js';
import type { AuditResult, ReportFinding } from '../model.js';
import { printableDeep } from '../printable.js';
import { textWidth, truncate, wrapText } from '../width.js';

export interface TerminalOptions {
  color: boolean;
  /** Columns to fit (default 100). */
  width?: number;
  /** Evidence rows shown per finding. */
  evidenceSamples?: number;
  /** Data issues listed before "N more". */
  issueLimit?: number;
  /** Findings listed per rule before "N more" (the other formats list them all). */
  perRule?: number;
}

type Align = 'left' | 'right';

/** A bordered table fitted to `maxWidth`: the widest columns give way first, cells wrap. */
function fitTable(head: string[], rows: string[][], maxWidth: number, align: Align[] = []): string {
  const n = head.length;
  const natural = head.map((h, i) =>
    Math.max(textWidth(h), ...rows.map((r) => Math.max(0, ...(r[i] ?? '').split('\n').map(textWidth)))),
  );
  const widths = natural.map((w) => w + 2);
  // The longest word of a column: shrinking below it would cut rule ids and numbers mid-word.
  // CJK text may break between any two characters, so each CJK character is a word of its own.
  const words = (cell: string) => cell.split(/\s+|(?<=[\u2e80-\u9fff\uac00-\uffe6])|(?=[\u2e80-\u9fff\uac00-\uffe6])/u);
  const minimum = head.map((h, i) => Math.max(textWidth(h), ...rows.flatMap((r) => words(r[i] ?? '').map(textWidth))) + 2);
  const budget = maxWidth - (n + 1);
  while (widths.reduce((a, b) => a + b, 0) > budget) {
    // Take from the column with the most room above its longest word; then from the widest.
    const slack = widths.map((w, i) => w - minimum[i]);
    const most = Math.max(...slack);
    const pick = most > 0 ? slack.indexOf(most) : widths.indexOf(Math.max(...widths));
    if (widths[pick] <= 8) break;
    widths[pick]--;
  }
  const table = new Table({
    head,
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

function indent(lines: string[], prefix: string): string[] {
  return lines.map((l) => prefix + l);
}

function findingLines(f: ReportFinding, l: Labels, r: AuditResult, width: number, samples: number, c: ChalkInstance): string[] {
  const out: string[] = [];
  out.push(...wrapText(pick(f.message, r.lang), width - 6).map((x, i) => (i === 0 ? '  • ' : '    ') + x));
  const facts = [
    // A period entity repeats the period shown next to it.
    f.entity.kind === 'period' ? null : `${l.entityKinds[f.entity.kind]} ${f.entity.key}${f.entity.label ? ' ' + f.entity.label : ''}`,
    f.amount !== null ? `${l.amount} ${formatYuanGrouped(f.amount)}` : null,
    f.period ? `${l.period} ${f.period}` : null,
    f.baseline ? l.baselineStatus[f.baseline] : null,
  ].filter((x): x is string => x !== null);
  out.push(...wrapText(facts.join(' · '), width - 6).map((x) => '    ' + c.dim(x)));
  if (f.evidence.length > 0) {
    const shown = f.evidence.slice(0, samples).map(evidenceRef);
    const more = f.evidenceCount - shown.length;
    const text = `${l.evidence}: ${shown.join(', ')}${more > 0 ? ` (${l.evidenceMore(more)})` : ''}`;
    out.push(...wrapText(text, width - 6).map((x) => '    ' + x));
  }
  return out;
}

/** What every section renders with: the (printable) result, its labels, the options in force and the colours. */
interface Ctx {
  r: AuditResult;
  l: Labels;
  c: ChalkInstance;
  width: number;
  samples: number;
  issueLimit: number;
  perRule: number;
}

const heading = (x: Ctx, t: string) => x.c.bold(t);

function header(x: Ctx): string[] {
  const { r, l, c } = x;
  const out = [heading(x, l.reportTitle), `${l.generatedAt} ${r.generatedAt} · ${r.tool.name} ${r.tool.version} · ${r.revealed ? c.bold.red(l.revealed) : l.masked}`];
  if (r.baseline) out.push(l.baselineLine(r.baseline));
  return out;
}

function inputs(x: Ctx): string[] {
  const { r, l } = x;
  const i = r.inputs;
  const out = [
    heading(x, l.inputs),
    `  ${l.files} ${i.files} · ${l.tables} ${i.tables.length} · ${l.rows} ${i.rows}` +
      (i.rowsRejected ? ` · ${l.rowsRejected} ${i.rowsRejected}` : '') +
      ` · ${l.periodCovered} ${displayRange(i.period, l.none)} · ${l.dataIssues} ${i.dataIssues}`,
  ];
  if (i.tables.length > 0) {
    out.push(
      fitTable(
        [l.table, l.files, l.rows, l.periodCovered],
        i.tables.map((t) => [tableLabel(t, r.lang), tableFiles(t), String(t.rows), displayRange(t.period, '')]),
        x.width,
        ['left', 'right', 'right', 'left'],
      ),
    );
  }
  return out;
}

function summary(x: Ctx): string[] {
  const { r, l, c } = x;
  const s = r.summary;
  const out = [heading(x, l.summary), `  ${l.rulesLine(s.rulesRun, s.rulesWithFindings, s.rulesSkipped)}`];
  if (s.total.count === 0) return [...out, `  ${l.noFindings}`];
  const withBaseline = r.baseline !== null;
  const head = [l.category, l.risk, l.count, ...(withBaseline ? [l.newCount] : []), l.amountYuan];
  const rows = s.cells
    .filter((cell) => cell.count > 0)
    .map((cell) => [
      l.categories[cell.category],
      l.risks[cell.risk],
      String(cell.count),
      ...(withBaseline ? [String(cell.newCount)] : []),
      formatYuanGrouped(cell.amount),
    ]);
  rows.push([l.total, '', String(s.total.count), ...(withBaseline ? [String(s.total.newCount)] : []), formatYuanGrouped(s.total.amount)]);
  out.push(fitTable(head, rows, x.width, ['left', 'left', 'right', 'right', 'right']));
  out.push(
    '  ' +
      s.bySeverity
        .filter((y) => y.count > 0)
        .map((y) => severityColour(c, y.severity)(`${l.severities[y.severity]} ${y.count}`))
        .join(' · '),
  );
  return out;
}

function entities(x: Ctx): string[] {
  const { r, l } = x;
  if (r.entities.length === 0) return [];
  return [
    heading(x, l.topEntities),
    fitTable(
      [l.rank, l.entity, l.findings, l.score, l.amountShort, l.rules],
      r.entities.map((e) => [
        String(e.rank),
        // Key first (what to look up), then kind and name: keeps the column narrow.
        `${e.key}\n${l.entityKinds[e.kind]}${e.label ? ' ' + e.label : ''}`,
        String(e.findings),
        String(e.score),
        formatYuanGrouped(e.amount),
        e.rules.join(' '),
      ]),
      x.width,
      ['right', 'left', 'right', 'right', 'right', 'left'],
    ),
    '',
  ];
}

/** Findings by rule, in the order of the (sorted) findings. */
function findings(x: Ctx): string[] {
  const { r, l, c, width } = x;
  if (r.findings.length === 0) return [];
  const out = [heading(x, `${l.findings} (${r.findings.length})`)];
  const groups = new Map<string, ReportFinding[]>();
  for (const f of r.findings) {
    const g = groups.get(f.ruleId);
    if (g) g.push(f);
    else groups.set(f.ruleId, [f]);
  }
  for (const [ruleId, fs] of groups) {
    const f0 = fs[0];
    const total = fs.reduce((n, f) => n + (f.amount ?? 0), 0);
    const colour = severityColour(c, f0.severity);
    // Wrapped as plain text, then coloured: escape codes would throw the width off.
    const tag = `[${l.severities[f0.severity]}]`;
    const title = wrapText(`${tag} ${ruleId} ${pick(f0.title, r.lang)}`, width);
    title[0] = colour(tag) + ' ' + c.bold(ruleId) + title[0].slice(tag.length + 1 + ruleId.length);
    out.push(...title);
    const facts = `${l.categories[f0.category]}/${l.risks[f0.risk]} · ${l.count} ${fs.length} · ${l.amount} ${formatYuanGrouped(total)}`;
    out.push(...wrapText(facts, width - 2).map((y) => '  ' + c.dim(y)));
    for (const f of fs.slice(0, x.perRule)) out.push(...findingLines(f, l, r, width, x.samples, c));
    if (fs.length > x.perRule) out.push(`  … ${l.moreFindings(fs.length - x.perRule)}`);
    out.push('');
  }
  return out;
}

function skipped(x: Ctx): string[] {
  const { r, l } = x;
  if (r.skipped.length === 0) return [];
  const out = [heading(x, `${l.skipped} (${r.skipped.length})`)];
  for (const sk of r.skipped) out.push(...indent(wrapText(`${sk.ruleId}: ${sk.reason}`, x.width - 2), '  '));
  return [...out, ''];
}

function dataIssues(x: Ctx): string[] {
  const { r, l, c } = x;
  const d = r.dataIssues;
  if (d.total === 0) return [];
  const out = [heading(x, `${l.dataIssues} (${d.total}: ${l.levels.error} ${d.errors}, ${l.levels.warning} ${d.warnings})`)];
  for (const issue of d.issues.slice(0, x.issueLimit)) {
    const where = `${formatPlace(issue)}${issue.column ? ` [${issue.column}]` : ''}`;
    const value = issue.value !== undefined ? ` "${truncate(issue.value, 30)}"` : '';
    const lines = wrapText(`${where}${value} ${issue.reason}`, x.width - 4);
    out.push(`  ${issue.level === 'error' ? c.red('✗') : c.yellow('!')} ${lines[0]}`, ...indent(lines.slice(1), '    '));
  }
  if (d.total > x.issueLimit) out.push(`  … ${l.moreItems(d.total - x.issueLimit)}`);
  return [...out, ''];
}

/** Renders the terminal report. */
export function formatTerminal(result: AuditResult, opts: TerminalOptions): string {
  const r = printableDeep(result);
  const x: Ctx = {
    r,
    l: labels(r.lang),
    c: new Chalk({ level: opts.color ? 1 : 0 }),
    width: opts.width ?? 100,
    samples: opts.evidenceSamples ?? 3,
    issueLimit: opts.issueLimit ?? 10,
    perRule: opts.perRule ?? 10,
  };
  const out = [...header(x), '', ...inputs(x), '', ...summary(x), '', ...entities(x), ...findings(x), ...skipped(x), ...dataIssues(x)];
  return out.join('\n').replace(/\n+$/, '') + '\n';
}
