/**
 * Baselines: a previous json report. Findings whose fingerprint it holds are
 * "persisting", the others "new", and the baseline's findings this run no
 * longer finds are "resolved" — listed with rule, entity, period and amount as
 * the baseline reported them — so that a nightly job flags only what changed.
 */
import { closeSync, createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { INPUT_CAPS, openInput, readOpenedInput, tooLarge } from '../data/files.js';
import { formatYuan } from '../data/yuan.js';
import { InputError } from '../errors.js';
import type { BaselineStatus, ReportFinding, ResolvedFinding } from './model.js';

export interface Baseline {
  file: string;
  /** The baseline's findings (suppressed ones included) by fingerprint. */
  findings: Map<string, ResolvedFinding>;
}

/** Past this size a report cannot be one JavaScript string: it is read line by line (up to INPUT_CAPS.baseline). */
const WHOLE_FILE_LIMIT = 256 * 1024 * 1024;

const wrongFile = (file: string, what: string) => new InputError(`baseline ${file} ${what}`, 'give a report written with --format json', file);

/** What a resolved finding keeps of a baseline finding (schema 1 or 2). */
function resolvedOf(f: unknown): ResolvedFinding | null {
  const o = f as Record<string, unknown> | null;
  if (!o || typeof o.fingerprint !== 'string') return null;
  const str = (v: unknown) => (typeof v === 'string' ? v : null);
  const amount = typeof o.amount === 'number' && Number.isFinite(o.amount) ? o.amount : null;
  const entity = o.entity as ResolvedFinding['entity'];
  const title = o.title as ResolvedFinding['title'];
  return {
    fingerprint: o.fingerprint,
    ruleId: str(o.ruleId) ?? '',
    severity: (str(o.severity) as ResolvedFinding['severity']) ?? null,
    title: title && typeof title === 'object' && typeof title.zh === 'string' && typeof title.en === 'string' ? { zh: title.zh, en: title.en } : null,
    entity: entity && typeof entity === 'object' && typeof entity.key === 'string' ? { kind: entity.kind, key: entity.key, ...(typeof entity.label === 'string' ? { label: entity.label } : {}) } : null,
    period: str(o.period),
    amount,
    amountYuan: amount === null ? null : formatYuan(amount),
  };
}

function add(into: Map<string, ResolvedFinding>, list: unknown): void {
  if (!Array.isArray(list)) return;
  for (const f of list) {
    const r = resolvedOf(f);
    if (r) into.set(r.fingerprint, r);
  }
}

/**
 * Reads the findings of a previous `--format json` report (active and
 * suppressed). Throws InputError when the file is missing or is not such a report.
 */
export async function readBaseline(file: string): Promise<Baseline> {
  // A regular file (a pipe or a link to /dev/zero is refused, naming the file) of bounded size.
  const opened = openInput(file, 'baseline');
  const findings = new Map<string, ResolvedFinding>();
  if (opened.size > WHOLE_FILE_LIMIT) {
    if (opened.size > INPUT_CAPS.baseline) {
      closeSync(opened.fd);
      throw tooLarge(file, 'baseline', opened.size, INPUT_CAPS.baseline);
    }
    // Read from the descriptor that was checked, never past the cap.
    const input = createReadStream(file, { fd: opened.fd, encoding: 'utf8', start: 0, end: INPUT_CAPS.baseline - 1 });
    try {
      if (!(await readLargeReport(input, file, findings))) throw wrongFile(file, 'has no "findings" list');
    } finally {
      input.destroy();
    }
    return { file, findings };
  }
  const text = readOpenedInput(opened, file, 'baseline', WHOLE_FILE_LIMIT).toString('utf8');
  let doc: unknown;
  try {
    doc = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw wrongFile(file, `is not JSON: ${(err as Error).message}`);
  }
  const list = (doc as { findings?: unknown })?.findings;
  if (!Array.isArray(list)) throw wrongFile(file, 'has no "findings" list');
  add(findings, list);
  add(findings, (doc as { suppressions?: { suppressed?: unknown } }).suppressions?.suppressed);
  return { file, findings };
}

/**
 * A report too large for one string, as fundaudit writes it (two-space
 * indentation): each element of `findings` and of `suppressions.suppressed`
 * is parsed on its own. False when no findings list was found.
 */
async function readLargeReport(input: NodeJS.ReadableStream, file: string, into: Map<string, ResolvedFinding>): Promise<boolean> {
  // Array → the indentation of its elements.
  const lists: Array<{ open: string; indent: string }> = [
    { open: '  "findings": [', indent: '    ' },
    { open: '    "suppressed": [', indent: '      ' },
  ];
  let found = false;
  let current: { indent: string } | null = null;
  let element: string[] = [];
  const lines = createInterface({ input, crlfDelay: Infinity });
  for await (const line of lines) {
    if (current === null) {
      // An empty list is written on one line: `"findings": [],`.
      if (line.startsWith(lists[0].open + ']')) found = true;
      const list = lists.find((l) => line === l.open);
      if (list) {
        current = list;
        found ||= list === lists[0];
      }
      continue;
    }
    if (element.length === 0 && line.startsWith(current.indent.slice(2) + ']')) {
      current = null;
      continue;
    }
    element.push(line);
    if (line === `${current.indent}}` || line === `${current.indent}},`) {
      try {
        const r = resolvedOf(JSON.parse(element.join('\n').replace(/,$/, '')));
        if (r) into.set(r.fingerprint, r);
      } catch (err) {
        throw wrongFile(file, `has a finding that is not JSON: ${(err as Error).message}`);
      }
      element = [];
    }
  }
  return found;
}

/** The large-report reader on any file, for tests: it must agree with JSON.parse. */
export async function readLargeReportForTest(file: string): Promise<Map<string, ResolvedFinding>> {
  const into = new Map<string, ResolvedFinding>();
  await readLargeReport(createReadStream(file, { encoding: 'utf8' }), file, into);
  return into;
}

/** Marks each finding new or persisting; without a baseline every status is null. */
export function baselineMark(fingerprint: string, baseline: Baseline | null): ReportFinding['baseline'] {
  return baseline ? (baseline.findings.has(fingerprint) ? 'persisting' : 'new') : null;
}

/**
 * How this run compares with the baseline, or null without one. `current`
 * holds every fingerprint of this run, suppressed findings included: a finding
 * accepted since is not resolved.
 */
export function baselineStatus(findings: readonly ReportFinding[], current: ReadonlySet<string>, baseline: Baseline | null): BaselineStatus | null {
  if (!baseline) return null;
  const persisting = findings.filter((f) => f.baseline === 'persisting').length;
  const resolved = [...baseline.findings.values()].filter((f) => !current.has(f.fingerprint)).sort(compareResolved);
  return { file: baseline.file, fingerprints: baseline.findings.size, new: findings.length - persisting, persisting, resolved };
}

const SEVERITY_ORDER = ['critical', 'high', 'medium', 'low', 'info'];

function compareResolved(a: ResolvedFinding, b: ResolvedFinding): number {
  const s = (x: ResolvedFinding) => (x.severity ? SEVERITY_ORDER.indexOf(x.severity) : 9);
  const c = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);
  return s(a) - s(b) || c(a.ruleId, b.ruleId) || (b.amount ?? -Infinity) - (a.amount ?? -Infinity) || c(a.fingerprint, b.fingerprint);
}
