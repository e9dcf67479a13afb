/**
 * The github format: GitHub Actions workflow commands, one annotation per
 * finding at its first evidence row (`::error file=…,line=…,title=…::…`;
 * critical and high are errors, medium and low warnings, info notices), one
 * warning per rule that did not run, then the run line and the summary as
 * plain lines for the job log. Written in pieces.
 */
import { entityText, evidenceRef, money } from '../display.js';
import { labels, pick } from '../i18n.js';
import type { AuditResult, ReportFinding } from '../model.js';
import { printable } from '../printable.js';
import { sarifLevel } from '../sarif-log.js';
import { firstEvidenceRows } from '../../engine/finding.js';

/** A workflow command's message, escaped as GitHub's @actions/core does. */
export function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** A workflow command's property value (file, title), escaped as GitHub's @actions/core does. */
export function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

const COMMAND = { error: 'error', warning: 'warning', note: 'notice', none: 'notice' } as const;

function annotation(f: ReportFinding, r: AuditResult): string {
  const l = labels(r.lang);
  const first = firstEvidenceRows(f, 5);
  const at = first[0];
  const where = at ? `file=${escapeProperty(at.file)},line=${at.line},` : '';
  const title = `${f.ruleId} [${l.severities[f.severity]}] ${pick(f.title, r.lang)}`;
  const facts = [
    entityText(f, l),
    f.period,
    f.amount !== null ? `${l.amount} ${money(f.amount)}` : null,
    f.baseline ? l.baselineStatus[f.baseline] : null,
    f.evidenceCount > 1 ? `${l.evidence}: ${first.map(evidenceRef).join(', ')}${f.evidenceCount > 5 ? ` (${l.evidenceMore(f.evidenceCount - 5)})` : ''}` : null,
    f.fingerprint,
  ].filter(Boolean);
  // Values from exports must not drive the terminal of whoever reads the log.
  return printable(`::${COMMAND[sarifLevel(f.severity)]} ${where}title=${escapeProperty(title)}::${escapeData(`${pick(f.message, r.lang)}\n${facts.join(' · ')}`)}`) + '\n';
}

/** GitHub annotations of an audit, in pieces. */
export function* githubReport(r: AuditResult): Generator<string> {
  const l = labels(r.lang);
  for (const f of r.findings) yield annotation(f, r);
  for (const s of r.skipped) yield printable(`::warning title=${escapeProperty(`${s.ruleId}: ${s.code === 'error' ? l.ruleStatus.failed : l.ruleStatus.skipped}`)}::${escapeData(s.reason)}`) + '\n';
  yield printable(l.runLine(r.run)) + '\n';
  yield printable(l.recap(r.run, r.findings.length, r.summary.total.amount)) + '\n';
}
