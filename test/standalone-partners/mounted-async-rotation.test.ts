import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { connectStore } from '../helpers/connected-store.js';
import { dialectsToTest } from '../helpers/databases.js';
import { eventually } from '../helpers/eventually.js';
import { partnerSecrets } from '../helpers/reference-partner-db.js';
import { startTestServer } from '../helpers/stockroom.js';
import { bootstrapInstallationId, createProject, createStore } from '../helpers/stores.js';

for (const dialect of dialectsToTest()) {
  describe(`Stockroom with its reference partner in async rotation (STOCKROOM_REFERENCE_ROTATION=async, ${dialect})`, () => {
    test('a store rotation answers 202, and env pull serves the values the partner pushes back', async (t) => {
      const server = await startTestServer(t, dialect, { env: { STOCKROOM_REFERENCE_ROTATION: 'async' } });
      const icfg = await bootstrapInstallationId(server);
      const store = await createStore(server, icfg, 'async-rotated-db');
      const project = await createProject(server, 'async-rotated-app');
      await connectStore(server, store.id, project.id);
      const pull = async () => (await server.request('GET', `/v3/env/pull/${project.id}/production`)).body.env as Record<string, string>;
      const before = await pull();
      assert.deepEqual(before, await partnerSecrets(server, store.externalResourceId));

      const res = await server.request('POST', `/v1/storage/stores/${store.id}/secrets/rotate`, { body: { reason: 'async test', delayOldSecretsExpirationHours: 0 } });
      assert.equal(res.status, 202, res.text);
      assert.deepEqual(res.body, { sync: false, secrets: [] });

      // The partner has its new values at once; Stockroom has them once the partner's push arrives.
      const rotated = await partnerSecrets(server, store.externalResourceId);
      for (const name of Object.keys(before)) assert.notEqual(rotated[name], before[name], name);
      const after = await eventually('env pull serves the pushed values', async () => {
        const env = await pull();
        return Object.keys(before).every((name) => env[name] === rotated[name]) ? env : false;
      }, { timeoutMs: 10_000 });
      assert.deepEqual(after, rotated);
      // Stockroom commits the pushed values before the partner reads its 201 and ends the push.
      await eventually('the partner ends its push', async () => {
        const row = await (server.stockroom.ctx.db as any).selectFrom('ref_partner_resources').select(['secrets_push_due_at', 'secrets_push_attempts']).where('id', '=', store.externalResourceId).executeTakeFirstOrThrow();
        return row.secrets_push_due_at === null && Number(row.secrets_push_attempts) === 0;
      });
    });

    test('by default the mounted partner still rotates synchronously', async (t) => {
      const server = await startTestServer(t, dialect);
      const icfg = await bootstrapInstallationId(server);
      const store = await createStore(server, icfg, 'sync-rotated-db');
      const res = await server.request('POST', `/v1/storage/stores/${store.id}/secrets/rotate`, { body: {} });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.sync, true);
    });
  });
}
