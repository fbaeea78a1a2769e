import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';
import { recoverStuckStores } from '../../src/jobs/store-recovery.js';
import { storeSecretsContext } from '../../src/db/store-secrets.js';
import { armPausePoint } from '../../src/fault-injection.js';
import { dialectsToTest, type TestDialect } from '../helpers/databases.js';
import { startWithScriptedIntegration, type ScriptedIntegration } from '../helpers/scripted-integration.js';
import { OWNER_TOKEN } from '../helpers/stockroom.js';
import { createProject } from '../helpers/stores.js';

/**
 * A provider may give a secret a different value per environment (partner-api.md §1.2 Secret,
 * `environmentOverrides`). Every way a store is created keeps them: the direct endpoint, the
 * CLI's auto-provision, and crash recovery finishing a create. Env pull then serves each
 * environment its own value. Found against Vercel's example partner (its `with-env-override`
 * product); a scripted provider plays it here.
 */

const ICFG = 'icfg_scriptedOverrides1';
const SECRETS = [
  { name: 'DB_URL', value: 'url-default', environmentOverrides: { production: 'url-production', preview: 'url-preview', development: 'url-development' } },
  { name: 'DB_REPLICA', value: 'replica-default', environmentOverrides: { preview: 'replica-preview' } },
  { name: 'DB_TOKEN', value: 'token-everywhere' },
];
const EXPECTED: Record<string, Record<string, string>> = {
  production: { DB_URL: 'url-production', DB_REPLICA: 'replica-default', DB_TOKEN: 'token-everywhere' },
  preview: { DB_URL: 'url-preview', DB_REPLICA: 'replica-preview', DB_TOKEN: 'token-everywhere' },
  development: { DB_URL: 'url-development', DB_REPLICA: 'replica-default', DB_TOKEN: 'token-everywhere' },
};

type World = ScriptedIntegration;

async function world(t: TestContext, dialect: TestDialect): Promise<World> {
  // Recovery passes are run by hand; the loop's own would race them.
  const started = await startWithScriptedIntegration(t, dialect, ICFG, { STOCKROOM_RECOVERY_INTERVAL_MS: '3600000' });
  const { provider } = started;
  const plans = { plans: [{ id: 'free', type: 'subscription', name: 'Free', description: 'Free', scope: 'resource', paymentMethodRequired: false }] };
  provider.on('GET', '/v1/products/scripted-db/plans', { status: 200, body: plans });
  provider.on('POST', `/v1/installations/${ICFG}/resources`, {
    status: 200,
    body: { id: 'res_overrides1', productId: 'scripted-db', name: 'with-overrides', metadata: {}, status: 'ready', secrets: SECRETS },
  });
  return started;
}

/** Connects the store to a new project in every standard environment and checks each pull. */
async function assertPulledPerEnvironment(w: World, storeId: string): Promise<void> {
  const project = await createProject(w.server, `app-${storeId.slice(-6).toLowerCase()}`);
  const connected = await w.server.request('POST', `/v1/storage/stores/${storeId}/connections`, {
    body: { projectId: project.id, envVarEnvironments: ['production', 'preview', 'development'] },
  });
  assert.equal(connected.status, 200, connected.text);
  for (const [environment, env] of Object.entries(EXPECTED)) {
    const pulled = await w.server.request('GET', `/v3/env/pull/${project.id}/${environment}`);
    assert.equal(pulled.status, 200, pulled.text);
    assert.deepEqual(pulled.body, { env }, environment);
  }
}

/** The row keeps every override, sealed: opened it is the provider's secrets, closed no value shows. */
async function assertStoredSealed(w: World, storeId: string): Promise<void> {
  const row = await w.server.stockroom.ctx.db.selectFrom('stores').select(['lifecycle', 'secrets_sealed', 'secret_meta']).where('id', '=', storeId).executeTakeFirstOrThrow();
  assert.equal(row.lifecycle, 'live');
  assert.ok(row.secrets_sealed);
  assert.deepEqual(JSON.parse(w.server.stockroom.ctx.secretBox.open(row.secrets_sealed, storeSecretsContext(storeId))), SECRETS);
  const values = SECRETS.flatMap((s) => [s.value, ...Object.values(s.environmentOverrides ?? {})]);
  for (const value of values) {
    assert.ok(!row.secrets_sealed.includes(value), 'sealed');
    assert.ok(!row.secret_meta.includes(value), 'names and lengths only');
  }
}

for (const dialect of dialectsToTest()) {
  describe(`secrets with per-environment overrides at create (${dialect})`, () => {
    test('the direct endpoint keeps the overrides, and env pull serves each environment its value', async (t) => {
      const w = await world(t, dialect);
      const created = await w.server.request('POST', `/v1/storage/stores/integration/direct?teamId=${w.teamId}`, {
        body: { name: 'with-overrides', integrationConfigurationId: ICFG, integrationProductIdOrSlug: 'scripted-db' },
      });
      assert.equal(created.status, 200, created.text);
      assert.deepEqual(created.body.store.secrets.map((s: { name: string }) => s.name), ['DB_URL', 'DB_REPLICA', 'DB_TOKEN']);
      await assertStoredSealed(w, created.body.store.id);
      await assertPulledPerEnvironment(w, created.body.store.id);
    });

    test("the CLI's auto-provision keeps the overrides", async (t) => {
      const w = await world(t, dialect);
      const created = await w.server.request('POST', '/v1/integrations/integration/scripted/marketplace/auto-provision/scripted-db', {
        body: { name: 'with-overrides', metadata: {} },
      });
      assert.equal(created.status, 200, created.text);
      assert.equal(created.body.kind, 'provisioned');
      await assertStoredSealed(w, created.body.resource.id);
      await assertPulledPerEnvironment(w, created.body.resource.id);
    });

    test("rotation and the partner's secrets push keep the overrides they bring too", async (t) => {
      const w = await world(t, dialect);
      const created = await w.server.request('POST', `/v1/storage/stores/integration/direct?teamId=${w.teamId}`, {
        body: { name: 'with-overrides', integrationConfigurationId: ICFG, integrationProductIdOrSlug: 'scripted-db' },
      });
      assert.equal(created.status, 200, created.text);
      const storeId: string = created.body.store.id;
      const project = await createProject(w.server, 'rotating-app');
      await w.server.request('POST', `/v1/storage/stores/${storeId}/connections`, { body: { projectId: project.id, envVarEnvironments: ['production', 'preview'] } });
      const pull = async (environment: string) => (await w.server.request('GET', `/v3/env/pull/${project.id}/${environment}`)).body.env;

      w.provider.on('POST', `/v1/installations/${ICFG}/resources/res_overrides1/secrets/rotate`, {
        status: 200,
        body: { sync: true, secrets: [{ name: 'DB_URL', value: 'url2-default', environmentOverrides: { production: 'url2-production' } }], partial: true },
      });
      const rotated = await w.server.request('POST', `/v1/storage/stores/${storeId}/secrets/rotate`, { body: {} });
      assert.equal(rotated.status, 200, rotated.text);
      assert.equal((await pull('production')).DB_URL, 'url2-production');
      assert.equal((await pull('preview')).DB_URL, 'url2-default');

      const pushed = await w.server.request('PUT', `/v1/installations/${ICFG}/resources/res_overrides1/secrets`, {
        token: 'srk_unused_installation_token_000000000',
        body: { secrets: [{ name: 'DB_TOKEN', value: 'token3', environmentOverrides: { preview: 'token3-preview' } }], partial: true },
      });
      assert.equal(pushed.status, 201, pushed.text);
      assert.deepEqual(await pull('production'), { DB_URL: 'url2-production', DB_REPLICA: 'replica-default', DB_TOKEN: 'token3' });
      assert.deepEqual(await pull('preview'), { DB_URL: 'url2-default', DB_REPLICA: 'replica-preview', DB_TOKEN: 'token3-preview' });
    });

    test('crash recovery finishing an abandoned create keeps the overrides', async (t) => {
      const w = await world(t, dialect);
      // The create stops before the provider is called and never answers, as if its process died.
      let reached!: () => void;
      const paused = new Promise<void>((resolve) => (reached = resolve));
      armPausePoint('before-charge', () => reached());
      try {
        void w.server.stockroom.app.inject({
          method: 'POST',
          url: `/v1/storage/stores/integration/direct?teamId=${w.teamId}`,
          headers: { authorization: `Bearer ${OWNER_TOKEN}`, 'content-type': 'application/json' },
          payload: JSON.stringify({ name: 'with-overrides', integrationConfigurationId: ICFG, integrationProductIdOrSlug: 'scripted-db' }),
        });
        await paused;
      } finally {
        armPausePoint(undefined, () => undefined);
      }
      const stalled = await w.server.stockroom.ctx.db.selectFrom('stores').select(['id', 'lifecycle']).where('name', '=', 'with-overrides').executeTakeFirstOrThrow();
      assert.equal(stalled.lifecycle, 'provisioning');
      assert.equal(w.provider.requestsTo('POST', `/v1/installations/${ICFG}/resources`).length, 0);

      w.server.clock.advance(120_000);
      const { outcomes } = await recoverStuckStores(w.server.stockroom.ctx, { graceMs: 60_000, deadlineMs: 600_000 });
      assert.equal(outcomes.get(stalled.id), 'resumed');
      await assertStoredSealed(w, stalled.id);
      await assertPulledPerEnvironment(w, stalled.id);
    });
  });
}
