/**
 * scripts/check-html.sh against the html formatter's output, in headless
 * Chromium. Skipped where Chromium is not installed.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatHtml } from '../../src/report/formatters/html.js';
import { sampleResult } from './sample.js';

const SCRIPT = resolve(import.meta.dirname, '../../scripts/check-html.sh');
const hasChromium = ['chromium', 'chromium-browser', 'google-chrome'].some((c) => spawnSync('sh', ['-c', `command -v ${c}`]).status === 0);

function check(html: string) {
  const dir = mkdtempSync(join(tmpdir(), 'fa-html-'));
  const file = join(dir, 'report.html');
  writeFileSync(file, html);
  const r = spawnSync('bash', [SCRIPT, file, join(dir, 'shot.png')], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, shot: join(dir, 'shot.png') };
}

describe.skipIf(!hasChromium)('scripts/check-html.sh', () => {
  const html = formatHtml(sampleResult({ reveal: false }));

  it('passes the html report: script ran, chart present, screenshot written', () => {
    const r = check(html);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(statSync(r.shot).size).toBeGreaterThan(1000);
  });

  it('fails a page whose script throws', () => {
    const r = check(html.replace('<script>', '<script>null.boom();'));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('did not run to the end');
  });

  it('fails a page without the chart', () => {
    const r = check(html.replace('<svg id="risk-chart"', '<svg id="other"'));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('chart');
  });
});
