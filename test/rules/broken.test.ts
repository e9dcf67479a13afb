/**
 * One broken rule file per kind of problem (test/rules/broken/), each
 * otherwise valid: the loader must report exactly that problem, at exactly
 * that line and column.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, mkdirSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadRuleFiles } from '../../src/rules/load.js';
import { UsageError } from '../../src/cli/errors.js';

const BROKEN = join(import.meta.dirname, 'broken');
const at = (name: string) => join(BROKEN, 'money', `${name}.yaml`);
const brief = (ps: { code: string; line: number; col: number }[]) => ps.map((p) => `${p.line}:${p.col} ${p.code}`);

describe('broken rule files: one problem each, at its place', () => {
  const cases: [string, string, RegExp][] = [
    // Said where the brace opens, not where the parser gave up.
    ['YAML-SYNTAX', '3:8 yaml-syntax', /`\{` opens a map that is never closed/],
    ['YAML-TAG', '18:15 yaml-tag', /explicit tag !!js\/function is not allowed/],
    ['SCHEMA-ENUM', '7:11 schema', /`severity` is `urgent`, not one of the allowed values/],
    ['SCHEMA-MISSING', '2:1 schema', /the rule is missing `risk`/],
    ['SCHEMA-UNKNOWN-KEY', '9:1 schema', /unknown key `owner`/],
    ['UNKNOWN-VERB', '18:7 schema', /unknown verb `fliter` in `check.steps\[0\]`/],
    ['TWO-VERBS', '18:7 schema', /a step has exactly one verb, this one has filter, derive/],
    ['NOT-THE-ID', '2:5 id-filename', /id `SOMETHING-ELSE` does not match the file name `NOT-THE-ID.yaml`/],
    ['CATEGORY-FOLDER', '5:11 category-folder', /category `people` does not match the folder `money`/],
    ['UNKNOWN-TABLE', '16:9 unknown-table', /unknown table `payout`/],
    ['UNKNOWN-COLUMN', '18:17 unknown-column', /unknown column `amout`/],
    ['UNKNOWN-CODE', '18:54 unknown-code', /`paid` is not how status values are loaded/],
    ['COLUMN-AFTER-ROLLUP', '20:44 unknown-column', /column `status` is no longer there at this step: the rollup at step 2 left it out/],
    ['KIND-UNKNOWN-COLUMN', '18:20 unknown-column', /unknown column `periode` in the check's table/],
    ['UNKNOWN-PLACEHOLDER', '24:11 unknown-column', /`nmae` is not an output column of the check/],
    ['UNKNOWN-FINDING-COLUMN', '22:11 unknown-column', /`month` is not an output column of the check/],
    ['EXPRESSION-SYNTAX', '18:41 expression-syntax', /the expression does not parse: it ends too early/],
    ['EXPRESSION-REQUIRE', '18:42 expression-not-allowed', /`require` is not allowed/],
    ['UNKNOWN-FUNCTION', '18:45 unknown-function', /op.regexp_test is not an allowed function/],
    ['UNDECLARED-PARAM', '18:55 undeclared-param', /param `max_amount` is used but not declared/],
    ['UNUSED-PARAM', '10:3 unused-param', /param `max_amount` is declared but never used/],
    ['PARAM-TYPE', '12:14 param-type', /default of `min_amount` must be an amount in yuan/],
    ['NO-TESTS', '2:1 no-tests', /the rule has no tests/],
    ['DUPLICATE-TEST-NAME', '33:11 duplicate-test-name', /test name `large payout fires` is also used by test 1/],
    ['NONE-WITH-COUNT', '38:27 bad-expect', /`none: true` together with `count` cannot both hold/],
    ['NO-QUIET-TEST', '27:3 no-quiet-test', /no test case expects no finding/],
    ['TEST-UNKNOWN-TABLE', '35:7 unknown-table', /test table `payout` is not a canonical table/],
    ['TEST-UNKNOWN-HEADER', '30:31 unknown-test-column', /test CSV header `amont` names no column of payouts/],
  ];

  it.each(cases)('%s', async (name, place, message) => {
    const { rules, problems, files } = await loadRuleFiles([at(name)]);
    expect(files).toHaveLength(1);
    expect(rules).toEqual([]);
    expect(brief(problems)).toEqual([place]);
    const [p] = problems;
    expect(p.message).toMatch(message);
    expect(p.file.endsWith(`${name}.yaml`)).toBe(true);
    expect(p.fix, 'every problem says how to fix it').toBeTruthy();
    expect(p.snippet, 'every problem quotes the offending line').toBeTruthy();
  });

  it('the same rule without the break loads clean', async () => {
    const { rules, problems } = await loadRuleFiles([at('VALID-RULE')]);
    expect(problems).toEqual([]);
    expect(rules.map((r) => r.rule.id)).toEqual(['VALID-RULE']);
    expect(rules[0].sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(rules[0].rule.tags).toEqual([]);
  });

  it('reports every problem of a file with several, in file order', async () => {
    const { problems } = await loadRuleFiles([at('SEVERAL-PROBLEMS')]);
    expect(brief(problems)).toEqual([
      '7:11 schema',
      '10:3 unused-param',
      '18:28 undeclared-param',
      '19:23 expression-not-allowed',
      '25:11 unknown-column',
      '34:11 duplicate-test-name',
    ]);
  });

  it('reports a duplicate id in both files, each pointing at the other', async () => {
    const { rules, problems } = await loadRuleFiles([join(BROKEN, 'dup-a'), join(BROKEN, 'dup-b')]);
    expect(rules).toEqual([]);
    expect(problems.map((p) => [p.file.split(/[\\/]/).slice(-3).join('/'), p.line, p.col, p.code])).toEqual([
      ['dup-a/money/DUP-ID.yaml', 2, 5, 'duplicate-id'],
      ['dup-b/money/DUP-ID.yaml', 2, 5, 'duplicate-id'],
    ]);
    expect(problems[0].message).toMatch(/dup-b[\\/]money[\\/]DUP-ID.yaml:2:5/);
  });

  it('reports every problem in every file of a folder', async () => {
    const { problems, files } = await loadRuleFiles([BROKEN]);
    const perFile = new Set(problems.map((p) => p.file));
    // Every file but the valid one has at least one problem.
    expect(perFile.size).toBe(files.length - 1);
  });

  it('throws UsageError for a path that does not exist, or a file that is not a rule file', async () => {
    await expect(loadRuleFiles([join(BROKEN, 'no-such-folder')])).rejects.toBeInstanceOf(UsageError);
    await expect(loadRuleFiles([join(import.meta.dirname, 'broken.test.ts')])).rejects.toThrow(/not a rule file/);
  });

  it('leaves the schema out when a shell glob brings it along', async () => {
    const root = join(import.meta.dirname, '../../rules');
    const { files } = await loadRuleFiles([join(root, 'schema.json'), join(root, 'people', 'PAID-AFTER-DEATH.yaml')]);
    expect(files).toHaveLength(1);
  });
});

describe('hostile rule files are refused fast', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fundaudit-hostile-'));
  mkdirSync(join(dir, 'money'));
  const write = (name: string, text: string) => {
    const p = join(dir, 'money', name);
    writeFileSync(p, text);
    return p;
  };

  it('an alias bomb', async () => {
    const p = write('BOMB.yaml', readFileSync(at('VALID-RULE'), 'utf8').replace('id: VALID-RULE', 'id: BOMB') +
      'x0: &x0 [a, a, a, a, a, a, a, a, a, a]\n' +
      Array.from({ length: 8 }, (_, i) => `x${i + 1}: &x${i + 1} [${Array(10).fill(`*x${i}`).join(', ')}]\n`).join(''));
    const start = performance.now();
    const { rules, problems } = await loadRuleFiles([p]);
    expect(performance.now() - start).toBeLessThan(2000);
    expect(rules).toEqual([]);
    expect(problems.map((x) => x.code)).toEqual(['yaml-aliases']);
  });

  it('a 10,000-deep document', async () => {
    const p = write('DEEP.yaml', 'id: ' + '['.repeat(10_000) + ']'.repeat(10_000) + '\n');
    const start = performance.now();
    const { problems } = await loadRuleFiles([p]);
    expect(performance.now() - start).toBeLessThan(2000);
    expect(problems.map((x) => x.code)).toEqual(['too-deep']);
  });

  it('a file over the size bound, without reading it', async () => {
    const p = write('HUGE.yaml', '# ' + 'x'.repeat(300 * 1024) + '\n');
    const { problems } = await loadRuleFiles([p]);
    expect(problems.map((x) => [x.code, x.line, x.col])).toEqual([['file-too-large', 1, 1]]);
  });

  it('a file that is not UTF-8', async () => {
    const p = join(dir, 'money', 'GBK.yaml');
    writeFileSync(p, Buffer.from([0x69, 0x64, 0x3a, 0x20, 0xd5, 0xc5, 0xc8, 0xfd, 0x0a]));
    const { problems } = await loadRuleFiles([p]);
    expect(problems.map((x) => x.code)).toEqual(['encoding']);
  });
});
