import { describe, expect, it } from 'vitest';
import { collectParams, displayParams, parseParamOption, resolveParams } from '../../src/rules/params.js';
import { UsageError } from '../../src/cli/errors.js';
import type { ParamDef } from '../../src/rules/model.js';
import { rule } from '../engine/helpers.js';

const d = (type: ParamDef['type'], def: ParamDef['default']): ParamDef => ({ type, default: def, description: { zh: '', en: '' } });
const r = rule('SPLIT', { kind: 'pipeline', from: 'payouts' }, {}, {
  params: {
    threshold: d('money', '5000'),
    months: d('int', 3),
    ratio: d('number', 1.5),
    items: d('list', ['丧葬补助金', '抚恤金']),
    since: d('date', '2024-01-01'),
    month: d('month', '2024-01'),
    strict: d('bool', false),
    label: d('string', 'x'),
  },
});
const rules = [r, rule('OTHER', { kind: 'pipeline', from: 'payouts' })];

function usage(fn: () => unknown): UsageError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return err as UsageError;
  }
  throw new Error('expected a UsageError');
}

describe('resolveParams', () => {
  it('defaults as expressions see them: money in fen', () => {
    expect(resolveParams(r.rule)).toEqual({ threshold: 500000, months: 3, ratio: 1.5, items: ['丧葬补助金', '抚恤金'], since: '2024-01-01', month: '2024-01', strict: false, label: 'x' });
  });

  it('overrides from text (command line) and typed values (config file)', () => {
    expect(resolveParams(r.rule, { threshold: '1,234.5', months: '6', ratio: '2', items: 'a, b,,c', since: '2024-02-29', month: '2023-12', strict: 'true', label: 7 })).toEqual({
      threshold: 123450, months: 6, ratio: 2, items: ['a', 'b', 'c'], since: '2024-02-29', month: '2023-12', strict: true, label: '7',
    });
    expect(resolveParams(r.rule, { threshold: 0.1, strict: true, items: [] })).toMatchObject({ threshold: 10, strict: true, items: [] });
  });

  it('records what the user wrote, money in yuan', () => {
    expect(displayParams(r.rule, { threshold: 12 })).toMatchObject({ threshold: '12.00', months: 3 });
  });

  it('a wrong type or unknown name is a usage error naming the choices', () => {
    expect(usage(() => resolveParams(r.rule, { threshold: '12.345' })).message).toBe('param SPLIT.threshold must be an amount in yuan with at most two decimals, got "12.345"');
    // Commas only where thousands separators go: '1,2,3' is not 123 yuan.
    expect(usage(() => resolveParams(r.rule, { threshold: '1,2,3' })).message).toMatch(/must be an amount in yuan/);
    expect(resolveParams(r.rule, { threshold: '￥1,234,567.89' }).threshold).toBe(123456789);
    expect(usage(() => resolveParams(r.rule, { months: 1.5 })).message).toMatch(/SPLIT\.months must be a whole number/);
    expect(usage(() => resolveParams(r.rule, { since: '2023-02-29' })).message).toMatch(/must be a date YYYY-MM-DD/);
    expect(usage(() => resolveParams(r.rule, { month: '2023-13' })).message).toMatch(/must be a month YYYY-MM/);
    expect(usage(() => resolveParams(r.rule, { strict: 'maybe' })).message).toMatch(/must be true or false/);
    const e = usage(() => resolveParams(r.rule, { treshold: 1 }));
    expect(e.message).toBe('rule SPLIT has no param "treshold"');
    expect(e.fix).toContain('threshold (money)');
  });
});

describe('--param and the config file', () => {
  it('parses RULE.NAME=VALUE, lists comma-separated', () => {
    expect(parseParamOption('SPLIT.threshold=5000', rules)).toEqual({ ruleId: 'SPLIT', name: 'threshold', value: '5000.00' });
    expect(parseParamOption('SPLIT.items=a,b', rules)).toEqual({ ruleId: 'SPLIT', name: 'items', value: ['a', 'b'] });
    expect(parseParamOption('split.months=2', rules)).toEqual({ ruleId: 'SPLIT', name: 'months', value: 2 });
  });

  it('rejects malformed options, unknown rules and names, wrong types', () => {
    expect(usage(() => parseParamOption('SPLIT.threshold', rules)).message).toMatch(/is not RULE\.NAME=VALUE/);
    expect(usage(() => parseParamOption('threshold=1', rules)).message).toMatch(/is not RULE\.NAME=VALUE/);
    const unknownRule = usage(() => parseParamOption('NOPE.x=1', rules));
    expect(unknownRule.message).toBe('unknown rule "NOPE" in a param');
    expect(unknownRule.fix).toBe('rules with params: SPLIT');
    expect(usage(() => parseParamOption('OTHER.x=1', rules)).fix).toMatch(/none of its own.*budget_seconds/);
    expect(usage(() => parseParamOption('SPLIT.months=abc', rules)).message).toBe('--param SPLIT.months must be a whole number (int), got "abc"');
  });

  it('collects config values and options; options win', () => {
    expect(collectParams(['SPLIT.months=9'], { SPLIT: { months: 4, threshold: 100 } }, rules)).toEqual({ SPLIT: { months: 9, threshold: 100 } });
    expect(usage(() => collectParams([], { SPLIT: { months: 'x' } }, rules)).message).toMatch(/SPLIT\.months must be a whole number/);
    expect(usage(() => collectParams([], { SPLIT: 3 }, rules)).message).toMatch(/must be \{ name: value \}/);
    expect(usage(() => collectParams([], ['x'], rules)).message).toMatch(/must map rule ids/);
  });
});
