import { describe, expect, it } from 'vitest';
import { parserFor, Problem } from '../../../src/data/types/index.js';
import { columnDef } from '../../../src/data/tables.js';

const scheme = parserFor(columnDef('payouts', 'scheme')!);
const gender = parserFor(columnDef('persons', 'gender')!);
const direction = parserFor(columnDef('bank_flows', 'direction')!);
const contribType = parserFor(columnDef('contributions', 'contrib_type')!);

describe('enum columns', () => {
  it('map codes and labels to the canonical value', () => {
    expect(scheme('110')).toBe('110');
    expect(scheme('企业职工基本养老保险')).toBe('110');
    expect(scheme(' 城乡居民养老保险 ')).toBe('170');
    expect(contribType('补缴')).toBe('31');
    expect(contribType('31')).toBe('31');
    expect(gender('1')).toBe('男');
    expect(gender('女')).toBe('女');
    expect(direction('贷')).toBe('in');
    expect(direction('借方')).toBe('out');
  });

  it('match case-insensitively, after folding full-width characters and spaces', () => {
    expect(gender('m')).toBe('男');
    expect(gender('Female')).toBe('女');
    expect(gender('Ｆ')).toBe('女');
    expect(scheme('１１０')).toBe('110');
    expect(direction('CREDIT')).toBe('in');
    expect(scheme('\u3000失业保险\u3000')).toBe('210');
  });

  it('accept a code and its label written together, when they agree', () => {
    expect(scheme('110-企业职工基本养老保险')).toBe('110');
    expect(scheme('企业职工基本养老保险（110）')).toBe('110');
    expect(gender('1:男')).toBe('男');
    expect(scheme('110-失业保险')).toMatchObject({ code: 'unknown-code', kept: '110-失业保险' });
    expect(direction('收/付')).toMatchObject({ code: 'unknown-code' });
  });

  it('blank → null', () => expect(scheme('  ')).toBeNull());

  it('keep an unknown value trimmed as written, with a warning listing the known values', () => {
    const p = scheme(' 999 ') as Problem;
    expect(p).toBeInstanceOf(Problem);
    expect(p).toMatchObject({ code: 'unknown-code', level: 'warning', kept: '999' });
    expect(p.reason).toContain('110 企业职工基本养老保险');
    expect(p.reason).toContain('510');
    const g = gender('未知') as Problem;
    expect(g.kept).toBe('未知');
    expect(g.reason).toContain('男');
    expect(g.reason).toContain('女');
  });
});
