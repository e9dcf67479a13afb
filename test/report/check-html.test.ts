/**
 * scripts/check-html.sh against the html formatter's output, in headless
 * Chromium: three widths and a printed PDF. Skipped, saying why, where
 * Chromium is not installed (the script is then the documented check).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rendered, sampleResult } from './sample.js';

const SCRIPT = resolve(import.meta.dirname, '../../scripts/check-html.sh');
const chromium = ['chromium', 'chromium-browser', 'google-chrome'].find((c) => spawnSync('sh', ['-c', `command -v ${c}`]).status === 0);
const poppler = spawnSync('sh', ['-c', 'command -v pdftotext && command -v pdfinfo']).status === 0;
if (!chromium) console.warn('check-html tests skipped: Chromium is not installed (apt-get install -y chromium); run scripts/check-html.sh by hand');

function check(html: string) {
  const dir = mkdtempSync(join(tmpdir(), 'fa-html-'));
  const file = join(dir, 'report.html');
  writeFileSync(file, html);
  const out = join(dir, 'check');
  const r = spawnSync('bash', [SCRIPT, file, out], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, out };
}

describe.skipIf(!chromium)('scripts/check-html.sh', () => {
  const html = rendered(sampleResult({ reveal: false }), 'html');

  it('passes the html report: script ran, chart coloured by severity, fits 375, 768 and 1280 pixels, prints on A4 with the evidence', () => {
    const r = check(html);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    for (const shot of ['shot-375.png', 'shot-768.png', 'shot-1280.png']) expect(statSync(join(r.out, shot)).size).toBeGreaterThan(1000);
    expect(statSync(join(r.out, 'report.pdf')).size).toBeGreaterThan(1000);
    if (poppler) expect(r.stdout).toMatch(/printed \d+ A4 page/);
  }, 120_000);

  it('fails a page that breaks: a script error, no chart, a page wider than a phone, one character per line, evidence not printed', () => {
    const broken = html
      .replace('<script>', '<script>null.boom();')
      .replace("var desc = current ? current === 'ascending' : numeric;", "var desc = current ? current === 'ascending' : false;")
      .replace('<svg id="risk-chart"', '<svg id="other"')
      .replace('</style>', 'th{white-space:normal!important;word-break:break-all!important;width:1px!important;max-width:1em!important}@media print{div.ev{display:none!important}}</style>')
      .replace('<h1>', '<div style="width:3000px;height:1px"></div><h1>');
    const r = check(broken);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('did not run to the end');
    expect(r.stderr).toContain('does not sort the largest amounts first');
    expect(r.stderr).toContain('the chart (svg#risk-chart) is absent');
    expect(r.stderr).toMatch(/at width 375 the page is \d+px wider than the window/);
    expect(r.stderr).toMatch(/at width 1280 table cells wrap one character per line: /);
    if (poppler) expect(r.stderr).toContain('missing from the printed PDF');
  }, 120_000);
});
