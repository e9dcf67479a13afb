/**
 * `fundaudit rules test [paths…]`: run every inline test case of the rule
 * files (default: the shipped rule pack). Exit 0 when all pass, 1 when any
 * case fails, 2 for bad usage or invalid rule files.
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
  format: 'text' | 'json' | 'github';
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

function json(report: TestReport, problems: RuleProblem[]): string {
  return JSON.stringify({ version: 1, passed: report.passed, failed: report.failed, results: report.results, rulesWithoutTests: report.problems, ruleProblems: problems }, null, 2) + '\n';
}

export function register(program: Command, action: ActionWrapper): void {
  program
    .command('test')
    .description('Run the inline test cases of rule files (default: the shipped rules)')
    .argument('[paths...]', 'rule files or folders of rule files')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json', 'github']).default('text'))
    .option('--only <selector>', 'test only these rules: id, category or risk (repeatable, or comma-separated)', collect)
    .option('--skip <selector>', 'do not test these rules: id, category or risk (repeatable, or comma-separated)', collect)
    .addOption(new Option('--engine <engines>', 'both: every case on Arquero (held against expect) and on DuckDB (must find the same); arquero: the reference alone').choices(['both', 'arquero']).default('both'))
    .addHelpText(
      'after',
      `
Each case's tables are loaded from their CSV text as real exports would be; a case fails when the
rule's findings differ from its expect (count, entities, amount in yuan, or none: true), when its
CSV has a data error, or when DuckDB's findings are not Arquero's, finding for finding.
Exit 0: all passed; 1: a case failed; 2: bad usage or invalid rule files.

Examples:
  fundaudit rules test
  fundaudit rules test ./my-rules --format github
  fundaudit rules test --only PAID-AFTER-DEATH`,
    )
    .action(
      action(async (paths: string[], opts: Options) => {
        const loaded = await loadRuleFiles(paths.length ? paths : undefined);
        const rules = selectRules(loaded.rules, opts.only, opts.skip);
        const report = await testRules(rules, opts.engine);
        const lineOf = caseLines(rules);
        const out =
          opts.format === 'json' ? json(report, loaded.problems) : opts.format === 'github' ? github(report, loaded.problems, lineOf) : text(report, loaded.problems, lineOf);
        // Rule files may come from other people: their text (case names, CSV values) must not drive the terminal.
        process.stdout.write(opts.format === 'json' ? out : printable(out));
        if (loaded.problems.length) return EXIT.usage;
        return report.failed > 0 || report.problems.length > 0 ? EXIT.findings : EXIT.ok;
      }),
    );
}
