import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { BUILTIN_CATALOG_PATHS, loadCatalogWithBuiltins } from '../../src/catalog/builtin-catalogs.js';
import { CatalogError } from '../../src/catalog/catalog-error.js';
import { DEFAULT_CATALOG_PATH } from '../../src/catalog/load-catalog.js';
import { defaultCatalogJson, writeCatalogFile } from './catalog-files.js';

const BOTH = [BUILTIN_CATALOG_PATHS.postgres, BUILTIN_CATALOG_PATHS.redis];

describe('catalog with the built-in real providers', () => {
  test('the configured providers are added after the catalog in use, each reached as builtin:<name>', () => {
    const catalog = loadCatalogWithBuiltins(DEFAULT_CATALOG_PATH, BOTH);
    assert.deepEqual(
      catalog.integrations.map((i) => [i.slug, i.providerBaseUrl, i.products.map((p) => p.slug)]),
      [
        ['acme', 'builtin:reference', ['acme-db', 'acme-kv']],
        ['stockroom-postgres', 'builtin:postgres', ['postgres']],
        ['stockroom-redis', 'builtin:redis', ['redis']],
      ],
    );
    assert.equal(loadCatalogWithBuiltins(DEFAULT_CATALOG_PATH, []).integrations.length, 1);
  });

  test("an operator's catalog that already describes a built-in provider keeps its own entry", (t) => {
    const custom = defaultCatalogJson();
    const own = JSON.parse(readFileSync(BUILTIN_CATALOG_PATHS.postgres, 'utf8')).integrations[0];
    custom.integrations.push({ ...own, id: 'oac_ourPostgres', slug: 'our-postgres', clientId: 'oac_ourPostgres', name: 'Our PostgreSQL' });
    const catalog = loadCatalogWithBuiltins(writeCatalogFile(t, custom), BOTH);
    assert.deepEqual(catalog.integrations.map((i) => i.slug), ['acme', 'our-postgres', 'stockroom-redis']);
  });

  test('an id clash between the catalog and a built-in entry is refused at start-up, naming both files', (t) => {
    const custom = defaultCatalogJson();
    custom.integrations[0].id = 'oac_stockroomRedis';
    const path = writeCatalogFile(t, custom);
    assert.throws(() => loadCatalogWithBuiltins(path, BOTH), (error: unknown) => {
      assert.ok(error instanceof CatalogError);
      assert.match(error.message, /builtin-redis\.json/);
      assert.match(error.message, /"oac_stockroomRedis" is already the id/);
      return true;
    });
  });
});
