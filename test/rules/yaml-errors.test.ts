/**
 * YAML syntax errors in rule files are said once, as what is wrong where the
 * mistake is, with the fix: an unclosed bracket, brace or quote, a tab, a
 * line out of step with its neighbours, a missing colon.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRuleYaml } from '../../src/rules/yaml.js';

const EXAMPLE = readFileSync(join(import.meta.dirname, '../../rules/people/PAID-AFTER-DEATH.yaml'), 'utf8');
const lineOf = (text: string, start: string) => text.split('\n').findIndex((l) => l.startsWith(start)) + 1;

/** The example rule with the first line starting `from` replaced by `to`. */
function broken(from: string, to: string): string {
  const lines = EXAMPLE.split('\n');
  const i = lines.findIndex((l) => l.startsWith(from));
  expect(i, from).toBeGreaterThanOrEqual(0);
  lines[i] = to;
  return lines.join('\n');
}

const problemsOf = (text: string) => parseRuleYaml(text, 'R.yaml').problems.map((p) => ({ at: `${p.line}:${p.col}`, message: p.message, fix: p.fix }));

describe('YAML syntax errors in a rule file', () => {
  it('an unclosed [ is said once, where it opens', () => {
    const text = broken('tags: [', 'tags: [pension, death');
    const ps = problemsOf(text);
    expect(ps).toEqual([{ at: `${lineOf(text, 'tags:')}:7`, message: '`[` opens a list that is never closed: the lines after it are read as part of it', fix: expect.stringContaining('end the list with ]') }]);
  });

  it('an unclosed { and an unclosed quote, where they open', () => {
    const brace = broken('risk: fraud', 'risk: {fraud');
    expect(problemsOf(brace)).toEqual([{ at: `${lineOf(brace, 'risk:')}:7`, message: expect.stringContaining('`{` opens a map that is never closed'), fix: expect.stringContaining('end the map with }') }]);
    const quote = broken('category: people', 'category: "people');
    expect(problemsOf(quote)).toEqual([{ at: `${lineOf(quote, 'category:')}:11`, message: 'the quote " opened here is never closed', fix: expect.stringContaining('close it with "') }]);
  });

  it('a tab used for indentation', () => {
    const text = broken('  en: Benefits paid after death', '\ten: Benefits paid after death');
    expect(problemsOf(text)).toEqual([{ at: `${lineOf(text, '\ten:')}:1`, message: 'a tab indents this line; YAML allows only spaces for indentation', fix: expect.stringContaining('replace the tab with spaces') }]);
  });

  it('a key indented out of step with its siblings: the odd line is named, before or after the one YAML stopped at', () => {
    const deeper = broken('    type: int', '      type: int');
    const d = problemsOf(deeper);
    expect(d).toHaveLength(1);
    expect(d[0].at).toBe(`${lineOf(deeper, '      type: int')}:7`);
    expect(d[0].message).toMatch(/^`type: int` on line \d+ is indented 6 spaces, but `default: 0` on line \d+, a key of the same map, is indented 4/);
    expect(d[0].fix).toMatch(/^indent line \d+ by 4 spaces/);
    const odd = broken('  zh: 死亡后继续发放待遇', '   zh: 死亡后继续发放待遇');
    expect(problemsOf(odd)[0]).toMatchObject({ at: `${lineOf(odd, '   zh:')}:4`, fix: expect.stringMatching(/by 2 spaces/) });
  });

  it('a key line indented under a key that already has its value', () => {
    const text = broken('severity: high', '  severity: high');
    expect(problemsOf(text)).toEqual([
      {
        at: `${lineOf(text, '  severity:')}:3`,
        message: expect.stringMatching(/^`severity: high` on line \d+ is indented more than `risk: fraud` on line \d+, whose value is already given/),
        fix: expect.stringContaining('at column 1'),
      },
    ]);
  });

  it('a missing colon', () => {
    const text = broken('category: people', 'category people');
    expect(problemsOf(text)).toEqual([{ at: `${lineOf(text, 'category people')}:1`, message: expect.stringContaining('the colon after the key is missing'), fix: 'write category: people' }]);
  });

  it('two duplicate keys are two mistakes, each said', () => {
    const text = EXAMPLE.replace('category: people', 'category: people\ncategory: money').replace('risk: fraud', 'risk: fraud\nrisk: fraud');
    expect(problemsOf(text).map((p) => p.fix)).toEqual(['remove or rename one of the two keys', 'remove or rename one of the two keys']);
  });
});
