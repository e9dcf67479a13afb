/**
 * The sarif format: the findings as a SARIF 2.1.0 log for code-scanning
 * services. One result per finding (locations: its evidence rows), each with
 * its fingerprint, level by severity, baseline state and, for a suppressed
 * finding, the accepted suppression; findings resolved since the baseline are
 * results of state `absent`; rules that did not run are tool notifications.
 * The run's properties carry what ran and the totals. Written in pieces.
 */
import { pick, labels } from '../i18n.js';
import { entityText, money } from '../display.js';
import { formatYuan } from '../../data/yuan.js';
import type { AuditResult, ReportFinding } from '../model.js';
import { SARIF_SCHEMA, sarifLevel, sarifLocation } from '../sarif-log.js';
import { jsonChunks, LazyList } from '../stream.js';
import { everyEvidenceRow } from '../../engine/finding.js';

function result(f: ReportFinding, r: AuditResult, ruleIndex: Map<string, number>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const l = labels(r.lang);
  const rows = Array.from(everyEvidenceRow(f));
  const facts = [entityText(f, l), f.period, f.amount !== null ? `${l.amount} ${money(f.amount)}` : null].filter(Boolean).join(' · ');
  return {
    ruleId: f.ruleId,
    ...(ruleIndex.has(f.ruleId) ? { ruleIndex: ruleIndex.get(f.ruleId) } : {}),
    level: sarifLevel(f.severity),
    message: { text: `${pick(f.message, r.lang)} (${facts})` },
    // SARIF viewers show the first location: the rows that prove the finding, in order.
    locations: rows.map((e) => sarifLocation(e.file, e.line)),
    partialFingerprints: { 'fundaudit/v1': f.fingerprint },
    ...(r.baseline ? { baselineState: f.baseline === 'persisting' ? 'unchanged' : 'new' } : {}),
    ...extra,
    properties: {
      severity: f.severity,
      category: f.category,
      risk: f.risk,
      entity: f.entity,
      period: f.period,
      amountYuan: f.amountYuan,
      evidenceCount: f.evidenceCount,
      ...(rows.some((e) => e.sheet !== undefined) ? { sheets: rows.map((e) => e.sheet ?? null) } : {}),
      case: f.case,
    },
  };
}

/** The SARIF log of an audit, in pieces. */
export function* sarifReport(r: AuditResult): Generator<string> {
  const l = labels(r.lang);
  const rules = r.manifest.rules;
  const ruleIndex = new Map(rules.map((x, i) => [x.id, i]));
  const titles = new Map<string, ReportFinding['title']>();
  for (const f of [...r.findings, ...(r.suppressions?.suppressed ?? [])]) titles.set(f.ruleId, f.title);
  const resolved = (r.baseline?.resolved ?? []).map((f) => ({
    ruleId: f.ruleId,
    ...(ruleIndex.has(f.ruleId) ? { ruleIndex: ruleIndex.get(f.ruleId) } : {}),
    level: f.severity ? sarifLevel(f.severity) : 'note',
    message: { text: `${l.resolvedFindings}: ${[f.ruleId, f.entity ? `${f.entity.key}${f.entity.label ? ' ' + f.entity.label : ''}` : null, f.period, f.amountYuan].filter(Boolean).join(' · ')}` },
    partialFingerprints: { 'fundaudit/v1': f.fingerprint },
    baselineState: 'absent',
    properties: { severity: f.severity, entity: f.entity, period: f.period, amountYuan: f.amountYuan },
  }));
  const log = {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: r.tool.name,
            version: r.tool.version,
            language: r.lang === 'en' ? 'en' : 'zh-CN',
            rules: rules.map((x) => ({
              id: x.id,
              ...(titles.has(x.id) ? { shortDescription: { text: pick(titles.get(x.id)!, r.lang) } } : {}),
              defaultConfiguration: { level: sarifLevel(x.severity) },
              properties: { category: x.category, risk: x.risk, severity: x.severity, file: x.file, sha256: x.sha256, status: x.status },
            })),
          },
        },
        invocations: [
          {
            executionSuccessful: r.run.ran > 0,
            toolExecutionNotifications: r.skipped.map((s) => ({
              level: s.code === 'error' ? 'error' : 'warning',
              message: { text: `${s.ruleId}: ${s.reason}` },
              descriptor: { id: s.ruleId },
            })),
            properties: { generatedAt: r.generatedAt, timeZone: r.timeZone },
          },
        ],
        // Made one at a time as they are written: a county's results need not all exist at once.
        results: new LazyList(function* () {
          for (const f of r.findings) yield result(f, r, ruleIndex);
          for (const f of r.suppressions?.suppressed ?? []) {
            yield result(f, r, ruleIndex, {
              suppressions: [{ kind: 'external', justification: f.suppression.reason, properties: { approver: f.suppression.approver, expires: f.suppression.expires } }],
            });
          }
          yield* resolved;
        }),
        properties: {
          run: r.run,
          revealed: r.revealed,
          counting: r.summary.counting,
          total: { count: r.summary.total.count, amountYuan: r.summary.total.amountYuan, findingsAmountYuan: formatYuan(r.summary.total.findingsAmount) },
        },
      },
    ],
  };
  yield* jsonChunks(log);
  yield '\n';
}
