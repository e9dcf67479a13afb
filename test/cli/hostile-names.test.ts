/**
 * Names that plain JavaScript objects already answer to (`constructor`,
 * `__proto__`, `toString`, …) and the engine's own `__…` names, wherever a
 * user can write a name: rule files, config files, `--param`, `--encoding`,
 * mapping files, export headers and values. Through the real binary.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { fundaudit, ROOT } from './binary.js';

const HOSTILE = join(ROOT, 'test/cli/hostile/names');
const RULES = join(ROOT, 'test/cli/rules');
const PROTOTYPE_NAMES = ['__proto__', 'constructor', 'toString', 'valueOf', 'hasOwnProperty'];

let dir: string;
let exports: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'fa-names-'));
  exports = join(dir, 'exports');
  mkdirSync(exports);
  // Prototype names as headers (unmapped) and as values of every kind of column.
  const values = (i: number) => PROTOTYPE_NAMES.map((_, k) => PROTOTYPE_NAMES[(i + k) % PROTOTYPE_NAMES.length]);
  writeFileSync(
    join(exports, 'payouts.csv'),
    [
      `个人编号,身份证号码,姓名,待遇项目,待遇年月,发放金额,发放状态,银行账号,户名,${PROTOTYPE_NAMES.join(',')}`,
      `__proto__,11010519491231002X,constructor,__proto__,2024-02,3000.00,成功,toString,valueOf,${values(0).join(',')}`,
      `constructor,11010519491231002X,__proto__,toString,2024-03,3000.00,成功,hasOwnProperty,__proto__,${values(1).join(',')}`,
      '',
    ].join('\n'),
  );
  writeFileSync(join(exports, 'deaths.csv'), '身份证号,姓名,死亡日期\n11010519491231002X,__proto__,2024-01-15\n');
});

describe('reserved names in rule files', () => {
  it('rules validate names each reserved column and param name at file:line:col', () => {
    const r = fundaudit(['rules', 'validate', HOSTILE]);
    expect(r.code).toBe(1);
    const problems = r.stdout.split('\n').filter((l) => l.includes(' reserved-name '));
    const at = (line: number, col: number, name: string) => problems.find((l) => l.includes(`RESERVED-NAMES.yaml:${line}:${col} `) && l.includes(`\`${name}\``));
    expect(at(10, 3, 'constructor')).toMatch(/a param may not be named so/);
    expect(at(11, 3, '__limit')).toMatch(/the engine's own/);
    expect(at(16, 17, '__proto__')).toMatch(/a column may not be named so/);
    expect(at(16, 36, 'toString')).toBeDefined();
    expect(at(16, 54, '__e0')).toBeDefined();
    expect(at(17, 23, 'valueOf')).toBeDefined();
    expect(at(19, 17, 'hasOwnProperty')).toBeDefined();
    expect(at(20, 20, '__row')).toBeDefined();
    expect(problems).toHaveLength(8);
  });

  it('audit refuses the rule before reading data, naming the places', () => {
    const r = fundaudit(['audit', exports, '--rules', HOSTILE]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/RESERVED-NAMES\.yaml:16:17: `__proto__` is a reserved name/);
    expect(r.stderr).not.toMatch(/internal error|TypeError/);
  });
});

describe('reserved names in options and config files', () => {
  it('--param refuses a reserved param name or rule id, saying so', () => {
    let r = fundaudit(['audit', exports, '--rules', RULES, '--param', 'T-PAID-AFTER-DEATH.__proto__=1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/`__proto__` is a reserved name .*not a param of rule T-PAID-AFTER-DEATH/);
    expect(r.stderr).toMatch(/fix: its params are: grace_months/);
    r = fundaudit(['audit', exports, '--rules', RULES, '--param', 'constructor.x=1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/`constructor` is a reserved name .*not a rule id/);
  });

  it.each([
    ['a top-level key', '__proto__: x\n', ':1:1', /not an option of the config file/],
    ['a top-level prototype name', 'constructor: x\n', ':1:1', /not an option of the config file/],
    ['a param name', 'params:\n  T-PAID-AFTER-DEATH:\n    __proto__: 1\n', ':3:5', /not a key the config file may hold/],
    ['a rule id under params', 'params:\n  toString: { grace_months: 1 }\n', ':2:3', /not a key the config file may hold/],
    ['a table name', 'tables:\n  __proto__: payouts.csv\n', ':2:3', /not a key the config file may hold/],
  ])('the config file refuses %s with file:line:col', (_what, text, place, message) => {
    const config = join(dir, `config-${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(config, text);
    const r = fundaudit(['audit', exports, '--rules', RULES, '--config', config]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${config}${place}: `);
    expect(r.stderr).toMatch(/is a reserved name/);
    expect(r.stderr).toMatch(message);
  });

  it('--encoding constructor is an unknown encoding, not a crash in the decoder', () => {
    const r = fundaudit(['inspect', exports, '--encoding', 'constructor']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown encoding "constructor"/);
  });

  it('a mapping file may alias a header spelt like a prototype name (it is not lost)', () => {
    const mapping = join(dir, 'mapping.yaml');
    writeFileSync(mapping, 'headers:\n  payouts:\n    __proto__: bank_name\n    hasOwnProperty: policy_ref\n');
    const r = fundaudit(['inspect', join(exports, 'payouts.csv'), '--mapping', mapping, '--format', 'json']);
    expect(r.code).toBe(0);
    const mappingOf = JSON.parse(r.stdout).files[0].mapping as Array<{ source: string; column: string | null }>;
    expect(mappingOf).toContainEqual({ source: '__proto__', column: 'bank_name' });
    expect(mappingOf).toContainEqual({ source: 'hasOwnProperty', column: 'policy_ref' });
  });
});

describe('prototype names as data', () => {
  // Formats only render the built result: the terminal and json cover building and masking it.
  it.each(['terminal', 'json'])('the shipped pack audits headers and values named like prototype properties (%s)', (format) => {
    const r = fundaudit(['audit', exports, '--format', format]);
    expect(r.stderr).not.toMatch(/internal error|TypeError/);
    expect(r.code).toBe(0);
    if (format === 'json') expect(JSON.parse(r.stdout).findings.map((f: { ruleId: string }) => f.ruleId)).toContain('PAID-AFTER-DEATH');
  });

  it('inspect shows them', () => {
    const r = fundaudit(['inspect', exports]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('unmapped');
  });
});
