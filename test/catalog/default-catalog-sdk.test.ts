import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Product$inboundSchema as CreateStoreProduct } from '@vercel/sdk/models/createintegrationstoredirectresponsebody.js';
import { Products$inboundSchema as ConfigurationProduct } from '@vercel/sdk/models/getconfigurationproductsresponsebody.js';
import { DEFAULT_CATALOG_PATH, loadCatalog } from '../../src/catalog/load-catalog.js';

/*
 * The catalog's values reach `@vercel/sdk` users unchanged, and the SDK fails a whole response over
 * one bad property and silently drops keys it does not know (vercel-contract.md §1.4, §10.7). So
 * each default product, wrapped the way the wire carries it, must parse and come back whole.
 */

const catalog = loadCatalog(DEFAULT_CATALOG_PATH);
const products = catalog.integrations.flatMap((integration) => integration.products.map((product) => ({ integration, product })));

describe('the default catalog through the SDK parsers', () => {
  for (const { product } of products) {
    test(`${product.slug}: getConfigurationProducts parses its metadataSchema and drops nothing`, () => {
      const wire = {
        id: product.id,
        slug: product.slug,
        name: product.name,
        primaryProtocol: product.primaryProtocol,
        protocols: { storage: { status: 'enabled' } },
        metadataSchema: product.metadataSchema,
      };
      assert.deepEqual(ConfigurationProduct.parse(jsonCopy(wire)), sdkNames(wire));
    });
  }

  for (const { integration, product } of products) {
    test(`${product.slug}: the create response's store.product parses with every catalog field intact`, () => {
      const wire = {
        integration: {
          id: integration.id,
          slug: integration.slug,
          name: integration.name,
          icon: integration.icon,
          flags: integration.flags,
          capabilities: integration.capabilities,
        },
        integrationConfigurationId: 'icfg_catalogTest',
        id: product.id,
        slug: product.slug,
        name: product.name,
        iconUrl: product.iconUrl,
        shortDescription: product.shortDescription,
        resourceTitle: product.resourceTitle,
        supportedProtocols: product.supportedProtocols,
        primaryProtocol: product.primaryProtocol,
        capabilities: product.capabilities,
        metadataSchema: product.metadataSchema,
        tags: product.tags,
        resourceLinks: product.resourceLinks,
        guides: product.guides,
        projectConnectionScopes: product.projectConnectionScopes,
      };
      assert.deepEqual(CreateStoreProduct.parse(jsonCopy(wire)), sdkNames(wire));
    });
  }
});

/** The value as it crosses the wire: undefined keys vanish, frozen objects become plain ones. */
function jsonCopy(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value));
}

/**
 * The same value with the SDK's renames applied: it exposes `ui:formatted-value` as
 * `uiFormattedValue` and so on. Any other difference after parsing is a key it dropped or a
 * value it changed.
 */
function sdkNames(value: unknown): unknown {
  const copy = jsonCopy(value);
  const rename = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(rename);
    if (typeof node !== 'object' || node === null) return node;
    return Object.fromEntries(
      Object.entries(node).map(([key, child]) => [
        key.startsWith('ui:') ? key.replace(/^ui:/, 'ui-').replace(/-(\w)/g, (_, letter: string) => letter.toUpperCase()) : key,
        rename(child),
      ]),
    );
  };
  return rename(copy);
}
