/**
 * Validation of a shared configuration against its JSON Schema, as problems
 * with a line, a JSON pointer and a message: every error at once, plus
 * warnings for keys the schema does not know.
 *
 * The JSON Schema validator itself is injected (the JupyterLab host passes the
 * Ajv 8 validator its form component uses; the server checks the same schema
 * with Python's jsonschema). Two conventions of our schemas are read here:
 * `x-message` on a subschema is the message for an error it raises, and
 * `x-warn-unknown` on an object schema makes unknown keys warnings.
 *
 * Host-agnostic: no JupyterLab imports.
 */
import { IConfigProblem, IParsedConfig, pointerKeys, toPointer } from './yaml';

/** An error as Ajv 8 reports it with `verbose: true`. */
export interface ISchemaError {
  instancePath: string;
  schemaPath: string;
  keyword: string;
  params: Record<string, any>;
  message?: string;
  parentSchema?: Record<string, any>;
}

/** Validates data against a schema; returns every error (allErrors). */
export type RawValidator = (schema: object, data: unknown) => ISchemaError[];

/** Problems of a parsed configuration: its parse problems, else schema errors and unknown-key warnings. */
export function validateConfig(
  parsed: IParsedConfig,
  schema: object,
  validate: RawValidator
): IConfigProblem[] {
  if (parsed.problems.length) {
    return parsed.problems;
  }
  const errors = schemaErrors(validate(schema, parsed.data));
  const problems: IConfigProblem[] = errors.map(e => {
    const at = parsed.locate(e.pointer);
    return { ...e, ...at, severity: 'error' as const };
  });
  for (const w of unknownKeys(schema, parsed.data)) {
    const at = parsed.locate(w.pointer);
    problems.push({ ...w, ...at, severity: 'warning', rule: 'unknown-key' });
  }
  return problems.sort((a, b) => a.line - b.line || a.from - b.from);
}

/** Ajv's errors as one clear message each: branch noise removed, `x-message` preferred. */
export function schemaErrors(
  raw: ISchemaError[]
): { pointer: string; message: string; rule: string }[] {
  // `if` reports "must match then", which the `then` error already says.
  let errors = raw.filter(e => e.keyword !== 'if');
  // A oneOf/anyOf says what is expected as a whole; drop its branches' errors.
  const alternatives = errors.filter(
    e => e.keyword === 'oneOf' || e.keyword === 'anyOf'
  );
  for (const alt of alternatives) {
    errors = errors.filter(
      e =>
        e === alt ||
        !(
          e.instancePath === alt.instancePath ||
          e.instancePath.startsWith(alt.instancePath + '/')
        )
    );
  }
  // An allOf whose member says it all (the placeholder rule) also raises the
  // member's `not`; keep one message per pointer and text.
  const seen = new Set<string>();
  const out: { pointer: string; message: string; rule: string }[] = [];
  for (const e of errors) {
    const custom = e.parentSchema?.['x-message'];
    const pointer =
      e.keyword === 'required'
        ? toPointer([...pointerKeys(e.instancePath), e.params.missingProperty])
        : e.keyword === 'additionalProperties'
          ? toPointer([
              ...pointerKeys(e.instancePath),
              e.params.additionalProperty
            ])
          : e.instancePath;
    const message =
      typeof custom === 'string' && e.keyword !== 'required'
        ? custom
        : describe(e);
    const key = `${pointer}\u0000${message}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push({ pointer, message, rule: e.keyword });
    }
  }
  return out;
}

function describe(e: ISchemaError): string {
  const p = e.params ?? {};
  switch (e.keyword) {
    case 'required':
      return `"${p.missingProperty}" is required here`;
    case 'additionalProperties':
      return `"${p.additionalProperty}" is not a key of this entry`;
    case 'type':
      return `must be ${article(String(p.type).replace(/,/g, ' or '))}`;
    case 'enum':
      return `must be one of: ${(p.allowedValues ?? []).join(', ')}`;
    case 'const':
      return `must be ${JSON.stringify(p.allowedValue)}`;
    case 'minimum':
      return `must be at least ${p.limit}`;
    case 'maximum':
      return `must be at most ${p.limit}`;
    case 'exclusiveMinimum':
      return `must be more than ${p.limit}`;
    case 'exclusiveMaximum':
      return `must be less than ${p.limit}`;
    case 'minLength':
      return p.limit === 1
        ? 'must not be empty'
        : `must be at least ${p.limit} characters`;
    case 'maxLength':
      return `must be at most ${p.limit} characters`;
    case 'minItems':
      return `needs at least ${p.limit} item${p.limit === 1 ? '' : 's'}`;
    case 'maxItems':
      return `takes at most ${p.limit} items`;
    case 'minProperties':
      return `needs at least ${p.limit} entr${p.limit === 1 ? 'y' : 'ies'}`;
    case 'uniqueItems':
      return `lists the same value twice (items ${p.j} and ${p.i})`;
    case 'pattern':
      return `does not match the pattern ${p.pattern}`;
    case 'propertyNames':
      return `has a key that is not allowed ("${p.propertyName}")`;
    case 'oneOf':
    case 'anyOf':
      return 'does not match any of the accepted forms';
    default:
      return e.message ?? `breaks the rule "${e.keyword}"`;
  }
}

function article(type: string): string {
  const names: Record<string, string> = {
    integer: 'a whole number',
    number: 'a number',
    string: 'a string',
    boolean: 'true or false',
    object: 'a mapping (key: value entries)',
    array: 'a list',
    null: 'null'
  };
  return type
    .split(' or ')
    .map(t => names[t] ?? t)
    .join(' or ');
}

/** Keys of mappings whose schema has `x-warn-unknown` and does not list them. */
export function unknownKeys(
  schema: object,
  data: unknown
): { pointer: string; message: string }[] {
  const root = schema as Record<string, any>;
  const out: { pointer: string; message: string }[] = [];
  const resolve = (s: any): any => {
    let current = s;
    for (let hops = 0; current?.$ref && hops < 16; hops++) {
      const ref: string = current.$ref;
      if (!ref.startsWith('#/')) {
        return undefined;
      }
      current = pointerKeys(ref.slice(1)).reduce(
        (node: any, key) => node?.[key],
        root
      );
    }
    return current;
  };
  const walk = (s: any, value: unknown, keys: string[]) => {
    s = resolve(s);
    if (!s || value === null || typeof value !== 'object') {
      return;
    }
    if (Array.isArray(value)) {
      if (s.items && !Array.isArray(s.items)) {
        value.forEach((item, i) => walk(s.items, item, [...keys, String(i)]));
      }
      return;
    }
    const properties: Record<string, unknown> = s.properties ?? {};
    for (const [key, child] of Object.entries(value)) {
      if (key in properties) {
        walk(properties[key], child, [...keys, key]);
      } else if (s['x-warn-unknown'] && s.additionalProperties === undefined) {
        const where = s.title ? ` in ${s.title}` : '';
        out.push({
          pointer: toPointer([...keys, key]),
          message: `"${key}" is not a key the schema knows${where}: kept as it is, but check its spelling`
        });
      } else if (s.additionalProperties && s.additionalProperties !== true) {
        walk(s.additionalProperties, child, [...keys, key]);
      }
    }
  };
  walk(root, data, []);
  return out;
}
