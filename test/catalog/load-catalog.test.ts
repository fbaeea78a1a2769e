import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CatalogError } from '../../src/catalog/catalog-error.js';
import { DEFAULT_CATALOG_PATH, loadCatalog, parseCatalog } from '../../src/catalog/load-catalog.js';
import { REFERENCE_PRODUCTS } from '../../src/providers/reference-partner/products.js';
import { defaultCatalogJson, loadFailure, writeCatalogFile } from './catalog-files.js';

describe('the default catalog', () => {
  test('loads, with the reference partner and its two storage products', () => {
    const catalog = loadCatalog(DEFAULT_CATALOG_PATH);
    assert.equal(catalog.integrations.length, 1);
    const [acme] = catalog.integrations;
    assert.equal(acme?.id, 'oac_stockroomReference');
    assert.equal(acme?.slug, 'acme');
    assert.equal(acme?.clientId, 'oac_stockroomReference');
    assert.equal(acme?.providerBaseUrl, 'builtin:reference');
    assert.deepEqual(acme?.products.map((product) => [product.id, product.slug]), [['iap_acme_db', 'acme-db'], ['iap_acme_kv', 'acme-kv']]);
    for (const product of acme?.products ?? []) {
      assert.deepEqual(product.supportedProtocols, ['storage']);
      assert.equal(product.primaryProtocol, 'storage');
      assert.ok(product.tags.includes('storage'));
      assert.deepEqual(product.capabilities['secretRotation'], { maxDelayHours: 720 });
      assert.equal(product.capabilities['projects'], true);
      assert.ok(product.guides.length > 0 && product.resourceLinks.length > 0);
    }
  });

  test('requires a region chosen from the options the reference partner serves', () => {
    const acme = loadCatalog(DEFAULT_CATALOG_PATH).findIntegration('acme');
    assert.ok(acme);
    for (const product of acme.products) {
      assert.deepEqual(product.metadataSchema.required, ['region']);
      const region = product.metadataSchema.properties['region'];
      assert.equal(region?.['ui:control'], 'select');
      const values = (region?.['ui:options'] as Array<{ value: string }>).map((option) => option.value);
      assert.ok(['iad1', 'sfo1', 'fra1'].every((value) => values.includes(value)), values.join());
    }
  });

  test('lists the slugs and metadata schemas the reference partner serves', () => {
    // The partner validates metadata and prices plans with its own copy; the two must not drift.
    const catalog = loadCatalog(DEFAULT_CATALOG_PATH);
    const acme = catalog.findIntegration('acme');
    assert.ok(acme);
    assert.deepEqual(acme.products.map((product) => product.slug), REFERENCE_PRODUCTS.map((product) => product.slug));
    for (const partnerProduct of REFERENCE_PRODUCTS) {
      const product = catalog.findProduct(acme, partnerProduct.slug);
      assert.deepEqual(product?.metadataSchema, partnerProduct.metadataSchema, partnerProduct.slug);
      assert.deepEqual(product?.tags, partnerProduct.tags, partnerProduct.slug);
    }
  });

  test('has icons that need no external host', () => {
    const acme = loadCatalog(DEFAULT_CATALOG_PATH).findIntegration('acme');
    for (const icon of [acme?.icon, ...(acme?.products.map((product) => product.iconUrl) ?? [])]) {
      assert.match(icon ?? '', /^(data:image\/|\/)/);
    }
  });
});

describe('finding integrations and products', () => {
  const catalog = loadCatalog(DEFAULT_CATALOG_PATH);

  test('finds an integration by id and by slug, and nothing for an unknown one', () => {
    assert.equal(catalog.findIntegration('oac_stockroomReference')?.slug, 'acme');
    assert.equal(catalog.findIntegration('acme')?.id, 'oac_stockroomReference');
    assert.equal(catalog.findIntegration('oac_unknown'), undefined);
    assert.equal(catalog.findIntegration('__proto__'), undefined);
  });

  test('finds a product by id and by slug within its integration', () => {
    const acme = catalog.findIntegration('acme');
    assert.ok(acme);
    assert.equal(catalog.findProduct(acme, 'iap_acme_db')?.slug, 'acme-db');
    assert.equal(catalog.findProduct(acme, 'acme-kv')?.id, 'iap_acme_kv');
    assert.equal(catalog.findProduct(acme, 'iap_unknown'), undefined);
    assert.equal(catalog.findProduct(acme, 'acme'), undefined);
  });

  test('keeps products apart between integrations that use the same product slug', () => {
    const json = defaultCatalogJson();
    const other = structuredClone(json.integrations[0]);
    Object.assign(other, { id: 'oac_other', slug: 'other', clientId: 'oac_other', providerBaseUrl: 'https://partner.example/api' });
    other.products = [{ ...other.products[0], id: 'iap_other_db', name: 'Other DB' }];
    const catalog = parseCatalog({ integrations: [...json.integrations, other] }, 'two-integrations.json');
    const acme = catalog.findIntegration('acme');
    const found = catalog.findIntegration('oac_other');
    assert.ok(acme && found);
    assert.equal(catalog.findProduct(acme, 'acme-db')?.id, 'iap_acme_db');
    assert.equal(catalog.findProduct(found, 'acme-db')?.id, 'iap_other_db');
    assert.equal(catalog.findProduct(found, 'iap_acme_db'), undefined);
  });
});

describe('defaults and immutability', () => {
  const minimal = {
    integrations: [
      {
        id: 'oac_minimal1',
        slug: 'minimal',
        name: 'Minimal',
        icon: '/icons/minimal.svg',
        clientId: 'oac_minimal1',
        providerBaseUrl: 'https://partner.example/api',
        products: [
          {
            id: 'iap_minimal_kv',
            slug: 'minimal-kv',
            name: 'Minimal KV',
            supportedProtocols: ['storage'],
            primaryProtocol: 'storage',
            metadataSchema: { type: 'object', properties: {} },
          },
        ],
      },
    ],
  };

  test('fills providerProductId with the slug, missing lists with [] and capabilities with {}', () => {
    const [integration] = parseCatalog(minimal, 'minimal.json').integrations;
    const [product] = integration?.products ?? [];
    assert.deepEqual(integration?.capabilities, {});
    assert.deepEqual(integration?.flags, []);
    assert.equal(product?.providerProductId, 'minimal-kv');
    assert.deepEqual(product?.capabilities, {});
    assert.deepEqual(product?.tags, []);
    assert.deepEqual(product?.resourceLinks, []);
    assert.deepEqual(product?.guides, []);
    assert.deepEqual(product?.projectConnectionScopes, []);
  });

  test('keeps an explicit providerProductId', () => {
    const json = structuredClone(minimal);
    Object.assign(json.integrations[0]!.products[0]!, { providerProductId: 'kv-v2' });
    assert.equal(parseCatalog(json, 'minimal.json').integrations[0]?.products[0]?.providerProductId, 'kv-v2');
  });

  test('returns a frozen catalog and leaves the parsed JSON unfrozen and unchanged', () => {
    const json = structuredClone(minimal);
    const catalog = parseCatalog(json, 'minimal.json');
    assert.ok(Object.isFrozen(catalog.integrations[0]?.products[0]?.metadataSchema.properties));
    assert.throws(() => (catalog.integrations as unknown[]).push({}), TypeError);
    assert.ok(!Object.isFrozen(json.integrations[0]));
    assert.deepEqual(json, minimal);
  });

  test('loads a catalog from any path', (t) => {
    const catalog = loadCatalog(writeCatalogFile(t, minimal));
    assert.equal(catalog.findIntegration('minimal')?.products[0]?.slug, 'minimal-kv');
  });
});

describe('files that cannot be read', () => {
  test('names the file when it is not JSON', (t) => {
    const { error, path } = loadFailure(t, '{"integrations": [');
    assert.match(error.message, new RegExp(`^Invalid catalog ${escape(path)}: not valid JSON`));
    assert.equal(error.source, path);
  });

  test('names the file when it does not exist', () => {
    const path = '/nonexistent/stockroom/catalog.json';
    assert.throws(() => loadCatalog(path), (error: unknown) => {
      assert.ok(error instanceof CatalogError);
      assert.match(error.message, /^Invalid catalog \/nonexistent\/stockroom\/catalog\.json: cannot be read/);
      return true;
    });
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
