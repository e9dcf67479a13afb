/**
 * Rule problems as text for people, JSON for tools, and GitHub Actions
 * annotations for CI. Pure functions of the problems: the CLI prints them.
 */
import type { RuleProblem } from '../rules/model.js';
import { printable } from '../report/printable.js';
import { SARIF_SCHEMA, sarifLocation } from '../report/sarif-log.js';
import { textWidth } from '../report/width.js';
import { VERSION } from '../package.js';
import { escapeData, escapeProperty } from '../report/formatters/github.js';

export { escapeData, escapeProperty };

export const PROBLEM_FORMATS = ['text', 'json', 'github', 'sarif'] as const;
export type ProblemFormat = (typeof PROBLEM_FORMATS)[number];

/**
 * `file:line:col  code  message`, then the offending text and the fix,
 * indented; then a summary line. Rule files may come from other people, so
 * control characters from them are shown as escapes, never sent to the terminal.
 */
export function formatProblemsText(problems: RuleProblem[], fileCount: number): string {
  const lines: string[] = [];
  for (const p of problems) {
    lines.push(printable(`${p.file}:${p.line}:${p.col}  ${p.code}  ${p.message}`));
    if (p.snippet) lines.push(...excerpt(p.snippet, p.col));
    if (p.fix) lines.push(printable(`    fix: ${p.fix}`));
  }
  lines.push(summary(problems, fileCount));
  return lines.join('\n') + '\n';
}

/** The source line, dedented, with a caret under the column when it falls inside the line. */
function excerpt(snippet: string, col: number): string[] {
  const indent = snippet.length - snippet.trimStart().length;
  const text = snippet.trimStart();
  const at = col - 1 - indent;
  if (at < 0 || at > text.length) return [`    ${printable(text)}`];
  return [`    ${printable(text)}`, `    ${' '.repeat(textWidth(printable(text.slice(0, at))))}^`];
}

/** `N problems in M files (of K checked)`, or `K rule files checked, no problems`. */
export function summary(problems: RuleProblem[], fileCount: number): string {
  if (problems.length === 0) return `${fileCount} rule file${fileCount === 1 ? '' : 's'} checked, no problems`;
  const files = new Set(problems.map((p) => p.file)).size;
  return `${problems.length} problem${problems.length === 1 ? '' : 's'} in ${files} file${files === 1 ? '' : 's'} (${fileCount} checked)`;
}

/** `{ version, ok, files, problems }` as pretty JSON (version: of this shape). */
export function formatProblemsJson(problems: RuleProblem[], files: string[]): string {
  return JSON.stringify({ version: 1, ok: problems.length === 0, files: files.length, problems }, null, 2) + '\n';
}

/** One `::error file=…,line=…,col=…,title=…::message` workflow command per problem, then the summary. */
export function formatProblemsGithub(problems: RuleProblem[], fileCount: number): string {
  const lines = problems.map((p) => {
    const props = `file=${escapeProperty(p.file)},line=${p.line},col=${p.col},title=${escapeProperty(`fundaudit ${p.code}`)}`;
    const text = p.fix ? `${p.message}\nfix: ${p.fix}` : p.message;
    return printable(`::error ${props}::${escapeData(text)}`);
  });
  lines.push(summary(problems, fileCount));
  return lines.join('\n') + '\n';
}

/**
 * A SARIF 2.1.0 log: one result per problem at its file:line:col, the
 * problem codes as the rules of the log, so that code scanning shows rule
 * file problems where they are.
 */
export function formatProblemsSarif(problems: RuleProblem[]): string {
  const codes = [...new Set(problems.map((p) => p.code))].sort();
  const log = {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'fundaudit rules validate', version: VERSION, rules: codes.map((id) => ({ id, defaultConfiguration: { level: 'error' } })) } },
        results: problems.map((p) => ({
          ruleId: p.code,
          ruleIndex: codes.indexOf(p.code),
          level: (p as RuleProblem & { severity?: string }).severity === 'warning' ? 'warning' : 'error',
          message: { text: p.fix ? `${p.message}\nfix: ${p.fix}` : p.message },
          locations: [sarifLocation(p.file, p.line, p.col)],
        })),
      },
    ],
  };
  return JSON.stringify(log, null, 2) + '\n';
}
