import { describe, expect, it } from 'vitest';
import { parseTemplate, placeholders, renderTemplate } from '../../src/plan/template.js';
import { rowIndexes } from '../../src/engine/arquero/executor.js';

const parts = (template: string, columns?: string[]) => {
  const t = parseTemplate(template, columns);
  expect(t.problems).toEqual([]);
  return t.parts;
};

describe('message templates', () => {
  it('renders values, money in yuan, lists and blanks', () => {
    const p = parts('{name} 共 {total:money} 元，{months} 个月：{periods}；{missing}；{ratio}', ['name', 'total', 'months', 'periods', 'missing', 'ratio']);
    expect(renderTemplate(p, { name: '张三', total: 600050, months: 2, periods: ['2024-02', '2024-03'], missing: null, ratio: 1 / 3 })).toBe(
      '张三 共 6000.50 元，2 个月：2024-02、2024-03；—；0.3333',
    );
    expect(renderTemplate(parts('{a:money}'), { a: -5 })).toBe('-0.05');
    expect(renderTemplate(parts('no placeholders'), {})).toBe('no placeholders');
  });

  it('masks each value by its placeholder\'s kind before it renders it', () => {
    const p = parseTemplate('{name}: {total:money}').parts.map((x) => (typeof x !== 'string' && x.column === 'name' ? { ...x, kind: 'name' as const } : x));
    expect(renderTemplate(p, { name: '张三', total: 100 }, (kind, v) => (kind ? `<${kind}:${v}>` : v))).toBe('<name:张三>: 1.00');
    // Every value goes through the mask, those of no known kind too (a free-text scan can hook in there).
    const seen: unknown[] = [];
    renderTemplate(p, { name: '张三', total: 100 }, (kind, v) => (seen.push([kind, v]), v));
    expect(seen).toEqual([['name', '张三'], [undefined, 100]]);
    expect(renderTemplate(p, { name: '张三', total: 100 })).toBe('张三: 1.00');
  });

  it('finds unknown columns, formats and empty placeholders, with their offsets', () => {
    expect(parseTemplate('{totl:money}', ['total']).problems).toEqual([expect.objectContaining({ code: 'unknown-column', column: 'totl', offset: 1, length: 4 })]);
    expect(parseTemplate('{total:yuan}', ['total']).problems).toEqual([
      expect.objectContaining({ code: 'message-placeholder', message: 'unknown format `yuan` in `{total:yuan}`', offset: 7, length: 4 }),
    ]);
    expect(parseTemplate('x {}', ['total']).problems).toEqual([expect.objectContaining({ code: 'message-placeholder', message: 'empty placeholder `{}` in the message', offset: 2 })]);
  });

  it('reads {column} and {column:format} with their offsets', () => {
    expect(placeholders('{a} and {b:money}')).toEqual([
      { name: 'a', format: undefined, index: 0, text: '{a}' },
      { name: 'b', format: 'money', index: 8, text: '{b:money}' },
    ]);
  });
});

describe('evidence slots in the Arquero executor', () => {
  it('flatten nested row indexes', () => {
    expect(rowIndexes([[1, 2], [3], 4, null, undefined, Int32Array.of(5)])).toEqual([1, 2, 3, 4, 5]);
    expect(rowIndexes(undefined)).toEqual([]);
  });
});
