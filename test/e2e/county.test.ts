/**
 * End to end: freshly generated counties, audited by the real binary with the
 * whole default pack — two seeds, both export styles (GBK with Chinese headers,
 * UTF-8 with other spellings) and both wordings (one spelling, a county's own);
 * seed 18's contribution bases do not bunch at the limits, seed 7's do.
 * Recall: every planted instance is found by the rule meant for it, in every
 * county. Precision: no look-alike is flagged by the rule it resembles, no
 * finding of medium severity or above rests on clean rows alone, and at most
 * one low or info finding on clean rows per 100 persons. The ground truth's
 * line numbers are checked against what the loader reads on those lines.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPaths } from '../../src/data/load.js';
import { score, type Score, type ScoredFinding, type ScoredInstance } from '../../fixtures/generator/score.js';

interface TruthRow { table: string; file: string; line: number; values: Record<string, string | number | null> }
interface TruthInstance extends ScoredInstance { rows: TruthRow[] }
interface Evidence { table: string; file: string; line: number; values: Record<string, unknown> }
interface Finding extends ScoredFinding { category: string; risk: string; evidence: Evidence[] }
interface Audited { dir: string; persons: number; truth: { instances: TruthInstance[] }; findings: Finding[]; skipped: unknown[]; score: Score }

const ROOT = join(import.meta.dirname, '..', '..');
const run = (args: string[]) => execFileSync('node', args, { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, maxBuffer: 256 * 1024 * 1024 });
const PERSONS = 600;
/** Two seeds × both styles × both wordings, each combination once. */
const COUNTIES = [
  { seed: 7, style: 'gbk', variety: 'plain' },
  { seed: 7, style: 'utf8', variety: 'varied' },
  { seed: 18, style: 'gbk', variety: 'varied' },
  { seed: 18, style: 'utf8', variety: 'plain' },
];
const label = (c: (typeof COUNTIES)[number]) => `seed ${c.seed}, ${c.style}, ${c.variety}`;
const generateArgs = (out: string, c: (typeof COUNTIES)[number], extra: string[] = []) =>
  ['dist/fixtures/generate.js', '--out', out, '--seed', String(c.seed), '--persons', String(PERSONS), '--years', '2023,2024', '--style', c.style, '--variety', c.variety, ...extra];

const audited: Audited[] = [];
const at = (file: string, line: number) => `${basename(file)}:${line}`;

beforeAll(() => {
  for (const c of COUNTIES) {
    const dir = mkdtempSync(join(tmpdir(), 'fundaudit-county-'));
    run(generateArgs(dir, c));
    const truth = JSON.parse(readFileSync(join(dir, 'ground-truth.json'), 'utf8'));
    const report = JSON.parse(run(['bin/fundaudit', 'audit', dir, '--format', 'json', '--reveal']));
    audited.push({ dir, persons: PERSONS, truth, findings: report.findings, skipped: report.skipped, score: score(truth.instances, report.findings) });
  }
}, 600_000);

afterAll(() => {
  for (const a of audited) rmSync(a.dir, { recursive: true, force: true });
});

describe('the generated county', () => {
  it('is the same bytes for the same seed and options', () => {
    const again = mkdtempSync(join(tmpdir(), 'fundaudit-county-'));
    try {
      run(generateArgs(again, COUNTIES[1]));
      for (const f of ['persons.csv', 'payouts.csv', 'contributions.csv', 'bank_flows.csv', 'ground-truth.json']) {
        expect(readFileSync(join(again, f)).equals(readFileSync(join(audited[1].dir, f))), f).toBe(true);
      }
    } finally {
      rmSync(again, { recursive: true, force: true });
    }
  });

  it('matches the committed demo county (regenerate fixtures/demo after changing the generator)', () => {
    const demo = join(ROOT, 'fixtures', 'demo');
    const truthFile = JSON.parse(readFileSync(join(demo, 'ground-truth.json'), 'utf8'));
    const again = mkdtempSync(join(tmpdir(), 'fundaudit-demo-'));
    try {
      run(['dist/fixtures/generate.js', '--out', again, '--seed', String(truthFile.seed), '--persons', String(truthFile.persons), '--years', truthFile.years.join(','),
        '--style', truthFile.style, '--variety', truthFile.variety]);
      const stale = readdirSync(again).filter((f) => !readFileSync(join(again, f)).equals(readFileSync(join(demo, f))));
      expect(stale).toEqual([]);
    } finally {
      rmSync(again, { recursive: true, force: true });
    }
  });

  it('plants an instance of every rule in the pack', () => {
    const listed = JSON.parse(run(['bin/fundaudit', 'rules', 'list', '--format', 'json'])) as Array<{ id: string }>;
    for (const a of audited) {
      const planted = new Set(a.truth.instances.filter((i) => i.expect === 'finding').map((i) => i.rule));
      expect(listed.map((r) => r.id).filter((id) => !planted.has(id))).toEqual([]);
    }
  });

  it('has ground-truth line numbers that hold the recorded values, in both styles', async () => {
    for (const a of audited.slice(0, 2)) {
      const loaded = await loadPaths([a.dir]);
      const wrong: string[] = [];
      for (const inst of a.truth.instances) {
        for (const row of inst.rows) {
          const t = loaded.tables.get(row.table)!;
          let index = -1;
          for (let i = 0; i < t.rows; i++) {
            if (basename(t.files[t.fileIndex[i]]) === row.file && t.lines[i] === row.line) { index = i; break; }
          }
          if (index < 0) { wrong.push(`${inst.rule}: no ${row.table} row at ${row.file}:${row.line}`); continue; }
          for (const [col, value] of Object.entries(row.values)) {
            if (t.columns[col][index] !== value) wrong.push(`${inst.rule}: ${row.file}:${row.line} ${col} is ${t.columns[col][index]}, ground truth says ${value}`);
          }
        }
      }
      expect(wrong).toEqual([]);
    }
  });

  it('reports the same values as the ground truth on the lines that findings cite', () => {
    const a = audited[0];
    const truthRows = new Map(a.truth.instances.flatMap((i) => i.rows.map((r) => [at(r.file, r.line), r] as const)));
    const wrong: string[] = [];
    let checked = 0;
    for (const f of a.findings) {
      for (const e of f.evidence) {
        const row = truthRows.get(at(e.file, e.line));
        // A row past the first N is carried by its place alone: no values to compare.
        if (!row || row.table !== e.table || Object.keys(e.values).length === 0) continue;
        checked++;
        for (const [col, value] of Object.entries(row.values)) {
          if (e.values[col] !== value) wrong.push(`${f.ruleId} ${at(e.file, e.line)} ${col}: evidence ${e.values[col]}, ground truth ${value}`);
        }
      }
    }
    expect(wrong).toEqual([]);
    expect(checked).toBeGreaterThan(100);
  });

  it('runs every rule: none is skipped for want of data', () => {
    for (const a of audited) expect(a.skipped, label(COUNTIES[audited.indexOf(a)])).toEqual([]);
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
    expect(audited[i].score.clean.serious).toEqual([]);
  });

  it('gives at most one low or info finding on clean rows per 100 persons', () => {
    expect(audited[i].score.clean.low.length, audited[i].score.clean.low.join('\n')).toBeLessThanOrEqual(audited[i].persons / 100);
  });

  it('covers all three categories and all five risks', () => {
    expect(new Set(audited[i].findings.map((f) => f.category))).toEqual(new Set(['money', 'people', 'documents']));
    expect(new Set(audited[i].findings.map((f) => f.risk))).toEqual(new Set(['embezzlement', 'diversion', 'withholding', 'fraud', 'irregularity']));
  });
});

describe('the clean county alone', () => {
  it('gives no finding of medium severity or above, and skips no rule', () => {
    const clean = mkdtempSync(join(tmpdir(), 'fundaudit-clean-'));
    try {
      run(generateArgs(clean, COUNTIES[2], ['--clean']));
      const report = JSON.parse(run(['bin/fundaudit', 'audit', clean, '--format', 'json', '--reveal']));
      const serious = (report.findings as Finding[]).filter((f) => ['medium', 'high', 'critical'].includes(f.severity)).map((f) => `${f.ruleId} ${f.entity.key}`);
      expect(serious).toEqual([]);
      expect((report.findings as Finding[]).length).toBeLessThanOrEqual(PERSONS / 100);
      expect(report.skipped).toEqual([]);
    } finally {
      rmSync(clean, { recursive: true, force: true });
    }
  });
});
