/**
 * `fundaudit rules test [paths…]`: run every inline test case of the rule
 * files (default: the shipped rule pack). Exit codes are those of `rules
 * validate`: 0 when all pass, 1 when any case fails or a rule file has
 * problems (they are what is being checked), 2 for bad usage.
 */
import { Option, type Command } from 'commander';
import type { ActionWrapper } from './main.js';
import { EXIT } from './errors.js';
import { loadRuleFiles } from '../rules/load.js';
import type { RuleProblem } from '../rules/model.js';
import type { CompiledRule } from '../plan/compile.js';
import { selectRules } from '../rules/select.js';
import { testRules, type CaseResult, type TestEngines, type TestReport } from '../engine/tester.js';
import { printable } from '../report/printable.js';
import { escapeData, escapeProperty } from './problems.js';

interface Options {
  format: 'text' | 'json' | 'github' | 'junit';
  engine: TestEngines;
  only?: string[];
  skip?: string[];
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** 1-based line of a case's `name:` in its rule file (from the rule file's positions), 1 when unknown. */
type CaseLine = (r: CaseResult) => number;

function caseLines(rules: CompiledRule[]): CaseLine {
  return (r) => rules.find((x) => x.rule.id === r.ruleId && x.file === r.file)?.testLines[r.index] || 1;
}

function summary(report: TestReport, problems: RuleProblem[]): string {
  const parts = [`${report.passed} passed`, `${report.failed} failed`];
  if (report.problems.length) parts.push(`${report.problems.length} rule${report.problems.length > 1 ? 's' : ''} without tests`);
  if (problems.length) parts.push(`${problems.length} rule-file problem${problems.length > 1 ? 's' : ''}`);
  return parts.join(', ');
}

function caseDetail(r: CaseResult): string[] {
  const out = r.failures.map((f) => `    ✗ ${f}`);
  if (r.found.count > 0 && r.failures.some((f) => f.startsWith('expected'))) {
    out.push(`    found ${r.found.count} finding${r.found.count > 1 ? 's' : ''}${r.found.amount !== null ? `, ${r.found.amount} yuan in total` : ''}:`);
    for (const f of r.found.findings.slice(0, 5)) {
      out.push(`      - ${f.entity}${f.period ? ` ${f.period}` : ''}${f.amount !== null ? ` ${f.amount}` : ''}: ${f.message}`);
    }
    if (r.found.findings.length > 5) out.push(`      … and ${r.found.findings.length - 5} more`);
  }
  // Warnings do not fail a case, but may explain why it did not find what it expected.
  const warnings = r.issues.filter((i) => i.level === 'warning');
  for (const w of warnings.slice(0, 5)) {
    const table = w.file.slice(w.file.lastIndexOf('/') + 1);
    out.push(`    note: table ${table} line ${w.line}${w.column ? `, column ${w.column}` : ''}: ${w.reason}`);
  }
  if (warnings.length > 5) out.push(`    note: … and ${warnings.length - 5} more data warnings`);
  return out;
}

function text(report: TestReport, problems: RuleProblem[], lineOf: CaseLine): string {
  const out: string[] = [];
  for (const p of problems) {
    out.push(`${p.file}:${p.line}:${p.col}: ${p.message} [${p.code}]${p.fix ? `\n    fix: ${p.fix}` : ''}`);
  }
  const byRule = new Map<string, CaseResult[]>();
  for (const r of report.results) byRule.set(r.ruleId, [...(byRule.get(r.ruleId) ?? []), r]);
  for (const [id, results] of byRule) {
    const failed = results.filter((r) => !r.passed);
    if (!failed.length) {
      out.push(`ok    ${id} (${results.length} case${results.length > 1 ? 's' : ''})`);
      continue;
    }
    for (const r of results) {
      if (r.passed) {
        out.push(`ok    ${id} › ${r.case}`);
        continue;
      }
      out.push(`FAIL  ${id} › ${r.case}  (${r.file}:${lineOf(r)})`);
      out.push(...caseDetail(r));
    }
  }
  for (const p of report.problems) out.push(`FAIL  ${p.ruleId} ${p.message}  (${p.file})`);
  out.push('', summary(report, problems));
  return out.join('\n') + '\n';
}


function github(report: TestReport, problems: RuleProblem[], lineOf: CaseLine): string {
  const out: string[] = [];
  for (const p of problems) {
    out.push(`::error file=${escapeProperty(p.file)},line=${p.line},col=${p.col},title=${escapeProperty(`rule file: ${p.code}`)}::${escapeData(p.message + (p.fix ? `\nfix: ${p.fix}` : ''))}`);
  }
  for (const r of report.results) {
    if (r.passed) continue;
    const title = `rule test failed: ${r.ruleId} › ${r.case}`;
    out.push(`::error file=${escapeProperty(r.file)},line=${lineOf(r)},title=${escapeProperty(title)}::${escapeData(caseDetail(r).map((l) => l.trim()).join('\n'))}`);
  }
  for (const p of report.problems) out.push(`::error file=${escapeProperty(p.file)},line=1,title=${escapeProperty(`rule ${p.ruleId}`)}::${escapeData(p.message)}`);
  out.push(summary(report, problems));
  return out.join('\n') + '\n';
}

/** Text as XML content or an attribute value: escaped, and without the control characters XML 1.0 forbids. */
function xml(s: string): string {
  return s
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/**
 * JUnit XML, as CI systems (GitLab, Jenkins, Azure DevOps) read test results:
 * one testsuite per rule, one testcase per inline case (a failure with what
 * was expected and found); rule-file problems and rules without tests are
 * errors of a testsuite of their own.
 */
function junit(report: TestReport, problems: RuleProblem[], lineOf: CaseLine): string {
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const errors = problems.length + report.problems.length;
  out.push(`<testsuites name="fundaudit rules test" tests="${report.results.length + errors}" failures="${report.failed}" errors="${errors}">`);
  const byRule = new Map<string, CaseResult[]>();
  for (const r of report.results) byRule.set(r.ruleId, [...(byRule.get(r.ruleId) ?? []), r]);
  for (const [id, results] of byRule) {
    const failed = results.filter((r) => !r.passed).length;
    out.push(`  <testsuite name="${xml(id)}" tests="${results.length}" failures="${failed}" errors="0" file="${xml(results[0].file)}">`);
    for (const r of results) {
      const attrs = `name="${xml(r.case)}" classname="${xml(id)}" file="${xml(r.file)}" line="${lineOf(r)}"`;
      if (r.passed) {
        out.push(`    <testcase ${attrs}/>`);
        continue;
      }
      const detail = caseDetail(r).map((l) => l.trim()).join('\n');
      out.push(`    <testcase ${attrs}>`, `      <failure message="${xml(r.failures[0] ?? 'failed')}" type="rule-test">${xml(detail)}</failure>`, '    </testcase>');
    }
    out.push('  </testsuite>');
  }
  if (errors > 0) {
    out.push(`  <testsuite name="rule files" tests="${errors}" failures="0" errors="${errors}">`);
    for (const p of problems) {
      out.push(`    <testcase name="${xml(`${p.file}:${p.line}:${p.col} ${p.code}`)}" classname="rule files" file="${xml(p.file)}" line="${p.line}">`);
      out.push(`      <error message="${xml(p.message)}" type="${xml(p.code)}">${xml(p.fix ? `${p.message}\nfix: ${p.fix}` : p.message)}</error>`, '    </testcase>');
    }
    for (const p of report.problems) {
      out.push(`    <testcase name="${xml(`${p.ruleId} has no tests`)}" classname="rule files" file="${xml(p.file)}">`);
      out.push(`      <error message="${xml(p.message)}" type="no-tests">${xml(p.message)}</error>`, '    </testcase>');
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return out.join('\n') + '\n';
}

function json(report: TestReport, problems: RuleProblem[]): string {
  return JSON.stringify({ version: 1, passed: report.passed, failed: report.failed, results: report.results, rulesWithoutTests: report.problems, ruleProblems: problems }, null, 2) + '\n';
}

export function register(program: Command, action: ActionWrapper): void {
  program
    .command('test')
    .description('Run the inline test cases of rule files (default: the shipped rules)')
    .argument('[paths...]', 'rule files or folders of rule files')
    .addOption(new Option('--format <format>', 'output format (junit: JUnit XML for CI test reports)').choices(['text', 'json', 'github', 'junit']).default('text'))
    .option('--only <selector>', 'test only these rules: id, category or risk (repeatable, or comma-separated)', collect)
    .option('--skip <selector>', 'do not test these rules: id, category or risk (repeatable, or comma-separated)', collect)
    .addOption(new Option('--engine <engines>', 'both: every case on Arquero (held against expect) and on DuckDB (must find the same); arquero: the reference alone').choices(['both', 'arquero']).default('both'))
    .addHelpText(
      'after',
      `
Each case's tables are loaded from their CSV text as real exports would be; a case fails when the
rule's findings differ from its expect (count, entities, amount in yuan, or none: true), when its
CSV has a data error, or when DuckDB's findings are not Arquero's, finding for finding. Exit codes,
as for rules validate: 0 all passed; 1 a case failed, a rule has no tests, or a rule file has
problems; 2 bad usage (an unknown option, a path that does not exist).

Examples:
  fundaudit rules test
  fundaudit rules test ./my-rules --format github
  fundaudit rules test --format junit > rule-tests.xml
  fundaudit rules test --only PAID-AFTER-DEATH`,
    )
    .action(
      action(async (paths: string[], opts: Options) => {
        const loaded = await loadRuleFiles(paths.length ? paths : undefined);
        const rules = selectRules(loaded.rules, opts.only, opts.skip);
        const report = await testRules(rules, opts.engine);
        const lineOf = caseLines(rules);
        const out =
          opts.format === 'json' ? json(report, loaded.problems) :
          opts.format === 'github' ? github(report, loaded.problems, lineOf) :
          opts.format === 'junit' ? junit(report, loaded.problems, lineOf) :
          text(report, loaded.problems, lineOf);
        // Rule files may come from other people: their text (case names, CSV values) must not drive the terminal.
        process.stdout.write(opts.format === 'json' || opts.format === 'junit' ? out : printable(out));
        // A broken rule file is a problem found, as in rules validate: 1, not 2 (which is for bad usage).
        return loaded.problems.length > 0 || report.failed > 0 || report.problems.length > 0 ? EXIT.findings : EXIT.ok;
      }),
    );
}
