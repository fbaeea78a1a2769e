import fc from 'fast-check';

/**
 * fast-check arbitraries for the JSON Schemas of `GET /openapi.json`: values that mostly pass a
 * route's validation, so that the fuzz reaches handlers and not only the 400 of the validator,
 * then (with `mutated`) values that break it in one place.
 */

/** The subset of JSON Schema TypeBox emits for our routes. */
export interface JsonSchema {
  readonly type?: string | readonly string[];
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly required?: readonly string[];
  readonly additionalProperties?: boolean | JsonSchema;
  readonly items?: JsonSchema;
  readonly anyOf?: readonly JsonSchema[];
  readonly oneOf?: readonly JsonSchema[];
  readonly allOf?: readonly JsonSchema[];
  readonly enum?: readonly unknown[];
  readonly const?: unknown;
  readonly pattern?: string;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly format?: string;
}

/** Values known to mean something to this server, by property name, tried beside random ones. */
export type Hints = Readonly<Record<string, readonly unknown[]>>;

/** Any JSON value, small: what a hostile client puts where a field belongs. */
export const anyJson: fc.Arbitrary<unknown> = fc.jsonValue({ maxDepth: 3 });

/**
 * Values a hostile client sends to exhaust the server (issue 13 §8): nesting 3,000 to 6,000 deep
 * (a marker that `jsonText` expands, since JSON.stringify itself overflows at that depth), and
 * strings of 12 to 20 KB, alone or inside an object (as `metadata` would carry them).
 */
export const hostileJson: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer({ min: 3_000, max: 6_000 }).map((depth) => `${DEEP_MARK}${depth}${DEEP_END}`),
  fc.integer({ min: 12_000, max: 20_000 }).map((n) => 'x'.repeat(n)),
  fc.integer({ min: 12_000, max: 20_000 }).map((n) => ({ region: 'iad1', long: 'é'.repeat(n / 2) })),
);
const DEEP_MARK = '\u0007deep:';
const DEEP_END = '\u0007';

/** JSON text nested `depth` levels deep. */
export function deepJsonText(depth: number): string {
  return `${'{"a":['.repeat(depth)}1${']}'.repeat(depth)}`;
}

/** JSON.stringify, with every `hostileJson` depth marker expanded to raw nesting. */
export function jsonText(value: unknown): string {
  return JSON.stringify(value).replace(/"\\u0007deep:(\d+)\\u0007"/g, (_, depth: string) => deepJsonText(Number(depth)));
}

export function arbitraryFor(schema: JsonSchema, hints: Hints, name = '', depth = 0): fc.Arbitrary<unknown> {
  const hinted = hints[name];
  const own = ownArbitrary(schema, hints, depth);
  return hinted && hinted.length > 0 ? fc.oneof({ arbitrary: fc.constantFrom(...hinted), weight: 4 }, { arbitrary: own, weight: 1 }) : own;
}

function ownArbitrary(schema: JsonSchema, hints: Hints, depth: number): fc.Arbitrary<unknown> {
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const choices = schema.anyOf ?? schema.oneOf;
  if (choices && choices.length > 0) return fc.oneof(...choices.map((c) => arbitraryFor(c, hints, '', depth)));
  if (schema.allOf && schema.allOf.length > 0) return arbitraryFor(schema.allOf[0]!, hints, '', depth);
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'string':
      return stringFor(schema);
    case 'integer':
      return fc.integer({ min: schema.minimum ?? -1_000_000, max: schema.maximum ?? 1_000_000 });
    case 'number':
      return fc.double({ min: schema.minimum ?? -1e6, max: schema.maximum ?? 1e6, noNaN: true, noDefaultInfinity: true });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      if (depth > 3) return fc.constant([]);
      return fc.array(schema.items ? arbitraryFor(schema.items, hints, '', depth + 1) : anyJson, { minLength: schema.minItems ?? 0, maxLength: Math.min(schema.maxItems ?? 4, 4) });
    case 'object':
      return objectFor(schema, hints, depth);
    default:
      return anyJson;
  }
}

function stringFor(schema: JsonSchema): fc.Arbitrary<string> {
  if (schema.pattern) {
    const pattern = new RegExp(schema.pattern);
    const max = schema.maxLength;
    try {
      // Unbounded patterns (`^[a-z]+$`) can grow long; the length limits apply on top.
      return fc.stringMatching(pattern).filter((s) => s.length >= (schema.minLength ?? 0) && (max === undefined || s.length <= max));
    } catch {
      // fast-check cannot generate every regular expression (lookaheads); plain text then.
    }
  }
  if (schema.format === 'email') return fc.emailAddress();
  return fc.string({ unit: 'grapheme', minLength: schema.minLength ?? 0, maxLength: Math.min(schema.maxLength ?? 40, 40) });
}

function objectFor(schema: JsonSchema, hints: Hints, depth: number): fc.Arbitrary<unknown> {
  if (depth > 3) return fc.constant({});
  const properties = schema.properties ?? {};
  const record: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [key, sub] of Object.entries(properties)) record[key] = arbitraryFor(sub, hints, key, depth + 1);
  const known = Object.keys(record).length > 0 ? fc.record(record, { requiredKeys: (schema.required ?? []).filter((k) => k in record) }) : fc.constant({});
  if (schema.additionalProperties === false) return known;
  const extraValues = typeof schema.additionalProperties === 'object' ? arbitraryFor(schema.additionalProperties, hints, '', depth + 1) : anyJson;
  const extra = fc.dictionary(fc.string({ maxLength: 12 }), extraValues, { maxKeys: 3 });
  return fc.tuple(known, extra).map(([k, e]) => ({ ...e, ...(k as object) }));
}

/**
 * A value of `base` broken in one place: a property replaced by any JSON value, one dropped, or
 * the whole value replaced. Objects keep their other properties, so the handler's later checks
 * are reached with one bad field.
 */
export function mutated(base: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  const junkArbitrary = fc.oneof({ arbitrary: anyJson, weight: 3 }, { arbitrary: hostileJson, weight: 1 });
  return fc.tuple(base, fc.nat(), junkArbitrary, fc.constantFrom('replace', 'drop', 'whole', 'keep')).map(([value, index, junk, how]) => {
    if (how === 'whole') return junk;
    if (how === 'keep' || value === null || typeof value !== 'object' || Array.isArray(value)) return value;
    const keys = Object.keys(value);
    if (keys.length === 0) return junk;
    const key = keys[index % keys.length]!;
    const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
    if (how === 'drop') delete copy[key];
    else copy[key] = junk;
    return copy;
  });
}
