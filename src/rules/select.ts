/**
 * Choosing rules by `--only` / `--skip`: each selector is a rule id, a
 * category or a risk. An unknown selector is a usage error listing what is
 * valid, so that a typo never silently runs nothing.
 */
import { UsageError } from '../errors.js';
import { CATEGORIES, RISKS, type LoadedRule } from './model.js';

function matches(r: LoadedRule, selector: string): boolean {
  const s = selector.toLowerCase();
  return r.rule.id.toLowerCase() === s || r.rule.category === s || r.rule.risk === s;
}

function split(selectors: string[] | undefined): string[] {
  return (selectors ?? []).flatMap((s) => s.split(',')).map((s) => s.trim()).filter((s) => s !== '');
}

function check(selectors: string[], rules: LoadedRule[], option: string): void {
  for (const s of selectors) {
    if (!rules.some((r) => matches(r, s)) && !(CATEGORIES as string[]).includes(s.toLowerCase()) && !(RISKS as string[]).includes(s.toLowerCase())) {
      throw new UsageError(
        `${option} ${s}: no rule, category or risk of that name`,
        `categories: ${CATEGORIES.join(', ')}; risks: ${RISKS.join(', ')}; rules: ${rules.map((r) => r.rule.id).sort().join(', ')}`,
      );
    }
  }
}

/** The rules selected by `only` (all when empty) minus those matched by `skip`. Selectors may be comma-separated. */
export function selectRules<R extends LoadedRule>(rules: R[], only?: string[], skip?: string[]): R[] {
  const o = split(only);
  const k = split(skip);
  check(o, rules, '--only');
  check(k, rules, '--skip');
  return rules.filter((r) => (o.length === 0 || o.some((s) => matches(r, s))) && !k.some((s) => matches(r, s)));
}
