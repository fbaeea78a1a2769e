import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { Type } from 'typebox';
import { Value } from 'typebox/value';
import { CatalogFile } from '../../src/catalog/catalog-file.js';
import { findSchemaProblems } from '../../src/catalog/schema-problems.js';
import { MetadataProperty } from '../../src/schemas/metadata-schema.js';
import { type CatalogJson, defaultCatalogJson } from './catalog-files.js';

/** Every path to a value inside `json`, each a list of keys and indexes. */
function pathsOf(json: unknown, prefix: Array<string | number> = []): Array<Array<string | number>> {
  if (typeof json !== 'object' || json === null) return [prefix];
  const children = Array.isArray(json) ? json.map((child, index) => [index, child] as const) : Object.entries(json);
  return [prefix, ...children.flatMap(([key, child]) => pathsOf(child, [...prefix, key]))];
}

/** A copy of `json` with the value at `path` replaced, or removed when `replacement` is undefined. */
function mutate(json: CatalogJson, path: ReadonlyArray<string | number>, replacement: unknown): CatalogJson {
  if (path.length === 0) return replacement;
  const copy = structuredClone(json);
  const parent = path.slice(0, -1).reduce((node: CatalogJson, key) => node[key], copy);
  const last = path.at(-1)!;
  if (replacement === undefined) {
    if (Array.isArray(parent)) parent.splice(Number(last), 1);
    else delete parent[last];
  } else parent[last] = replacement;
  return copy;
}

describe('schema problems', () => {
  test('finds a problem exactly when TypeBox refuses the value', () => {
    // The walker explains; TypeBox's Value.Check is the reference. Any value at any place in the
    // default catalog, or its removal, must get the same verdict from both.
    const json = defaultCatalogJson();
    const paths = pathsOf(json);
    const replacement = fc.oneof(
      fc.constant(undefined),
      fc.jsonValue({ maxDepth: 2 }),
      fc.constantFrom('storage', 'select', 'input', 'create', 'always', 'iap_x', 'oac_x', 'acme', '', true, 0, -1, 1.5, [], {}),
    );
    fc.assert(
      fc.property(fc.constantFrom(...paths), replacement, (path, value) => {
        const broken = mutate(json, path, value);
        const problems = findSchemaProblems(CatalogFile, broken);
        assert.equal(problems.length === 0, Value.Check(CatalogFile, broken), JSON.stringify({ path, value, problems }));
      }),
      { numRuns: 3000 },
    );
  });

  test('reports each missing key on its own', () => {
    const schema = Type.Object({ a: Type.String(), b: Type.Number(), c: Type.Optional(Type.Boolean()) });
    assert.deepEqual(findSchemaProblems(schema, {}), [
      { path: ['a'], message: 'is required' },
      { path: ['b'], message: 'is required' },
    ]);
  });

  test('explains a property of one variant by that variant only', () => {
    const property = { type: 'number', 'ui:control': 'input', minimum: 'one', 'ui:paid-only': 'yes' };
    assert.deepEqual(findSchemaProblems(MetadataProperty, property), [
      { path: ['minimum'], message: 'must be a number (got "one")' },
      { path: ['ui:paid-only'], message: 'must be true or false (got "yes")' },
    ]);
  });

  test('names the controls a type allows when the control is wrong', () => {
    assert.deepEqual(findSchemaProblems(MetadataProperty, { type: 'boolean', 'ui:control': 'input' }), [
      { path: ['ui:control'], message: 'must be one of toggle when type is "boolean" (got "input")' },
    ]);
    assert.deepEqual(findSchemaProblems(MetadataProperty, { type: 'array', 'ui:control': 'select' }), [
      { path: ['ui:control'], message: 'must be one of slider, multi-select, multi-vercel-region when type is "array" (got "select")' },
    ]);
  });

  test('accepts each of the twelve variants in its smallest form', () => {
    const smallest = [
      { type: 'array', 'ui:control': 'slider', items: { type: 'number' }, 'ui:steps': [1, 2] },
      { type: 'array', 'ui:control': 'multi-select', items: { type: 'string' }, 'ui:options': [{ value: 'a', label: 'A' }] },
      { type: 'array', 'ui:control': 'multi-vercel-region', items: { type: 'string' }, 'ui:options': ['iad1', { value: 'fra1' }] },
      { type: 'string', 'ui:control': 'select', 'ui:options': [] },
      { type: 'string', 'ui:control': 'radio-button', 'ui:options': [] },
      { type: 'string', 'ui:control': 'vercel-region', 'ui:options': ['iad1'] },
      { type: 'string', 'ui:control': 'vercel-country', 'ui:options': ['DE'] },
      { type: 'string', 'ui:control': 'input' },
      { type: 'number', 'ui:control': 'input' },
      { type: 'boolean', 'ui:control': 'toggle' },
      { type: 'string', 'ui:control': 'domain' },
      { type: 'string', 'ui:control': 'git-namespace', 'git:providers': ['github'] },
    ];
    for (const property of smallest) assert.deepEqual(findSchemaProblems(MetadataProperty, property), [], JSON.stringify(property));
  });
});
