/**
 * scripts/catalog.ts: the rules catalogue is generated from the rule files,
 * and `--check` fails when the committed docs/rules-catalog.md is stale.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'fundaudit-catalog-'));
const catalog = (...args: string[]) =>
  spawnSync('node', ['dist/scripts/catalog.js', ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('rules catalogue', () => {
  it('lists every shipped rule with its category, risk, severity, basis and tables', () => {
    const out = join(dir, 'catalog.md');
    const r = catalog('--out', out);
    expect(r.status).toBe(0);
    const text = readFileSync(out, 'utf8');
    const listed = JSON.parse(spawnSync('node', ['bin/fundaudit', 'rules', 'list', '--format', 'json'], { cwd: ROOT, encoding: 'utf8' }).stdout) as Array<{ id: string }>;
    for (const { id } of listed) expect(text).toContain(`### ${id}\n`);
    const section = text.slice(text.indexOf('### PAID-AFTER-DEATH'));
    expect(section).toContain('risk: `fraud`');
    expect(section).toContain('severity: `high`');
    expect(section).toMatch(/tables needed: `payouts` .*`deaths`/);
    expect(section).toContain('《社会保险法》第八十八条');
  });

  it('--check passes on a fresh catalogue and fails, naming the fix, on a stale or missing one', () => {
    const out = join(dir, 'check.md');
    expect(catalog('--check', '--out', out).status).toBe(1);
    expect(catalog('--out', out).status).toBe(0);
    expect(catalog('--check', '--out', out).status).toBe(0);
    appendFileSync(out, '\nedited by hand\n');
    const stale = catalog('--check', '--out', out);
    expect(stale.status).toBe(1);
    expect(stale.stderr).toContain('out of date');
    expect(stale.stderr).toContain('node dist/scripts/catalog.js');
  });

  it('refuses rule files with problems', () => {
    const bad = join(dir, 'BAD.yaml');
    writeFileSync(bad, 'id: BAD\ncategory: nowhere\n');
    const r = catalog('--out', join(dir, 'bad.md'), bad);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('BAD.yaml');
  });
});
