import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { dialectsToTest } from '../helpers/databases.js';
import { startTestServer, type TestServer } from '../helpers/stockroom.js';

/**
 * What `vercel integration discover`, `categories` and `guide` read (docs/catalog.md): the
 * catalog's integrations with their category ids, guides, snippets and links, filtered by
 * category on the server; and the categories. Reads only: no row is written.
 */

const LIST = '/v2/integrations/integrations?integrationType=marketplace';

async function rowCounts(server: TestServer): Promise<{ installations: number; stores: number }> {
  const { db } = server.stockroom.ctx;
  const count = async (table: 'installations' | 'stores') => Number((await db.selectFrom(table).select((e) => e.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  return { installations: await count('installations'), stores: await count('stores') };
}

const slugs = (body: Array<{ slug: string }>) => body.map((integration) => integration.slug);

for (const dialect of dialectsToTest()) {
  describe(`marketplace discovery (${dialect})`, () => {
    test('GET /v2/integrations/integration/{slug} answers each product\'s guides, snippets and resource links', async (t) => {
      const server = await startTestServer(t, dialect);
      const res = await server.request('GET', '/v2/integrations/integration/acme');
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.body.tagIds, ['tag_databases']);
      const [db, kv] = res.body.products;
      assert.deepEqual(db.guides.map((g: { framework: string }) => g.framework), ['nextjs', 'sveltekit', 'nuxtjs']);
      assert.deepEqual(db.guides[0].steps[0], {
        title: 'Connect the database to your project',
        content: "Connecting adds `ACME_DB_URL` and `ACME_DB_TOKEN` to the project's environment variables.",
        actions: [{ type: 'connect_to_project' }],
      });
      assert.deepEqual(db.snippets[1], { name: 'Open psql', language: 'bash', content: 'psql "$ACME_DB_URL"' });
      assert.deepEqual(db.resourceLinks[0], { title: 'Stockroom API reference (OpenAPI)', href: '/openapi.json' });
      assert.equal(db.resourceTitle, 'Database');
      assert.deepEqual(kv.guides.map((g: { framework: string }) => g.framework), ['nextjs', 'sveltekit', 'nuxtjs']);
      assert.match(kv.snippets[0].content, /ACME_KV_REST_API_TOKEN/);
    });

    test('GET /v2/integrations/integrations lists the catalog, filtered by any of the categories given', async (t) => {
      const server = await startTestServer(t, dialect);
      const before = await rowCounts(server);
      const all = await server.request('GET', LIST);
      assert.equal(all.status, 200, all.text);
      assert.deepEqual(slugs(all.body), ['acme']);
      const [acme] = all.body;
      assert.equal(acme.isMarketplace, true);
      assert.equal(acme.canInstall, true);
      assert.deepEqual(acme.tagIds, ['tag_databases']);
      assert.deepEqual(acme.products.map((p: { slug: string; tags: string[] }) => [p.slug, p.tags]), [
        ['acme-db', ['storage', 'postgres', 'tag_databases', 'tag_storage']],
        ['acme-kv', ['storage', 'kv', 'redis', 'tag_databases', 'tag_storage']],
      ]);
      assert.equal(acme.products[0].guides.length, 3, 'the list answers what the integration read answers');

      // A product's tag_* tags count (storage), as do the integration's own categories (databases); by slug or id.
      assert.deepEqual(slugs((await server.request('GET', `${LIST}&category=storage`)).body), ['acme']);
      assert.deepEqual(slugs((await server.request('GET', `${LIST}&category=tag_databases`)).body), ['acme']);
      assert.deepEqual(slugs((await server.request('GET', `${LIST}&category=ai`)).body), []);
      assert.deepEqual(slugs((await server.request('GET', `${LIST}&category=ai&category=databases`)).body), ['acme'], 'several categories widen');
      assert.deepEqual((await server.request('GET', '/v2/integrations/integrations?integrationType=external')).body, []);
      assert.deepEqual(slugs((await server.request('GET', '/v2/integrations/integrations')).body), ['acme'], 'integrationType is optional');

      const unknown = await server.request('GET', `${LIST}&category=databse`);
      assert.equal(unknown.status, 400, unknown.text);
      assert.deepEqual(unknown.body, {
        error: { code: 'bad_request', message: 'Unknown category "databse". Run `vercel integration categories` for the valid slugs.', param: 'category' },
      });
      const badType = await server.request('GET', '/v2/integrations/integrations?integrationType=legacy');
      assert.equal(badType.status, 400, badType.text);
      assert.equal(badType.body.error.code, 'bad_request');
      assert.equal((await server.request('GET', LIST, { token: null })).status, 401);
      assert.deepEqual(await rowCounts(server), before, 'a read writes nothing');
    });

    test('GET /v2/integrations/categories answers every category: id, slug, title', async (t) => {
      const server = await startTestServer(t, dialect);
      const res = await server.request('GET', '/v2/integrations/categories');
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.length, 33);
      const bySlug = new Map(res.body.map((c: { slug: string }) => [c.slug, c]));
      assert.equal(bySlug.size, 33, 'slugs are unique');
      assert.deepEqual(bySlug.get('databases'), { id: 'tag_databases', slug: 'databases', title: 'Databases' });
      assert.deepEqual(bySlug.get('storage'), { id: 'tag_storage', slug: 'storage', title: 'Storage' });
      assert.deepEqual(bySlug.get('dev-tools'), { id: 'tag_dev_tools', slug: 'dev-tools', title: 'DevTools' });
      assert.deepEqual(bySlug.get('log-drain'), { id: 'tag_logDrain', slug: 'log-drain', title: 'Log Drains' });
      for (const category of res.body) {
        const filtered = await server.request('GET', `${LIST}&category=${category.slug}`);
        assert.equal(filtered.status, 200, `every listed slug is a valid filter: ${category.slug}`);
      }
      assert.equal((await server.request('GET', '/v2/integrations/categories', { token: null })).status, 401);
    });
  });
}
