import { describe, expect, it } from 'vitest';
import { parseExpression, MAX_EXPRESSION_DEPTH, MAX_EXPRESSION_LENGTH } from '../../src/plan/expression.js';

const problems = (src: string, context: 'row' | 'aggregate' | 'join' = 'row') => parseExpression(src, context).problems;
const firstMessage = (src: string, context: 'row' | 'aggregate' | 'join' = 'row') => problems(src, context)[0]?.message ?? '';

describe('parseExpression: what is allowed', () => {
  it.each([
    "d.status == '成功' && !op.includes($.survivor_items, d.item)",
    'd.period > op.add_months(op.month_of(d.death_date), $.grace_months)',
    '(d, $) => d.amount > $.min',
    'd => d.amount * 100 >= 5',
    "d['amount'] > 0 ? 'big' : null",
    "op.includes(['成功', '退回', -1, null, true], d.status)",
    'd.a ?? d.b',
    '-d.amount + +d.base',
  ])('accepts %s', (src) => {
    expect(problems(src)).toEqual([]);
  });

  it('accepts join predicates over a and b, with params as a third parameter', () => {
    expect(problems('(a, b) => a.id_number == b.id_number && a.pay_date >= b.sentence_start', 'join')).toEqual([]);
    expect(problems('(a, b, $) => a.amount > b.amount + $.slack', 'join')).toEqual([]);
  });

  it('reads the expression into the plan\'s own tree', () => {
    expect(parseExpression("d.status == '成功' && !op.includes($.items, d['item']) ? -1 : null", 'row').ast).toEqual({
      type: 'conditional',
      test: {
        type: 'logical', op: '&&',
        left: { type: 'binary', op: '==', left: { type: 'column', side: 'd', name: 'status' }, right: { type: 'literal', value: '成功' } },
        right: { type: 'unary', op: '!', arg: { type: 'call', fn: 'includes', args: [{ type: 'param', name: 'items' }, { type: 'column', side: 'd', name: 'item' }] } },
      },
      then: { type: 'unary', op: '-', arg: { type: 'literal', value: 1 } },
      else: { type: 'literal', value: null },
    });
    expect(parseExpression('(a, b, $) => a.x >= b.y + $.slack', 'join').ast).toEqual({
      type: 'binary', op: '>=', left: { type: 'column', side: 'a', name: 'x' },
      right: { type: 'binary', op: '+', left: { type: 'column', side: 'b', name: 'y' }, right: { type: 'param', name: 'slack' } },
    });
    expect(parseExpression("op.includes(['110', -1, null], d.scheme)", 'row').ast).toMatchObject({ args: [{ type: 'list', items: ['110', -1, null] }, {}] });
    expect(parseExpression('d.x +', 'row').ast).toBeUndefined();
  });

  it('reports the columns, params and functions used, with their offsets', () => {
    const r = parseExpression("d.amount > $.min && op.abs(d['base']) < 3", 'row');
    expect(r.columns).toEqual([
      { table: 'd', name: 'amount', offset: 2, length: 6 },
      { table: 'd', name: 'base', offset: 30, length: 4 },
    ]);
    expect(r.params).toEqual([{ name: 'min', offset: 13, length: 3 }]);
    expect(r.functions.map((f) => f.name)).toEqual(['abs']);
  });
});

describe('parseExpression: what is refused, and where', () => {
  const cases: [string, string, RegExp, number][] = [
    // [what, expression, message, offset of the problem]
    ['process', 'process.exit(1)', /`process` is not allowed/, 0],
    ['process.env', "d.name == process.env.HOME", /`process` is not allowed/, 10],
    ['globalThis', 'globalThis.x', /`globalThis` is not allowed/, 0],
    ['require', "require('fs')", /`require` is not allowed/, 0],
    ['import()', "import('fs')", /`import\(\)` is not allowed/, 0],
    ['this', 'this.amount > 0', /`this` is not allowed/, 0],
    ['new', 'new Date()', /`new` is not allowed/, 0],
    ['constructor', "d.constructor.constructor('return process')()", /only op.<function>\(…\) can be called|`constructor` is not allowed/, 0],
    ['constructor on op', "op.abs.constructor('x')", /`constructor` is not allowed/, 0],
    ['__proto__', 'd.__proto__', /`__proto__` is not allowed/, 0],
    ['prototype', "d['prototype']", /`prototype` is not allowed/, 0],
    ['template literal', '`${d.name}`', /template literals/, 0],
    ['tagged template', 'op.abs`1`', /tagged templates/, 0],
    ['assignment', 'd.amount = 0', /assignments/, 0],
    ['++', 'd.amount++', /`\+\+` is not allowed/, 0],
    ['sequence', 'd.a, d.b', /sequences/, 0],
    ['function body', '(d) => { return d.amount }', /function bodies with statements/, 7],
    ['call of non-op', 'd.name.toLowerCase()', /only op.<function>\(…\) can be called/, 0],
    ['op[...]', "op['abs'](d.amount)", /`op\[\.\.\.\]` computed access/, 0],
    ['unknown identifier', 'amount > 0', /unknown name `amount`/, 0],
    ['unknown function', 'op.eval(d.x)', /op.eval is not an allowed function/, 3],
    ['regular expression function', 'op.match(d.name, "x")', /op.match is not an allowed function/, 3],
    ['regex literal', '/a+/.test(d.name)', /only op|regular expressions/, 0],
    ['computed column', 'd[$.col]', /computed column access/, 0],
    ['object literal', '({ a: 1 })', /object literals/, 1],
    ['nested arrow', 'op.abs(() => 1)', /functions and classes cannot be defined/, 7],
    ['typeof', 'typeof d.x', /`typeof` operator/, 0],
    ['in', "'x' in d", /`in` operator/, 0],
    ['optional chaining', 'd.a?.b', /optional chaining/, 0],
    ['comment', 'd.amount /* x */ > 0', /comments are not allowed/, 9],
    ['trailing text', 'd.amount > 0) || (process', /unexpected text after the expression/, 12],
    ['syntax error', 'd.amount >', /does not parse: it ends too early/, 10],
    ['wrong parameter names', '(row) => row.amount', /the parameters must be \(d\)/, 0],
    ['$ not declared as parameter', 'd => d.amount > $.min', /`\$` \(the params\) is not a parameter/, 16],
    ['spread', 'op.greatest(...d.list)', /spread arguments/, 12],
    ['array of non-literals', 'op.includes([d.a], d.b)', /array literals may only hold literal values/, 13],
  ];
  it.each(cases)('refuses %s', (_what, src, message, offset) => {
    const found = problems(src);
    expect(found.length).toBeGreaterThan(0);
    expect(found[0].message).toMatch(message);
    expect(found[0].offset).toBe(offset);
    expect(found[0].fix.length).toBeGreaterThan(0);
  });

  it('gives a text fix for names that Object.prototype has, such as toString or constructor', () => {
    for (const src of ['constructor', '__proto__', 'valueOf == 1']) {
      const [p] = problems(src);
      expect(p.message, src).toMatch(/^unknown name/);
      expect(p.fix, src).toMatch(/^refer to a column as d\./);
    }
    const [call] = problems('toString()');
    expect(call.message).toBe('only op.<function>(…) can be called, not `toString`');
    expect(call.fix).toMatch(/^use an allowed function/);
  });

  it('wants the number of arguments each function takes', () => {
    expect(firstMessage('op.round(d.amount, 2)')).toBe('op.round takes 1 argument, not 2');
    expect(firstMessage('op.count(d.amount)', 'aggregate')).toBe('op.count takes 0 arguments, not 1');
    expect(firstMessage('op.months_between(d.period)')).toBe('op.months_between takes 2 arguments, not 1');
    expect(firstMessage('op.coalesce()')).toBe('op.coalesce takes at least 1 argument, not 0');
    expect(problems('op.substring(d.id_number, 0, 6) + op.lag(d.x, 1, 0)')).toEqual([]);
  });

  it('suggests the nearest allowed function', () => {
    expect(problems('op.add_month(d.period, 1)')[0].fix).toMatch(/did you mean op.add_months\?/);
  });

  it('refuses a bare expression or aggregates in join predicates', () => {
    expect(firstMessage('a.id == b.id', 'join')).toMatch(/must be an arrow function/);
    expect(firstMessage('(a, b) => op.sum(a.x) > b.y', 'join')).toMatch(/aggregate and window functions/);
  });

  it('in rollup, requires columns to sit inside an aggregate', () => {
    expect(problems('op.sum(d.amount) / op.count()', 'aggregate')).toEqual([]);
    expect(firstMessage('d.amount', 'aggregate')).toMatch(/outside an aggregate function/);
    expect(firstMessage('op.max(op.row_number())', 'aggregate')).toMatch(/window functions such as op.row_number are not allowed in rollup/);
  });

  it('refuses empty and overlong expressions without parsing them', () => {
    expect(firstMessage('  ')).toMatch(/empty/);
    expect(firstMessage('d.a + '.repeat(1000) + '1')).toMatch(/characters long/);
  });

  it('refuses deeply nested expressions without crashing', () => {
    const deep = '('.repeat(3000) + 'd.a' + ')'.repeat(3000);
    expect(problems(deep).length).toBeGreaterThan(0);
  });

  it('refuses nesting that Arquero could not compile, within the length bound and without throwing', () => {
    // Both are under MAX_EXPRESSION_LENGTH and parse; a ~1,300-deep tree overflows Arquero's recursion when the rule runs.
    for (const deep of ['!'.repeat(3990) + 'd.a', '1 ** '.repeat(790) + '1']) {
      expect(deep.length).toBeLessThan(MAX_EXPRESSION_LENGTH);
      const found = problems(deep);
      expect(found).toEqual([expect.objectContaining({ code: 'expression-syntax', message: expect.stringMatching(/nested more than \d+ levels deep/) })]);
    }
    expect(problems('!'.repeat(MAX_EXPRESSION_DEPTH - 2) + 'd.a')).toEqual([]);
  });

  it('parses as strict mode code, as Arquero compiles it: no legacy octal numbers or escapes', () => {
    // Sloppy mode accepts these; Arquero's "use strict" compilation throws on them when the rule runs.
    expect(problems('d.amount > 010')).toEqual([expect.objectContaining({ offset: 11, message: expect.stringMatching(/cannot start with 0/) })]);
    expect(firstMessage('d.month == 08')).toMatch(/cannot start with 0/);
    expect(firstMessage("d.name == '\\1'")).toMatch(/escapes such as/);
    expect(firstMessage("d.name == '\\9'")).toMatch(/escapes such as/);
    expect(problems("d.amount > 0.5 && d.name != '\\0' && d.code == '010'")).toEqual([]);
  });
});
