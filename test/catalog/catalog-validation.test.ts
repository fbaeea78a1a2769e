import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatProblem, type CatalogProblem } from '../../src/catalog/catalog-error.js';
import { type CatalogJson, defaultCatalogJson, loadFailure } from './catalog-files.js';

const ACME = 'integrations[0] (acme)';
const ACME_DB = `${ACME} → products[0] (acme-db)`;
const ACME_KV = `${ACME} → products[1] (acme-kv)`;

interface BadCatalogCase {
  readonly name: string;
  readonly breakIt: (json: CatalogJson) => void;
  readonly entry: string;
  readonly field: string;
  readonly message: RegExp;
}

const kv = (json: CatalogJson) => json.integrations[0].products[1];
const kvProperties = (json: CatalogJson) => kv(json).metadataSchema.properties;

/** One broken thing per case; each must be refused with its file, entry and field. */
const CASES: readonly BadCatalogCase[] = [
  {
    name: 'a property with {type:"string"} and no ui:control',
    breakIt: (json) => (kvProperties(json).plain = { type: 'string' }),
    entry: ACME_KV,
    field: 'metadataSchema.properties.plain.ui:control',
    message: /^is required, one of select, radio-button, vercel-region, vercel-country, input, domain, git-namespace when type is "string"$/,
  },
  {
    name: 'a ui:control that is not a variant of its type',
    breakIt: (json) => (kvProperties(json).region['ui:control'] = 'dropdown'),
    entry: ACME_KV,
    field: 'metadataSchema.properties.region.ui:control',
    message: /^must be one of select, radio-button, vercel-region, vercel-country, input, domain, git-namespace when type is "string" \(got "dropdown"\)$/,
  },
  {
    name: 'type "integer", which the SDK does not accept',
    breakIt: (json) => (kvProperties(json).maxMemoryMb.type = 'integer'),
    entry: ACME_KV,
    field: 'metadataSchema.properties.maxMemoryMb.type',
    message: /^must be one of array, string, number, boolean \(got "integer"\)$/,
  },
  {
    name: 'ui:hidden "always"',
    breakIt: (json) => (kvProperties(json).eviction['ui:hidden'] = 'always'),
    entry: ACME_KV,
    field: 'metadataSchema.properties.eviction.ui:hidden',
    message: /^must be true or false, one of create, update or an object with expr \(got "always"\)$/,
  },
  {
    name: 'a select without ui:options',
    breakIt: (json) => delete kvProperties(json).region['ui:options'],
    entry: ACME_KV,
    field: 'metadataSchema.properties.region.ui:options',
    message: /^is required$/,
  },
  {
    name: 'an option without a label',
    breakIt: (json) => delete kvProperties(json).region['ui:options'][1].label,
    entry: ACME_KV,
    field: 'metadataSchema.properties.region.ui:options[1].label',
    message: /^is required$/,
  },
  {
    name: 'a key no variant has',
    breakIt: (json) => (kvProperties(json).eviction.placeholder = 'Evict?'),
    entry: ACME_KV,
    field: 'metadataSchema.properties.eviction.placeholder',
    message: /^is not a known key; expected one of type, ui:control, default, description, ui:label/,
  },
  {
    name: 'an unknown tag',
    breakIt: (json) => kv(json).tags.push('database'),
    entry: ACME_KV,
    field: 'tags[5]',
    message: /^must be one of ai, authentication, blob, .* \(got "database"\)$/,
  },
  {
    name: 'an unknown project connection scope',
    breakIt: (json) => kv(json).projectConnectionScopes.push('write:everything'),
    entry: ACME_KV,
    field: 'projectConnectionScopes[2]',
    message: /^must be one of read-write:deployment, .* \(got "write:everything"\)$/,
  },
  {
    name: 'an unknown protocol',
    breakIt: (json) => kv(json).supportedProtocols.push('database'),
    entry: ACME_KV,
    field: 'supportedProtocols[1]',
    message: /^must be one of ai, authentication, .*storage.* \(got "database"\)$/,
  },
  {
    name: 'a duplicate product slug',
    breakIt: (json) => (kv(json).slug = 'acme-db'),
    entry: `${ACME} → products[1] (acme-db)`,
    field: 'slug',
    message: /^"acme-db" is already the slug of products\[0\]$/,
  },
  {
    name: 'a duplicate product id',
    breakIt: (json) => (kv(json).id = 'iap_acme_db'),
    entry: ACME_KV,
    field: 'id',
    message: /^"iap_acme_db" is already the id of products\[0\]$/,
  },
  {
    name: 'a duplicate integration slug',
    breakIt: (json) => json.integrations.push({ ...structuredClone(json.integrations[0]), id: 'oac_second' }),
    entry: 'integrations[1] (acme)',
    field: 'slug',
    message: /^"acme" is already the slug of integrations\[0\]$/,
  },
  {
    name: 'a duplicate integration id',
    breakIt: (json) => json.integrations.push({ ...structuredClone(json.integrations[0]), slug: 'acme-two' }),
    entry: 'integrations[1] (acme-two)',
    field: 'id',
    message: /^"oac_stockroomReference" is already the id of integrations\[0\]$/,
  },
  {
    name: 'a primaryProtocol missing from supportedProtocols',
    breakIt: (json) => (kv(json).primaryProtocol = 'observability'),
    entry: ACME_KV,
    field: 'primaryProtocol',
    message: /^"observability" is not one of supportedProtocols \(storage\)$/,
  },
  {
    name: 'required naming a property that does not exist',
    breakIt: (json) => kv(json).metadataSchema.required.push('reigon'),
    entry: ACME_KV,
    field: 'metadataSchema.required[1]',
    message: /^names no property \("reigon"\); the properties are region, maxMemoryMb, eviction/,
  },
  {
    name: 'ui:order naming a property that does not exist',
    breakIt: (json) => kv(json).metadataSchema['ui:order'].push('memory'),
    entry: ACME_KV,
    field: 'metadataSchema.ui:order[3]',
    message: /^names no property \("memory"\)/,
  },
  {
    name: 'a select default that is not among its options',
    breakIt: (json) => (kvProperties(json).region.default = 'mars1'),
    entry: ACME_KV,
    field: 'metadataSchema.properties.region.default',
    message: /^does not match its own property: must be one of: "iad1", "sfo1", "fra1"/,
  },
  {
    name: 'a number default under its minimum',
    breakIt: (json) => (kvProperties(json).maxMemoryMb.default = 16),
    entry: ACME_KV,
    field: 'metadataSchema.properties.maxMemoryMb.default',
    message: /^does not match its own property: must be >= 32$/,
  },
  {
    name: 'a default of the wrong type',
    breakIt: (json) => (kvProperties(json).eviction.default = 'no'),
    entry: ACME_KV,
    field: 'metadataSchema.properties.eviction.default',
    message: /^must be true or false \(got "no"\)$/,
  },
  {
    name: 'a pattern that is not a regular expression',
    breakIt: (json) => (kvProperties(json).name = { type: 'string', 'ui:control': 'input', pattern: '([a-z]+' }),
    entry: ACME_KV,
    field: 'metadataSchema.properties.name',
    message: /^this property is not a valid JSON Schema: Invalid regular expression/,
  },
  {
    name: 'an unknown product capability',
    breakIt: (json) => (kv(json).capabilities.backups = true),
    entry: ACME_KV,
    field: 'capabilities.backups',
    message: /^is not a known key; expected one of agentTools, autoSensitive, billable, .*secretRotation/,
  },
  {
    name: 'a capability that is not a boolean',
    breakIt: (json) => (kv(json).capabilities.projects = 'yes'),
    entry: ACME_KV,
    field: 'capabilities.projects',
    message: /^must be true or false \(got "yes"\)$/,
  },
  {
    name: 'a secretRotation window that is not a number',
    breakIt: (json) => (kv(json).capabilities.secretRotation = { maxDelayHours: '720' }),
    entry: ACME_KV,
    field: 'capabilities.secretRotation.maxDelayHours',
    message: /^must be a number \(got "720"\)$/,
  },
  {
    name: 'an unknown integration capability',
    breakIt: (json) => (json.integrations[0].capabilities.projects = true),
    entry: ACME,
    field: 'capabilities.projects',
    message: /^is not a known key; expected one of billable, checks, /,
  },
  {
    name: 'an integration id without the oac_ prefix',
    breakIt: (json) => (json.integrations[0].id = 'acme_reference'),
    entry: ACME,
    field: 'id',
    message: /^must match \^oac_\[a-zA-Z0-9\]\+\$ \(got "acme_reference"\)$/,
  },
  {
    name: 'a product id without the iap_ prefix',
    breakIt: (json) => (kv(json).id = 'acme-kv'),
    entry: ACME_KV,
    field: 'id',
    message: /^must match \^iap_\[a-zA-Z0-9_\]\+\$ \(got "acme-kv"\)$/,
  },
  {
    name: 'a slug with capitals',
    breakIt: (json) => (kv(json).slug = 'Acme-KV'),
    entry: `${ACME} → products[1] (Acme-KV)`,
    field: 'slug',
    message: /^must match \^\[a-z0-9-\]\+\$ \(got "Acme-KV"\)$/,
  },
  {
    name: 'a missing product name',
    breakIt: (json) => delete kv(json).name,
    entry: ACME_KV,
    field: 'name',
    message: /^is required$/,
  },
  {
    name: 'a misspelled optional key',
    breakIt: (json) => (kv(json).resourceTitel = 'Store'),
    entry: ACME_KV,
    field: 'resourceTitel',
    message: /^is not a known key; expected one of id, slug, providerProductId, name/,
  },
  {
    name: 'a guide step action Vercel does not know',
    breakIt: (json) => (json.integrations[0].products[0].guides[0].steps[0].actions[0].type = 'open_dashboard'),
    entry: ACME_DB,
    field: 'guides[0].steps[0].actions[0].type',
    message: /^must be one of add_drain, configure_project_connections, connect_to_project \(got "open_dashboard"\)$/,
  },
  {
    name: 'an icon that is a bare file name',
    breakIt: (json) => (json.integrations[0].icon = 'acme.png'),
    entry: ACME,
    field: 'icon',
    message: /^must match/,
  },
  {
    name: 'a provider URL that is neither http(s) nor builtin:',
    breakIt: (json) => (json.integrations[0].providerBaseUrl = 'reference'),
    entry: ACME,
    field: 'providerBaseUrl',
    message: /^must match/,
  },
  {
    name: 'an integration without products',
    breakIt: (json) => (json.integrations[0].products = []),
    entry: ACME,
    field: 'products',
    message: /^must have at least 1 item$/,
  },
  {
    name: 'a file without integrations',
    breakIt: (json) => delete json.integrations,
    entry: '',
    field: 'integrations',
    message: /^is required$/,
  },
];

describe('invalid catalogs', () => {
  for (const badCase of CASES) {
    test(`refuses ${badCase.name}, naming the file, the entry and the field`, (t) => {
      const json = defaultCatalogJson();
      badCase.breakIt(json);
      const { error, path } = loadFailure(t, json);
      assert.equal(error.source, path);
      assert.ok(error.message.startsWith(`Invalid catalog ${path}: `), error.message);
      const problem = error.problems.find((p) => p.entry === badCase.entry && p.field === badCase.field);
      assert.ok(problem, `no problem at ${badCase.entry} ${badCase.field} in:\n${error.message}`);
      assert.match(problem.message, badCase.message);
      assert.ok(error.message.includes(`  - ${formatProblem(problem)}`), error.message);
      assert.equal(error.problems.length, 1, `expected exactly this problem:\n${error.message}`);
    });
  }

  test('lists every problem of the file at once, grouped by entry', (t) => {
    const json = defaultCatalogJson();
    json.integrations[0].products[1].tags.push('database');
    json.integrations[0].products[0].metadataSchema.properties.region['ui:hidden'] = 'always';
    json.integrations[0].products[1].primaryProtocol = 'ai';
    delete json.integrations[0].name;
    const { error } = loadFailure(t, json);
    const located = error.problems.map((problem: CatalogProblem) => `${problem.entry} | ${problem.field}`);
    assert.deepEqual(located, [
      `${ACME} | name`,
      `${ACME_DB} | metadataSchema.properties.region.ui:hidden`,
      `${ACME_KV} | tags[5]`,
      `${ACME_KV} | primaryProtocol`,
    ]);
    assert.match(error.message, /: 4 problems:\n/);
  });

  test('names an entry by its index when it has neither slug nor id', (t) => {
    const { error } = loadFailure(t, { integrations: [42] });
    assert.deepEqual(error.problems, [{ entry: 'integrations[0]', field: '', message: 'must be an object with id, slug, name, icon, clientId, providerBaseUrl, products (got 42)' }]);
  });

  test('refuses a file whose top level is not an object', (t) => {
    const { error } = loadFailure(t, '[]');
    assert.deepEqual(error.problems, [{ entry: '', field: '', message: 'must be an object with integrations (got [])' }]);
  });
});
