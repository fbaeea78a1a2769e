import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';
import { dialectsToTest, type TestDialect } from '../helpers/databases.js';
import { startTestServer, type TestServer } from '../helpers/stockroom.js';
import { bootstrapInstallationId } from '../helpers/stores.js';

/**
 * Free plans against the reference partner (docs/rules.md §2). Its free-plan quota is a test hook
 * that is off unless armed (STOCKROOM_REFERENCE_FREE_QUOTA), so a quick start, `vercel integration
 * add` or a CI job making a store per run never runs out of free stores. When a provider does
 * withdraw its free plan from an installation, the 400 says so and names the plans still offered.
 */

interface World {
  readonly server: TestServer;
  readonly icfg: string;
}

async function world(t: TestContext, dialect: TestDialect, env: Record<string, string> = {}): Promise<World> {
  const server = await startTestServer(t, dialect, { env });
  return { server, icfg: await bootstrapInstallationId(server) };
}

function create(w: World, name: string, extra: Record<string, unknown> = {}) {
  return w.server.request('POST', '/v1/storage/stores/integration/direct', {
    body: { name, integrationConfigurationId: w.icfg, integrationProductIdOrSlug: 'acme-db', metadata: { region: 'iad1' }, ...extra },
  });
}

async function storeNames(w: World): Promise<string[]> {
  const rows = await w.server.stockroom.ctx.db.selectFrom('stores').select('name').where('installation_id', '=', w.icfg).orderBy('created_at').execute();
  return rows.map((r) => r.name);
}

async function liveFreeResources(w: World): Promise<number> {
  const rows = await (w.server.stockroom.ctx.db as any)
    .selectFrom('ref_partner_resources')
    .select('id')
    .where('installation_id', '=', w.icfg)
    .where('billing_plan_id', '=', 'free')
    .where('deleted_at', 'is', null)
    .execute();
  return rows.length;
}

for (const dialect of dialectsToTest()) {
  describe(`free plans (${dialect})`, () => {
    test('five free creates in a row all succeed by default: the quota hook is off', async (t) => {
      const w = await world(t, dialect);
      for (let i = 1; i <= 5; i++) {
        const res = await create(w, `free-${i}`);
        assert.equal(res.status, 200, res.text);
        assert.equal(res.body.store.billingPlan.id, 'free');
      }
      assert.deepEqual(await storeNames(w), ['free-1', 'free-2', 'free-3', 'free-4', 'free-5']);
      assert.equal(await liveFreeResources(w), 5);
      const rows = await w.server.stockroom.ctx.db.selectFrom('stores').select(['lifecycle', 'billing_plan']).where('installation_id', '=', w.icfg).execute();
      assert.ok(rows.every((r) => r.lifecycle === 'live' && JSON.parse(r.billing_plan).id === 'free'));
    });

    test('with the quota armed, the next free create is 400 no_free_plan saying the free plan was withdrawn and which plans are still offered', async (t) => {
      const w = await world(t, dialect, { STOCKROOM_REFERENCE_FREE_QUOTA: '3' });
      for (let i = 1; i <= 3; i++) assert.equal((await create(w, `quota-${i}`)).status, 200);
      const refused = await create(w, 'quota-4');
      assert.equal(refused.status, 400, refused.text);
      assert.equal(refused.body.error.code, 'no_free_plan');
      const message: string = refused.body.error.message;
      assert.match(message, /withdrawn/, message);
      assert.match(message, /free plan "free"/, message);
      assert.match(message, new RegExp(w.icfg), message);
      assert.match(message, /Plans still offered: "pro" \(Pro\), "prepaid" \(Prepaid credits\)\./, message);
      assert.deepEqual(await storeNames(w), ['quota-1', 'quota-2', 'quota-3'], 'nothing stored');
      assert.equal(await liveFreeResources(w), 3);
    });

    test('naming the withdrawn free plan says it is not offered now, not that it does not exist', async (t) => {
      const w = await world(t, dialect, { STOCKROOM_REFERENCE_FREE_QUOTA: '1' });
      assert.equal((await create(w, 'first-free', { billingPlanId: 'free' })).status, 200);
      const refused = await create(w, 'second-free', { billingPlanId: 'free' });
      assert.equal(refused.status, 400, refused.text);
      assert.equal(refused.body.error.code, 'invalid_billing_plan');
      assert.equal(refused.body.error.param, 'billingPlanId');
      const message: string = refused.body.error.message;
      assert.match(message, /"free" .*is not offered to installation .* right now/, message);
      assert.match(message, /withdrawn/, message);
      assert.match(message, /Plans still offered: "pro" \(Pro\), "prepaid" \(Prepaid credits\)\./, message);
      assert.deepEqual(await storeNames(w), ['first-free']);

      // A plan the product never had is still answered as unknown.
      const unknown = await create(w, 'no-such-plan', { billingPlanId: 'platinum' });
      assert.equal(unknown.status, 400, unknown.text);
      assert.equal(unknown.body.error.code, 'invalid_billing_plan');
      assert.doesNotMatch(unknown.body.error.message, /right now|withdrawn/);
      assert.deepEqual(await storeNames(w), ['first-free']);

      // Deleting the free store gives the free plan back.
      const store = await w.server.stockroom.ctx.db.selectFrom('stores').select('id').where('name', '=', 'first-free').executeTakeFirstOrThrow();
      assert.equal((await w.server.request('DELETE', `/v1/storage/stores/integration/${store.id}`)).status, 200);
      assert.equal((await create(w, 'second-free', { billingPlanId: 'free' })).status, 200);
    });
  });
}
