import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startBuiltTestServer, type BuiltTestServer } from '../helpers/built-server.js';
import { runVercel, type CliResult } from '../helpers/vercel-cli.js';

/**
 * The real `vercel` CLI (pinned 58.4.4) reading Stockroom's catalog: `integration discover` (all,
 * a query, `--category`, JSON), `integration categories`, `integration guide` for every built-in
 * product (the reference partner's two and, when this machine has the servers, the real
 * PostgreSQL and Redis ones) and `integration add` with a slug that is not an integration, which
 * falls back to the discover list. The reading commands write nothing: the check is that no
 * installation or store appeared. One server (SQLite) for the file; test/http/ covers both dialects.
 */

const PG_ADMIN_URL = process.env.TEST_POSTGRES_ADMIN_URL;
const REDIS_ADMIN_URL = process.env.TEST_REDIS_ADMIN_URL;
const NO_REAL_PROVIDERS: string | false = PG_ADMIN_URL && REDIS_ADMIN_URL ? false : 'TEST_POSTGRES_ADMIN_URL or TEST_REDIS_ADMIN_URL is not set';

function assertExit(result: CliResult, code: number): void {
  assert.equal(result.code, code, `exit ${result.code}, expected ${code}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`);
}

/** What the reading commands must leave as it was. */
async function writtenRows(server: BuiltTestServer): Promise<{ installations: number; stores: number }> {
  const { db } = server.stockroom.ctx;
  const count = async (table: 'installations' | 'stores') => Number((await db.selectFrom(table).select((e) => e.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  return { installations: await count('installations'), stores: await count('stores') };
}

// Fourteen CLI runs of 3–5 s each; a loaded machine makes each up to four times slower.
test('the vercel CLI reads the catalog: discover, categories, guide, add by search', { timeout: 360_000 }, async (t) => {
  const realProviders: Record<string, string> = NO_REAL_PROVIDERS ? {} : { STOCKROOM_POSTGRES_ADMIN_URL: PG_ADMIN_URL!, STOCKROOM_REDIS_ADMIN_URL: REDIS_ADMIN_URL! };
  const server = await startBuiltTestServer(t, 'sqlite', { env: realProviders });
  const work = mkdtempSync(join(tmpdir(), 'stockroom-cli-catalog-'));
  t.after(() => rmSync(work, { recursive: true, force: true }));
  const vercel = (args: readonly string[]) => runVercel(args, { cwd: work, apiUrl: server.url, token: server.token });
  const before = await writtenRows(server);

  await t.test('discover lists every product of the catalog as integration/product', async () => {
    const result = await vercel(['integration', 'discover']);
    assertExit(result, 0);
    assert.match(result.output, /Available marketplace products:/);
    assert.match(result.output, /Acme DB\s+acme\/acme-db\s+Acme Data \(reference partner\)\s+A virtual Postgres-style database/);
    assert.match(result.output, /Acme KV\s+acme\/acme-kv\s+/);
    if (!NO_REAL_PROVIDERS) {
      assert.match(result.output, /PostgreSQL database\s+stockroom-postgres\/postgres\s+PostgreSQL \(built-in\)/);
      assert.match(result.output, /Redis key-value store\s+stockroom-redis\/redis\s+Redis \(built-in\)/);
    }
  });

  await t.test('discover <query> keeps the products whose name, slug, description or tags match', async () => {
    const result = await vercel(['integration', 'discover', 'redis']);
    assertExit(result, 0);
    assert.match(result.output, /acme\/acme-kv/, 'the Redis tag of Acme KV');
    assert.doesNotMatch(result.output, /acme\/acme-db/);
    if (!NO_REAL_PROVIDERS) assert.match(result.output, /stockroom-redis\/redis/);
    const none = await vercel(['integration', 'discover', 'mongodb']);
    assertExit(none, 0);
    assert.match(none.output, /No marketplace products matching "mongodb" found\./);
  });

  await t.test('discover --category --format json: the products of the category, tags by their titles', async () => {
    const result = await vercel(['integration', 'discover', '--category', 'storage', '--format', 'json']);
    assertExit(result, 0);
    const { products } = JSON.parse(result.stdout) as { products: Array<{ name: string; slug: string; provider: string; description: string; tags: string[] }> };
    const acmeDb = products.find((p) => p.slug === 'acme/acme-db');
    assert.deepEqual(acmeDb, {
      name: 'Acme DB',
      slug: 'acme/acme-db',
      provider: 'Acme Data (reference partner)',
      description: 'A virtual Postgres-style database from the built-in reference partner.',
      tags: ['Databases', 'Postgres', 'Storage'],
    });
    assert.deepEqual(products.map((p) => p.slug).sort(), NO_REAL_PROVIDERS ? ['acme/acme-db', 'acme/acme-kv'] : ['acme/acme-db', 'acme/acme-kv', 'stockroom-postgres/postgres', 'stockroom-redis/redis']);
  });

  await t.test('discover --category with a category that does not exist exits 1 and says how to list them', async () => {
    const result = await vercel(['integration', 'discover', '--category', 'databse']);
    assertExit(result, 1);
    assert.match(result.output, /Failed to fetch marketplace integrations: Unknown category "databse"\. Run `vercel integration categories` for the valid slugs\./);
  });

  await t.test('categories prints every category slug with its title', async () => {
    const result = await vercel(['integration', 'categories']);
    assertExit(result, 0);
    assert.match(result.output, /Available marketplace categories:/);
    assert.match(result.output, /databases\s+Databases/);
    assert.match(result.output, /dev-tools\s+DevTools/);
    assert.match(result.output, /storage\s+Storage/);
  });

  await t.test('guide acme/acme-db without --framework prints the first (Next.js) guide, the snippets and the links', async () => {
    const result = await vercel(['integration', 'guide', 'acme/acme-db']);
    assertExit(result, 0);
    assert.match(result.stdout, /^# Acme DB\n\nA virtual Postgres-style database from the built-in reference partner\.\n/);
    assert.match(result.stdout, /## Getting Started with Use Acme DB from Next\.js/);
    assert.match(result.stdout, /### Step 1: Connect the database to your project\n\nConnecting adds `ACME_DB_URL` and `ACME_DB_TOKEN`/);
    assert.match(result.stdout, /new Pool\(\{ connectionString: process\.env\.ACME_DB_URL \}\)/);
    assert.match(result.stdout, /## Code Snippets\n\n### Connect with node-postgres\n\n```ts\n/);
    assert.match(result.stdout, /```bash\npsql "\$ACME_DB_URL"\n```/);
    assert.match(result.stdout, /## Resources\n\n- \[Stockroom API reference \(OpenAPI\)\]\(\/openapi\.json\)/);
  });

  await t.test('guide acme/acme-kv --framework sveltekit prints the SvelteKit guide', async () => {
    const result = await vercel(['integration', 'guide', 'acme/acme-kv', '--framework', 'sveltekit']);
    assertExit(result, 0);
    assert.match(result.stdout, /## Getting Started with Use Acme KV from SvelteKit/);
    assert.match(result.stdout, /import \{ env \} from '\$env\/dynamic\/private';/);
    assert.match(result.stdout, /env\.ACME_KV_REST_API_TOKEN/);
    assert.doesNotMatch(result.stdout, /Next\.js/);
  });

  await t.test('guide --framework with a framework the product has no guide for exits 1 and lists the ones it has', async () => {
    const result = await vercel(['integration', 'guide', 'acme/acme-db', '--framework', 'remix']);
    assertExit(result, 1);
    assert.match(result.output, /Framework "remix" not found for "Acme DB"\./);
    assert.match(result.output, /Available frameworks:\n>\s+nextjs\s+Use Acme DB from Next\.js\n>\s+sveltekit\s+Use Acme DB from SvelteKit\n>\s+nuxtjs\s+Use Acme DB from Nuxt\n/);
  });

  await t.test('guide acme (two products) without a terminal exits 1 and names the products', async () => {
    const result = await vercel(['integration', 'guide', 'acme']);
    assertExit(result, 1);
    assert.match(result.output, /"acme" has multiple products\. Specify one with: vercel integration guide acme\/<product>/);
    assert.match(result.output, /acme-db\s+Acme DB/);
    assert.match(result.output, /acme-kv\s+Acme KV/);
  });

  await t.test('guide of the built-in PostgreSQL (Nuxt) and Redis (default) products, with their real variables', { skip: NO_REAL_PROVIDERS }, async () => {
    const postgres = await vercel(['integration', 'guide', 'stockroom-postgres', '--framework', 'nuxtjs']);
    assertExit(postgres, 0);
    assert.match(postgres.stdout, /^# PostgreSQL database\n/);
    assert.match(postgres.stdout, /## Getting Started with Use the database from Nuxt/);
    assert.match(postgres.stdout, /Run `vercel env pull \.env` to use them in development\. Nuxt reads `\.env`/);
    assert.match(postgres.stdout, /connectionString: process\.env\.POSTGRES_URL/);
    assert.match(postgres.stdout, /psycopg\.connect\(os\.environ\["POSTGRES_URL"\]\)/);
    const redis = await vercel(['integration', 'guide', 'stockroom-redis']);
    assertExit(redis, 0);
    assert.match(redis.stdout, /## Getting Started with Use the store from Next\.js/);
    assert.match(redis.stdout, /new Redis\(process\.env\.REDIS_URL!, \{ keyPrefix: process\.env\.KV_PREFIX \}\)/);
  });

  await t.test('the reading commands wrote nothing', async () => {
    assert.deepEqual(await writtenRows(server), before);
  });

  await t.test('add <a name that is no integration> with several matches exits 1 and lists them', async () => {
    const result = await vercel(['integration', 'add', 'virtual', '--no-connect']);
    assertExit(result, 1);
    assert.match(result.output, /Found 2 integrations matching "virtual"\. Available integrations:\n- acme\/acme-db: A virtual Postgres-style database/);
    assert.match(result.output, /- acme\/acme-kv: A virtual Redis-style key-value store/);
    const nothing = await vercel(['integration', 'add', 'mongodb', '--no-connect']);
    assertExit(nothing, 1);
    assert.match(nothing.output, /No integration found matching "mongodb"\. Run vercel integration discover to browse available integrations\./);
    assert.deepEqual(await writtenRows(server), before);
  });

  await t.test('add <a product slug> finds the one product in the discover list and provisions it', async () => {
    const result = await vercel(['integration', 'add', 'acme-kv', '--name', 'cli-found-kv', '-m', 'region=fra1', '--no-connect']);
    assertExit(result, 0);
    assert.match(result.output, /Acme KV successfully provisioned: cli-found-kv/);
    const row = await server.stockroom.ctx.db.selectFrom('stores').selectAll().where('name', '=', 'cli-found-kv').executeTakeFirst();
    assert.equal(row?.product_id, 'iap_acme_kv');
    assert.equal(row?.integration_id, 'oac_stockroomReference');
    assert.equal(row?.source, 'cli');
  });
});
