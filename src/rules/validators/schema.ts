/**
 * The rule file against rules/schema.json — the same schema editors use
 * through the `# yaml-language-server: $schema=../schema.json` modeline, so
 * that the tool and the editor never disagree. Ajv reports every violation;
 * each becomes a problem at the offending key or value with a fix taken from
 * the schema (allowed values, the description of a missing key, the nearest
 * known key).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { PACKAGE_ROOT } from '../../package.js';
import type { ValuePath } from '../yaml.js';
import type { RuleFile } from './context.js';
import { isObject, report, valueAt } from './context.js';
import { nearestName } from '../../plan/nearest.js';

/** The published JSON Schema of a rule file. */
export const SCHEMA_PATH = join(PACKAGE_ROOT, 'rules', 'schema.json');

let compiled: ValidateFunction | undefined;

/** The compiled schema; throws when the shipped schema itself is broken (a bug, not a rule problem). */
export function validator(): ValidateFunction {
  if (!compiled) {
    const ajv = new Ajv({ allErrors: true, verbose: true, strict: true, strictTypes: false });
    // Annotations for editors and for our fix hints; they validate nothing.
    ajv.addVocabulary(['x-fix', 'markdownDescription']);
    compiled = ajv.compile(JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')));
  }
  return compiled;
}

export function validateSchema(f: RuleFile): void {
  const rule = f.parsed.value;
  const validate = validator();
  if (validate(rule)) return;
  // `if` only says "must match then"; `propertyNames` repeats the inner error that names the property.
  const errors = (validate.errors ?? []).filter((e) => e.keyword !== 'if' && e.keyword !== 'propertyNames');
  const seen = new Set<string>();
  for (const e of errors) {
    const path = toPath(rule, e.instancePath);
    const problem = describe(e, path);
    const key = `${path.join('/')}|${problem.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    report(f, problem.path, 'schema', problem.message, problem.fix, { key: problem.key });
  }
}

/** JSON pointer → path, with list indexes as numbers. */
function toPath(root: unknown, pointer: string): ValuePath {
  const path: ValuePath = [];
  if (pointer === '') return path;
  for (const raw of pointer.slice(1).split('/')) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    path.push(Array.isArray(valueAt(root, path)) ? Number(seg) : seg);
  }
  return path;
}

/** `check.steps[2].filter` */
function where(path: ValuePath): string {
  if (path.length === 0) return 'the rule';
  return '`' + path.map((seg, i) => (typeof seg === 'number' ? `[${seg}]` : i === 0 ? seg : `.${seg}`)).join('') + '`';
}

function describe(e: ErrorObject, path: ValuePath): { path: ValuePath; message: string; fix?: string; key?: boolean } {
  const parent = (e.parentSchema ?? {}) as Record<string, unknown>;
  const props = isObject(parent.properties) ? parent.properties : {};
  const fixOf = (s: unknown) => (isObject(s) && typeof s['x-fix'] === 'string' ? s['x-fix'] : undefined);
  const isStep = isObject(props.filter) && isObject(props.derive);
  if (e.propertyName !== undefined) {
    return { path: [...path, e.propertyName], key: true, message: `the name \`${e.propertyName}\` is not allowed here`, fix: 'start with a letter or _, then letters, digits and _' };
  }
  switch (e.keyword) {
    case 'required': {
      const missing = String(e.params.missingProperty);
      const desc = isObject(props[missing]) && typeof props[missing].description === 'string' ? ` — ${props[missing].description}` : '';
      return { path, message: `${where(path)} is missing \`${missing}\``, fix: `add ${missing}:${desc}`, key: path.length > 0 };
    }
    case 'additionalProperties': {
      const extra = String(e.params.additionalProperty);
      const allowed = Object.keys(props);
      const near = nearestName(extra, allowed);
      const what = isStep ? 'verb' : 'key';
      return {
        path: [...path, extra], key: true,
        message: `unknown ${what} \`${extra}\`${path.length ? ` in ${where(path)}` : ''}`,
        fix: `${near ? `did you mean \`${near}\`? ` : ''}allowed ${what}s: ${allowed.join(', ')}`,
      };
    }
    case 'enum': {
      const allowed = (e.params.allowedValues as unknown[]).map(String);
      const near = typeof e.data === 'string' ? nearestName(e.data, allowed) : undefined;
      return { path, message: `${where(path)} is \`${String(e.data)}\`, not one of the allowed values`, fix: `${near ? `did you mean \`${near}\`? ` : ''}use one of: ${allowed.join(', ')}` };
    }
    case 'const':
      return { path, message: `${where(path)} must be ${JSON.stringify(e.params.allowedValue)}`, fix: `write ${path[path.length - 1]}: ${JSON.stringify(e.params.allowedValue)}` };
    case 'type': {
      const type = String(e.params.type);
      const got = e.data === null ? 'empty' : Array.isArray(e.data) ? 'a list' : typeof e.data === 'object' ? 'a map' : `${typeof e.data} \`${String(e.data)}\``;
      const fix =
        type === 'string' && isObject(e.data) ? 'the text contains ": ", which YAML reads as a key; put the whole value in quotes' :
        type === 'string' ? 'quote the value' :
        type === 'array' ? 'write a list: [a, b] or one "- item" per line' :
        type === 'object' ? 'write a map of key: value lines' :
        type === 'integer' ? 'write a whole number' :
        type === 'boolean' ? 'write true or false, unquoted' :
        `write a ${type}`;
      return { path, message: `${where(path)} must be ${type === 'array' ? 'a list' : type === 'object' ? 'a map' : `a ${type}`}, not ${got}`, fix };
    }
    case 'pattern':
      return { path, message: `${where(path)} \`${String(e.data)}\` does not have the expected form`, fix: fixOf(parent) ?? `match ${e.params.pattern}` };
    case 'minItems':
      return { path, message: `${where(path)} needs at least ${e.params.limit} item(s)`, fix: 'add the missing items' };
    case 'maxItems':
      return { path, message: `${where(path)} takes at most ${e.params.limit} items`, fix: 'remove the extra items' };
    case 'minLength':
      return { path, message: `${where(path)} is empty`, fix: 'write a value' };
    case 'minProperties':
      return { path, message: isStep ? 'a step needs a verb' : `${where(path)} is empty`, fix: isStep ? `write one of: ${Object.keys(props).join(', ')}` : 'add at least one entry' };
    case 'maxProperties':
      return {
        path, message: isStep ? `a step has exactly one verb, this one has ${Object.keys(e.data as object).join(', ')}` : `${where(path)} has too many entries`,
        fix: isStep ? 'split it into one step per verb, each starting with "- "' : 'remove the extra entries',
      };
    case 'minimum':
      return { path, message: `${where(path)} must be at least ${e.params.limit}`, fix: `write a number ≥ ${e.params.limit}` };
    case 'propertyNames':
      return { path, message: `${where(path)} has a name that is not allowed`, fix: 'names are letters, digits and _' };
    default:
      return { path, message: `${where(path)} ${e.message ?? 'is invalid'}` };
  }
}
