/**
 * The html format: ONE self-contained page for the working papers. Inline CSS,
 * inline JS and inline SVG only; a Content-Security-Policy forbids any network
 * access. All text is escaped. Shows what ran, the summary with a chart of
 * money at risk by category × risk coloured by severity, the findings in a
 * table sortable by its headers (amounts largest first on the first click),
 * each with its evidence, cases, the entity ranking, baseline changes,
 * suppressed findings, rules not run, data issues and the manifest.
 *
 * Read on a screen at any width (at phone width the findings become cards and
 * wide tables scroll on their own) and printed on A4 with every finding's
 * evidence shown: a printed working paper must carry the rows that prove it.
 * scripts/check-html.sh renders it in headless Chromium at three widths and
 * prints it to PDF. Written in pieces (see stream.ts).
 */
import { SEVERITIES } from '../../rules/model.js';
import { columnValue, displayRange, entityText, evidenceRef, money, tableFiles, suppressionLists } from '../display.js';
import { formatPlace, sourceLabel } from '../../data/provenance.js';
import { columnLabel, labels, pick, tableLabel, tableName, type Labels } from '../i18n.js';
import type { AuditResult, ReportFinding, Suppression } from '../model.js';
import { displayTime } from '../time.js';
import { everyEvidenceRow, evidenceRowCount } from '../../engine/finding.js';

/** Data issues listed one by one before "N more" (all of them are in the json and csv formats). */
const ISSUE_LIMIT = 500;

/** Escapes text for HTML element content and attribute values. */
export function esc(s: string | number | null | undefined): string {
  return String(s ?? '').replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/** The severity colours of the chips, the chart and the legend, most severe first. */
export const SEVERITY_COLOURS: Record<(typeof SEVERITIES)[number], string> = {
  critical: '#82071e',
  high: '#cf222e',
  medium: '#bf8700',
  low: '#0969da',
  info: '#6e7781',
};

const CSS = `
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{font-family:"Noto Sans CJK SC","Microsoft YaHei","PingFang SC",system-ui,sans-serif;margin:0 auto;padding:24px 32px;max-width:1400px;color:#1f2328;background:#fff;font-size:14px;line-height:1.5}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #d0d7de;padding-bottom:4px}h3{font-size:15px;margin:16px 0 6px}
.meta{color:#59636e}.banner{padding:6px 10px;border-radius:4px;margin:8px 0;display:inline-block}
.masked{background:#ddf4ff}.revealed{background:#ffebe9;color:#82071e;font-weight:bold}.warn{background:#fff8c5;padding:4px 8px;border-radius:4px}
.scroll{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;margin:6px 0}th,td{border:1px solid #d0d7de;padding:4px 8px;vertical-align:top;text-align:left}
th{background:#f6f8fa;white-space:nowrap;word-break:keep-all}td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.nowrap,td.sevc{white-space:nowrap;word-break:keep-all}td.msg{min-width:18em}td.rule{min-width:12em}td.key{overflow-wrap:anywhere;min-width:8em}
table.sortable th{cursor:pointer;user-select:none}table.sortable th[aria-sort=ascending]::after{content:" ▲"}table.sortable th[aria-sort=descending]::after{content:" ▼"}
.sev{font-weight:bold;padding:0 6px;border-radius:3px;white-space:nowrap;color:#fff;-webkit-print-color-adjust:exact;print-color-adjust:exact}
${SEVERITIES.map((s) => `.sev-${s}{background:${SEVERITY_COLOURS[s]}}`).join('')}
code{font-size:12px;overflow-wrap:anywhere}code.hash{word-break:break-all}.hint{color:#59636e;font-size:12px}
button.ev-toggle{font:inherit;font-size:12px;color:#0969da;background:none;border:0;padding:2px 0;cursor:pointer;text-align:left}
.ev{margin-top:4px}.ev table{font-size:12px;margin:2px 0}.ev td{padding:2px 6px}
body.js .ev:not(.open){display:none}
svg text{font-family:inherit;font-size:12px}figure{margin:8px 0 16px}svg{max-width:100%;height:auto}
.legend span{display:inline-block;margin-right:12px;font-size:12px}.legend i{display:inline-block;width:10px;height:10px;margin-right:4px;vertical-align:middle;-webkit-print-color-adjust:exact;print-color-adjust:exact}
@media (max-width:640px){
  body{padding:12px;font-size:15px}
  h1{font-size:19px}
  table.cards,table.cards>tbody,table.cards>tbody>tr,table.cards>tbody>tr>td{display:block;width:100%}
  table.cards>thead{display:none}
  table.cards>tbody>tr{border:1px solid #d0d7de;border-radius:6px;margin:0 0 10px;padding:6px 8px}
  table.cards>tbody>tr>td{border:0;padding:2px 0;text-align:left;white-space:normal;min-width:0}
  table.cards>tbody>tr>td[data-label]::before{content:attr(data-label) "： ";color:#59636e;font-weight:bold}
  .ev .scroll{overflow-x:auto}
  figure.chart{overflow-x:auto}figure.chart svg{max-width:none}
}
@page{size:A4;margin:14mm 12mm}
@media print{
  body{padding:0;max-width:none;font-size:9pt}
  h2{break-after:avoid;page-break-after:avoid}
  .scroll{overflow:visible}
  table{width:100%}tr{break-inside:avoid;page-break-inside:avoid}thead{display:table-header-group}
  td.msg{min-width:0}
  table.cards,table.cards>tbody{display:block;width:auto}
  table.cards>thead{display:none}
  table.cards>tbody>tr{display:block;border:1px solid #d0d7de;margin:0 0 6px;padding:3px 6px;break-inside:auto;page-break-inside:auto}
  table.cards>tbody>tr>td{display:inline-block;border:0;padding:1px 0;margin-right:1.4em;min-width:0;vertical-align:baseline}
  table.cards>tbody>tr>td.rule,table.cards>tbody>tr>td.msg{display:block;margin-right:0}
  table.cards>tbody>tr>td[data-label]:not(.sevc):not(.rule):not(.msg)::before{content:attr(data-label) "： ";color:#59636e}
  .ev,body.js .ev:not(.open){display:block!important}
  button.ev-toggle,.hint.screen{display:none}
  .ev table{width:100%;font-size:7pt}.ev tr{break-inside:avoid}
  .ev td:first-child,.ev td:nth-child(2){white-space:nowrap;width:1%}
  figure{break-inside:avoid}
}
`;

// Sorts tables by the clicked header (numbers and severities largest first on the first click), and folds
// each finding's evidence under a button on screen. Printing shows every evidence table (see the CSS).
const SCRIPT = `
(function(){
  window.addEventListener('error', function(){ document.body.setAttribute('data-js-error','1'); });
  document.body.classList.add('js');
  document.querySelectorAll('button.ev-toggle').forEach(function(b){
    b.addEventListener('click', function(){
      var ev = document.getElementById(b.getAttribute('aria-controls'));
      var open = ev.classList.toggle('open');
      b.setAttribute('aria-expanded', open ? 'true' : 'false');
    });
  });
  document.querySelectorAll('table.sortable').forEach(function(table){
    var heads = table.querySelectorAll('thead th');
    heads.forEach(function(th, col){
      th.setAttribute('tabindex', '0');
      function sort(){
        var numeric = th.getAttribute('data-type') === 'num';
        var current = th.getAttribute('aria-sort');
        // Numbers start largest first: the biggest amount is what an auditor looks for.
        var desc = current ? current === 'ascending' : numeric;
        heads.forEach(function(h){ h.removeAttribute('aria-sort'); });
        th.setAttribute('aria-sort', desc ? 'descending' : 'ascending');
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function(a, b){
          var x = a.cells[col].getAttribute('data-sort'); if (x === null) x = a.cells[col].textContent;
          var y = b.cells[col].getAttribute('data-sort'); if (y === null) y = b.cells[col].textContent;
          var d = numeric ? (parseFloat(x) || 0) - (parseFloat(y) || 0) : x.localeCompare(y);
          return desc ? -d : d;
        });
        rows.forEach(function(r){ body.appendChild(r); });
      }
      th.addEventListener('click', sort);
      th.addEventListener('keydown', function(e){ if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); sort(); } });
    });
  });
  document.body.setAttribute('data-ready','1');
})();
`;

type Head = string | [string, 'num'];

function thead(head: Head[]): string {
  return head.map((h) => (Array.isArray(h) ? `<th class="num" data-type="num">${esc(h[0])}</th>` : `<th>${esc(h)}</th>`)).join('');
}

/** A table in a horizontally scrolling box, its rows as they come. */
function* table(head: Head[], rows: Iterable<string[]>, cls = ''): Generator<string> {
  yield `<div class="scroll"><table${cls ? ` class="${cls}"` : ''}><thead><tr>${thead(head)}</tr></thead><tbody>\n`;
  for (const r of rows) yield `<tr>${r.join('')}</tr>\n`;
  yield `</tbody></table></div>\n`;
}

const td = (s: string | number | null | undefined, cls = '') => `<td${cls ? ` class="${cls}"` : ''}>${esc(s)}</td>`;
const tdNum = (text: string, sort: number) => `<td class="num" data-sort="${sort}">${esc(text)}</td>`;
/** A cell of a card-like table: its header shown before it at phone width. */
const cell = (label: string, html: string, cls = '', sort?: string | number) =>
  `<td data-label="${esc(label)}"${cls ? ` class="${cls}"` : ''}${sort !== undefined ? ` data-sort="${esc(sort)}"` : ''}>${html}</td>`;

/** Stacked horizontal bars: money at risk (counted once) of every non-empty category × risk cell, a segment per severity. */
function chart(r: AuditResult, l: Labels): string {
  const cells = r.summary.cells.filter((c) => c.count > 0);
  const max = Math.max(0, ...cells.map((c) => c.amount));
  const barH = 22;
  const labelW = 150;
  const plotW = 460;
  const width = labelW + plotW + 170;
  const h = Math.max(1, cells.length) * (barH + 8) + 36;
  const bars = cells
    .map((c, i) => {
      const y = 28 + i * (barH + 8);
      const name = `${l.categories[c.category]} · ${l.risks[c.risk]}`;
      let x = labelW;
      const segments = c.bySeverity
        .filter((s) => s.amount > 0)
        .map((s) => {
          const w = max > 0 ? Math.max(1, (s.amount / max) * plotW) : 0;
          const rect =
            `<rect class="seg sev-${s.severity}" x="${x.toFixed(1)}" y="${y}" width="${w.toFixed(1)}" height="${barH}" fill="${SEVERITY_COLOURS[s.severity]}">` +
            `<title>${esc(`${name} · ${l.severities[s.severity]}: ${money(s.amount)}`)}</title></rect>`;
          x += w;
          return rect;
        })
        .join('');
      return (
        `<g class="bar"><text x="${labelW - 8}" y="${y + 15}" text-anchor="end">${esc(name)}</text>${segments}` +
        `<text x="${(x + 6).toFixed(1)}" y="${y + 15}">${esc(`${money(c.amount)} (${c.count})`)}</text></g>`
      );
    })
    .join('\n');
  const empty = cells.length === 0 ? `<text x="${labelW}" y="45">${esc(l.noFindings)}</text>` : '';
  const legend = SEVERITIES.slice()
    .reverse()
    .map((s) => `<span><i style="background:${SEVERITY_COLOURS[s]}"></i>${esc(l.severities[s])}</span>`)
    .join('');
  return (
    `<figure class="chart"><svg id="risk-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${h}" width="${width}" height="${h}" role="img" aria-label="${esc(l.chartTitle)}">` +
    `<text x="0" y="16" font-weight="bold">${esc(l.chartTitle)}</text>\n${bars}${empty}</svg>` +
    `<figcaption class="legend">${legend}</figcaption></figure>`
  );
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/** Observed share per digit as bars, Benford's expected share as a line with dots. */
function digitChart(f: ReportFinding, l: Labels, lang: AuditResult['lang']): string {
  const d = f.digits!;
  const barW = d.test === 'first' ? 40 : 8;
  const plotH = 160;
  const left = 40;
  const top = 30;
  const max = Math.max(...d.bars.map((b) => Math.max(b.observed, b.expected)));
  const y = (v: number) => top + plotH - (max > 0 ? (v / max) * plotH : 0);
  const width = left + d.bars.length * barW + 20;
  const bars = d.bars
    .map((b, i) => {
      const x = left + i * barW;
      const label = d.test === 'first' || b.digit % 10 === 0 ? `<text x="${x + barW / 2}" y="${top + plotH + 14}" text-anchor="middle">${b.digit}</text>` : '';
      return (
        `<rect x="${x + 1}" y="${y(b.observed).toFixed(1)}" width="${barW - 2}" height="${(top + plotH - y(b.observed)).toFixed(1)}" fill="#0969da" opacity="0.75">` +
        `<title>${esc(`${b.digit}: ${l.observed} ${pct(b.observed)} (${b.count}), ${l.expected} ${pct(b.expected)}`)}</title></rect>${label}`
      );
    })
    .join('');
  const line = d.bars.map((b, i) => `${(left + i * barW + barW / 2).toFixed(1)},${y(b.expected).toFixed(1)}`).join(' ');
  const who = `${f.ruleId} · ${entityText(f, l)} · n=${d.n}`;
  return (
    `<figure class="digits"><svg class="digit-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${top + plotH + 24}" width="${width}" height="${top + plotH + 24}" role="img" aria-label="${esc(who)}">` +
    `<text x="0" y="14" font-weight="bold">${esc(who)}</text>${bars}` +
    `<polyline points="${line}" fill="none" stroke="#1f2328" stroke-width="1.5"/>` +
    d.bars.map((b, i) => `<circle cx="${(left + i * barW + barW / 2).toFixed(1)}" cy="${y(b.expected).toFixed(1)}" r="2.5" fill="#1f2328"/>`).join('') +
    `<line x1="${left}" y1="${top + plotH}" x2="${width - 10}" y2="${top + plotH}" stroke="#8c959f"/>` +
    `<text x="${left - 4}" y="${top + 4}" text-anchor="end">${esc(pct(max))}</text><text x="${left - 4}" y="${top + plotH}" text-anchor="end">0</text></svg>` +
    `<figcaption class="hint">${esc(`${l.observed}: ▮ · ${l.expected}: ●—● · ${pick(f.message, lang)}`)}</figcaption></figure>`
  );
}

function* head(r: AuditResult, l: Labels): Generator<string> {
  yield `<!DOCTYPE html>\n<html lang="${r.lang === 'en' ? 'en' : 'zh-CN'}"><head><meta charset="utf-8">\n`;
  yield `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">\n`;
  yield `<meta name="viewport" content="width=device-width, initial-scale=1">\n`;
  yield `<title>${esc(l.reportTitle)}</title><style>${CSS}</style></head><body>\n`;
  yield `<h1>${esc(l.reportTitle)}</h1>\n`;
  yield `<p class="run${r.run.skipped + r.run.failed > 0 ? ' warn' : ''}">${esc(l.runLine(r.run))}</p>\n`;
  yield `<div class="meta">${esc(l.generatedAt)} ${esc(displayTime(r.generatedAt, r.timeZone))} · ${esc(`${r.tool.name} ${r.tool.version}`)}</div>\n`;
  yield `<div class="banner ${r.revealed ? 'revealed' : 'masked'}">${esc(r.revealed ? l.revealed : l.masked)}</div>\n`;
  if (r.baseline) yield `<p>${esc(l.baselineLine({ ...r.baseline, resolved: r.baseline.resolved.length }))}</p>\n`;
  const s = r.suppressions;
  if (s) yield `<p>${esc(l.suppressionsLine({ file: s.file, entries: s.entries, suppressed: s.suppressed.length, expired: s.expired.length, unmatched: s.unmatched.length }))}</p>\n`;
}

/** Category rows × risk columns, each cell "count / yuan", then the severities, how totals are counted, and the chart. */
function* summary(r: AuditResult, l: Labels): Generator<string> {
  const s = r.summary;
  yield `<h2>${esc(l.summary)}</h2>\n`;
  if (s.total.count === 0) yield `<p>${esc(r.run.skipped + r.run.failed > 0 ? l.noFindingsOfRun(r.run) : l.noFindings)}</p>\n`;
  const risks = s.byRisk.map((x) => x.risk);
  const matrix = s.byCategory.map((cat) => [
    `<th>${esc(l.categories[cat.category])}</th>`,
    ...risks.map((risk) => {
      const c = s.cells.find((x) => x.category === cat.category && x.risk === risk)!;
      return tdNum(c.count ? `${c.count} / ${money(c.amount)}` : '', c.amount);
    }),
    tdNum(`${cat.count} / ${money(cat.amount)}`, cat.amount),
  ]);
  matrix.push([`<th>${esc(l.total)}</th>`, ...s.byRisk.map((x) => tdNum(`${x.count} / ${money(x.amount)}`, x.amount)), tdNum(`${s.total.count} / ${money(s.total.amount)}`, s.total.amount)]);
  yield `<p class="hint">${esc(`${l.count} / ${l.amountYuan}`)}</p>\n`;
  yield* table([`${l.category} \\ ${l.risk}`, ...risks.map((x) => [l.risks[x], 'num'] as [string, 'num']), [l.total, 'num']], matrix);
  yield `<p>${s.bySeverity
    .filter((x) => x.count > 0)
    .map((x) => `<span class="sev sev-${esc(x.severity)}">${esc(`${l.severities[x.severity]} ${x.count}`)}</span>`)
    .join(' ')}</p>\n`;
  yield `<p class="hint">${esc(l.countingNote(s.total.findingsAmount))}</p>\n`;
  yield chart(r, l) + '\n';
}

/** A finding's evidence rows, folded under a button on screen, always shown in print. */
function evidence(f: ReportFinding, l: Labels, r: AuditResult, id: string): string {
  if (f.evidenceCount === 0) return '';
  const rows = Array.from(everyEvidenceRow(f))
    .map((e) => {
      const values = e.values
        ? Object.entries(e.values)
            .filter(([, v]) => v !== null && v !== '')
            .map(([k, v]) => `${esc(columnLabel(e.table, k, r.lang))}=<b>${esc(columnValue(e.table, k, v, r.lang))}</b>`)
            .join('; ')
        : '';
      return `<tr><td class="nowrap"><code>${esc(evidenceRef(e))}</code></td><td class="nowrap">${esc(tableName(e.table, r.lang))}</td><td>${values}</td></tr>`;
    })
    .join('');
  const listed = evidenceRowCount(f);
  const caption = l.evidenceOf(listed, f.evidenceCount);
  return (
    `<button type="button" class="ev-toggle" aria-expanded="false" aria-controls="${id}">${esc(caption)}</button>` +
    `<div class="ev" id="${id}"><div class="scroll"><table><tbody>${rows}</tbody></table></div>` +
    (f.evidenceCount > listed ? `<div class="hint">${esc(l.evidenceMore(f.evidenceCount - listed))}</div>` : '') +
    `</div>`
  );
}

const sevIndex = (s: string) => SEVERITIES.indexOf(s as (typeof SEVERITIES)[number]);

function findingCells(f: ReportFinding, r: AuditResult, l: Labels, id: string, withStatus: boolean): string[] {
  return [
    cell(l.severity, `<span class="sev sev-${esc(f.severity)}">${esc(l.severities[f.severity])}</span>`, 'sevc', sevIndex(f.severity)),
    cell(l.rule, `<code>${esc(f.ruleId)}</code><br>${esc(pick(f.title, r.lang))}`, 'rule'),
    cell(l.category, esc(l.categories[f.category]), 'nowrap'),
    cell(l.risk, esc(l.risks[f.risk]), 'nowrap'),
    cell(l.entity, esc(entityText(f, l)), 'key'),
    cell(l.period, esc(f.period ?? ''), 'nowrap'),
    cell(l.amountYuan, esc(money(f.amount)), 'num', f.amount ?? 0),
    ...(withStatus ? [cell(l.status, esc(f.baseline ? l.baselineStatus[f.baseline] : ''), 'nowrap')] : []),
    cell(l.message, `${esc(pick(f.message, r.lang))}${f.case ? ` <span class="hint">${esc(`${l.caseLabel} ${f.case}`)}</span>` : ''}${evidence(f, l, r, id)}`, 'msg'),
  ];
}

function findingsHead(l: Labels, withStatus: boolean): Head[] {
  return [[l.severity, 'num'], l.rule, l.category, l.risk, l.entity, l.period, [l.amountYuan, 'num'], ...(withStatus ? [l.status] : []), l.message];
}

function* findings(r: AuditResult, l: Labels): Generator<string> {
  yield `<h2>${esc(`${l.findings} (${r.findings.length})`)}</h2>\n`;
  if (r.findings.length === 0) return;
  yield `<p class="hint screen">${esc(l.sortHint)}</p>\n`;
  const rows = (function* () {
    let n = 0;
    for (const f of r.findings) yield findingCells(f, r, l, `ev-${n++}`, r.baseline !== null);
  })();
  yield* table(findingsHead(l, r.baseline !== null), rows, 'sortable cards');
  const withDigits = r.findings.filter((f) => f.digits !== null);
  if (withDigits.length > 0) {
    yield `<h3>${esc(l.digitsTitle)}</h3>\n`;
    for (const f of withDigits) yield digitChart(f, l, r.lang) + '\n';
  }
}

function* cases(r: AuditResult, l: Labels): Generator<string> {
  if (r.cases.length === 0) return;
  const byFingerprint = new Map(r.findings.map((f) => [f.fingerprint, f]));
  yield `<h2>${esc(`${l.cases} (${r.cases.length})`)}</h2>\n<ul class="cases">\n`;
  for (const k of r.cases) {
    const items = k.findings
      .map((fp) => byFingerprint.get(fp))
      .filter((f): f is ReportFinding => f !== undefined)
      .map((f) => `<li><code>${esc(f.ruleId)}</code> · ${esc(entityText(f, l))}${f.amount !== null ? ` · ${esc(money(f.amount))}` : ''}</li>`)
      .join('');
    yield `<li>${esc(l.caseLine({ id: k.id, findings: k.findings.length, amount: k.amount, findingsAmount: k.findingsAmount }))}<ul>${items}</ul></li>\n`;
  }
  yield `</ul>\n`;
}

function* entities(r: AuditResult, l: Labels): Generator<string> {
  if (r.entities.length === 0) return;
  yield `<h2>${esc(l.topEntities)}</h2>\n`;
  yield* table(
    [[l.rank, 'num'], l.entityKind, l.key, l.label, [l.findings, 'num'], [l.score, 'num'], [l.amountYuan, 'num'], l.rules],
    r.entities.map((e) => [
      tdNum(String(e.rank), e.rank),
      td(l.entityKinds[e.kind], 'nowrap'),
      td(e.key, 'key'),
      td(e.label ?? '', 'nowrap'),
      tdNum(String(e.findings), e.findings),
      tdNum(String(e.score), e.score),
      tdNum(money(e.amount), e.amount),
      td(e.rules.join(', ')),
    ]),
    'sortable',
  );
}

function* baseline(r: AuditResult, l: Labels): Generator<string> {
  const b = r.baseline;
  if (!b || b.resolved.length === 0) return;
  yield `<h2>${esc(`${l.resolvedFindings} (${b.resolved.length})`)}</h2>\n`;
  yield* table(
    [l.severity, l.rule, l.entity, l.period, [l.amountYuan, 'num'], 'fingerprint'],
    b.resolved.map((f) => [
      td(f.severity ? l.severities[f.severity] : '', 'nowrap'),
      `<td><code>${esc(f.ruleId)}</code>${f.title ? `<br>${esc(pick(f.title, r.lang))}` : ''}</td>`,
      td(f.entity ? `${l.entityKinds[f.entity.kind] ?? f.entity.kind} ${f.entity.key}${f.entity.label ? ' ' + f.entity.label : ''}` : '', 'key'),
      td(f.period ?? '', 'nowrap'),
      tdNum(money(f.amount), f.amount ?? 0),
      `<td><code>${esc(f.fingerprint)}</code></td>`,
    ]),
    'sortable',
  );
}

function suppressionCells(l: Labels, s: Suppression): string[] {
  return [td(s.fingerprint ?? '', 'key'), td([s.rule, s.entity, s.period].filter(Boolean).join(' · ')), td(s.reason), td(s.approver, 'nowrap'), td(s.expires, 'nowrap'), tdNum(String(s.line), s.line)];
}

function* suppressions(r: AuditResult, l: Labels): Generator<string> {
  const s = r.suppressions;
  if (!s) return;
  if (s.suppressed.length > 0) {
    yield `<h2>${esc(`${l.suppressed} (${s.suppressed.length})`)}</h2>\n`;
    const rows = s.suppressed.map((f, n) => [
      ...findingCells(f, r, l, `sup-${n}`, false),
      cell(l.suppressionReason, esc(f.suppression.reason)),
      cell(l.approver, esc(f.suppression.approver), 'nowrap'),
      cell(l.expires, esc(f.suppression.expires), 'nowrap'),
    ]);
    yield* table([...findingsHead(l, false), l.suppressionReason, l.approver, l.expires], rows, 'sortable cards');
  }
  for (const [title, list] of suppressionLists(s, l)) {
    yield `<h2>${esc(`${title} (${list.length})`)}</h2>\n`;
    yield* table(['fingerprint', `${l.rule} · ${l.entity} · ${l.period}`, l.suppressionReason, l.approver, l.expires, [l.line, 'num']], list.map((e) => suppressionCells(l, e)));
  }
}

function* skippedAndIssues(r: AuditResult, l: Labels): Generator<string> {
  if (r.skipped.length > 0) {
    yield `<h2>${esc(`${l.skipped} (${r.skipped.length})`)}</h2>\n`;
    yield* table([l.rule, l.status, l.reason], r.skipped.map((x) => [td(x.ruleId, 'nowrap'), td(x.code === 'error' ? l.ruleStatus.failed : l.ruleStatus.skipped, 'nowrap'), td(x.reason)]));
  }
  const d = r.dataIssues;
  if (d.total === 0) return;
  yield `<h2>${esc(`${l.dataIssues} (${d.total}: ${l.levels.error} ${d.errors}, ${l.levels.warning} ${d.warnings})`)}</h2>\n`;
  yield* table(
    [l.level, 'code', [l.count, 'num'], l.reason, l.file],
    d.groups.map((g) => [td(l.levels[g.level], 'nowrap'), td(g.code, 'nowrap'), tdNum(String(g.count), g.count), td(g.reason), td(g.first.map((p) => formatPlace(p)).join(', '))]),
  );
  yield* table(
    [l.file, [l.line, 'num'], l.column, l.value, l.level, l.reason],
    d.issues.slice(0, ISSUE_LIMIT).map((x) => [td(sourceLabel(x), 'key'), tdNum(String(x.line), x.line), td(x.column ?? '', 'nowrap'), td(x.value ?? ''), td(l.levels[x.level], 'nowrap'), td(x.reason)]),
    'sortable',
  );
  if (d.total > ISSUE_LIMIT) yield `<p>${esc(l.moreItems(d.total - ISSUE_LIMIT))}</p>\n`;
}

function* inputsAndManifest(r: AuditResult, l: Labels): Generator<string> {
  const i = r.inputs;
  yield `<h2>${esc(l.inputs)}</h2>\n`;
  yield `<p>${esc(`${l.files} ${i.files} · ${l.tables} ${i.tables.length} · ${l.rows} ${i.rows} · ${l.rowsRejected} ${i.rowsRejected} · ${l.periodCovered} ${displayRange(i.period, l.none)} · ${l.dataIssues} ${i.dataIssues}`)}</p>\n`;
  yield* table(
    [l.table, [l.files, 'num'], [l.rows, 'num'], l.periodCovered],
    i.tables.map((t) => [td(tableLabel(t, r.lang), 'nowrap'), tdNum(tableFiles(t), t.files), tdNum(String(t.rows), t.rows), td(displayRange(t.period, ''), 'nowrap')]),
  );
  const m = r.manifest;
  const params = Object.entries(m.params).flatMap(([rule, ps]) => Object.entries(ps).map(([name, v]) => [td(`${rule}.${name}`), td(Array.isArray(v) ? v.join(', ') : String(v))]));
  yield `<h2>${esc(l.manifest)}</h2>\n`;
  yield* table(
    [l.file, l.table, l.encoding, [l.rows, 'num'], [l.rowsRejected, 'num'], l.sha256],
    m.files.map((f) => [
      td(f.path + (f.sheet !== undefined ? `!${f.sheet}` : ''), 'key'),
      td(f.table ?? '', 'nowrap'),
      td(f.encoding ?? '', 'nowrap'),
      tdNum(String(f.rowsLoaded), f.rowsLoaded),
      tdNum(String(f.rowsRejected), f.rowsRejected),
      `<td><code class="hash">${esc(f.sha256)}</code></td>`,
    ]),
  );
  yield* table(
    [l.rule, l.status, [l.findings, 'num'], l.file, l.sha256],
    m.rules.map((x) => [td(x.id, 'nowrap'), td(l.ruleStatus[x.status], 'nowrap'), tdNum(String(x.findings), x.findings), td(x.file, 'key'), `<td><code class="hash">${esc(x.sha256)}</code></td>`]),
  );
  if (params.length > 0) {
    yield `<h3>${esc(l.params)}</h3>\n`;
    yield* table([l.key, l.value], params);
  }
  yield `<h3>${esc(l.options)}</h3><pre>${esc(JSON.stringify(m.options, null, 2))}</pre>\n`;
}

/** The html report, in pieces. */
export function* htmlReport(r: AuditResult): Generator<string> {
  const l = labels(r.lang);
  yield* head(r, l);
  yield* summary(r, l);
  yield* findings(r, l);
  yield* cases(r, l);
  yield* entities(r, l);
  yield* baseline(r, l);
  yield* suppressions(r, l);
  yield* skippedAndIssues(r, l);
  yield* inputsAndManifest(r, l);
  yield `<script>${SCRIPT}</script>\n</body></html>\n`;
}
