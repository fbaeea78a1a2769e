import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { refreshInitializingStores } from '../../src/jobs/store-status-poller.js';
import { createTeam } from '../helpers/accounts.js';
import { dialectsToTest, type TestDialect } from '../helpers/databases.js';
import { eventually } from '../helpers/eventually.js';
import { partnerAccessToken } from '../helpers/reference-partner-db.js';
import { startTestServer, type TestServer } from '../helpers/stockroom.js';

/**
 * A store the provider answers `pending` for becomes `available` on its own (the poller), or at
 * once on the provider's `resource.updated` event; partners replace secrets with the installation
 * token. All over real HTTP against the built-in reference partner.
 */

interface World {
  server: TestServer;
  teamId: string;
  icfg: string;
  /** The installation access token, as only the partner holds it. */
  partnerToken: string;
}

async function world(t: Parameters<typeof startTestServer>[0], dialect: TestDialect, pollIntervalMs: number): Promise<World> {
  const server = await startTestServer(t, dialect, { env: { STOCKROOM_POLL_INTERVAL_MS: String(pollIntervalMs) } });
  const team = await createTeam(server);
  const installed = await server.request('POST', `/stockroom/v1/installations?teamId=${team.id}`, { body: { integrationIdOrSlug: 'acme' } });
  assert.equal(installed.status, 200, installed.text);
  const icfg: string = installed.body.id;
  return { server, teamId: team.id, icfg, partnerToken: await partnerAccessToken(server, icfg) };
}

async function createPending(w: World, readyAfterMs: number, name = 'pending-x') {
  const res = await w.server.request('POST', `/v1/storage/stores/integration/direct?teamId=${w.teamId}`, {
    body: { name, integrationConfigurationId: w.icfg, integrationProductIdOrSlug: 'acme-db', metadata: { region: 'iad1', testing_ready_after_ms: readyAfterMs } },
  });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.body.store.status, 'initializing');
  return res.body.store as { id: string; externalResourceId: string };
}

function storeRow(w: World, id: string) {
  return w.server.stockroom.ctx.db.selectFrom('stores').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

for (const dialect of dialectsToTest()) {
  describe(`store status and partner callbacks (${dialect})`, () => {
    test('an initializing store becomes available without any client action', async (t) => {
      const w = await world(t, dialect, 200);
      const store = await createPending(w, 300);
      const row = await eventually('the poller made the store available', async () => {
        const row = await storeRow(w, store.id);
        return row.status === 'available' && row;
      });
      assert.equal(row.status, 'available');
      assert.equal(row.external_resource_status, 'ready');
      const read = await w.server.request('GET', `/v1/storage/stores/${store.id}?teamId=${w.teamId}`);
      if (read.status === 200) assert.equal(read.body.store.status, 'available');
    });

    test('resource.updated makes the store available at once', async (t) => {
      // The poller is far off, so only the event can change the store.
      const w = await world(t, dialect, 3_600_000);
      const store = await createPending(w, 60_000);
      const event = { event: { type: 'resource.updated', productId: 'acme-db', resourceId: store.externalResourceId } };

      // While the partner still says pending, the event changes nothing.
      const early = await w.server.request('POST', `/v1/installations/${w.icfg}/events`, { token: w.partnerToken, body: event });
      assert.equal(early.status, 201, early.text);
      assert.deepEqual(early.body, {});
      assert.equal((await storeRow(w, store.id)).status, 'initializing');

      w.server.clock.advance(61_000);
      const res = await w.server.request('POST', `/api/v1/installations/${w.icfg}/events`, { token: w.partnerToken, body: event });
      assert.equal(res.status, 201, res.text);
      const row = await storeRow(w, store.id);
      assert.equal(row.status, 'available');
      assert.equal(row.external_resource_status, 'ready');
    });

    test('a store still initializing at the deadline becomes error with a notification', async (t) => {
      const w = await world(t, dialect, 3_600_000);
      const store = await createPending(w, 60_000);
      // One pass as the poller runs it, with the deadline already passed.
      const result = await refreshInitializingStores(w.server.stockroom.ctx, { limit: 10, recheckAfterMs: 0, deadlineMs: 0 });
      assert.deepEqual(result, { checked: 1, changed: 1 });
      const row = await storeRow(w, store.id);
      assert.equal(row.status, 'error');
      assert.equal(JSON.parse(row.notification ?? 'null')?.level, 'error');
      // An error store is no longer polled.
      assert.deepEqual(await refreshInitializingStores(w.server.stockroom.ctx, { limit: 10, recheckAfterMs: 0, deadlineMs: 0 }), { checked: 0, changed: 0 });
    });

    test('installation.updated is acknowledged', async (t) => {
      const w = await world(t, dialect, 3_600_000);
      const res = await w.server.request('POST', `/v1/installations/${w.icfg}/events`, { token: w.partnerToken, body: { event: { type: 'installation.updated' } } });
      assert.equal(res.status, 201, res.text);
    });

    test('callbacks need the installation token of the path', async (t) => {
      const w = await world(t, dialect, 3_600_000);
      const store = await createPending(w, 60_000);
      const event = { event: { type: 'resource.updated', productId: 'acme-db', resourceId: store.externalResourceId } };
      const path = `/v1/installations/${w.icfg}/events`;
      const secretsPath = `/v1/installations/${w.icfg}/resources/${store.externalResourceId}/secrets`;
      for (const token of [null, 'not-a-token', w.server.token]) {
        const res = await w.server.request('POST', path, { token, body: event });
        assert.equal(res.status, 401, `${token}: ${res.text}`);
        assert.equal(res.body.error.code, 'unauthorized');
        const put = await w.server.request('PUT', secretsPath, { token, body: { secrets: [{ name: 'X', value: 'y' }] } });
        assert.equal(put.status, 401, put.text);
      }
      // Another installation's token may not act on this one.
      const sameServerOther = await createTeam(w.server);
      const installed = await w.server.request('POST', `/stockroom/v1/installations?teamId=${sameServerOther.id}`, { body: { integrationIdOrSlug: 'acme' } });
      assert.equal(installed.status, 200, installed.text);
      const otherToken = await partnerAccessToken(w.server, installed.body.id);
      const forbidden = await w.server.request('POST', path, { token: otherToken, body: event });
      assert.equal(forbidden.status, 403, forbidden.text);
      // An unknown resource of the right installation is 404.
      const missing = await w.server.request('POST', path, { token: w.partnerToken, body: { event: { type: 'resource.updated', productId: 'acme-db', resourceId: 'nope' } } });
      assert.equal(missing.status, 404, missing.text);
    });

    test('Update Resource Secrets replaces, merges with partial, and answers exactly 201', async (t) => {
      const w = await world(t, dialect, 3_600_000);
      const store = await createPending(w, 60_000);
      const open = async () => {
        const row = await storeRow(w, store.id);
        assert.ok(row.secrets_sealed);
        return { values: JSON.parse(w.server.stockroom.ctx.secretBox.open(row.secrets_sealed, `stores.secrets_sealed:${store.id}`)) as Array<{ name: string; value: string }>, meta: JSON.parse(row.secret_meta) };
      };
      const before = await open();
      assert.ok(before.values.length > 0);

      const put = await w.server.request('PUT', `/v1/installations/${w.icfg}/resources/${store.externalResourceId}/secrets`, {
        token: w.partnerToken,
        body: { secrets: [{ name: 'DATABASE_URL', value: 'postgres://new-value' }] },
      });
      assert.equal(put.status, 201, put.text);
      let now = await open();
      assert.deepEqual(now.values, [{ name: 'DATABASE_URL', value: 'postgres://new-value' }]);
      assert.deepEqual(now.meta, [{ name: 'DATABASE_URL', length: 'postgres://new-value'.length }]);

      const partial = await w.server.request('PUT', `/api/v1/installations/${w.icfg}/resources/${store.externalResourceId}/secrets`, {
        token: w.partnerToken,
        body: { secrets: [{ name: 'TOP_SECRET', value: 'abc' }], partial: true },
      });
      assert.equal(partial.status, 201, partial.text);
      now = await open();
      assert.deepEqual(now.values, [{ name: 'DATABASE_URL', value: 'postgres://new-value' }, { name: 'TOP_SECRET', value: 'abc' }]);
      assert.deepEqual(now.meta, [{ name: 'DATABASE_URL', length: 20 }, { name: 'TOP_SECRET', length: 3 }]);

      const deprecated = await w.server.request('PUT', `/v1/installations/${w.icfg}/products/acme-db/resources/${store.externalResourceId}/secrets`, {
        token: w.partnerToken,
        body: { secrets: [{ name: 'TOP_SECRET', value: 'rotated!' }], partial: true },
      });
      assert.equal(deprecated.status, 201, deprecated.text);
      now = await open();
      assert.deepEqual(now.meta, [{ name: 'DATABASE_URL', length: 20 }, { name: 'TOP_SECRET', length: 8 }]);
      assert.equal(now.values.find((s) => s.name === 'TOP_SECRET')?.value, 'rotated!');

      const bad = await w.server.request('PUT', `/v1/installations/${w.icfg}/resources/${store.externalResourceId}/secrets`, { token: w.partnerToken, body: { partial: true } });
      assert.equal(bad.status, 400, bad.text);
      const unknown = await w.server.request('PUT', `/v1/installations/${w.icfg}/resources/nope/secrets`, { token: w.partnerToken, body: { secrets: [] } });
      assert.equal(unknown.status, 404, unknown.text);
    });
  });
}
