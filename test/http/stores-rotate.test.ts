import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createMember } from '../helpers/accounts.js';
import { connectStore, startWithStoresAndProjects } from '../helpers/connected-store.js';
import { dialectsToTest } from '../helpers/databases.js';
import { partnerSecrets } from '../helpers/reference-partner-db.js';
import { startTestServer } from '../helpers/stockroom.js';
import { bootstrapInstallationId, createStore } from '../helpers/stores.js';

for (const dialect of dialectsToTest()) {
  describe(`rotate a store's secrets (${dialect})`, () => {
    test("rotation stores the provider's new values sealed, so env pull serves them at once", async (t) => {
      const { server, stores: [store], projects: [project] } = await startWithStoresAndProjects(t, dialect, { stores: ['rotating-db'], projects: ['rotating-app'] });
      await connectStore(server, store.id, project.id);
      const before = (await server.request('GET', `/v3/env/pull/${project.id}/production`)).body.env;

      const res = await server.request('POST', `/v1/storage/stores/${store.id}/secrets/rotate`, { body: { reason: 'leaked in a log', delayOldSecretsExpirationHours: 0.5 } });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.sync, true);
      const values = await partnerSecrets(server, store.externalResourceId);
      assert.deepEqual(res.body.secrets, Object.entries(values).map(([name, value]) => ({ name, length: value.length })));

      const after = (await server.request('GET', `/v3/env/pull/${project.id}/production`)).body.env;
      assert.deepEqual(after, values);
      for (const name of Object.keys(before)) assert.notEqual(after[name], before[name], name);
      // The partner was asked with the delay given.
      const row = await (server.stockroom.ctx.db as any).selectFrom('ref_partner_resources').select('previous_secrets_expire_at').where('id', '=', store.externalResourceId).executeTakeFirstOrThrow();
      assert.ok(Number(row.previous_secrets_expire_at) > Date.now() + 25 * 60_000);
      // An empty body rotates again, without delay.
      const again = await server.request('POST', `/v1/storage/stores/${store.id}/secrets/rotate`);
      assert.equal(again.status, 200, again.text);
      assert.notDeepEqual(await partnerSecrets(server, store.externalResourceId), values);
    });

    test('only OWNER and MEMBER may rotate; unknown and deleted stores are 404; the delay is bounded', async (t) => {
      const server = await startTestServer(t, dialect);
      const icfg = await bootstrapInstallationId(server);
      const store = await createStore(server, icfg, 'guarded-db');
      const teamId = server.stockroom.bootstrap.teamId;
      const developer = await createMember(server, teamId, 'DEVELOPER');
      const denied = await server.request('POST', `/v1/storage/stores/${store.id}/secrets/rotate?teamId=${teamId}`, { token: developer.token, body: {} });
      assert.equal(denied.status, 403, denied.text);
      const member = await createMember(server, teamId, 'MEMBER');
      assert.equal((await server.request('POST', `/v1/storage/stores/${store.id}/secrets/rotate?teamId=${teamId}`, { token: member.token, body: {} })).status, 200);

      const tooLong = await server.request('POST', `/v1/storage/stores/${store.id}/secrets/rotate`, { body: { delayOldSecretsExpirationHours: 721 } });
      assert.equal(tooLong.status, 400, tooLong.text);
      assert.equal((await server.request('POST', '/v1/storage/stores/store_unknown/secrets/rotate', { body: {} })).status, 404);
      assert.equal((await server.request('DELETE', `/v1/storage/stores/integration/${store.id}`)).status, 200);
      assert.equal((await server.request('POST', `/v1/storage/stores/${store.id}/secrets/rotate`, { body: {} })).status, 404);
    });
  });
}
