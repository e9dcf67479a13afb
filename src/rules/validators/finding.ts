/**
 * The finding spec reads the check's output: the entity key and label, the
 * amount, the period, the pii columns and every `{placeholder}` of the
 * messages must be output columns, and placeholder formats must be known.
 */
import { analysePipeline } from '../../plan/flow.js';
import type { Check } from '../model.js';
import type { ValuePath } from '../yaml.js';
import { compileCheck } from '../../plan/check.js';
import { TEMPLATE_FORMATS } from '../../plan/template.js';
import type { RuleFile } from './context.js';
import { isObject, report } from './context.js';
import { nearestName } from '../../plan/nearest.js';
import { placeholders } from '../reads.js';

/** Formats a message placeholder may name after a colon (`{total:money}`): the engine's. */
const PLACEHOLDER_FORMATS: readonly string[] = TEMPLATE_FORMATS;

export function validateFinding(f: RuleFile): void {
  const rule = f.parsed.value;
  if (!isObject(rule) || !isObject(rule.finding)) return;
  const output = checkOutput(rule.check);
  const spec = rule.finding;
  const known = (name: unknown, path: ValuePath, offset?: number, length?: number, key?: boolean) => {
    if (!output || typeof name !== 'string' || output.includes(name)) return;
    const near = nearestName(name, output);
    report(f, path, 'unknown-column', `\`${name}\` is not an output column of the check`,
      `${near ? `did you mean \`${near}\`? ` : ''}the check outputs: ${output.join(', ')}`, { offset, length, key });
  };

  if (isObject(spec.entity)) {
    known(spec.entity.key, ['finding', 'entity', 'key']);
    known(spec.entity.label, ['finding', 'entity', 'label']);
  }
  known(spec.amount, ['finding', 'amount']);
  known(spec.period, ['finding', 'period']);
  if (isObject(spec.pii)) for (const name of Object.keys(spec.pii)) known(name, ['finding', 'pii', name], undefined, undefined, true);
  if (isObject(spec.message)) {
    for (const lang of ['zh', 'en']) {
      const text = spec.message[lang];
      if (typeof text !== 'string') continue;
      for (const p of placeholders(text)) {
        const path = ['finding', 'message', lang];
        const name = p.name.trim();
        if (name === '') {
          report(f, path, 'message-placeholder', 'empty placeholder `{}` in the message', 'write {column} or {column:money}', { offset: p.index, length: p.text.length });
          continue;
        }
        known(name, path, p.index + 1, p.name.length);
        if (p.format !== undefined && !PLACEHOLDER_FORMATS.includes(p.format.trim())) {
          report(f, path, 'message-placeholder', `unknown format \`${p.format}\` in \`${p.text}\``,
            `formats: ${PLACEHOLDER_FORMATS.map((x) => `{${name}:${x}}`).join(', ')}; or write {${name}}`,
            { offset: p.index + p.name.length + 2, length: p.format.length });
        }
      }
    }
  }
}

/** The output columns of a check, or undefined when it cannot be known (unknown table, does not compile). */
export function checkOutput(check: unknown): string[] | undefined {
  if (!isObject(check)) return undefined;
  try {
    const a = analysePipeline(compileCheck(check as unknown as Check));
    return a.problems.some((p) => p.code === 'unknown-table') ? undefined : a.output;
  } catch {
    return undefined;
  }
}
