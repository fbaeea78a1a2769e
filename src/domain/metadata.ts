/**
 * Validating a store's `metadata` against its product's `metadataSchema` (docs/rules.md §1 step 7;
 * the schema's shape is vercel-contract.md §2.5).
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import ajvFormats from 'ajv-formats';
import { ApiError } from '../errors.js';

/** One metadata value, as the create request allows it (docs/rules.md §1 step 4). */
export type MetadataValue = string | number | boolean | readonly string[] | readonly number[];

/** A store's metadata: property key → value. */
export type Metadata = Readonly<Record<string, MetadataValue>>;

/**
 * One property of a `metadataSchema`: a JSON Schema plus Vercel's `ui:*` keys, which pick one of
 * twelve form controls (vercel-contract.md §2.5). Kept open because providers add keys.
 */
export interface MetadataProperty {
  readonly type: string;
  readonly 'ui:control'?: string;
  readonly 'ui:options'?: readonly unknown[];
  readonly [keyword: string]: unknown;
}

/** A product's `metadataSchema` (vercel-contract.md §2.5). */
export interface MetadataSchema {
  readonly type: 'object';
  readonly properties: Readonly<Record<string, MetadataProperty>>;
  readonly required?: readonly string[];
  readonly 'ui:order'?: readonly string[];
  readonly [keyword: string]: unknown;
}

/** A compiled `metadataSchema`, made by `compileMetadataValidator`. */
export interface MetadataValidator {
  readonly validate: ValidateFunction;
}

// Keys Vercel's dashboard reads to draw the form. They do not constrain a value (except
// `ui:options`, below), so they are plain annotations; naming them keeps Ajv from treating them as
// typos should `strict` ever be turned on. `example` is Vercel's, not JSON Schema's `examples`.
const ANNOTATION_KEYWORDS = [
  'ui:control',
  'ui:steps',
  'ui:placeholder',
  'ui:label',
  'ui:description',
  'ui:formatted-value',
  'ui:paid-only',
  'ui:hidden',
  'ui:disabled',
  'ui:read-only',
  'ui:order',
  'git:providers',
  'example',
] as const;

function createAjv(): Ajv {
  // useDefaults: a store's metadata records the schema's defaults (docs/rules.md §1 step 7).
  // allErrors: every failing field is reported at once, not just the first.
  // strict false: providers write schemas for Vercel's dashboard, not for Ajv; an unknown
  // keyword or format there must not make a product impossible to create.
  const ajv = new Ajv({ useDefaults: true, allErrors: true, strict: false });
  // ajv-formats is CommonJS; under NodeNext its default import is the module, whose `default` is the plugin.
  ajvFormats.default(ajv);
  for (const keyword of ANNOTATION_KEYWORDS) ajv.addKeyword({ keyword });
  // A select, radio button, region picker or multi-select offers its `ui:options` only, and a user
  // who picks from it expects nothing else to be accepted. Vercel does not require the schema to
  // repeat those values in `enum`, so `ui:options` is turned into one here. Option conditions
  // (`disabled`, `hidden`) may be expressions Stockroom cannot evaluate, so they are not applied.
  ajv.addKeyword({
    keyword: 'ui:options',
    macro: (options: unknown, parentSchema: Record<string, unknown>) => {
      const values = optionValues(options);
      if (values.length === 0) return true;
      if (parentSchema['type'] === 'string' && parentSchema['enum'] === undefined) return { enum: values };
      const items = parentSchema['items'];
      const itemsHaveEnum = typeof items === 'object' && items !== null && 'enum' in items;
      if (parentSchema['type'] === 'array' && !itemsHaveEnum) return { items: { enum: values } };
      return true;
    },
  });
  return ajv;
}

/** Option entries are `{value, label}` objects, or plain strings for the region pickers. */
function optionValues(options: unknown): string[] {
  if (!Array.isArray(options)) return [];
  return options.flatMap((option: unknown) => {
    if (typeof option === 'string') return [option];
    if (typeof option === 'object' && option !== null && typeof (option as { value?: unknown }).value === 'string') {
      return [(option as { value: string }).value];
    }
    return [];
  });
}

// One instance for every schema: creating an Ajv compiles its meta-schema, which costs more than most
// product schemas. Each compiled schema is removed from Ajv's own cache right away, so that the WeakMap
// below is the only cache and a schema nobody holds any more can be collected.
const ajv = createAjv();
const validators = new WeakMap<object, MetadataValidator>();
const ACCEPT_ANYTHING: MetadataValidator = { validate: ajv.compile(true) };

/**
 * Compiles a product's `metadataSchema`, once per schema object (compiling takes milliseconds,
 * validating microseconds). A product without a schema accepts any metadata.
 * Throws a plain `Error` when the schema is not valid JSON Schema: that is the provider's fault,
 * not the caller's, so it surfaces as a 500.
 */
export function compileMetadataValidator(schema: MetadataSchema | undefined): MetadataValidator {
  if (schema === undefined) return ACCEPT_ANYTHING;
  const cached = validators.get(schema);
  if (cached !== undefined) return cached;
  let validator: MetadataValidator;
  try {
    validator = { validate: ajv.compile(schema) };
  } catch (error) {
    throw new Error(`The product's metadataSchema is not a valid JSON Schema: ${(error as Error).message}`, {
      cause: error,
    });
  } finally {
    ajv.removeSchema(schema);
  }
  validators.set(schema, validator);
  return validator;
}

/**
 * Checks `metadata` (omitted means `{}`) and returns a copy with the schema's defaults filled in; the
 * argument is not changed. On failure throws `invalid_metadata` with one `fields` entry per failing
 * key, every one of them (docs/rules.md §1 step 7).
 * Keys the schema does not list are accepted unless it sets `additionalProperties: false`: that is
 * JSON Schema's meaning, and Vercel's product schemas do not set it, so rejecting them would break
 * callers that pass tags of their own.
 */
export function validateMetadata(validator: MetadataValidator, metadata: Metadata | undefined): Metadata {
  const copy: Record<string, unknown> = structuredClone({ ...metadata });
  if (validator.validate(copy)) return copy as Metadata;
  const fields = describeErrors(validator.validate.errors ?? []);
  const keys = fields.map((field) => field.key || '(metadata)').join(', ');
  throw new ApiError('invalid_metadata', `The metadata does not match the product schema: ${keys}.`, { fields });
}

/** Groups Ajv's errors by top-level metadata key, in the order Ajv found them. */
function describeErrors(errors: readonly ErrorObject[]): Array<{ key: string; message: string }> {
  const byKey = new Map<string, string[]>();
  for (const error of errors) {
    // The `ui:options` macro adds a summary error after the `enum` error it expands to; the latter says it all.
    if (error.keyword === 'ui:options') continue;
    const { key, message } = describeError(error);
    const messages = byKey.get(key) ?? [];
    if (!messages.includes(message)) messages.push(message);
    byKey.set(key, messages);
  }
  return [...byKey].map(([key, messages]) => ({ key, message: messages.join('; ') }));
}

/**
 * Names the metadata key an error is about and says what is wrong in the caller's terms. Errors on
 * the object itself name the property through their params (a missing required key, a key refused
 * by `additionalProperties`); any other object-level error gets the empty key.
 */
function describeError(error: ErrorObject): { key: string; message: string } {
  const [key = '', ...rest] = error.instancePath.split('/').slice(1).map(decodePointerSegment);
  const params = error.params as Record<string, unknown>;
  if (key === '') {
    if (error.keyword === 'required' || error.keyword === 'dependencies' || error.keyword === 'dependentRequired') {
      return { key: String(params['missingProperty']), message: 'is required' };
    }
    if (error.keyword === 'additionalProperties') {
      return { key: String(params['additionalProperty']), message: 'is not a property of this product' };
    }
  }
  const message =
    error.keyword === 'enum' && Array.isArray(params['allowedValues'])
      ? `must be one of: ${params['allowedValues'].map((value) => JSON.stringify(value)).join(', ')}`
      : (error.message ?? 'is invalid');
  // A nested failure, e.g. one item of a multi-select: say which item.
  return { key, message: rest.length === 0 ? message : `item ${rest.join('/')} ${message}` };
}

/** JSON Pointer escapes (RFC 6901): `~1` is `/`, `~0` is `~`. */
function decodePointerSegment(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}
