import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BUILTIN_CATALOG_PATHS, loadCatalogWithBuiltins } from '../../src/catalog/builtin-catalogs.js';
import { categoryIdsOf, integrationsInCategories } from '../../src/catalog/discovery.js';
import { DEFAULT_CATALOG_PATH, parseCatalog } from '../../src/catalog/load-catalog.js';
import { ApiError } from '../../src/errors.js';
import { REFERENCE_PRODUCTS } from '../../src/providers/reference-partner/products.js';
import { findCategory, MARKETPLACE_CATEGORIES } from '../../src/schemas/categories.js';
import { PRODUCT_TAGS } from '../../src/schemas/enums.js';
import { defaultCatalogJson, loadFailure } from './catalog-files.js';

/** Categories, guides and snippets in the catalog: the format's rules and the shipped entries. */

const ALL_BUILTINS = () => loadCatalogWithBuiltins(DEFAULT_CATALOG_PATH, [BUILTIN_CATALOG_PATHS.postgres, BUILTIN_CATALOG_PATHS.redis]);

describe('the categories', () => {
  test('one per tag_* product tag, with unique slugs, found by slug or id', () => {
    const tagIds = PRODUCT_TAGS.filter((tag) => tag.startsWith('tag_'));
    assert.deepEqual(MARKETPLACE_CATEGORIES.map((c) => c.id), tagIds);
    assert.equal(new Set(MARKETPLACE_CATEGORIES.map((c) => c.slug)).size, tagIds.length);
    for (const category of MARKETPLACE_CATEGORIES) assert.match(category.slug, /^[a-z0-9-]+$/);
    assert.equal(findCategory('code-review')?.id, 'tag_code_review');
    assert.equal(findCategory('tag_code_review')?.slug, 'code-review');
    assert.equal(findCategory('code_review'), undefined);
  });
});

describe('categories, guides and snippets in a catalog file', () => {
  test('an unknown category is refused, naming the valid slugs', (t) => {
    const json = defaultCatalogJson();
    json.integrations[0].categories = ['databases', 'databse'];
    const { error } = loadFailure(t, json);
    assert.equal(error.problems.length, 1);
    assert.equal(error.problems[0]?.entry, 'integrations[0] (acme)');
    assert.equal(error.problems[0]?.field, 'categories[1]');
    assert.match(error.problems[0]?.message ?? '', /^"databse" is not a category; the categories are agents, ai, analytics, .*databases/);
    assert.doesNotMatch(error.problems[0]?.message ?? '', /storage/, 'only the categories an integration may have');
  });

  test('a product-only category on an integration, a category given twice, a tag_ id instead of a slug', (t) => {
    const json = defaultCatalogJson();
    json.integrations[0].categories = ['storage', 'databases', 'databases', 'tag_ai'];
    const { error } = loadFailure(t, json);
    assert.deepEqual(error.problems.map((p) => [p.field, p.message]), [
      ['categories[0]', '"storage" is a product category: put "tag_storage" in the tags of the products it applies to'],
      ['categories[2]', '"databases" is listed twice'],
      ['categories[3]', `"tag_ai" is not a category; the categories are ${MARKETPLACE_CATEGORIES.filter((c) => !['tag_storage', 'tag_checks', 'tag_logDrain', 'tag_traceDrain', 'tag_other'].includes(c.id)).map((c) => c.slug).join(', ')}`],
    ]);
  });

  test('a guide for a framework Vercel does not name, two guides of one framework, a snippet without code', (t) => {
    const json = defaultCatalogJson();
    const product = json.integrations[0].products[0];
    product.guides[1].framework = 'next.js';
    product.guides[2].framework = 'nextjs';
    product.snippets[0].content = '';
    const { error } = loadFailure(t, json);
    assert.equal(error.problems.length, 3, error.message);
    assert.deepEqual(error.problems.map((p) => p.field), ['guides[1].framework', 'snippets[0].content', 'guides[2].framework']);
    assert.match(error.problems[0]?.message ?? '', /^must be one of actix-web, angular, .*nextjs.* \(got "next\.js"\)$/);
    assert.equal(error.problems[1]?.message, 'must not be empty');
    assert.equal(error.problems[2]?.message, '"nextjs" is already the framework of guides[0]');
  });

  test('without categories or snippets an entry loads with []', () => {
    const json = defaultCatalogJson();
    delete json.integrations[0].categories;
    delete json.integrations[0].products[0].snippets;
    const [acme] = parseCatalog(json, 'no-categories.json').integrations;
    assert.deepEqual(acme?.categories, []);
    assert.deepEqual(acme?.products[0]?.snippets, []);
    assert.deepEqual([...categoryIdsOf(acme!)].sort(), ['tag_databases', 'tag_storage'], "still found by its products' tags");
  });
});

describe('filtering by category', () => {
  test("an integration is in its own categories and in its products' tag_* ones; several widen; unknown is a 400", () => {
    const catalog = ALL_BUILTINS();
    const slugs = (categories: string[]) => integrationsInCategories(catalog, categories).map((i) => i.slug);
    assert.deepEqual(slugs([]), ['acme', 'stockroom-postgres', 'stockroom-redis']);
    assert.deepEqual(slugs(['storage']), ['acme', 'stockroom-postgres', 'stockroom-redis']);
    assert.deepEqual(slugs(['ai']), []);
    assert.deepEqual(slugs(['ai', 'tag_databases']), ['acme', 'stockroom-postgres', 'stockroom-redis']);
    assert.throws(() => slugs(['nope']), (error: unknown) => error instanceof ApiError && error.status === 400 && error.extras.param === 'category');
  });
});

describe('the shipped guides and snippets', () => {
  /** The variables each built-in product's store puts in a project (the providers' secrets). */
  const SECRET_NAMES: Record<string, readonly string[]> = {
    ...Object.fromEntries(REFERENCE_PRODUCTS.map((p) => [p.slug, p.secrets.map((s) => s.name)])),
    // src/providers/postgres-provider/postgres-backend.ts and redis-provider/redis-backend.ts.
    postgres: ['POSTGRES_URL', 'PGHOST', 'PGPORT', 'PGUSER', 'PGPASSWORD', 'PGDATABASE'],
    redis: ['REDIS_URL', 'KV_URL', 'KV_PREFIX'],
  };

  test('every built-in product has nextjs and two more framework guides, and snippets', () => {
    for (const integration of ALL_BUILTINS().integrations) {
      for (const product of integration.products) {
        const frameworks = product.guides.map((g) => g.framework);
        assert.equal(frameworks[0], 'nextjs', `${product.slug}: nextjs first, the guide a terminal without a TTY is shown`);
        assert.ok(frameworks.length >= 3, `${product.slug}: ${frameworks.join()}`);
        assert.ok(product.snippets.length >= 1, product.slug);
      }
    }
  });

  test('name only environment variables the product really sets', () => {
    for (const integration of ALL_BUILTINS().integrations) {
      for (const product of integration.products) {
        const secrets = SECRET_NAMES[product.slug];
        assert.ok(secrets, `secret names of ${product.slug}`);
        const text = JSON.stringify([product.guides, product.snippets]);
        const named = new Set(text.match(/\b(?:[A-Z][A-Z0-9]*_[A-Z0-9_]*[A-Z0-9]|PG[A-Z]+)\b/g) ?? []);
        assert.ok(named.size > 0, product.slug);
        for (const name of named) assert.ok(secrets.includes(name), `${product.slug} names ${name}, which its stores do not set (${secrets.join(', ')})`);
        for (const name of secrets) assert.ok(named.has(name), `${product.slug}: the guides never mention ${name}`);
      }
    }
  });
});
