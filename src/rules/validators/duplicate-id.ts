/** Rule ids are unique across every file loaded together. */
import type { RuleFile } from './context.js';
import { isObject, report } from './context.js';
import { locate } from '../yaml.js';

export function validateDuplicateIds(files: RuleFile[]): void {
  const byId = new Map<string, RuleFile[]>();
  for (const f of files) {
    const rule = f.parsed.value;
    if (!isObject(rule) || typeof rule.id !== 'string') continue;
    byId.set(rule.id, [...(byId.get(rule.id) ?? []), f]);
  }
  for (const [id, group] of byId) {
    if (group.length < 2) continue;
    for (const f of group) {
      const others = group.filter((g) => g !== f).map((g) => {
        const { line, col } = locate(g.parsed, ['id']);
        return `${g.file}:${line}:${col}`;
      });
      report(f, ['id'], 'duplicate-id', `id \`${id}\` is also used by ${others.join(', ')}`,
        'give each rule its own id; ids are stable forever once shipped, so rename the newer rule');
    }
  }
}
