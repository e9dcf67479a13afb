/** docs/rules.md stays true to the code: every table, column, verb, kind, function and problem code is documented. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TABLES } from '../../src/data/tables.js';
import { ALLOWED_FUNCTIONS } from '../../src/engine/functions/index.js';
import { CHECK_KINDS } from '../../src/plan/check.js';
import { parse } from 'yaml';

const ROOT = join(import.meta.dirname, '../..');
const docs = readFileSync(join(ROOT, 'docs/rules.md'), 'utf8');
const schema = JSON.parse(readFileSync(join(ROOT, 'rules/schema.json'), 'utf8'));

describe('docs/rules.md', () => {
  it('walks through the worked example as it stands in rules/people/PAID-AFTER-DEATH.yaml', () => {
    const rule = parse(readFileSync(join(ROOT, 'rules/people/PAID-AFTER-DEATH.yaml'), 'utf8'));
    const blocks = [...docs.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => parse(m[1]));
    expect(blocks.find((b) => b?.check?.from === 'payouts')?.check).toEqual(rule.check);
    expect(blocks.find((b) => b?.finding?.amount === 'total')?.finding).toEqual(rule.finding);
    expect(docs).toContain(`**Tests.** ${['Zero', 'One', 'Two', 'Three', 'Four', 'Five', 'Six', 'Seven', 'Eight'][rule.tests.length]} inline cases`);
  });

  it('lists every canonical table with every column', () => {
    for (const t of TABLES) {
      const row = docs.split('\n').find((l) => l.startsWith(`| \`${t.name}\` `));
      expect(row, t.name).toBeDefined();
      for (const c of t.columns) expect(row, `${t.name}.${c.name}`).toContain(`\`${c.name}\` ${c.type}`);
    }
  });

  it('documents every verb and kind the schema accepts', () => {
    for (const verb of Object.keys(schema.definitions.step.properties)) expect(docs, verb).toContain(`| \`${verb}\` |`);
    for (const kind of CHECK_KINDS.filter((k) => k !== 'pipeline')) expect(docs, kind).toContain(`| \`${kind}\` |`);
    expect(schema.definitions.check.properties.kind.enum).toEqual([...CHECK_KINDS]);
  });

  it('names every function rule expressions may call', () => {
    for (const fn of ALLOWED_FUNCTIONS) expect(docs, fn).toMatch(new RegExp(`op\\.${fn}\\(|[\\s\`]${fn}[\\s\`]`));
  });

  it('explains every problem code that the validators report', () => {
    // Every file of the layers that find rule problems: the rule files' own checks and the compiled plan's.
    const sources = ['src/rules', 'src/plan'].flatMap((dir) =>
      readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts')).map((f) => join(dir, f)));
    const codes = new Set<string>();
    for (const file of sources) {
      const text = readFileSync(join(ROOT, file), 'utf8');
      const patterns = [/code: '([a-z-]+)'/g, /report\(f, (?:\[[^\]]*\]|[^,]+), '([a-z-]+)'/g, /problem\('([a-z-]+)'/g, /code: [^,]*\? '([a-z-]+)' : '([a-z-]+)'/g];
      for (const pattern of patterns) for (const m of text.matchAll(pattern)) for (const code of m.slice(1)) if (code) codes.add(code);
    }
    codes.delete('internal');
    expect(codes.size).toBeGreaterThan(25);
    for (const code of codes) expect(docs, code).toContain(`\`${code}\``);
  });
});
