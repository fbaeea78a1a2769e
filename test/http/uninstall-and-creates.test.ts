import assert from 'node:assert/strict';
import * as repairDeletedLiveStores from '../../src/db/migrations/0011-repair-deleted-live-stores.js';
import { describe, test } from 'node:test';
import { createTestDatabase, dialectsToTest, NO_POSTGRES } from '../helpers/databases.js';
import { eventually } from '../helpers/eventually.js';
import { startTestServer, type TestServer } from '../helpers/stockroom.js';
import { bootstrapInstallationId, createProject, createStore } from '../helpers/stores.js';
import { ledgerOf, partnerResources } from '../recovery/kill-harness.js';

/**
 * An uninstall and the creates in its installation are ordered (issue 13 #2,
 * docs/uninstall-and-creates.md): the uninstall moves the installation to `uninstalling` first, a
 * create still in flight then fails and is undone, never both succeed; and a store whose
 * installation is gone is never read, connected or pulled.
 */

const CREATE = '/v1/storage/stores/integration/direct';

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  return eventually(what, async () => (await probe()) ?? false, { timeoutMs });
}

async function storeRows(server: TestServer, name: string) {
  return server.stockroom.ctx.db.selectFrom('stores').select(['id', 'lifecycle', 'deleted_at', 'secrets_sealed']).where('name', '=', name).execute();
}

for (const dialect of dialectsToTest()) {
  describe(`uninstall racing the creates of its installation (${dialect})`, () => {
    test('a cascade uninstall while a paid create waits on a slow provider: 204, then the create answers 409, refunded, nothing left', async (t) => {
      const server = await startTestServer(t, dialect, { env: { STOCKROOM_PROVIDER_TIMEOUT_MS: '30000' } });
      const db = server.stockroom.ctx.db;
      const icfg = await bootstrapInstallationId(server);
      const project = await createProject(server, 'racing-app');

      // The partner stores the resource at once and answers after 2.5 s (hooks.ts, fail-slow).
      const create = server.request('POST', CREATE, {
        body: {
          name: 'racing-db',
          integrationConfigurationId: icfg,
          integrationProductIdOrSlug: 'acme-db',
          metadata: { region: 'iad1', testing_delay_ms: 2500 },
          billingPlanId: 'pro',
          paymentMethodId: 'pm_card_visa',
        },
      });
      const storeId = await waitFor('the create wrote its row', async () => (await storeRows(server, 'racing-db'))[0]?.id);
      await waitFor('the partner stored the resource', async () => ((await partnerResources(db, 'racing-db')).length === 1 ? true : undefined));

      const uninstalled = await server.request('DELETE', `/v1/integrations/configuration/${icfg}?cascade=true`);
      assert.equal(uninstalled.status, 204, uninstalled.text);

      const created = await create;
      assert.equal(created.status, 409, created.text);
      assert.equal(created.body.error.code, 'conflict');
      assert.match(created.body.error.message, /was uninstalled while the store was being created/);

      // Nothing of the store is left: no row, the initial charge refunded, the resource deleted.
      assert.deepEqual(await storeRows(server, 'racing-db'), []);
      assert.deepEqual(await ledgerOf(db, storeId), [['authorization', 1000], ['charge', 2000], ['refund', 2000]]);
      const resources = await partnerResources(db, 'racing-db');
      assert.equal(resources.length, 1);
      assert.notEqual(resources[0]!.deleted_at, null, 'the resource is deleted at the partner');
      assert.deepEqual(await db.selectFrom('provider_cleanups').select(['store_id', 'last_error']).where('done_at', 'is', null).execute(), [], 'no provider cleanup left pending');

      // Nothing reads it: not by id, not for connecting, not in the project's env.
      assert.equal((await server.request('GET', `/v1/storage/stores/${storeId}`)).status, 404);
      const connect = await server.request('POST', `/v1/storage/stores/${storeId}/connections`, { body: { projectId: project.id } });
      assert.equal(connect.status, 404, connect.text);
      assert.deepEqual((await server.request('GET', `/v3/env/pull/${project.id}/production`)).body, { env: {} });
      const installation = await db.selectFrom('installations').select(['status', 'deleted_at']).where('id', '=', icfg).executeTakeFirstOrThrow();
      assert.notEqual(installation.deleted_at, null);
    });

    test('a plain uninstall while a create is in flight is refused (409), and the create then succeeds', async (t) => {
      const server = await startTestServer(t, dialect, { env: { STOCKROOM_PROVIDER_TIMEOUT_MS: '30000' } });
      const icfg = await bootstrapInstallationId(server);
      const create = server.request('POST', CREATE, {
        body: { name: 'first-db', integrationConfigurationId: icfg, integrationProductIdOrSlug: 'acme-db', metadata: { region: 'iad1', testing_delay_ms: 1500 }, billingPlanId: 'pro', paymentMethodId: 'pm_card_visa' },
      });
      await waitFor('the create wrote its row', async () => (await storeRows(server, 'first-db'))[0]?.id);
      const refused = await server.request('DELETE', `/v1/integrations/configuration/${icfg}`);
      assert.equal(refused.status, 409, refused.text);
      assert.equal(refused.body.error.code, 'conflict');
      const created = await create;
      assert.equal(created.status, 200, created.text);
      const [row] = await storeRows(server, 'first-db');
      assert.equal(row?.lifecycle, 'live');
      assert.equal(row?.deleted_at, null);
      const installation = await server.stockroom.ctx.db.selectFrom('installations').select(['status', 'deleted_at']).where('id', '=', icfg).executeTakeFirstOrThrow();
      assert.deepEqual(installation, { status: 'ready', deleted_at: null }, 'the refused uninstall put the installation back');
    });

    test('a cascade uninstall after a create: the store is deleted, its connection and sealed secrets gone, nothing reads it', async (t) => {
      const server = await startTestServer(t, dialect);
      const db = server.stockroom.ctx.db;
      const icfg = await bootstrapInstallationId(server);
      const store = await createStore(server, icfg, 'done-db', { paid: true });
      const project = await createProject(server, 'done-app');
      assert.equal((await server.request('POST', `/v1/storage/stores/${store.id}/connections`, { body: { projectId: project.id } })).status, 200);
      assert.notDeepEqual((await server.request('GET', `/v3/env/pull/${project.id}/production`)).body, { env: {} });

      assert.equal((await server.request('DELETE', `/v1/integrations/configuration/${icfg}?cascade=true`)).status, 204);
      const rows = await storeRows(server, 'done-db');
      assert.deepEqual(rows.map((r) => [r.id, r.lifecycle, r.secrets_sealed]), [[store.id, 'deleted', null]]);
      assert.notEqual(rows[0]!.deleted_at, null);
      assert.deepEqual(await db.selectFrom('store_connections').select('id').where('store_id', '=', store.id).execute(), []);
      assert.equal((await server.request('GET', `/v1/storage/stores/${store.id}`)).status, 404);
      assert.deepEqual((await server.request('GET', `/v3/env/pull/${project.id}/production`)).body, { env: {} });
      // The charge of a store that lived stands: it was delivered.
      assert.deepEqual(await ledgerOf(db, store.id), [['authorization', 1000], ['charge', 2000]]);
      assert.equal((await partnerResources(db, 'done-db'))[0]?.deleted_at !== null, true, 'deleted at the partner by the cascade');
    });

    test('a row left live with a deletion time (what the race made before the fix) is repaired by migration 0011: never read, connected or pulled', async (t) => {
      const database = await createTestDatabase(dialect);
      t.after(() => database.drop());
      const before = await startTestServer(t, dialect, { database });
      const icfg = await bootstrapInstallationId(before);
      const store = await createStore(before, icfg, 'zombie-db');
      const project = await createProject(before, 'zombie-app');
      assert.equal((await before.request('POST', `/v1/storage/stores/${store.id}/connections`, { body: { projectId: project.id } })).status, 200);
      // The database as the old race left it, written before migration 0011 ran.
      await before.stockroom.ctx.db.updateTable('stores').set({ deleted_at: before.clock.now() }).where('id', '=', store.id).execute();
      // Migration 0011 itself, run again on that database: later migrations keep the migrator from
      // re-running a middle one, so its `up` is called as the migrator would.
      await repairDeletedLiveStores.up(before.stockroom.ctx.db);
      await before.stop();

      const server = await startTestServer(t, dialect, { database });
      const db = server.stockroom.ctx.db;
      const repaired = await db.selectFrom('stores').select(['lifecycle', 'status', 'secrets_sealed']).where('id', '=', store.id).executeTakeFirstOrThrow();
      assert.deepEqual(repaired, { lifecycle: 'deleted', status: 'uninstalled', secrets_sealed: null }, 'repaired as a finished delete leaves a store');
      assert.deepEqual(await db.selectFrom('store_connections').select('id').where('store_id', '=', store.id).execute(), [], 'its connections are gone');
      assert.equal((await server.request('GET', `/v1/storage/stores/${store.id}`)).status, 404);
      assert.equal((await server.request('GET', '/v1/storage/stores')).body.stores.length, 0);
      assert.deepEqual((await server.request('GET', `/v3/env/pull/${project.id}/production`)).body, { env: {} });
      const other = await createProject(server, 'other-app');
      assert.equal((await server.request('POST', `/v1/storage/stores/${store.id}/connections`, { body: { projectId: other.id } })).status, 404);
    });
  });
}

for (const dialect of dialectsToTest()) {
  describe(`an installation being uninstalled (${dialect})`, () => {
    test('takes no create and no new install until it is gone', async (t) => {
      const server = await startTestServer(t, dialect);
      const db = server.stockroom.ctx.db;
      const icfg = await bootstrapInstallationId(server);
      // What a running uninstall has done first (a slow provider would hold it here).
      await db.updateTable('installations').set({ status: 'uninstalling' }).where('id', '=', icfg).execute();
      const create = await server.request('POST', CREATE, { body: { name: 'late-db', integrationConfigurationId: icfg, integrationProductIdOrSlug: 'acme-db', metadata: { region: 'iad1' } } });
      assert.equal(create.status, 404, create.text);
      const install = await server.request('POST', '/stockroom/v1/installations', { body: { integrationIdOrSlug: 'acme' } });
      assert.equal(install.status, 409, install.text);
      assert.equal(install.body.error.code, 'conflict');
      const again = await server.request('DELETE', `/v1/integrations/configuration/${icfg}?cascade=true`);
      assert.equal(again.status, 409, 'a second uninstall waits for the first');
      const row = await db.selectFrom('installations').select(['status', 'deleted_at']).where('id', '=', icfg).executeTakeFirstOrThrow();
      assert.deepEqual(row, { status: 'uninstalling', deleted_at: null }, 'the install did not turn it back to ready');
      assert.deepEqual(await db.selectFrom('stores').select('id').execute(), []);
    });
  });
}

describe('uninstall and create on two Stockroom instances sharing PostgreSQL', () => {
  test('the create on one instance loses to the uninstall on the other: 204, then 409, refunded, nothing left', { skip: NO_POSTGRES }, async (t) => {
    const database = await createTestDatabase('postgres');
    t.after(() => database.drop());
    const env = { STOCKROOM_PROVIDER_TIMEOUT_MS: '30000' };
    const a = await startTestServer(t, 'postgres', { database, env });
    const b = await startTestServer(t, 'postgres', { database, env });
    const db = a.stockroom.ctx.db;
    const icfg = await bootstrapInstallationId(a);
    const create = a.request('POST', CREATE, {
      body: { name: 'far-db', integrationConfigurationId: icfg, integrationProductIdOrSlug: 'acme-db', metadata: { region: 'iad1', testing_delay_ms: 2500 }, billingPlanId: 'pro', paymentMethodId: 'pm_card_visa' },
    });
    const storeId = await waitFor('the create wrote its row', async () => (await storeRows(a, 'far-db'))[0]?.id);
    await waitFor('the partner stored the resource', async () => ((await partnerResources(db, 'far-db')).length === 1 ? true : undefined));
    assert.equal((await b.request('DELETE', `/v1/integrations/configuration/${icfg}?cascade=true`)).status, 204);
    const created = await create;
    assert.equal(created.status, 409, created.text);
    assert.deepEqual(await storeRows(a, 'far-db'), []);
    assert.deepEqual(await ledgerOf(db, storeId), [['authorization', 1000], ['charge', 2000], ['refund', 2000]]);
    assert.notEqual((await partnerResources(db, 'far-db'))[0]?.deleted_at, null);
    assert.equal((await b.request('GET', `/v1/storage/stores/${storeId}`)).status, 404);
  });
});
