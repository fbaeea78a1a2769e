import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';
import { dialectsToTest, type TestDialect } from '../helpers/databases.js';
import { startWithScriptedIntegration } from '../helpers/scripted-integration.js';

/**
 * Create-store against an external provider that Stockroom reaches only over HTTP, scripted per
 * test: the cases the reference partner cannot produce, such as a provider that never answers.
 * `setUp` starts Stockroom with a catalog naming the scripted provider, and an installation of it.
 */
async function setUp(t: TestContext, dialect: TestDialect) {
  const icfg = 'icfg_scriptedInstall1';
  return { ...(await startWithScriptedIntegration(t, dialect, icfg, { STOCKROOM_PROVIDER_TIMEOUT_MS: '300' })), icfg };
}

for (const dialect of dialectsToTest()) {
  describe(`create store with an external provider (${dialect})`, () => {
    test('a provider that never answers is 500 provisioning_failed after bounded retries, and nothing is left', async (t) => {
      const { server, provider, teamId, icfg } = await setUp(t, dialect);
      provider.on('GET', '/v1/products/scripted-db/plans', { status: 200, body: { plans: [{ id: 'free', type: 'subscription', name: 'Free', description: 'Free', scope: 'resource', paymentMethodRequired: false }] } });
      provider.on('POST', `/v1/installations/${icfg}/resources`, { hang: true });
      provider.on('GET', `/v1/installations/${icfg}/resources`, { status: 200, body: { resources: [] } });

      const res = await server.request('POST', `/v1/storage/stores/integration/direct?teamId=${teamId}`, {
        body: { name: 'never-answers', integrationConfigurationId: icfg, integrationProductIdOrSlug: 'scripted-db' },
      });
      assert.equal(res.status, 500, res.text);
      assert.equal(res.body.error.code, 'provisioning_failed');
      const attempts = provider.requestsTo('POST', `/v1/installations/${icfg}/resources`);
      assert.equal(attempts.length, 3, 'one call and two retries');
      const keys = new Set(attempts.map((r) => r.headers['idempotency-key']));
      assert.equal(keys.size, 1, 'every retry reuses the Idempotency-Key');
      // Orphan mitigation looked for a resource by name at the provider.
      assert.equal(provider.requestsTo('GET', `/v1/installations/${icfg}/resources`).length, 1);
      const stores = await server.stockroom.ctx.db.selectFrom('stores').select('id').execute();
      assert.deepEqual(stores, []);
      assert.deepEqual(await server.stockroom.ctx.db.selectFrom('ledger_entries').select('id').execute(), []);
    });

    // Issue 13 §13: provider answers were read whole, whatever their size.
    test('a provider answering an endless body is 500 provisioning_failed: Stockroom stops reading at the cap, and nothing is stored', async (t) => {
      const { server, provider, teamId, icfg } = await setUp(t, dialect);
      const endless = { streamed: 0, closed: false };
      provider.on('GET', '/v1/products/scripted-db/plans', { status: 200, endless });
      const res = await server.request('POST', `/v1/storage/stores/integration/direct?teamId=${teamId}`, {
        body: { name: 'endless', integrationConfigurationId: icfg, integrationProductIdOrSlug: 'scripted-db' },
      });
      assert.equal(res.status, 500, res.text);
      assert.equal(res.body.error.code, 'provisioning_failed');
      assert.match(res.body.error.message, /listProductPlans/);
      while (!endless.closed) await new Promise((resolve) => setTimeout(resolve, 10));
      assert.ok(endless.streamed < 16 * 1024 * 1024, `Stockroom read ${endless.streamed} bytes of the answer`);
      assert.equal(provider.requestsTo('GET', '/v1/products/scripted-db/plans').length, 1, 'a malformed answer is not retried');
      assert.equal(provider.requestsTo('POST', `/v1/installations/${icfg}/resources`).length, 0);
      assert.deepEqual(await server.stockroom.ctx.db.selectFrom('stores').select('id').execute(), []);
    });

    // Issue 13 §13: a 429 was answered as provisioning_failed at once, its Retry-After unread.
    test('a provider answering 429 with Retry-After is asked again after that wait, and the store is created', async (t) => {
      const { server, provider, teamId, icfg } = await setUp(t, dialect);
      provider.on('GET', '/v1/products/scripted-db/plans', { status: 200, body: { plans: [{ id: 'free', type: 'subscription', name: 'Free', description: 'Free', scope: 'resource', paymentMethodRequired: false }] } });
      provider.on(
        'POST',
        `/v1/installations/${icfg}/resources`,
        { status: 429, headers: { 'retry-after': '1' }, body: { error: { code: 'rate_limited', message: 'slow down' } } },
        { status: 201, body: { id: 'res_scripted1', productId: 'scripted-db', name: 'patient', status: 'ready', secrets: [{ name: 'SCRIPTED_URL', value: 'scripted://db' }] } },
      );
      const started = Date.now();
      const res = await server.request('POST', `/v1/storage/stores/integration/direct?teamId=${teamId}`, {
        body: { name: 'patient', integrationConfigurationId: icfg, integrationProductIdOrSlug: 'scripted-db' },
      });
      assert.equal(res.status, 200, res.text);
      assert.ok(Date.now() - started >= 950, 'the Retry-After was not waited for');
      const attempts = provider.requestsTo('POST', `/v1/installations/${icfg}/resources`);
      assert.equal(attempts.length, 2);
      assert.equal(attempts[0]?.headers['idempotency-key'], attempts[1]?.headers['idempotency-key']);
      const row = await server.stockroom.ctx.db.selectFrom('stores').select(['id', 'name', 'external_resource_id']).where('id', '=', res.body.store.id).executeTakeFirstOrThrow();
      assert.deepEqual(row, { id: res.body.store.id, name: 'patient', external_resource_id: 'res_scripted1' });
    });
  });
}
