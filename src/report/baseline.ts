/**
 * Baselines: a previous json report. Findings whose fingerprint it holds are
 * "known", the others "new", so that a nightly job flags only what changed.
 */
import { readFileSync } from 'node:fs';
import { InputError } from '../errors.js';
import type { Finding } from '../engine/finding.js';
import type { BaselineStatus, ReportFinding } from './model.js';

export interface Baseline {
  file: string;
  fingerprints: Set<string>;
}

/**
 * Reads the fingerprints of a previous `--format json` report.
 * Throws InputError when the file is missing or is not such a report.
 */
export function readBaseline(file: string): Baseline {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new InputError(
      `cannot read baseline ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      'give the path of a previous report written with --format json',
      file,
    );
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new InputError(`baseline ${file} is not JSON: ${(err as Error).message}`, 'give a report written with --format json', file);
  }
  const findings = (doc as { findings?: unknown })?.findings;
  if (!Array.isArray(findings)) {
    throw new InputError(`baseline ${file} has no "findings" list`, 'give a report written with --format json', file);
  }
  const fingerprints = new Set<string>();
  for (const f of findings) {
    const fp = (f as { fingerprint?: unknown })?.fingerprint;
    if (typeof fp === 'string') fingerprints.add(fp);
  }
  return { file, fingerprints };
}

/** Marks each finding new or known; without a baseline every status is null. */
export function markFindings(findings: Finding[], baseline: Baseline | null): Array<Finding & { baseline: ReportFinding['baseline'] }> {
  return findings.map((f) => ({ ...f, baseline: baseline ? (baseline.fingerprints.has(f.fingerprint) ? 'known' : 'new') : null }));
}

/** How the findings compare with the baseline, or null without one. */
export function baselineStatus(findings: ReportFinding[], baseline: Baseline | null): BaselineStatus | null {
  if (!baseline) return null;
  const current = new Set(findings.map((f) => f.fingerprint));
  let gone = 0;
  for (const fp of baseline.fingerprints) if (!current.has(fp)) gone++;
  const known = findings.filter((f) => f.baseline === 'known').length;
  return { file: baseline.file, fingerprints: baseline.fingerprints.size, known, new: findings.length - known, gone };
}
