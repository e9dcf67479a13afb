/**
 * Tables and columns exist where they are used: the canonical tables of
 * src/data/tables.ts, and at each step the columns that the steps before it
 * produce (see ../analyse.ts). For the higher-level kinds each field is
 * checked against the columns of the kind's table, then the compiled
 * pipeline is analysed as a whole, so that nothing the engine runs escapes.
 */
import { analyseExpression, analysePipeline, analyseTableRef } from '../../plan/flow.js';
import type { PipelineProblem } from '../../plan/flow.js';
import type { Check, Pipeline } from '../model.js';
import type { ExprContext } from '../../plan/expression.js';
import type { ValuePath } from '../yaml.js';
import { compileCheck, CompileError } from '../../plan/check.js';
import type { RuleFile } from './context.js';
import { isObject, report } from './context.js';
import { nearestName } from '../../plan/nearest.js';
import { COLUMN_NAME, expressionsOf } from './walk.js';
import { checkExpression } from '../../plan/expression.js';

export function validateColumns(f: RuleFile): void {
  const rule = f.parsed.value;
  if (!isObject(rule) || !isObject(rule.check)) return;
  const check = rule.check;
  const emit = (base: ValuePath, problems: PipelineProblem[]) => {
    for (const p of problems) report(f, [...base, ...p.path], p.code, p.message, p.fix, { offset: p.offset, length: p.length, key: p.key });
  };

  if (check.kind === 'pipeline') {
    if (typeof check.from !== 'string') return;
    emit(['check'], analysePipeline(check as unknown as Pipeline).problems);
    return;
  }
  if (typeof check.kind !== 'string') return;

  const before = f.problems.length;
  /** The columns of a kind's table (canonical or nested), with their canonical origins; undefined when unknown. */
  const source = (ref: unknown, path: ValuePath): Record<string, string[]> | undefined => {
    if (typeof ref !== 'string' && !(isObject(ref) && typeof ref.from === 'string')) return undefined;
    const a = analyseTableRef(ref as string | Pipeline);
    emit(path, a.problems);
    return a.problems.some((p) => p.code === 'unknown-table') ? undefined : a.outputOrigins;
  };
  const column = (name: unknown, path: ValuePath, cols: Record<string, string[]> | undefined) => {
    if (cols && typeof name === 'string' && !Object.hasOwn(cols, name)) unknownColumn(f, name, path, Object.keys(cols));
  };
  const columns = (names: unknown, path: ValuePath, cols: Record<string, string[]> | undefined) => {
    if (Array.isArray(names)) names.forEach((n, i) => column(n, [...path, i], cols));
  };
  const expr = (text: unknown, path: ValuePath, cols: Record<string, string[]> | undefined, context: ExprContext = 'row') => {
    if (!cols || typeof text !== 'string') return;
    for (const p of analyseExpression(text, context, cols)) {
      if (p.code === 'unknown-column') unknownColumn(f, textAt(text, p.offset!, p.length!), path, Object.keys(cols), p.offset, p.length);
      else report(f, path, p.code, p.message, p.fix, { offset: p.offset, length: p.length });
    }
  };

  if (check.kind === 'reconcile') {
    for (const side of ['left', 'right'] as const) {
      const s = check[side];
      if (!isObject(s)) continue;
      const cols = source(s.table, ['check', side, 'table']);
      expr(s.where, ['check', side, 'where'], cols);
      if (isObject(s.key)) for (const [k, e] of Object.entries(s.key)) expr(e, ['check', side, 'key', k], cols);
      expr(s.value, ['check', side, 'value'], cols);
    }
  } else {
    const cols = source(check.table, ['check', 'table']);
    expr(check.where, ['check', 'where'], cols);
    switch (check.kind) {
      case 'duplicates':
        columns(check.key, ['check', 'key'], cols);
        column(check.amount, ['check', 'amount'], cols);
        break;
      case 'sequence_gaps':
        columns(check.group, ['check', 'group'], cols);
        expr(check.number, ['check', 'number'], cols);
        break;
      case 'benford':
        columns(check.group, ['check', 'group'], cols);
        if (typeof check.value === 'string' && COLUMN_NAME.test(check.value)) column(check.value, ['check', 'value'], cols);
        else expr(check.value, ['check', 'value'], cols);
        break;
      case 'shared_attribute':
        column(check.attribute, ['check', 'attribute'], cols);
        column(check.entity, ['check', 'entity'], cols);
        column(check.amount, ['check', 'amount'], cols);
        break;
      case 'outliers':
        columns(check.group, ['check', 'group'], cols);
        expr(check.value, ['check', 'value'], cols);
        break;
    }
  }
  if (f.problems.length > before) return;

  // The fields are sound; whatever the compiled pipeline still finds is reported at the check.
  try {
    const compiled = compileCheck(check as unknown as Check);
    for (const p of analysePipeline(compiled).problems) {
      report(f, ['check'], p.code, `in the pipeline compiled from kind ${check.kind}: ${p.message}`, p.fix);
    }
    // A field the kind splices into an expression of its own (benford's value inside op.first_digit(…)) must pass
    // there too. The rule's own expressions are checked where they stand: once they pass, the engine's are checked here.
    const written = expressionsOf(check);
    const clean = written.every((e) => checkExpression(e.text, e.context).problems.length === 0);
    const texts = new Set(written.map((e) => e.text));
    for (const e of clean ? expressionsOf(compiled) : []) {
      if (texts.has(e.text)) continue;
      for (const p of checkExpression(e.text, e.context).problems) {
        report(f, ['check'], p.code, `in the pipeline compiled from kind ${check.kind}: ${p.message} (in \`${e.text}\`)`,
          "write the kind's fields as bare expressions over d, such as `d.amount / 100`: the kind puts them into expressions of its own");
      }
    }
  } catch (err) {
    // Shape errors are the schema validator's; report only what it cannot see.
    if (f.problems.some((p) => p.code === 'schema')) return;
    if (err instanceof CompileError) report(f, err.path, 'check', err.message, err.fix);
    else report(f, ['check'], 'check', `kind ${check.kind} cannot be compiled: ${(err as Error).message}`, 'compare the check with the kind\'s fields in docs/rules.md');
  }
}

function unknownColumn(f: RuleFile, name: string, path: ValuePath, cols: string[], offset?: number, length?: number): void {
  const near = nearestName(name, cols);
  report(f, path, 'unknown-column', `unknown column \`${name}\` in the check's table`,
    `${near ? `did you mean \`${near}\`? ` : ''}columns here: ${cols.join(', ')}`, { offset, length });
}

function textAt(text: string, offset: number, length: number): string {
  return text.slice(offset, offset + length);
}
