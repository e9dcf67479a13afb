/**
 * Validation never trips over a mangled rule file: shipped rules with lines
 * dropped, duplicated or cut (a fixed seed, so that a failure reproduces)
 * give problems — each with a place and a fix — never an internal error.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { loadRuleFiles } from '../../src/rules/load.js';

const ROOT = join(import.meta.dirname, '../..');
const SOURCES = [
  'rules/people/PAID-AFTER-DEATH.yaml',
  'test/rules/broken/money/VALID-RULE.yaml',
  'test/rules/broken/money/KIND-UNKNOWN-COLUMN.yaml',
].map((p) => readFileSync(join(ROOT, p), 'utf8'));
const TOKENS = ['', ' ', ':', '- ', '{', '}', '[', ']', '"', "'", 'd.', '$.', 'op.', 'null', '0', '\n', '  ', '|', '&a ', '*a', 'kind: benford', 'with: ', 'on: ', '(a, b) => '];

it('reports problems with a place and a fix for 150 mangled rule files, and never fails internally', async () => {
  let seed = 20241126;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const pick = <T>(xs: T[]) => xs[Math.floor(random() * xs.length)];
  const dir = mkdtempSync(join(tmpdir(), 'fundaudit-mangled-'));
  mkdirSync(join(dir, 'money'));
  for (let i = 0; i < 150; i++) {
    const lines = SOURCES[i % SOURCES.length].split('\n');
    for (let k = 0; k < 1 + Math.floor(random() * 4); k++) {
      const at = Math.floor(random() * lines.length);
      const op = random();
      if (op < 0.3) lines.splice(at, 1);
      else if (op < 0.6) {
        const cut = Math.floor(random() * (lines[at].length + 1));
        lines[at] = lines[at].slice(0, cut) + pick(TOKENS) + lines[at].slice(cut + Math.floor(random() * 3));
      } else if (op < 0.8) lines.splice(at, 0, pick(lines));
      else lines[at] = lines[at].replace(/[a-z_]+/, (w) => w.slice(0, -1));
    }
    writeFileSync(join(dir, 'money', `MANGLED-${i}.yaml`), lines.join('\n'));
  }
  const { problems, files } = await loadRuleFiles([dir]);
  expect(files).toHaveLength(150);
  expect(problems.filter((p) => p.code === 'internal')).toEqual([]);
  for (const p of problems) {
    expect(p.line, p.message).toBeGreaterThanOrEqual(1);
    expect(p.col, p.message).toBeGreaterThanOrEqual(1);
    expect(p.fix, `${p.code}: ${p.message}`).toBeTruthy();
  }
});
