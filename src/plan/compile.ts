/**
 * A rule compiled once: its check as a plan, its finding's templates and the
 * personal-data kind of every output column, what it reads, and every problem
 * found on the way. Validation reports the problems; the tester, the engine
 * and the report use the rest. Nothing else compiles a rule.
 */
import type { PiiKind } from '../data/tables.js';
import type { RulePath } from '../errors.js';
import type { EntityKind, LoadedRule, Rule } from '../rules/model.js';
import { compileCheck, type CheckCompilation, type CheckExpression } from './check.js';
import { isObject } from './flow.js';
import { entityFieldKind, strongerKind } from './lineage.js';
import { dict } from '../names.js';
import type { PlanColumn, PlanProblem } from './model.js';
import { nearestName } from './nearest.js';
import { parseTemplate, placeholders, type TemplatePart } from './template.js';
import { PARAM_FIELDS } from './walk.js';

const PARAM_REF = /^\$\.([A-Za-z_][A-Za-z0-9_]*)$/;
const KINDS: readonly PiiKind[] = ['id', 'name', 'account', 'phone', 'address'];

/** A `$.name` the check reads, with its place. */
export interface ParamUse {
  name: string;
  path: RulePath;
  offset?: number;
  length?: number;
}

/** How the check's output becomes a finding. */
export interface CompiledFinding {
  templates: { zh: TemplatePart[]; en: TemplatePart[] };
  /** The personal-data kind of each output column that holds personal data: the stronger of its lineage's and what `finding.pii` declares. */
  kinds: Record<string, PiiKind>;
  /** The output columns whose personal data was computed (see PlanColumn.computed): reports mask their values whole. */
  computed: string[];
  /** The kinds of the entity's key and label columns (the report masks them by the entity's kind where these say nothing). */
  entity: { key?: PiiKind; label?: PiiKind };
}

/** Everything compiling a rule found (see CheckCompilation for the check's part). */
export interface Compilation extends CheckCompilation {
  finding?: CompiledFinding;
  /** What the rule needs from the data: what the check reads plus the columns its finding shows that pass through the check unchanged. */
  needs: Record<string, string[]>;
  /** Every param the check uses. */
  params: ParamUse[];
}

/**
 * A rule ready to run: loaded, compiled, and (when it came from a file) free
 * of problems. An in-memory rule may carry problems; the engine then skips
 * it with the first one as the reason.
 */
export interface CompiledRule extends LoadedRule, Compilation {
  /** 1-based line of each inline test case in the rule file (0 when unknown). */
  testLines: number[];
}

/** Compiles a rule (from a file, unchecked) once. Never throws: what is wrong becomes problems. */
export function compileRule(raw: unknown): Compilation {
  const rule = isObject(raw) ? raw : {};
  const check = compileCheck(rule.check);
  const problems = [...check.problems];
  const declared = isObject(rule.params) ? rule.params : {};
  const params = paramUses(check.expressions, rule.check);
  for (const p of params) {
    if (!Object.hasOwn(declared, p.name)) {
      problems.push({
        stage: 'params', code: 'undeclared-param', path: p.path, offset: p.offset, length: p.length,
        message: `param \`${p.name}\` is used but not declared`,
        fix: `declare it under params: ${p.name}: { type: …, default: …, description: { zh: …, en: … } }`,
      });
    }
  }
  const finding = isObject(rule.finding) ? compileFinding(rule.finding, check.output, problems) : undefined;
  return { ...check, problems, params, needs: needs(check, isObject(rule.finding) ? rule.finding : {}), ...(finding ? { finding } : {}) };
}

/** A loaded rule, compiled. */
export function compileLoaded(loaded: LoadedRule, testLines: number[] = []): CompiledRule {
  return { ...loaded, ...compileRule(loaded.rule), testLines };
}

/** The params the check uses: `$.name` in its expressions, then `'$.name'` in the kinds' numeric fields. */
function paramUses(expressions: CheckExpression[], check: unknown): ParamUse[] {
  const out: ParamUse[] = [];
  for (const e of expressions) for (const ref of e.parsed.params) out.push({ name: ref.name, path: e.path, offset: ref.offset, length: ref.length });
  if (isObject(check)) {
    for (const field of PARAM_FIELDS) {
      const v = check[field];
      const m = typeof v === 'string' ? PARAM_REF.exec(v) : null;
      // A number, an option value, or a bad reference the schema reports.
      if (m) out.push({ name: m[1], path: ['check', field], offset: 2, length: m[1].length });
    }
  }
  return out;
}

/** The finding's columns and message placeholders checked against the check's output; its templates and kinds. */
function compileFinding(spec: Record<string, unknown>, output: PlanColumn[] | undefined, problems: PlanProblem[]): CompiledFinding | undefined {
  const names = output?.map((c) => c.name);
  const known = (name: unknown, path: RulePath, offset?: number, length?: number, key?: boolean) => {
    if (!names || typeof name !== 'string' || names.includes(name)) return;
    const near = nearestName(name, names);
    problems.push({
      stage: 'finding', code: 'unknown-column', path, offset, length, ...(key ? { key } : {}),
      message: `\`${name}\` is not an output column of the check`,
      fix: `${near ? `did you mean \`${near}\`? ` : ''}the check outputs: ${names.join(', ')}`,
    });
  };
  const entity = isObject(spec.entity) ? spec.entity : {};
  known(entity.key, ['finding', 'entity', 'key']);
  known(entity.label, ['finding', 'entity', 'label']);
  known(spec.amount, ['finding', 'amount']);
  known(spec.period, ['finding', 'period']);
  const declared = isObject(spec.pii) ? spec.pii : {};
  for (const name of Object.keys(declared)) known(name, ['finding', 'pii', name], undefined, undefined, true);
  const message = isObject(spec.message) ? spec.message : {};
  const templates: Partial<Record<'zh' | 'en', TemplatePart[]>> = {};
  for (const lang of ['zh', 'en'] as const) {
    const text = message[lang];
    if (typeof text !== 'string') continue;
    const t = parseTemplate(text, names);
    for (const p of t.problems) {
      if (p.code === 'unknown-column') known(p.column, ['finding', 'message', lang], p.offset, p.length);
      else problems.push({ stage: 'finding', code: p.code, message: p.message, fix: p.fix, path: ['finding', 'message', lang], offset: p.offset, length: p.length });
    }
    templates[lang] = t.parts;
  }
  if (!output) return undefined;
  const kinds: Record<string, PiiKind> = dict();
  const computed: string[] = [];
  for (const c of output) {
    const d = Object.hasOwn(declared, c.name) ? declared[c.name] : undefined;
    // A declaration can only make a column's masking stronger: `pii: { card: address }` must not unmask an account.
    const kind = strongerKind(KINDS.includes(d as PiiKind) ? (d as PiiKind) : undefined, c.kind);
    if (kind) kinds[c.name] = kind;
    if (kind && c.computed) computed.push(c.name);
  }
  // The amount is summed and shown as money in every report: a number made of personal data would be shown whole.
  if (typeof spec.amount === 'string' && Object.hasOwn(kinds, spec.amount)) {
    problems.push({
      stage: 'finding', code: 'amount-personal-data', path: ['finding', 'amount'],
      message: `the amount \`${spec.amount}\` holds personal data (${kinds[spec.amount]}): an amount is shown and summed as money, never masked`,
      fix: 'give as amount a column of money (a sum of amounts), not one computed from identity numbers, names, accounts or phones',
    });
  }
  const kindOf = (name: unknown) => (typeof name === 'string' && Object.hasOwn(kinds, name) ? kinds[name] : undefined);
  const key = kindOf(entity.key);
  const label = kindOf(entity.label);
  // In a message, the entity's key and label read as the entity shows them (an account's key is masked as an account).
  const partKind = (column: string) =>
    kindOf(column) ??
    (column === entity.key ? entityFieldKind(entity.kind as EntityKind, 'key') : column === entity.label ? entityFieldKind(entity.kind as EntityKind, 'label') : undefined);
  const withKinds = (parts: TemplatePart[] = []) =>
    parts.map((p) => {
      if (typeof p === 'string') return p;
      const kind = partKind(p.column);
      return kind ? { ...p, kind } : p;
    });
  return {
    templates: { zh: withKinds(templates.zh), en: withKinds(templates.en) },
    kinds,
    computed,
    entity: { ...(key ? { key } : {}), ...(label ? { label } : {}) },
  };
}

/** The output columns a finding spec names: entity key and label, amount, period, pii columns and message placeholders. */
export function findingColumns(spec: Record<string, unknown>): string[] {
  const entity = isObject(spec.entity) ? spec.entity : {};
  const names: unknown[] = [entity.key, entity.label, spec.amount, spec.period, ...Object.keys(isObject(spec.pii) ? spec.pii : {})];
  const message = isObject(spec.message) ? spec.message : {};
  for (const text of [message.zh, message.en]) {
    if (typeof text === 'string') names.push(...placeholders(text).map((p) => p.name.trim()));
  }
  return [...new Set(names.filter((n): n is string => typeof n === 'string' && n !== ''))];
}

/** What the check reads, plus the canonical columns that the finding's columns pass through from (a `name` kept for the message). */
function needs(check: CheckCompilation, finding: Record<string, unknown>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const t of check.tables) out[t] = [...(check.reads[t] ?? [])];
  const columns = new Map((check.relation?.out.columns ?? []).map((c) => [c.name, c]));
  for (const name of findingColumns(finding)) {
    for (const origin of columns.get(name)?.sources ?? []) {
      const [t, c] = origin.split('.');
      if (out[t] && !out[t].includes(c)) out[t].push(c);
    }
  }
  return out;
}

/** `check.steps[2].filter`: a path as people read it. */
export function pathText(path: RulePath): string {
  return path.map((seg, i) => (typeof seg === 'number' ? `[${seg}]` : i === 0 ? seg : `.${seg}`)).join('');
}

