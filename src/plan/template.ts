/**
 * Message templates: `{column}` inserts an output value, `{column:money}`
 * formats fen as yuan with two decimals. One parser serves both the
 * validator (problems with their offsets) and the compiled rule (the parts
 * the report renders); templates are checked against the check's output
 * columns when the rule is compiled, so a typo is a problem in `validate`,
 * never a message with a hole in it.
 */
import type { Value } from '../data/model.js';
import type { PiiKind } from '../data/tables.js';
import { formatYuan } from '../data/yuan.js';

export const TEMPLATE_FORMATS = ['money'] as const;

/**
 * Literal text, or a placeholder: the output column it shows, its format,
 * and the personal-data kind of its value (set when the rule is compiled),
 * by which a report masks the value before it renders the message.
 */
export type TemplatePart = string | { column: string; format?: 'money'; kind?: PiiKind };

/** A `{name}` or `{name:format}` in a template, as written (not trimmed), with its offset. */
export interface Placeholder {
  name: string;
  format?: string;
  index: number;
  /** The whole placeholder, braces included. */
  text: string;
}

/** A problem of a template, with its offset and length in the template text. */
export interface TemplateProblem {
  code: 'message-placeholder' | 'unknown-column';
  message: string;
  fix: string;
  offset: number;
  length: number;
  /** For unknown-column: the column named. */
  column?: string;
}

const PLACEHOLDER = /\{([^{}:]*)(?::([^{}]*))?\}/g;

/** The placeholders of a template, in order. */
export function placeholders(template: string): Placeholder[] {
  return [...template.matchAll(PLACEHOLDER)].map((m) => ({ name: m[1], format: m[2], index: m.index!, text: m[0] }));
}

/**
 * A template's parts and its problems: an empty `{}`, an unknown format, and
 * (with `columns`) a placeholder naming none of them. The parts are meant
 * for a template without problems.
 */
export function parseTemplate(template: string, columns?: readonly string[]): { parts: TemplatePart[]; problems: TemplateProblem[] } {
  const parts: TemplatePart[] = [];
  const problems: TemplateProblem[] = [];
  let last = 0;
  for (const p of placeholders(template)) {
    if (p.index > last) parts.push(template.slice(last, p.index));
    last = p.index + p.text.length;
    const name = p.name.trim();
    const format = p.format?.trim();
    if (name === '') {
      problems.push({ code: 'message-placeholder', message: 'empty placeholder `{}` in the message', fix: 'write {column} or {column:money}', offset: p.index, length: p.text.length });
      continue;
    }
    if (columns && !columns.includes(name)) {
      problems.push({ code: 'unknown-column', message: `\`${name}\` is not an output column of the check`, fix: '', offset: p.index + 1, length: p.name.length, column: name });
    }
    if (format !== undefined && !(TEMPLATE_FORMATS as readonly string[]).includes(format)) {
      problems.push({
        code: 'message-placeholder', message: `unknown format \`${p.format}\` in \`${p.text}\``,
        fix: `formats: ${TEMPLATE_FORMATS.map((x) => `{${name}:${x}}`).join(', ')}; or write {${name}}`,
        offset: p.index + p.name.length + 2, length: p.format!.length,
      });
    }
    parts.push(format === 'money' ? { column: name, format: 'money' } : { column: name });
  }
  if (last < template.length) parts.push(template.slice(last));
  return { parts, problems };
}

/**
 * A value as people read it: numbers without float noise, lists joined with
 * 、, booleans as true/false; null, undefined and NaN as `blank` (a message
 * shows '—', a table cell nothing).
 */
export function displayValue(v: unknown, blank = '—'): string {
  if (v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v))) return blank;
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(Number(v.toFixed(4)));
  if (Array.isArray(v) || ArrayBuffer.isView(v)) return Array.from(v as ArrayLike<unknown>).map((x) => displayValue(x, blank)).join('、');
  return String(v);
}

/**
 * Renders template parts with one row's values (money placeholders in yuan,
 * written by `money`: a report groups thousands as its tables do).
 * With `mask`, every placeholder's value first goes through it, with its
 * kind (undefined when the column holds no known personal data).
 */
export function renderTemplate(
  parts: TemplatePart[],
  values: Record<string, unknown>,
  mask?: (kind: PiiKind | undefined, value: Value) => Value,
  money: (fen: number) => string = formatYuan,
): string {
  return parts
    .map((p) => {
      if (typeof p === 'string') return p;
      const raw = Object.hasOwn(values, p.column) ? values[p.column] : undefined;
      const v = mask && raw !== undefined ? mask(p.kind, raw as Value) : raw;
      if (p.format === 'money') return typeof v === 'number' && Number.isFinite(v) ? money(Math.round(v)) : '—';
      return displayValue(v);
    })
    .join('');
}
