import { describe, expect, it } from 'vitest';
import { parseInteger, Problem } from '../../../src/data/types/index.js';

describe('parseInteger', () => {
  it.each([
    ['180', 180],
    ['1,200', 1200],
    ['-3', -3],
    ['+7', 7],
    ['0', 0],
    ['-0', 0],
    ['12.0', 12],
    ['12.00', 12],
    ['１８０', 180],
    [' 36\u3000', 36],
  ])('%j → %d', (raw, want) => expect(parseInteger(raw)).toBe(want));

  it('blank → null', () => expect(parseInteger('  ')).toBeNull());

  it('rejects a fraction, never rounding', () => {
    const p = parseInteger('12.5') as Problem;
    expect(p).toMatchObject({ level: 'error', code: 'bad-int' });
    expect(p.reason).toContain('fraction');
  });

  it.each(['abc', '1,20', '12个月', '1 2', '--1', '.'])('%j → error', (raw) => {
    expect(parseInteger(raw)).toMatchObject({ level: 'error', code: 'bad-int' });
  });

  it('rejects scientific notation', () => expect(parseInteger('1E+05')).toMatchObject({ code: 'scientific-notation' }));
});
