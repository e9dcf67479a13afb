/** Test helpers: tables from CSV text through the real loader, and rules as plain objects. */
import type { LoadedTable } from '../../src/data/model.js';
import { loadText } from '../../src/data/load.js';
import type { Check, FindingSpec, LoadedRule, ParamDef, Rule } from '../../src/rules/model.js';

/** Loads `{ table: csv }` with loadText (source `test/<table>.csv`); fails on any error-level data issue. */
export function tables(spec: Record<string, string>): Map<string, LoadedTable> {
  const out = new Map<string, LoadedTable>();
  for (const [name, csv] of Object.entries(spec)) {
    const { table, report } = loadText(name, csv.replace(/^\s+/gm, ''), `test/${name}.csv`);
    const errors = report.issues.filter((i) => i.level === 'error');
    if (errors.length) throw new Error(`test data ${name}: ${errors.map((e) => `${e.line}: ${e.reason}`).join('; ')}`);
    out.set(name, table);
  }
  return out;
}

/** A rule with sensible metadata around a check and finding. */
export function rule(id: string, check: Check, finding: Partial<FindingSpec> = {}, extra: Partial<Rule> = {}): LoadedRule {
  return {
    file: `rules/test/${id}.yaml`,
    sha256: '0'.repeat(64),
    rule: {
      id,
      title: { zh: id, en: id },
      description: { zh: id, en: id },
      category: 'people',
      risk: 'fraud',
      severity: 'high',
      basis: [],
      tags: [],
      params: {} as Record<string, ParamDef>,
      check,
      finding: {
        entity: { kind: 'person', key: 'id_number' },
        message: { zh: '发现', en: 'found' },
        ...finding,
      },
      tests: [],
      ...extra,
    },
  };
}
