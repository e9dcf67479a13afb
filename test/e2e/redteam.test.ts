/**
 * Precision and recall on counties the rules were not written against:
 * fixtures/redteam makes them apart from fixtures/generator, from how county
 * offices and banks work (batches debited the day before pay day, the yearly
 * raise back-paid to January, survivors' benefits and the raise of months
 * lived paid to the heirs, receipts from each collector's own book, same-day
 * sweeps, per-bank returns…). Two small counties, one per export style, and
 * one of 5,000 persons over three years (where a rule that pairs every row
 * with every row meets its join budget), each audited with the real binary
 * and the whole default pack: none skipped, every planted
 * instance found by the rule meant for it, no look-alike flagged, no finding
 * of medium severity or above on clean rows, at most one low or info finding
 * on clean rows per 100 persons. Bigger counties: `npm run score:redteam`.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPaths } from '../../src/data/load.js';
import { build, type Truth } from '../../fixtures/redteam/build.js';
import { describe as line, score, type ReportFinding, type Scored } from '../../fixtures/redteam/score.js';

const ROOT = join(import.meta.dirname, '..', '..');
const COUNTIES = [
  { seed: 12, persons: 900, start: '2023-01', months: 18, style: 'gbk' as const },
  { seed: 10, persons: 900, start: '2022-07', months: 24, style: 'utf8' as const },
  // big enough that a rule joining every row with every row goes over its join budget and is not run
  { seed: 2, persons: 5000, start: '2022-01', months: 36, style: 'utf8' as const },
];
const label = (c: (typeof COUNTIES)[number]) => `seed ${c.seed}, ${c.persons} persons, ${c.months} months from ${c.start}, ${c.style}`;

interface Audited { dir: string; truth: Truth; findings: ReportFinding[]; skipped: unknown[]; score: Scored }
const audited: Audited[] = [];
const audit = (dir: string) =>
  JSON.parse(execFileSync('node', ['bin/fundaudit', 'audit', dir, '--format', 'json', '--reveal'], {
    cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, maxBuffer: 256 * 1024 * 1024,
  }));

beforeAll(() => {
  for (const c of COUNTIES) {
    const dir = mkdtempSync(join(tmpdir(), 'fundaudit-redteam-'));
    const truth = build({ ...c, out: dir });
    const report = audit(dir);
    audited.push({ dir, truth, findings: report.findings, skipped: report.skipped, score: score(truth, report.findings) });
  }
}, 300_000);

afterAll(() => {
  for (const a of audited) rmSync(a.dir, { recursive: true, force: true });
});

describe('the red-team county', () => {
  it('is the same bytes for the same options', () => {
    const again = mkdtempSync(join(tmpdir(), 'fundaudit-redteam-'));
    try {
      build({ ...COUNTIES[1], out: again });
      for (const f of ['ac01_persons.csv', 'payouts.csv', 'ac43_contributions.csv', 'bank_flows.csv', 'ground-truth.json']) {
        expect(readFileSync(join(again, f)).equals(readFileSync(join(audited[1].dir, f))), f).toBe(true);
      }
    } finally {
      rmSync(again, { recursive: true, force: true });
    }
  });

  it('plants an instance for every rule in the pack', () => {
    const listed = JSON.parse(execFileSync('node', ['bin/fundaudit', 'rules', 'list', '--format', 'json'], { cwd: ROOT, encoding: 'utf8' })) as Array<{ id: string }>;
    for (const a of audited) {
      const planted = new Set(a.truth.instances.filter((i) => i.expect === 'finding').map((i) => i.rule));
      expect(listed.map((r) => r.id).filter((id) => !planted.has(id))).toEqual([]);
    }
  });

  it('has ground-truth rows on the lines the loader reads them from', async () => {
    for (const a of audited) {
      const loaded = await loadPaths([a.dir]);
      const at = new Set<string>();
      for (const [name, t] of loaded.tables) for (let i = 0; i < t.rows; i++) at.add(`${name}|${basename(t.files[t.fileIndex[i]])}|${t.lines[i]}`);
      const wrong = a.truth.instances.flatMap((i) => i.rows.filter((r) => !at.has(`${r.table}|${r.file}|${r.line}`)).map((r) => `${i.rule}: ${r.table} ${r.file}:${r.line}`));
      expect(wrong).toEqual([]);
      expect(loaded.files.every((f) => f.rowsRejected === 0), 'no row rejected').toBe(true);
    }
  });

  it('runs every rule: none is skipped for want of data or over its budget', () => {
    for (const a of audited) expect(a.skipped).toEqual([]);
  });
});

describe.each(COUNTIES.map((c, i) => [label(c), i] as const))('recall and precision (%s)', (_name, i) => {
  it('finds every planted instance by the rule meant for it', () => {
    expect(audited[i].score.missed).toEqual([]);
  });

  it('flags no look-alike by the rule it resembles', () => {
    expect(audited[i].score.lookAlikesFlagged).toEqual([]);
  });

  it('rests no finding of medium severity or above on clean rows alone', () => {
    expect(audited[i].score.clean.serious.map(line)).toEqual([]);
  });

  it('gives at most one low or info finding on clean rows per 100 persons', () => {
    const low = audited[i].score.clean.low;
    expect(low.length, low.map(line).join('\n')).toBeLessThanOrEqual(COUNTIES[i].persons / 100);
  });
});

describe('the lawful red-team county alone', () => {
  it('gives no finding of medium severity or above', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fundaudit-redteam-clean-'));
    try {
      build({ ...COUNTIES[0], seed: 5, months: 12, out: dir, clean: true });
      const findings = audit(dir).findings as ReportFinding[];
      expect(findings.filter((f) => ['medium', 'high', 'critical'].includes(f.severity)).map(line)).toEqual([]);
      expect(findings.length).toBeLessThanOrEqual(COUNTIES[0].persons / 100);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
