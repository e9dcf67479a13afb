/**
 * End to end: a freshly generated county, audited by the real binary with the
 * whole default pack. Every planted instance must be found by the rule meant
 * for it, no look-alike by the rule it resembles, and no finding of medium
 * severity or above may rest on clean rows alone. The ground truth's line
 * numbers are checked against what the loader reads on those lines.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPaths } from '../../src/data/load.js';
import type { LoadResult } from '../../src/data/model.js';

interface TruthRow { table: string; file: string; line: number; values: Record<string, string | number | null> }
interface TruthInstance { rule: string; expect: 'finding' | 'none'; description: string; match?: { entity?: string; period?: string }; evidence: 'all' | 'any'; rows: TruthRow[] }
interface Evidence { table: string; file: string; line: number; values: Record<string, unknown> }
interface Finding { ruleId: string; severity: string; category: string; risk: string; entity: { key: string }; period: string | null; evidence: Evidence[]; evidenceCount: number }

const ROOT = join(import.meta.dirname, '..', '..');
const run = (args: string[]) => execFileSync('node', args, { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, maxBuffer: 256 * 1024 * 1024 });

let dir: string;
let truth: { instances: TruthInstance[] };
let findings: Finding[];
let loaded: LoadResult;

const at = (file: string, line: number) => `${basename(file)}:${line}`;
const rowsOf = (i: TruthInstance) => new Set(i.rows.map((r) => at(r.file, r.line)));
const evidenceOf = (f: Finding) => new Set(f.evidence.map((e) => at(e.file, e.line)));

/** The findings of an instance's rule that point at it (by entity/period when given, else by its rows). */
function candidates(i: TruthInstance): Finding[] {
  return findings.filter((f) => f.ruleId === i.rule &&
    (!i.match?.entity || f.entity.key === i.match.entity) &&
    (!i.match?.period || f.period === i.match.period || (f.period ?? '').startsWith(i.match.period)));
}

function found(i: TruthInstance): boolean {
  const rows = rowsOf(i);
  return candidates(i).some((f) => {
    const ev = evidenceOf(f);
    const hit = [...rows].filter((r) => ev.has(r)).length;
    if (i.evidence === 'all') return hit === rows.size;
    // An aggregate's evidence is capped: a finding matched by entity or period stands for the instance.
    return hit > 0 || (i.match !== undefined && f.evidenceCount > f.evidence.length);
  });
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'fundaudit-county-'));
  run(['dist/fixtures/generate.js', '--out', dir, '--seed', '7', '--persons', '600', '--years', '2023,2024']);
  truth = JSON.parse(readFileSync(join(dir, 'ground-truth.json'), 'utf8'));
  const report = JSON.parse(run(['bin/fundaudit', 'audit', dir, '--format', 'json', '--reveal']));
  findings = report.findings;
}, 180_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the generated county', () => {
  it('is the same bytes for the same seed', () => {
    const again = mkdtempSync(join(tmpdir(), 'fundaudit-county-'));
    try {
      run(['dist/fixtures/generate.js', '--out', again, '--seed', '7', '--persons', '600', '--years', '2023,2024']);
      for (const f of ['persons.csv', 'payouts.csv', 'bank_flows.csv', 'ground-truth.json']) {
        expect(readFileSync(join(again, f)).equals(readFileSync(join(dir, f))), f).toBe(true);
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
      run(['dist/fixtures/generate.js', '--out', again, '--seed', String(truthFile.seed), '--persons', String(truthFile.persons), '--years', truthFile.years.join(',')]);
      const stale = readdirSync(again).filter((f) => !readFileSync(join(again, f)).equals(readFileSync(join(demo, f))));
      expect(stale).toEqual([]);
    } finally {
      rmSync(again, { recursive: true, force: true });
    }
  });

  it('plants an instance of every rule in the pack', () => {
    const listed = JSON.parse(run(['bin/fundaudit', 'rules', 'list', '--format', 'json'])) as Array<{ id: string }>;
    const planted = new Set(truth.instances.filter((i) => i.expect === 'finding').map((i) => i.rule));
    expect(listed.map((r) => r.id).filter((id) => !planted.has(id))).toEqual([]);
  });

  it('has ground-truth line numbers that hold the recorded values', async () => {
    loaded = await loadPaths([dir]);
    const wrong: string[] = [];
    for (const inst of truth.instances) {
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
  });

  it('reports the same values as the ground truth on the lines that findings cite', () => {
    const truthRows = new Map(truth.instances.flatMap((i) => i.rows.map((r) => [at(r.file, r.line), r] as const)));
    const wrong: string[] = [];
    let checked = 0;
    for (const f of findings) {
      for (const e of f.evidence) {
        const row = truthRows.get(at(e.file, e.line));
        if (!row || row.table !== e.table) continue;
        checked++;
        for (const [col, value] of Object.entries(row.values)) {
          if (e.values[col] !== value) wrong.push(`${f.ruleId} ${at(e.file, e.line)} ${col}: evidence ${e.values[col]}, ground truth ${value}`);
        }
      }
    }
    expect(wrong).toEqual([]);
    expect(checked).toBeGreaterThan(100);
  });

  it('finds every planted instance by the rule meant for it', () => {
    const missed = truth.instances.filter((i) => i.expect === 'finding' && !found(i)).map((i) => `${i.rule}: ${i.description}`);
    expect(missed).toEqual([]);
  });

  it('flags no look-alike by the rule it resembles', () => {
    const flagged = truth.instances.filter((i) => i.expect === 'none').flatMap((i) => {
      const rows = rowsOf(i);
      return findings.filter((f) => f.ruleId === i.rule && f.evidence.some((e) => rows.has(at(e.file, e.line))))
        .map((f) => `${i.rule}: ${i.description} (finding on ${f.entity.key})`);
    });
    expect(flagged).toEqual([]);
  });

  it('rests no finding of medium severity or above on clean rows alone', () => {
    const planted = new Set(truth.instances.filter((i) => i.expect === 'finding').flatMap((i) => [...rowsOf(i)]));
    const entities = new Set(truth.instances.flatMap((i) => (i.match?.entity ? [`${i.rule}|${i.match.entity}`] : [])));
    const clean = findings
      .filter((f) => ['medium', 'high', 'critical'].includes(f.severity))
      .filter((f) => !f.evidence.some((e) => planted.has(at(e.file, e.line))) && !entities.has(`${f.ruleId}|${f.entity.key}`))
      .map((f) => `${f.ruleId} ${f.entity.key} ${f.period ?? ''}`);
    expect(clean).toEqual([]);
  });

  it('gives no finding of medium severity or above on the clean county alone', () => {
    const clean = mkdtempSync(join(tmpdir(), 'fundaudit-clean-'));
    try {
      run(['dist/fixtures/generate.js', '--out', clean, '--seed', '7', '--persons', '600', '--years', '2023,2024', '--clean']);
      const report = JSON.parse(run(['bin/fundaudit', 'audit', clean, '--format', 'json', '--reveal']));
      const serious = (report.findings as Finding[]).filter((f) => ['medium', 'high', 'critical'].includes(f.severity)).map((f) => `${f.ruleId} ${f.entity.key}`);
      expect(serious).toEqual([]);
      expect(report.skipped).toEqual([]);
    } finally {
      rmSync(clean, { recursive: true, force: true });
    }
  });

  it('covers all three categories and all five risks', () => {
    expect(new Set(findings.map((f) => f.category))).toEqual(new Set(['money', 'people', 'documents']));
    expect(new Set(findings.map((f) => f.risk))).toEqual(new Set(['embezzlement', 'diversion', 'withholding', 'fraud', 'irregularity']));
  });
});
