/**
 * Message templates: `{column}` inserts an output value, `{column:money}`
 * formats fen as yuan with two decimals. Templates are checked against the
 * check's output columns before a rule runs, so a typo is an error at compile
 * time rather than a message with a hole in it.
 */
import { formatYuan } from '../data/yuan.js';
import type { Value } from '../data/model.js';

export const TEMPLATE_FORMATS = ['money'] as const;

export type TemplatePart = string | { column: string; format?: 'money' };

/** A template that cannot be compiled; `offset` is the position of the placeholder. */
export class TemplateError extends Error {
  constructor(
    message: string,
    readonly offset: number,
    readonly fix: string,
  ) {
    super(message);
    this.name = 'TemplateError';
  }
}

const PLACEHOLDER = /\{([^{}]*)\}/g;

/**
 * Splits a template into text and placeholders. With `columns`, every
 * placeholder must name one of them. Throws TemplateError.
 */
export function compileTemplate(template: string, columns?: Iterable<string>): TemplatePart[] {
  const known = columns ? new Set(columns) : undefined;
  const parts: TemplatePart[] = [];
  let last = 0;
  for (const m of template.matchAll(PLACEHOLDER)) {
    const [column, format, ...rest] = m[1].split(':').map((s) => s.trim());
    if (m.index! > last) parts.push(template.slice(last, m.index));
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(column) || rest.length) {
      throw new TemplateError(`bad placeholder {${m[1]}}`, m.index!, 'write {column} or {column:money}');
    }
    if (format !== undefined && !(TEMPLATE_FORMATS as readonly string[]).includes(format)) {
      throw new TemplateError(`unknown format "${format}" in {${m[1]}}`, m.index!, `formats: ${TEMPLATE_FORMATS.join(', ')}`);
    }
    if (known && !known.has(column)) {
      throw new TemplateError(
        `placeholder {${m[1]}} names no output column`,
        m.index!,
        `the check outputs: ${[...known].join(', ')}`,
      );
    }
    parts.push(format ? { column, format: 'money' } : { column });
    last = m.index! + m[0].length;
  }
  if (last < template.length) parts.push(template.slice(last));
  return parts;
}

/** A value as a message shows it: numbers without float noise, lists joined, blanks as '—'. */
export function displayValue(v: unknown): string {
  if (v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v))) return '—';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(Number(v.toFixed(4)));
  if (Array.isArray(v) || ArrayBuffer.isView(v)) return Array.from(v as ArrayLike<unknown>).map(displayValue).join('、');
  return String(v);
}

/** Renders a compiled template with one output row. */
export function renderTemplate(parts: TemplatePart[], row: Record<string, Value | unknown>): string {
  return parts
    .map((p) => {
      if (typeof p === 'string') return p;
      const v = row[p.column];
      if (p.format === 'money') return typeof v === 'number' && Number.isFinite(v) ? formatYuan(Math.round(v)) : '—';
      return displayValue(v);
    })
    .join('');
}
