import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createMember, createTeam } from '../helpers/accounts.js';
import { connectStore, startWithStoresAndProjects } from '../helpers/connected-store.js';
import { dialectsToTest } from '../helpers/databases.js';
import { startTestServer, type TestServer } from '../helpers/stockroom.js';
import { bootstrapInstallationId, createStore } from '../helpers/stores.js';

async function storeRow(server: TestServer, id: string) {
  return server.stockroom.ctx.db.selectFrom('stores').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

async function partnerRow(server: TestServer, externalResourceId: string): Promise<{ deleted_at: number | null; status: string }> {
  return (server.stockroom.ctx.db as any).selectFrom('ref_partner_resources').select(['deleted_at', 'status']).where('id', '=', externalResourceId).executeTakeFirstOrThrow();
}

for (const dialect of dialectsToTest()) {
  describe(`deleting stores (${dialect})`, () => {
    test('deletes at the provider, then marks the row deleted with connections removed and secrets wiped; a second delete is 200 again', async (t) => {
      const { server, icfg, stores: [store], projects: [project] } = await startWithStoresAndProjects(t, dialect, { stores: ['doomed'], projects: ['doomed-app'] });
      await connectStore(server, store.id, project.id);
      assert.equal((await partnerRow(server, store.externalResourceId)).deleted_at, null);

      const res = await server.request('DELETE', `/v1/storage/stores/integration/${store.id}`);
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.body, {});

      assert.notEqual((await partnerRow(server, store.externalResourceId)).deleted_at, null, 'the provider deleted the resource');
      const row = await storeRow(server, store.id);
      assert.equal(row.lifecycle, 'deleted');
      assert.equal(row.status, 'uninstalled');
      assert.equal(row.secrets_sealed, null);
      assert.equal(typeof row.deleted_at, 'number');
      const connections = await server.stockroom.ctx.db.selectFrom('store_connections').select('id').where('store_id', '=', store.id).execute();
      assert.equal(connections.length, 0);

      assert.equal((await server.request('GET', `/v1/storage/stores/${store.id}`)).status, 404);
      assert.equal((await server.request('GET', `/storage/stores/${store.id}`, { token: null })).status, 404);
      assert.deepEqual((await server.request('GET', '/v1/storage/stores')).body.stores, []);
      assert.deepEqual((await server.request('GET', `/v3/env/pull/${project.id}/production`)).body, { env: {} });

      const again = await server.request('DELETE', `/v1/storage/stores/integration/${store.id}`);
      assert.equal(again.status, 200, again.text);
      assert.deepEqual(again.body, {});
      // The name is free again for a new store.
      await createStore(server, icfg, 'doomed');
    });

    test('an unknown store or another team’s store is 404, and readers may not delete (403)', async (t) => {
      const server = await startTestServer(t, dialect);
      const icfg = await bootstrapInstallationId(server);
      const store = await createStore(server, icfg, 'protected');
      assert.equal((await server.request('DELETE', '/v1/storage/stores/integration/store_AAAAAAAAAAAAAAAAAAAAAAAA')).status, 404);
      const other = await createTeam(server);
      const foreign = await server.request('DELETE', `/v1/storage/stores/integration/${store.id}?teamId=${other.id}`);
      assert.equal(foreign.status, 404);
      const teamId = (await server.request('GET', '/v2/user')).body.user.defaultTeamId as string;
      for (const role of ['VIEWER', 'DEVELOPER', 'BILLING'] as const) {
        const member = await createMember(server, teamId, role);
        assert.equal((await server.request('DELETE', `/v1/storage/stores/integration/${store.id}?teamId=${teamId}`, { token: member.token })).status, 403, role);
      }
      assert.equal((await storeRow(server, store.id)).lifecycle, 'live');
      assert.equal((await partnerRow(server, store.externalResourceId)).deleted_at, null);
    });

    test('a provider that fails the delete gives 500 and leaves the row deleting and visible; a store already gone at the provider finishes the delete', async (t) => {
      const server = await startTestServer(t, dialect);
      const icfg = await bootstrapInstallationId(server);
      const store = await createStore(server, icfg, 'fail-delete');

      const res = await server.request('DELETE', `/v1/storage/stores/integration/${store.id}`);
      assert.equal(res.status, 500, res.text);
      assert.equal(res.body.error.code, 'provisioning_failed');
      const row = await storeRow(server, store.id);
      assert.equal(row.lifecycle, 'deleting');
      assert.equal(row.deleted_at, null);
      assert.notEqual(row.secrets_sealed, null);
      assert.equal((await partnerRow(server, store.externalResourceId)).deleted_at, null);
      const listed = await server.request('GET', '/v1/storage/stores');
      assert.deepEqual(listed.body.stores.map((s: { id: string }) => s.id), [store.id]);

      // The operator removes it at the provider by hand; the retry then finishes here.
      await (server.stockroom.ctx.db as any).deleteFrom('ref_partner_resources').where('id', '=', store.externalResourceId).execute();
      const retry = await server.request('DELETE', `/v1/storage/stores/integration/${store.id}`);
      assert.equal(retry.status, 200, retry.text);
      assert.equal((await storeRow(server, store.id)).lifecycle, 'deleted');
    });

    test('a store still being created cannot be deleted yet (409)', async (t) => {
      const server = await startTestServer(t, dialect);
      const icfg = await bootstrapInstallationId(server);
      const store = await createStore(server, icfg, 'half-made');
      await server.stockroom.ctx.db.updateTable('stores').set({ lifecycle: 'provisioning' }).where('id', '=', store.id).execute();
      const res = await server.request('DELETE', `/v1/storage/stores/integration/${store.id}`);
      assert.equal(res.status, 409);
      assert.equal(res.body.error.storeId, store.id);
      assert.equal((await partnerRow(server, store.externalResourceId)).deleted_at, null);
    });
  });
}
