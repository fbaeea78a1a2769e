import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';
import { createTestDatabase, dialectsToTest, type TestDatabase, type TestDialect } from '../helpers/databases.js';
import { eventually } from '../helpers/eventually.js';
import { insertReadyInstallation, writeSingleIntegrationCatalog } from '../helpers/single-integration.js';
import { closedPortUrl, startScriptedProvider, type ScriptedProvider } from '../helpers/scripted-provider.js';
import { createClock, startTestServer, type TestClock, type TestServer } from '../helpers/stockroom.js';

/**
 * Create-store against an external provider that fails in each way issue 5 §5 names: refused
 * connections, 5xx, malformed 2xx, and cleanups that fail too. Bounded retries with one
 * Idempotency-Key where retrying is safe, a clear `provisioning_failed`, and no orphan: what the
 * provider may have made is deleted, now or by the recorded cleanup after a restart. (A provider
 * that never answers: `test/http/create-store-external-provider.test.ts`; one whose resource stays
 * pending forever: `test/http/store-status.test.ts`.)
 */

const ICFG = 'icfg_faultyInstall1';
const RESOURCES = `/v1/installations/${ICFG}/resources`;
const FREE_PLAN = { id: 'free', type: 'subscription', name: 'Free', description: 'Free', scope: 'resource', paymentMethodRequired: false };

interface World {
  readonly server: TestServer;
  readonly database: TestDatabase;
  readonly clock: TestClock;
  readonly catalogPath: string;
}

/** A Stockroom whose only integration is served at `providerBaseUrl`, installed for the bootstrap team. */
async function world(t: TestContext, dialect: TestDialect, providerBaseUrl: string): Promise<World> {
  const database = await createTestDatabase(dialect);
  t.after(() => database.drop());
  const catalogPath = writeSingleIntegrationCatalog(database.dataDir, { slug: 'faulty', label: 'Faulty', providerBaseUrl });
  const clock = createClock();
  const server = await startTestServer(t, dialect, { database, clock, env: serverEnv(catalogPath) });
  // Installed earlier, as far as these tests care: they are about provisioning.
  await insertReadyInstallation(server, ICFG, 'oac_faulty');
  return { server, database, clock, catalogPath };
}

function serverEnv(catalogPath: string): Record<string, string> {
  // Recovery's loop runs at start only, so that the restart test sees its start pass alone.
  return { STOCKROOM_CATALOG: catalogPath, STOCKROOM_PROVIDER_TIMEOUT_MS: '300', STOCKROOM_RECOVERY_INTERVAL_MS: '3600000' };
}

function create(w: World, name: string) {
  return w.server.request('POST', `/v1/storage/stores/integration/direct?teamId=${w.server.stockroom.bootstrap.teamId}`, {
    body: { name, integrationConfigurationId: ICFG, integrationProductIdOrSlug: 'faulty-db' },
  });
}

function resource(id: string, name: string, status = 'ready') {
  return { id, productId: 'faulty-db', name, metadata: {}, status };
}

async function assertNothingStored(w: World): Promise<void> {
  const db = w.server.stockroom.ctx.db;
  assert.deepEqual(await db.selectFrom('stores').select('name').execute(), [], 'no store row');
  assert.deepEqual(await db.selectFrom('ledger_entries').select('id').execute(), [], 'no ledger entry');
}

async function scripted(t: TestContext): Promise<ScriptedProvider> {
  const provider = await startScriptedProvider();
  t.after(() => provider.close());
  provider.on('GET', '/v1/products/faulty-db/plans', { status: 200, body: { plans: [FREE_PLAN] } });
  return provider;
}

for (const dialect of dialectsToTest()) {
  describe(`provider faults during create (${dialect})`, () => {
    test('a provider that refuses connections is 500 provisioning_failed saying it could not be reached, and nothing is stored', async (t) => {
      const w = await world(t, dialect, await closedPortUrl());
      const res = await create(w, 'unreachable');
      assert.equal(res.status, 500, res.text);
      assert.equal(res.body.error.code, 'provisioning_failed');
      assert.match(res.body.error.message, /could not be reached/);
      await assertNothingStored(w);
    });

    test('a 503 is retried with the same Idempotency-Key and a later success makes one store', async (t) => {
      const provider = await scripted(t);
      const w = await world(t, dialect, provider.baseUrl);
      provider.on('POST', RESOURCES, { status: 503, body: { error: { code: 'busy', message: 'try later' } } }, { status: 200, body: { ...resource('res_ok', 'retried'), secrets: [{ name: 'URL', value: 'faulty://x' }] } });
      const res = await create(w, 'retried');
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.store.externalResourceId, 'res_ok');
      const attempts = provider.requestsTo('POST', RESOURCES);
      assert.equal(attempts.length, 2);
      assert.equal(new Set(attempts.map((r) => r.headers['idempotency-key'])).size, 1, 'one Idempotency-Key');
    });

    test('a 503 on every attempt is 500 after three attempts, and the resource found by name is deleted', async (t) => {
      const provider = await scripted(t);
      const w = await world(t, dialect, provider.baseUrl);
      provider.on('POST', RESOURCES, { status: 503, body: { error: { code: 'busy', message: 'try later' } } });
      // The provider did make it before failing to answer.
      provider.on('GET', RESOURCES, { status: 200, body: { resources: [resource('res_half', 'overloaded'), resource('res_other', 'someone-else')] } });
      provider.on('DELETE', `${RESOURCES}/res_half`, { status: 204 });
      const res = await create(w, 'overloaded');
      assert.equal(res.status, 500, res.text);
      assert.equal(res.body.error.code, 'provisioning_failed');
      assert.match(res.body.error.message, /HTTP 503/);
      assert.equal(provider.requestsTo('POST', RESOURCES).length, 3, 'one call and two retries');
      assert.equal(provider.requestsTo('DELETE', `${RESOURCES}/res_half`).length, 1, 'the orphan was deleted');
      assert.equal(provider.requestsTo('DELETE', `${RESOURCES}/res_other`).length, 0, 'another name is left alone');
      await assertNothingStored(w);
    });

    test('a 500 is not retried (the provider said it failed, not that it was busy)', async (t) => {
      const provider = await scripted(t);
      const w = await world(t, dialect, provider.baseUrl);
      provider.on('POST', RESOURCES, { status: 500, body: { error: { code: 'internal_server_error', message: 'boom' } } });
      provider.on('GET', RESOURCES, { status: 200, body: { resources: [] } });
      const res = await create(w, 'broken');
      assert.equal(res.status, 500, res.text);
      assert.equal(res.body.error.code, 'provisioning_failed');
      assert.equal(provider.requestsTo('POST', RESOURCES).length, 1);
      await assertNothingStored(w);
    });

    test('a malformed 2xx is 500 without a retry, and the resource it stands for is found by name and deleted', async (t) => {
      const provider = await scripted(t);
      const w = await world(t, dialect, provider.baseUrl);
      provider.on('POST', RESOURCES, { status: 201, rawBody: '{"id":"res_bad","secrets":"not-a-list"}', headers: { 'content-type': 'application/json' } });
      provider.on('GET', RESOURCES, { status: 200, body: { resources: [resource('res_bad', 'garbled')] } });
      provider.on('DELETE', `${RESOURCES}/res_bad`, { status: 204 });
      const res = await create(w, 'garbled');
      assert.equal(res.status, 500, res.text);
      assert.equal(res.body.error.code, 'provisioning_failed');
      assert.match(res.body.error.message, /does not match the partner API/);
      assert.equal(provider.requestsTo('POST', RESOURCES).length, 1);
      assert.equal(provider.requestsTo('DELETE', `${RESOURCES}/res_bad`).length, 1);
      await assertNothingStored(w);
    });

    test('a cleanup that fails too is recorded, and the restarted server deletes the orphan', async (t) => {
      const provider = await scripted(t);
      const w = await world(t, dialect, provider.baseUrl);
      provider.on('POST', RESOURCES, { status: 502 });
      provider.on('GET', RESOURCES, { status: 502 });
      const res = await create(w, 'stranded');
      assert.equal(res.status, 500, res.text);
      await assertNothingStored(w);
      const db = w.server.stockroom.ctx.db;
      const [recorded] = await db.selectFrom('provider_cleanups').selectAll().execute();
      assert.equal(recorded?.store_name, 'stranded');
      assert.equal(recorded?.done_at, null);

      // The provider recovers while Stockroom is down; the restart's first recovery pass retries.
      await w.server.stop();
      provider.on('GET', RESOURCES, { status: 200, body: { resources: [resource('res_stranded', 'stranded')] } });
      provider.on('DELETE', `${RESOURCES}/res_stranded`, { status: 204 });
      w.clock.advance(60_000);
      const restarted = await startTestServer(t, dialect, { database: w.database, clock: w.clock, env: serverEnv(w.catalogPath) });
      const restartedDb = restarted.stockroom.ctx.db;
      await eventually('the restart\'s recovery pass finished the cleanup', async () => {
        const row = await restartedDb.selectFrom('provider_cleanups').select(['done_at', 'last_error']).executeTakeFirst();
        assert.ok(row?.done_at, `the cleanup is not done: ${row?.last_error}`);
      }, { timeoutMs: 5000 });
      const done = await restartedDb.selectFrom('provider_cleanups').selectAll().executeTakeFirstOrThrow();
      assert.ok(done.done_at !== null, `the cleanup finished: ${done.last_error}`);
      assert.equal(provider.requestsTo('DELETE', `${RESOURCES}/res_stranded`).length, 1);
    });
  });
}
