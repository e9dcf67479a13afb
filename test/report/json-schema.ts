/**
 * A minimal JSON Schema checker for the keywords docs/report-schema.json uses
 * (type, const, enum, required, properties, additionalProperties, items,
 * $ref to #/$defs, oneOf, allOf, pattern, minimum). Returns the problems as
 * `path: message` strings; an unknown keyword is itself reported, so that the
 * schema cannot silently use something this checker ignores.
 */
type Schema = Record<string, unknown>;

const KNOWN = new Set([
  '$schema', '$id', '$defs', 'title', 'description', 'format',
  'type', 'const', 'enum', 'required', 'properties', 'additionalProperties', 'items', '$ref', 'oneOf', 'allOf', 'pattern', 'minimum',
]);

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

export function validate(root: Schema, value: unknown): string[] {
  const problems: string[] = [];
  const check = (schema: Schema, v: unknown, path: string): void => {
    for (const k of Object.keys(schema)) if (!KNOWN.has(k)) problems.push(`${path}: schema keyword ${k} not supported by the checker`);
    if (typeof schema.$ref === 'string') {
      const name = schema.$ref.replace('#/$defs/', '');
      check((root.$defs as Record<string, Schema>)[name], v, path);
    }
    if (schema.allOf) for (const s of schema.allOf as Schema[]) check(s, v, path);
    if (schema.oneOf) {
      const ok = (schema.oneOf as Schema[]).filter((s) => validateAt(s, v).length === 0).length;
      if (ok !== 1) problems.push(`${path}: matches ${ok} of oneOf`);
    }
    if (schema.type !== undefined) {
      const types = ([] as string[]).concat(schema.type as string | string[]);
      const t = typeOf(v);
      if (!types.includes(t) && !(t === 'integer' && types.includes('number'))) problems.push(`${path}: ${t} is not ${types.join('|')}`);
    }
    if ('const' in schema && v !== schema.const) problems.push(`${path}: not ${JSON.stringify(schema.const)}`);
    if (schema.enum && !(schema.enum as unknown[]).includes(v)) problems.push(`${path}: ${JSON.stringify(v)} not in enum`);
    if (typeof schema.pattern === 'string' && typeof v === 'string' && !new RegExp(schema.pattern).test(v)) problems.push(`${path}: does not match ${schema.pattern}`);
    if (typeof schema.minimum === 'number' && typeof v === 'number' && v < schema.minimum) problems.push(`${path}: below ${schema.minimum}`);
    if (typeOf(v) === 'object') {
      const obj = v as Record<string, unknown>;
      for (const r of (schema.required as string[] | undefined) ?? []) if (!(r in obj)) problems.push(`${path}: missing ${r}`);
      const props = (schema.properties as Record<string, Schema> | undefined) ?? {};
      for (const [k, x] of Object.entries(obj)) {
        if (props[k]) check(props[k], x, `${path}.${k}`);
        else if (schema.additionalProperties === false) problems.push(`${path}: unexpected key ${k}`);
        else if (typeof schema.additionalProperties === 'object') check(schema.additionalProperties as Schema, x, `${path}.${k}`);
      }
    }
    if (Array.isArray(v) && schema.items) v.forEach((x, i) => check(schema.items as Schema, x, `${path}[${i}]`));
  };
  const validateAt = (schema: Schema, v: unknown) => {
    const before = problems.length;
    check(schema, v, '');
    return problems.splice(before);
  };
  check(root, value, '$');
  return problems;
}
