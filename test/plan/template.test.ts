import { describe, expect, it } from 'vitest';
import { compileTemplate, renderTemplate, TemplateError } from '../../src/plan/template.js';
import { provenanceIndexes, provenanceTable } from '../../src/engine/provenance.js';

describe('message templates', () => {
  it('renders values, money in yuan, lists and blanks', () => {
    const parts = compileTemplate('{name} 共 {total:money} 元，{months} 个月：{periods}；{missing}；{ratio}', ['name', 'total', 'months', 'periods', 'missing', 'ratio']);
    expect(renderTemplate(parts, { name: '张三', total: 600050, months: 2, periods: ['2024-02', '2024-03'], missing: null, ratio: 1 / 3 })).toBe(
      '张三 共 6000.50 元，2 个月：2024-02、2024-03；—；0.3333',
    );
    expect(renderTemplate(compileTemplate('{a:money}'), { a: -5 })).toBe('-0.05');
    expect(renderTemplate(compileTemplate('no placeholders'), {})).toBe('no placeholders');
  });

  it('rejects unknown columns, formats and malformed placeholders at compile time', () => {
    expect(() => compileTemplate('{totl:money}', ['total'])).toThrow(TemplateError);
    expect(() => compileTemplate('{totl:money}', ['total'])).toThrow('placeholder {totl:money} names no output column');
    expect(() => compileTemplate('{total:yuan}', ['total'])).toThrow('unknown format "yuan" in {total:yuan}');
    expect(() => compileTemplate('{a b}', ['a'])).toThrow('bad placeholder {a b}');
    try {
      compileTemplate('x {nope}', ['total']);
    } catch (err) {
      expect((err as TemplateError).offset).toBe(2);
      expect((err as TemplateError).fix).toBe('the check outputs: total');
    }
  });
});

describe('provenance columns', () => {
  const tables = ['payouts', 'deaths', 'bank_flows', 'persons'];
  it('map back to their table through join suffixes', () => {
    expect(provenanceTable('__payouts', tables)).toBe('payouts');
    expect(provenanceTable('__payouts_1', tables)).toBe('payouts');
    expect(provenanceTable('__bank_flows_pay', tables)).toBe('bank_flows');
    expect(provenanceTable('payouts', tables)).toBeUndefined();
    expect(provenanceTable('__unknown', tables)).toBeUndefined();
  });
  it('flatten nested row indexes', () => {
    expect(provenanceIndexes([[1, 2], [3], 4, null, undefined, Int32Array.of(5)])).toEqual([1, 2, 3, 4, 5]);
    expect(provenanceIndexes(undefined)).toEqual([]);
  });
});
