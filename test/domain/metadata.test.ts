import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  compileMetadataValidator,
  validateMetadata,
  type Metadata,
  type MetadataProperty,
  type MetadataSchema,
} from '../../src/domain/metadata.js';
import { ApiError } from '../../src/errors.js';

/** A schema using most of Vercel's twelve property variants (vercel-contract.md §2.5). */
function productSchema(): MetadataSchema {
  return {
    type: 'object',
    'ui:order': ['region', 'plan', 'tier'],
    required: ['region', 'name'],
    properties: {
      region: {
        type: 'string',
        'ui:control': 'vercel-region',
        'ui:label': 'Region',
        'ui:options': ['iad1', { value: 'fra1', label: 'Frankfurt' }],
        'ui:read-only': 'update',
      },
      name: { type: 'string', 'ui:control': 'input', pattern: '^[a-z]+$', minLength: 2, 'ui:placeholder': 'name' },
      tier: {
        type: 'string',
        'ui:control': 'select',
        default: 'small',
        'ui:options': [
          { value: 'small', label: 'Small' },
          { value: 'large', label: 'Large', disabled: { expr: 'true' } },
        ],
      },
      flavor: { type: 'string', 'ui:control': 'radio-button', 'ui:options': [{ value: 'sweet', label: 'Sweet' }] },
      size: { type: 'number', 'ui:control': 'input', minimum: 1, maximum: 10, default: 2 },
      backups: { type: 'boolean', 'ui:control': 'toggle', default: true, 'ui:paid-only': true },
      features: {
        type: 'array',
        'ui:control': 'multi-select',
        items: { type: 'string' },
        'ui:options': [
          { value: 'search', label: 'Search' },
          { value: 'vector', label: 'Vector' },
        ],
      },
      replicas: {
        type: 'array',
        'ui:control': 'slider',
        items: { type: 'number', minimum: 0, maximum: 3 },
        'ui:steps': [0, 1, 2, 3],
        default: [1],
      },
      repo: { type: 'string', 'ui:control': 'git-namespace', 'git:providers': ['github', 'gitlab'] },
      mode: { type: 'string', 'ui:control': 'select', enum: ['a', 'b'], 'ui:options': [{ value: 'a', label: 'A' }, { value: 'b', label: 'B' }] },
      hidden: { type: 'string', 'ui:control': 'input', 'ui:hidden': true, 'ui:disabled': 'create', 'ui:formatted-value': { expr: 'x' } },
    },
  };
}

function invalidFields(schema: MetadataSchema, metadata: Metadata | undefined): Array<{ key: string; message?: string }> {
  let caught: unknown;
  assert.throws(
    () => validateMetadata(compileMetadataValidator(schema), metadata),
    (error: unknown) => {
      caught = error;
      return error instanceof ApiError && error.code === 'invalid_metadata';
    },
  );
  return (caught as ApiError).extras.fields ?? [];
}

function keysOf(fields: ReadonlyArray<{ key: string }>): string[] {
  return fields.map((field) => field.key).sort();
}

describe('compileMetadataValidator', () => {
  test('accepts every ui:* and git:providers keyword of the product schema', () => {
    assert.doesNotThrow(() => compileMetadataValidator(productSchema()));
  });

  test('compiles a schema object once and reuses the validator', () => {
    const schema = productSchema();
    assert.equal(compileMetadataValidator(schema), compileMetadataValidator(schema));
  });

  test('compiles two schemas with the same $id independently', () => {
    const first = { ...productSchema(), $id: 'https://example.com/product' };
    const second = { type: 'object', $id: 'https://example.com/product', properties: {} } as MetadataSchema;
    compileMetadataValidator(first);
    assert.deepEqual(validateMetadata(compileMetadataValidator(second), { any: 'thing' }), { any: 'thing' });
  });

  test('throws a plain error, not an ApiError, for a schema that is not JSON Schema', () => {
    const broken = { type: 'object', properties: { a: { type: 'strng' } } } as MetadataSchema;
    assert.throws(
      () => compileMetadataValidator(broken),
      (error: unknown) => error instanceof Error && !(error instanceof ApiError) && /not a valid JSON Schema/.test(error.message),
    );
  });

  test('accepts any metadata when the product has no schema', () => {
    const metadata = { anything: 'goes', n: 1 };
    assert.deepEqual(validateMetadata(compileMetadataValidator(undefined), metadata), metadata);
  });
});

describe('validateMetadata', () => {
  const schema = productSchema();
  const validator = compileMetadataValidator(schema);

  test('applies the schema defaults to missing fields', () => {
    assert.deepEqual(validateMetadata(validator, { region: 'iad1', name: 'db' }), {
      region: 'iad1',
      name: 'db',
      tier: 'small',
      size: 2,
      backups: true,
      replicas: [1],
    });
  });

  test('keeps values the caller sent over the defaults', () => {
    const result = validateMetadata(validator, { region: 'fra1', name: 'db', size: 7, backups: false });
    assert.equal(result['size'], 7);
    assert.equal(result['backups'], false);
  });

  test('does not change the metadata it was given', () => {
    const metadata = { region: 'iad1', name: 'db' };
    validateMetadata(validator, metadata);
    assert.deepEqual(metadata, { region: 'iad1', name: 'db' });
  });

  test('satisfies a required field from its default', () => {
    const withDefault: MetadataSchema = {
      type: 'object',
      required: ['tier'],
      properties: { tier: { type: 'string', 'ui:control': 'input', default: 'small' } },
    };
    assert.deepEqual(validateMetadata(compileMetadataValidator(withDefault), {}), { tier: 'small' });
  });

  test('treats omitted metadata as an empty object', () => {
    assert.deepEqual(keysOf(invalidFields(schema, undefined)), ['name', 'region']);
  });

  test('accepts keys the schema does not list, since it does not forbid them', () => {
    const result = validateMetadata(validator, { region: 'iad1', name: 'db', environment: 'prod' });
    assert.equal(result['environment'], 'prod');
  });

  test('rejects keys the schema does not list when additionalProperties is false', () => {
    const closed: MetadataSchema = { ...schema, additionalProperties: false };
    const fields = invalidFields(closed, { region: 'iad1', name: 'db', environment: 'prod' });
    assert.deepEqual(fields, [{ key: 'environment', message: 'is not a property of this product' }]);
  });

  test('names each missing required field by its key', () => {
    assert.deepEqual(invalidFields(schema, { size: 3 }), [
      { key: 'region', message: 'is required' },
      { key: 'name', message: 'is required' },
    ]);
  });

  const invalid: Array<[string, Metadata, string, RegExp]> = [
    ['a select value outside its ui:options', { tier: 'huge' }, 'tier', /must be one of: "small", "large"/],
    ['a radio value outside its ui:options', { flavor: 'sour' }, 'flavor', /must be one of: "sweet"/],
    ['a region outside its ui:options (plain-string options)', { region: 'syd1' }, 'region', /"iad1", "fra1"/],
    ['a multi-select item outside its ui:options', { features: ['search', 'graph'] }, 'features', /item 1 must be one of/],
    ['a value outside its enum', { mode: 'c' }, 'mode', /must be one of: "a", "b"/],
    ['a string that breaks its pattern', { name: 'DB' }, 'name', /pattern/],
    ['a string shorter than minLength', { name: 'd' }, 'name', /fewer than 2/],
    ['a number above its maximum', { size: 11 }, 'size', /<= 10/],
    ['a string where a number is expected', { size: '3' }, 'size', /must be number/],
    ['a number where a boolean is expected', { backups: 1 }, 'backups', /must be boolean/],
    ['a slider step out of range', { replicas: [4] }, 'replicas', /item 0 must be <= 3/],
  ];
  for (const [name, extra, key, message] of invalid) {
    test(`rejects ${name}, naming ${key}`, () => {
      const fields = invalidFields(schema, { region: 'iad1', name: 'db', ...extra });
      assert.equal(fields.length, 1, JSON.stringify(fields));
      assert.equal(fields[0]?.key, key);
      assert.match(fields[0]?.message ?? '', message);
    });
  }

  test('does not report ui:options twice when the schema also has an enum', () => {
    const fields = invalidFields(schema, { region: 'iad1', name: 'db', mode: 'z' });
    assert.deepEqual(fields, [{ key: 'mode', message: 'must be one of: "a", "b"' }]);
  });

  test('reports every failing field at once, one entry per key', () => {
    const fields = invalidFields(schema, { region: 'mars', name: 'X', size: 0, features: ['a', 'b'] });
    assert.deepEqual(keysOf(fields), ['features', 'name', 'region', 'size']);
    const name = fields.find((field) => field.key === 'name');
    assert.match(name?.message ?? '', /pattern/);
    assert.match(name?.message ?? '', /fewer than 2/);
  });

  test('lists the failing keys in the error message', () => {
    assert.throws(() => validateMetadata(validator, { size: 3 }), /region, name/);
  });

  test('names a key that contains a slash as it was sent', () => {
    const slashed: MetadataSchema = {
      type: 'object',
      properties: { 'a/b~c': { type: 'string', 'ui:control': 'input', minLength: 3 } },
    };
    assert.equal(invalidFields(slashed, { 'a/b~c': 'x' })[0]?.key, 'a/b~c');
  });

  test('checks formats such as email', () => {
    const withFormat: MetadataSchema = {
      type: 'object',
      properties: { contact: { type: 'string', 'ui:control': 'input', format: 'email' } },
    };
    assert.equal(invalidFields(withFormat, { contact: 'nobody' })[0]?.key, 'contact');
    assert.doesNotThrow(() => validateMetadata(compileMetadataValidator(withFormat), { contact: 'a@example.com' }));
  });
});

describe('validateMetadata properties', () => {
  test('reports every missing required field, and no other', () => {
    const keyArbitrary = fc.stringMatching(/^[a-z][a-zA-Z0-9_]{0,10}$/);
    fc.assert(
      fc.property(
        fc.uniqueArray(keyArbitrary, { minLength: 1, maxLength: 10 }),
        fc.array(fc.boolean(), { minLength: 10, maxLength: 10 }),
        fc.array(fc.boolean(), { minLength: 10, maxLength: 10 }),
        (keys, requiredFlags, presentFlags) => {
          const properties: Record<string, MetadataProperty> = {};
          for (const key of keys) properties[key] = { type: 'string', 'ui:control': 'input' };
          const required = keys.filter((_, i) => requiredFlags[i]);
          const present = keys.filter((_, i) => presentFlags[i]);
          const metadata = Object.fromEntries(present.map((key) => [key, 'value']));
          const missing = required.filter((key) => !present.includes(key));
          const validator = compileMetadataValidator({ type: 'object', properties, required });
          try {
            validateMetadata(validator, metadata);
            return missing.length === 0;
          } catch (error) {
            const fields = error instanceof ApiError ? (error.extras.fields ?? []) : [];
            return (
              missing.length > 0 &&
              fields.length === missing.length &&
              missing.every((key) => fields.some((field) => field.key === key && field.message === 'is required'))
            );
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
