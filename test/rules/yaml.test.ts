import { describe, expect, it } from 'vitest';
import { locate, MAX_DEPTH, MAX_MAP_ENTRIES, parseRuleYaml } from '../../src/rules/yaml.js';

const BILLION_LAUGHS = `a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
`;

function timed<T>(fn: () => T): { result: T; ms: number } {
  const start = performance.now();
  const result = fn();
  return { result, ms: performance.now() - start };
}

describe('parseRuleYaml refuses hostile documents within a bound', () => {
  it('refuses an alias bomb ("billion laughs") without expanding it', () => {
    const { result, ms } = timed(() => parseRuleYaml(BILLION_LAUGHS, 'bomb.yaml'));
    expect(ms).toBeLessThan(2000);
    expect(result.value).toBeUndefined();
    expect(result.problems).toEqual([expect.objectContaining({ code: 'yaml-aliases', line: 1, col: 1 })]);
  });

  it('refuses a 10,000-deep flow document', () => {
    const deep = 'a: ' + '['.repeat(10_000) + ']'.repeat(10_000) + '\n';
    const { result, ms } = timed(() => parseRuleYaml(deep, 'deep.yaml'));
    expect(ms).toBeLessThan(2000);
    expect(result.value).toBeUndefined();
    // The map is level 1, so the first list beyond the bound starts at column 4 + MAX_DEPTH - 1.
    expect(result.problems).toEqual([expect.objectContaining({ code: 'too-deep', line: 1, col: 3 + MAX_DEPTH })]);
  });

  it('refuses a 10,000-deep block document', () => {
    const deep = '- '.repeat(10_000) + 'x\n';
    const { result, ms } = timed(() => parseRuleYaml(deep, 'deep.yaml'));
    expect(ms).toBeLessThan(2000);
    expect(result.value).toBeUndefined();
    expect(result.problems[0]).toMatchObject({ code: 'too-deep', line: 1, col: 2 * MAX_DEPTH + 1 });
  });

  it('refuses a file over the size bound before parsing it', () => {
    const big = 'a: "' + 'x'.repeat(300 * 1024) + '"\n';
    const { result, ms } = timed(() => parseRuleYaml(big, 'big.yaml'));
    expect(ms).toBeLessThan(2000);
    expect(result.value).toBeUndefined();
    expect(result.problems[0]).toMatchObject({ code: 'file-too-large', line: 1, col: 1 });
  });

  it('refuses a map with thousands of keys, whose duplicate-key check would take seconds', () => {
    const keys = (n: number) => Array.from({ length: n }, (_, i) => `k${i}: 1\n`).join('');
    const { result, ms } = timed(() => parseRuleYaml('a:\n' + keys(22_000).replace(/^/gm, '  '), 'wide.yaml'));
    expect(ms).toBeLessThan(2000);
    expect(result.value).toBeUndefined();
    expect(result.problems).toEqual([expect.objectContaining({ code: 'too-many-keys', line: 2, col: 3 })]);
    const flow = parseRuleYaml(`a: {${keys(MAX_MAP_ENTRIES + 1).replace(/\n/g, ', ')}}\n`, 'wide.yaml');
    expect(flow.problems).toEqual([expect.objectContaining({ code: 'too-many-keys', line: 1, col: 4 })]);
    // At the bound, with a flow map's trailing comma, it still parses.
    expect(parseRuleYaml(`a: {${keys(MAX_MAP_ENTRIES).replace(/\n/g, ', ')}}\n`, 'ok.yaml').problems).toEqual([]);
  });

  it('refuses explicit tags, known or not, at the tag', () => {
    const r = parseRuleYaml('a: !!js/function "function () {}"\nb: !!binary aGVsbG8=\nc: !custom x\n', 't.yaml');
    expect(r.value).toBeUndefined();
    expect(r.problems.map((p) => [p.code, p.line, p.col, p.message])).toEqual([
      ['yaml-tag', 1, 4, 'explicit tag !!js/function is not allowed'],
      ['yaml-tag', 3, 4, 'explicit tag !custom is not allowed'],
      ['yaml-tag', 2, 4, 'explicit tag !!binary is not allowed'],
    ]);
  });

  it('allows a few aliases', () => {
    const r = parseRuleYaml('a: &x [1, 2]\nb: *x\n', 'ok.yaml');
    expect(r.problems).toEqual([]);
    expect(r.value).toEqual({ a: [1, 2], b: [1, 2] });
  });

  it('reports duplicate keys, syntax errors and several documents with their place', () => {
    const r = parseRuleYaml('a: 1\na: 2\n---\nb: 1\n', 'x.yaml');
    expect(r.problems.map((p) => [p.code, p.line, p.col])).toEqual([
      ['yaml-syntax', 3, 1],
      ['yaml-syntax', 2, 1],
    ]);
    expect(r.problems[0].message).toMatch(/more than one YAML document/);
    expect(r.problems[1].message).toMatch(/unique/i);
  });

  it('keeps __proto__ a plain key', () => {
    const r = parseRuleYaml('__proto__: { polluted: true }\n', 'p.yaml');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(r.value)).toBe(Object.prototype);
  });
});

describe('locate', () => {
  const text = [
    'id: X', // 1
    'check:', // 2
    '  steps:', // 3
    "    - filter: d.amount > 0 && d.status == '成功'", // 4
    '    - derive:', // 5
    "        label: \"d.name + '!'\"", // 6
    '    - rollup:', // 7
    '        total: |', // 8
    '          op.sum(d.amount)', // 9
  ].join('\n');
  const parsed = parseRuleYaml(text, 'l.yaml');

  it('finds values and keys by path', () => {
    expect(locate(parsed, ['check', 'steps', 1, 'derive', 'label'])).toMatchObject({ line: 6, col: 16 });
    expect(locate(parsed, ['check', 'steps', 1, 'derive', 'label'], { key: true })).toMatchObject({ line: 6, col: 9 });
    expect(locate(parsed, ['id'])).toMatchObject({ line: 1, col: 5, snippet: 'id: X' });
  });

  it('points inside plain, quoted and block scalars', () => {
    expect(locate(parsed, ['check', 'steps', 0, 'filter'], { offset: 17 })).toMatchObject({ line: 4, col: 32 });
    expect(locate(parsed, ['check', 'steps', 1, 'derive', 'label'], { offset: 2 })).toMatchObject({ line: 6, col: 19 });
    expect(locate(parsed, ['check', 'steps', 2, 'rollup', 'total'], { offset: 9 })).toMatchObject({ line: 9, col: 20 });
  });

  it('points into later lines of block, folded and multi-line plain scalars', () => {
    const multi = parseRuleYaml(
      [
        'a: |', // 1
        '  d.amount > 0 &&', // 2
        '    d.status == 1', // 3
        'b: >-', // 4
        '  d.amount > 0', // 5
        '  && d.status == 1', // 6
        'c: d.amount > 0', // 7
        '   && d.status == 1', // 8
        'd: "x\\ny d.status"', // 9: an escape: no place inside
      ].join('\n'),
      'm.yaml',
    );
    const status = (key: string) => String((multi.value as Record<string, string>)[key]).indexOf('status');
    expect(locate(multi, ['a'], { offset: status('a') })).toMatchObject({ line: 3, col: 7 });
    expect(locate(multi, ['b'], { offset: status('b') })).toMatchObject({ line: 6, col: 8 });
    expect(locate(multi, ['c'], { offset: status('c') })).toMatchObject({ line: 8, col: 9 });
    expect(locate(multi, ['d'], { offset: status('d') })).toMatchObject({ line: 9, col: 4 });
  });

  it('falls back to the nearest existing parent for a missing path', () => {
    expect(locate(parsed, ['check', 'nothing', 'here'])).toMatchObject({ line: 3, col: 3 });
  });
});
