/**
 * The html format: ONE self-contained page for the working papers. Inline CSS,
 * inline JS and inline SVG only; a Content-Security-Policy forbids any network
 * access. All text is escaped. Shows the summary, a bar chart of money at risk
 * by category × risk, the entity ranking, a findings table sortable by clicking
 * its headers (with each finding's evidence), skipped rules, data issues and
 * the manifest.
 */
import { formatYuanGrouped } from '../../data/yuan.js';
import { SEVERITIES } from '../../rules/model.js';
import { columnValue, displayRange, evidenceRef, tableFiles } from '../display.js';
import { sourceLabel } from '../../data/provenance.js';
import { labels, pick, tableLabel, type Labels } from '../i18n.js';
import type { AuditResult, ReportFinding } from '../model.js';

/** Data issues listed before "N more". */
const ISSUE_LIMIT = 500;

/** Escapes text for HTML element content and attribute values. */
export function esc(s: string | number | null | undefined): string {
  return String(s ?? '').replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

const CSS = `
*{box-sizing:border-box}
body{font-family:"Noto Sans CJK SC","Microsoft YaHei","PingFang SC",system-ui,sans-serif;margin:0;padding:24px 32px;color:#1f2328;background:#fff;font-size:14px;line-height:1.5}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #d0d7de;padding-bottom:4px}
.meta{color:#59636e}.banner{padding:6px 10px;border-radius:4px;margin:8px 0;display:inline-block}
.masked{background:#ddf4ff}.revealed{background:#ffebe9;color:#82071e;font-weight:bold}
table{border-collapse:collapse;margin:6px 0;max-width:100%}th,td{border:1px solid #d0d7de;padding:4px 8px;vertical-align:top;text-align:left}
th{background:#f6f8fa}td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
table.sortable th{cursor:pointer;user-select:none}table.sortable th.asc::after{content:" ▲"}table.sortable th.desc::after{content:" ▼"}
.sev{font-weight:bold;padding:0 6px;border-radius:3px;white-space:nowrap}
.sev-critical{background:#82071e;color:#fff}.sev-high{background:#cf222e;color:#fff}.sev-medium{background:#bf8700;color:#fff}.sev-low{background:#0969da;color:#fff}.sev-info{background:#6e7781;color:#fff}
details summary{cursor:pointer;color:#0969da}table.ev td{font-size:12px}code{font-size:12px}
svg text{font-family:inherit;font-size:12px}figure.digits{margin:8px 0 16px}td.nowrap{white-space:nowrap}.hint{color:#59636e;font-size:12px}
`;

// Sorts the findings table by the clicked header; numbers by data-sort value.
const SCRIPT = `
(function(){
  window.addEventListener('error', function(){ document.body.setAttribute('data-js-error','1'); });
  document.querySelectorAll('table.sortable').forEach(function(table){
    var heads = table.querySelectorAll('thead th');
    heads.forEach(function(th, col){
      th.addEventListener('click', function(){
        var asc = !th.classList.contains('asc');
        heads.forEach(function(h){ h.classList.remove('asc','desc'); });
        th.classList.add(asc ? 'asc' : 'desc');
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        var numeric = th.getAttribute('data-type') === 'num';
        rows.sort(function(a, b){
          var x = a.cells[col].getAttribute('data-sort') || a.cells[col].textContent;
          var y = b.cells[col].getAttribute('data-sort') || b.cells[col].textContent;
          var d = numeric ? (parseFloat(x) || 0) - (parseFloat(y) || 0) : x.localeCompare(y);
          return asc ? d : -d;
        });
        rows.forEach(function(r){ body.appendChild(r); });
      });
    });
  });
  document.body.setAttribute('data-ready','1');
})();
`;

function table(head: Array<string | [string, 'num']>, rows: string[][], cls = ''): string {
  const th = head
    .map((h) => (Array.isArray(h) ? `<th class="num" data-type="num">${esc(h[0])}</th>` : `<th>${esc(h)}</th>`))
    .join('');
  return `<table${cls ? ` class="${cls}"` : ''}><thead><tr>${th}</tr></thead><tbody>\n${rows.map((r) => `<tr>${r.join('')}</tr>`).join('\n')}\n</tbody></table>`;
}

const td = (s: string | number | null | undefined) => `<td>${esc(s)}</td>`;
const tdNum = (text: string, sort: number) => `<td class="num" data-sort="${sort}">${esc(text)}</td>`;

/** Horizontal bars: money at risk of every non-empty category × risk cell. */
function chart(r: AuditResult, l: Labels): string {
  const cells = r.summary.cells.filter((c) => c.count > 0);
  const max = Math.max(0, ...cells.map((c) => c.amount));
  const barH = 22;
  const labelW = 160;
  const plotW = 520;
  const h = Math.max(1, cells.length) * (barH + 8) + 36;
  const bars = cells
    .map((c, i) => {
      const y = 28 + i * (barH + 8);
      const w = max > 0 ? Math.max(c.amount > 0 ? 2 : 0, Math.round((c.amount / max) * plotW)) : 0;
      const name = `${l.categories[c.category]} · ${l.risks[c.risk]}`;
      return (
        `<g class="bar"><text x="${labelW - 8}" y="${y + 15}" text-anchor="end">${esc(name)}</text>` +
        `<rect x="${labelW}" y="${y}" width="${w}" height="${barH}" fill="#cf222e" opacity="0.8"><title>${esc(`${name}: ${formatYuanGrouped(c.amount)} (${c.count})`)}</title></rect>` +
        `<text x="${labelW + w + 6}" y="${y + 15}">${esc(`${formatYuanGrouped(c.amount)} (${c.count})`)}</text></g>`
      );
    })
    .join('\n');
  const empty = cells.length === 0 ? `<text x="${labelW}" y="45">${esc(l.noFindings)}</text>` : '';
  return (
    `<svg id="risk-chart" xmlns="http://www.w3.org/2000/svg" width="${labelW + plotW + 160}" height="${h}" role="img" aria-label="${esc(l.chartTitle)}">` +
    `<text x="0" y="16" font-weight="bold">${esc(l.chartTitle)}</text>\n${bars}${empty}</svg>`
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
  const who = `${f.ruleId} · ${l.entityKinds[f.entity.kind]} ${f.entity.key}${f.entity.label ? ' ' + f.entity.label : ''} · n=${d.n}`;
  return (
    `<figure class="digits"><svg class="digit-chart" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${top + plotH + 24}" role="img" aria-label="${esc(who)}">` +
    `<text x="0" y="14" font-weight="bold">${esc(who)}</text>${bars}` +
    `<polyline points="${line}" fill="none" stroke="#1f2328" stroke-width="1.5"/>` +
    d.bars.map((b, i) => `<circle cx="${(left + i * barW + barW / 2).toFixed(1)}" cy="${y(b.expected).toFixed(1)}" r="2.5" fill="#1f2328"/>`).join('') +
    `<line x1="${left}" y1="${top + plotH}" x2="${width - 10}" y2="${top + plotH}" stroke="#8c959f"/>` +
    `<text x="${left - 4}" y="${top + 4}" text-anchor="end">${esc(pct(max))}</text><text x="${left - 4}" y="${top + plotH}" text-anchor="end">0</text></svg>` +
    `<figcaption class="hint">${esc(`${l.observed}: ▮ · ${l.expected}: ●—● · ${pick(f.message, lang)}`)}</figcaption></figure>`
  );
}

function head(r: AuditResult, l: Labels): string[] {
  const out = [
    `<!DOCTYPE html>\n<html lang="${r.lang === 'en' ? 'en' : 'zh-CN'}"><head><meta charset="utf-8">`,
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">`,
    `<meta name="viewport" content="width=device-width, initial-scale=1">`,
    `<title>${esc(l.reportTitle)}</title><style>${CSS}</style></head><body>`,
    `<h1>${esc(l.reportTitle)}</h1>`,
    `<div class="meta">${esc(l.generatedAt)} ${esc(r.generatedAt)} · ${esc(`${r.tool.name} ${r.tool.version}`)}</div>`,
    `<div class="banner ${r.revealed ? 'revealed' : 'masked'}">${esc(r.revealed ? l.revealed : l.masked)}</div>`,
  ];
  if (r.baseline) out.push(`<p>${esc(l.baselineLine(r.baseline))}</p>`);
  return out;
}

function inputs(r: AuditResult, l: Labels): string[] {
  const i = r.inputs;
  return [
    `<h2>${esc(l.inputs)}</h2>`,
    `<p>${esc(`${l.files} ${i.files} · ${l.tables} ${i.tables.length} · ${l.rows} ${i.rows} · ${l.rowsRejected} ${i.rowsRejected} · ${l.periodCovered} ${displayRange(i.period, l.none)} · ${l.dataIssues} ${i.dataIssues}`)}</p>`,
    table(
      [l.table, [l.files, 'num'], [l.rows, 'num'], l.periodCovered],
      i.tables.map((t) => [td(tableLabel(t, r.lang)), tdNum(tableFiles(t), t.files), tdNum(String(t.rows), t.rows), td(displayRange(t.period, ''))]),
    ),
  ];
}

/** Category rows × risk columns, each cell "count / yuan", then the severities and the chart. */
function summary(r: AuditResult, l: Labels): string[] {
  const s = r.summary;
  const risks = s.byRisk.map((x) => x.risk);
  const matrix = s.byCategory.map((cat) => [
    `<th>${esc(l.categories[cat.category])}</th>`,
    ...risks.map((risk) => {
      const c = s.cells.find((x) => x.category === cat.category && x.risk === risk)!;
      return tdNum(c.count ? `${c.count} / ${formatYuanGrouped(c.amount)}` : '', c.amount);
    }),
    tdNum(`${cat.count} / ${formatYuanGrouped(cat.amount)}`, cat.amount),
  ]);
  matrix.push([
    `<th>${esc(l.total)}</th>`,
    ...s.byRisk.map((x) => tdNum(`${x.count} / ${formatYuanGrouped(x.amount)}`, x.amount)),
    tdNum(`${s.total.count} / ${formatYuanGrouped(s.total.amount)}`, s.total.amount),
  ]);
  return [
    `<h2>${esc(l.summary)}</h2>`,
    `<p>${esc(l.rulesLine(s.rulesRun, s.rulesWithFindings, s.rulesSkipped))}</p>`,
    `<p class="hint">${esc(`${l.count} / ${l.amountYuan}`)}</p>`,
    table([`${l.category} \\ ${l.risk}`, ...risks.map((x) => [l.risks[x], 'num'] as [string, 'num']), [l.total, 'num']], matrix),
    `<p>${s.bySeverity
      .filter((x) => x.count > 0)
      .map((x) => `<span class="sev sev-${esc(x.severity)}">${esc(`${l.severities[x.severity]} ${x.count}`)}</span>`)
      .join(' ')}</p>`,
    chart(r, l),
  ];
}

function entities(r: AuditResult, l: Labels): string[] {
  if (r.entities.length === 0) return [];
  return [
    `<h2>${esc(l.topEntities)}</h2>`,
    table(
      [[l.rank, 'num'], l.entityKind, l.key, l.label, [l.findings, 'num'], [l.score, 'num'], [l.amountYuan, 'num'], l.rules],
      r.entities.map((e) => [
        tdNum(String(e.rank), e.rank),
        td(l.entityKinds[e.kind]),
        td(e.key),
        td(e.label ?? ''),
        tdNum(String(e.findings), e.findings),
        tdNum(String(e.score), e.score),
        tdNum(formatYuanGrouped(e.amount), e.amount),
        td(e.rules.join(', ')),
      ]),
      'sortable',
    ),
  ];
}

/** A finding's evidence rows, folded away under their count. */
function evidence(f: ReportFinding, l: Labels): string {
  if (f.evidence.length === 0) return '';
  const rows = f.evidence
    .map(
      (e) =>
        `<tr><td><code>${esc(evidenceRef(e))}</code></td><td>${esc(e.table)}</td><td>${Object.entries(e.values)
          .filter(([, v]) => v !== null && v !== '')
          .map(([k, v]) => `${esc(k)}=<b>${esc(columnValue(e.table, k, v))}</b>`)
          .join('; ')}</td></tr>`,
    )
    .join('');
  return (
    `<details><summary>${esc(`${l.evidence} (${f.evidenceCount})`)}</summary>` +
    `<table class="ev"><tbody>${rows}</tbody></table>` +
    (f.evidenceCount > f.evidence.length ? `<div class="hint">${esc(l.evidenceMore(f.evidenceCount - f.evidence.length))}</div>` : '') +
    `</details>`
  );
}

const sevIndex = (s: string) => SEVERITIES.indexOf(s as (typeof SEVERITIES)[number]);

function findings(r: AuditResult, l: Labels): string[] {
  const out = [`<h2>${esc(`${l.findings} (${r.findings.length})`)}</h2>`];
  if (r.findings.length === 0) return [...out, `<p>${esc(l.noFindings)}</p>`];
  const head: Array<string | [string, 'num']> = [[l.severity, 'num'], l.rule, l.category, l.risk, l.entity, l.period, [l.amountYuan, 'num'], ...(r.baseline ? [l.status] : []), l.message];
  const rows = r.findings.map((f) => [
    `<td data-sort="${sevIndex(f.severity)}"><span class="sev sev-${esc(f.severity)}">${esc(l.severities[f.severity])}</span></td>`,
    `<td><code>${esc(f.ruleId)}</code><br>${esc(pick(f.title, r.lang))}</td>`,
    td(l.categories[f.category]),
    td(l.risks[f.risk]),
    td(`${l.entityKinds[f.entity.kind]} ${f.entity.key}${f.entity.label ? ' ' + f.entity.label : ''}`),
    `<td class="nowrap">${esc(f.period ?? '')}</td>`,
    tdNum(f.amount === null ? '' : formatYuanGrouped(f.amount), f.amount ?? 0),
    ...(r.baseline ? [td(f.baseline ? l.baselineStatus[f.baseline] : '')] : []),
    `<td>${esc(pick(f.message, r.lang))}${evidence(f, l)}</td>`,
  ]);
  return [...out, `<p class="hint">${esc(l.sortHint)}</p>`, table(head, rows, 'sortable')];
}

function skippedAndIssues(r: AuditResult, l: Labels): string[] {
  const out: string[] = [];
  if (r.skipped.length > 0) {
    out.push(`<h2>${esc(`${l.skipped} (${r.skipped.length})`)}</h2>`, table([l.rule, l.reason], r.skipped.map((x) => [td(x.ruleId), td(x.reason)])));
  }
  const d = r.dataIssues;
  if (d.total > 0) {
    out.push(
      `<h2>${esc(`${l.dataIssues} (${d.total})`)}</h2>`,
      table(
        [l.file, [l.line, 'num'], l.column, l.value, l.level, l.reason],
        d.issues
          .slice(0, ISSUE_LIMIT)
          .map((x) => [td(sourceLabel(x)), tdNum(String(x.line), x.line), td(x.column ?? ''), td(x.value ?? ''), td(l.levels[x.level]), td(x.reason)]),
        'sortable',
      ),
    );
    if (d.total > ISSUE_LIMIT) out.push(`<p>${esc(l.moreItems(d.total - ISSUE_LIMIT))}</p>`);
  }
  return out;
}

function manifest(r: AuditResult, l: Labels): string[] {
  const m = r.manifest;
  const params = Object.entries(m.params).flatMap(([rule, ps]) =>
    Object.entries(ps).map(([name, v]) => [td(`${rule}.${name}`), td(Array.isArray(v) ? v.join(', ') : String(v))]),
  );
  return [
    `<h2>${esc(l.manifest)}</h2>`,
    table(
      [l.file, l.table, l.encoding, [l.rows, 'num'], [l.rowsRejected, 'num'], l.sha256],
      m.files.map((f) => [td(f.path), td(f.table ?? ''), td(f.encoding ?? ''), tdNum(String(f.rowsLoaded), f.rowsLoaded), tdNum(String(f.rowsRejected), f.rowsRejected), `<td><code>${esc(f.sha256)}</code></td>`]),
    ),
    table(
      [l.rule, l.status, [l.findings, 'num'], l.file, l.sha256],
      m.rules.map((x) => [td(x.id), td(x.status), tdNum(String(x.findings), x.findings), td(x.file), `<td><code>${esc(x.sha256)}</code></td>`]),
    ),
    params.length > 0 ? `<h3>${esc(l.params)}</h3>` + table([l.key, l.value], params) : '',
    `<h3>${esc(l.options)}</h3><pre>${esc(JSON.stringify(m.options, null, 2))}</pre>`,
  ];
}

/** Renders the html report. */
export function formatHtml(r: AuditResult): string {
  const l = labels(r.lang);
  const withDigits = r.findings.filter((f) => f.digits !== null);
  const parts = [
    ...head(r, l),
    ...inputs(r, l),
    ...summary(r, l),
    ...entities(r, l),
    ...findings(r, l),
    ...(withDigits.length > 0 ? [`<h2>${esc(l.digitsTitle)}</h2>`, ...withDigits.map((f) => digitChart(f, l, r.lang))] : []),
    ...skippedAndIssues(r, l),
    ...manifest(r, l),
    `<script>${SCRIPT}</script>`,
    `</body></html>\n`,
  ];
  return parts.filter((p) => p !== '').join('\n');
}
