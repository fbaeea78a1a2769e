import type { TSchema } from 'typebox';
import type { JsonPath, PathProblem } from './catalog-error.js';

/*
 * Every place a JSON value departs from a TypeBox schema, in words a catalog author can act on.
 *
 * TypeBox's own `Value.Errors` stops at 8 errors (a process-wide setting), folds all missing keys
 * into one message and, for a union, reports every branch: a metadata property that matches none of
 * the 12 variants yields a dozen unrelated complaints. So this walks the schema itself. It covers the
 * JSON Schema keywords TypeBox emits for the catalog file (type, const, enum, properties, required,
 * additionalProperties, patternProperties, items, the string/number/array bounds and anyOf); the
 * loader cross-checks with `Value.Check` so nothing this misses can slip through.
 */

type Schema = Readonly<Record<string, unknown>>;
/** `other`: what JSON.parse never returns (undefined, functions…), which no schema accepts. */
type JsonType = 'null' | 'boolean' | 'number' | 'string' | 'array' | 'object' | 'other';

/** Every problem of `value` against `schema`; empty when it conforms. */
export function findSchemaProblems(schema: TSchema, value: unknown): PathProblem[] {
  return explain(schema as Schema, value, []);
}

function explain(schema: Schema, value: unknown, path: JsonPath): PathProblem[] {
  if (Array.isArray(schema['anyOf'])) return explainUnion(schema['anyOf'] as Schema[], value, path);
  const wrong = !isOfType(schema, value)
    || ('const' in schema && value !== schema['const'])
    || (Array.isArray(schema['enum']) && !schema['enum'].includes(value));
  if (wrong) return [{ path, message: `must be ${describe(schema)}${got(value)}` }];
  switch (jsonType(value)) {
    case 'object':
      return explainObject(schema, value as Readonly<Record<string, unknown>>, path);
    case 'array':
      return explainArray(schema, value as readonly unknown[], path);
    case 'string':
      return explainString(schema, value as string, path);
    case 'number':
      return explainNumber(schema, value as number, path);
    default:
      return [];
  }
}

function explainObject(schema: Schema, value: Readonly<Record<string, unknown>>, path: JsonPath): PathProblem[] {
  const properties = (schema['properties'] ?? {}) as Readonly<Record<string, Schema>>;
  const patterns = Object.entries((schema['patternProperties'] ?? {}) as Readonly<Record<string, Schema>>);
  const required = (schema['required'] ?? []) as readonly string[];
  const problems: PathProblem[] = required
    .filter((key) => value[key] === undefined)
    .map((key) => ({ path: [...path, key], message: 'is required' }));
  for (const [key, child] of Object.entries(value)) {
    const known = Object.hasOwn(properties, key) ? properties[key] : patterns.find(([pattern]) => new RegExp(pattern, 'u').test(key))?.[1];
    if (known !== undefined) problems.push(...explain(known, child, [...path, key]));
    else if (schema['additionalProperties'] === false) {
      problems.push({ path: [...path, key], message: `is not a known key; expected one of ${Object.keys(properties).join(', ')}` });
    }
  }
  return problems;
}

function explainArray(schema: Schema, value: readonly unknown[], path: JsonPath): PathProblem[] {
  const problems: PathProblem[] = [];
  const { minItems, maxItems, items } = schema as { minItems?: number; maxItems?: number; items?: Schema };
  if (minItems !== undefined && value.length < minItems) problems.push({ path, message: `must have at least ${minItems} ${plural(minItems, 'item')}` });
  if (maxItems !== undefined && value.length > maxItems) problems.push({ path, message: `must have at most ${maxItems} ${plural(maxItems, 'item')}` });
  if (items !== undefined) value.forEach((item, index) => problems.push(...explain(items, item, [...path, index])));
  return problems;
}

function explainString(schema: Schema, value: string, path: JsonPath): PathProblem[] {
  const { minLength, maxLength, pattern } = schema as { minLength?: number; maxLength?: number; pattern?: string };
  if (minLength === 1 && value === '') return [{ path, message: 'must not be empty' }];
  if (minLength !== undefined && value.length < minLength) return [{ path, message: `must be at least ${minLength} characters long` }];
  if (maxLength !== undefined && value.length > maxLength) return [{ path, message: `must be at most ${maxLength} characters long` }];
  if (pattern !== undefined && !new RegExp(pattern, 'u').test(value)) return [{ path, message: `must match ${pattern}${got(value)}` }];
  return [];
}

function explainNumber(schema: Schema, value: number, path: JsonPath): PathProblem[] {
  const bounds = schema as { minimum?: number; maximum?: number; exclusiveMinimum?: number; exclusiveMaximum?: number };
  if (bounds.minimum !== undefined && value < bounds.minimum) return [{ path, message: `must be at least ${bounds.minimum}` }];
  if (bounds.maximum !== undefined && value > bounds.maximum) return [{ path, message: `must be at most ${bounds.maximum}` }];
  if (bounds.exclusiveMinimum !== undefined && value <= bounds.exclusiveMinimum) return [{ path, message: `must be more than ${bounds.exclusiveMinimum}` }];
  if (bounds.exclusiveMaximum !== undefined && value >= bounds.exclusiveMaximum) return [{ path, message: `must be less than ${bounds.exclusiveMaximum}` }];
  return [];
}

/**
 * A union explains itself through the branch the author evidently meant. Object branches told
 * apart by constants (a metadata property's `type` + `ui:control`) are narrowed key by key, so a
 * wrong control is reported once, at `ui:control`, with the controls its `type` allows. Otherwise,
 * when only one branch takes the value's JSON type and it is a container, its inner problems are
 * more useful than a summary; anything else gets the list of what the union accepts.
 */
function explainUnion(branches: readonly Schema[], value: unknown, path: JsonPath): PathProblem[] {
  const results = branches.map((branch) => explain(branch, value, path));
  if (results.some((problems) => problems.length === 0)) return [];
  const type = jsonType(value);
  const sameType = branches.filter((branch) => branch['anyOf'] === undefined && branch['type'] === type);
  if (type === 'object' && sameType.length > 1 && discriminators(sameType).length > 0) {
    return explainDiscriminated(sameType, value as Readonly<Record<string, unknown>>, path);
  }
  const only = sameType.length === 1 ? sameType[0] : undefined;
  if (only !== undefined && (type === 'object' || type === 'array')) return explain(only, value, path);
  return [{ path, message: `must be ${describe({ anyOf: branches })}${got(value)}` }];
}

function explainDiscriminated(branches: readonly Schema[], value: Readonly<Record<string, unknown>>, path: JsonPath): PathProblem[] {
  let candidates = branches;
  const chosen: string[] = [];
  for (const key of discriminators(branches)) {
    const matching = candidates.filter((branch) => constOf(branch, key) === undefined || constOf(branch, key) === value[key]);
    if (matching.length === 0) {
      const allowed = [...new Set(candidates.map((branch) => constOf(branch, key)).filter((v) => v !== undefined))].join(', ');
      const context = chosen.length > 0 ? ` when ${chosen.join(' and ')}` : '';
      const message = value[key] === undefined ? `is required, one of ${allowed}${context}` : `must be one of ${allowed}${context}${got(value[key])}`;
      return [{ path: [...path, key], message }];
    }
    chosen.push(`${key} is ${JSON.stringify(value[key])}`);
    candidates = matching;
  }
  // Every constant matches; the catalog's unions have one branch per combination.
  return candidates[0] === undefined ? [] : explain(candidates[0], value, path);
}

/** Keys whose value is a constant in some branch, in the order the branches declare them. */
function discriminators(branches: readonly Schema[]): string[] {
  const keys = branches.flatMap((branch) =>
    Object.keys((branch['properties'] ?? {}) as object).filter((key) => constOf(branch, key) !== undefined),
  );
  return [...new Set(keys)];
}

function constOf(branch: Schema, key: string): unknown {
  const property = ((branch['properties'] ?? {}) as Readonly<Record<string, Schema>>)[key];
  return property?.['const'];
}

/** What a schema accepts, in a few words: `one of a, b`, `an object with expr`, `a string`. */
function describe(schema: Schema): string {
  if (Array.isArray(schema['anyOf'])) {
    const branches = schema['anyOf'] as Schema[];
    // Several object branches (the 12 property variants) read as one object with the keys all require.
    const objects = branches.filter((branch) => branch['type'] === 'object');
    const shared = objects.length > 1
      ? objects.map((branch) => (branch['required'] ?? []) as string[]).reduce((all, keys) => all.filter((key) => keys.includes(key)))
      : undefined;
    const parts = [...new Set(branches.map((branch) =>
      shared !== undefined && branch['type'] === 'object' ? describe({ type: 'object', required: shared }) : describe(branch)))];
    return parts.length < 2 ? parts.join('') : `${parts.slice(0, -1).join(', ')} or ${parts.at(-1)}`;
  }
  if ('const' in schema) return JSON.stringify(schema['const']);
  if (Array.isArray(schema['enum'])) return `one of ${schema['enum'].join(', ')}`;
  switch (schema['type']) {
    case 'object': {
      const required = (schema['required'] ?? []) as readonly string[];
      return required.length > 0 ? `an object with ${required.join(', ')}` : 'an object';
    }
    case 'array':
      return 'an array';
    case 'boolean':
      return 'true or false';
    case 'integer':
      return 'an integer';
    case 'number':
      return 'a number';
    case 'string':
      return 'a string';
    default:
      return 'valid';
  }
}

/** ` (got "dropdown")`: the offending value, shortened, so the author can search the file for it. */
function got(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return ` (got ${text.length > 40 ? `${text.slice(0, 37)}...` : text})`;
}

function isOfType(schema: Schema, value: unknown): boolean {
  const expected = schema['type'];
  if (expected === undefined) return true;
  if (expected === 'integer') return Number.isInteger(value);
  return expected === jsonType(value);
}

function jsonType(value: unknown): JsonType {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  const type = typeof value;
  if (type === 'boolean' || type === 'string') return type;
  if (type === 'number') return Number.isFinite(value) ? type : 'other';
  return type === 'object' ? 'object' : 'other';
}

function plural(count: number, noun: string): string {
  return count === 1 ? noun : `${noun}s`;
}
