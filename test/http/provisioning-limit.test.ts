import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';
import { dialectsToTest, type TestDialect } from '../helpers/databases.js';
import { startTestServer, type TestResponse, type TestServer } from '../helpers/stockroom.js';
import { bootstrapInstallationId } from '../helpers/stores.js';
import { ledgerOf, partnerResources } from '../recovery/kill-harness.js';

/**
 * The per-team limit on stores provisioning at once (issue 13 #9) holds on every create path and
 * under concurrency: 12 creates sent at once with the limit at 3, through auto-provision, through
 * the direct endpoint, and mixed, leave exactly 3 stores made and 9 answers of 429.
 */

const LIMIT = 3;
const AUTO = '/v1/integrations/integration/acme/marketplace/auto-provision/acme-db';
const DIRECT = '/v1/storage/stores/integration/direct';

async function server(t: TestContext, dialect: TestDialect): Promise<{ s: TestServer; icfg: string }> {
  const s = await startTestServer(t, dialect, { env: { STOCKROOM_RATE_LIMIT_PROVISIONING: String(LIMIT), STOCKROOM_PROVIDER_TIMEOUT_MS: '30000' } });
  const icfg = await bootstrapInstallationId(s);
  // Auto-provision pays paid plans with the team's default method.
  const teamId = (await s.request('GET', '/v2/user')).body.user.defaultTeamId;
  assert.equal((await s.request('PUT', `/stockroom/v1/payment-methods/default?teamId=${teamId}`, { body: { paymentMethodId: 'pm_card_visa' } })).status, 200);
  return { s, icfg };
}

/** Paid (the partner's free plan has its own quota of 3) and slow, so the creates overlap. */
const metadata = { region: 'iad1', testing_delay_ms: 1500 };

function auto(s: TestServer, name: string): Promise<TestResponse> {
  return s.request('POST', AUTO, { body: { name, metadata, billingPlanId: 'pro' } });
}

function direct(s: TestServer, icfg: string, name: string): Promise<TestResponse> {
  return s.request('POST', DIRECT, { body: { name, integrationConfigurationId: icfg, integrationProductIdOrSlug: 'acme-db', metadata, billingPlanId: 'pro', paymentMethodId: 'pm_card_visa' } });
}

async function assertLimitHeld(s: TestServer, names: string[], answers: TestResponse[]): Promise<void> {
  const made = names.filter((_, i) => answers[i]!.status === 200);
  const refused = answers.filter((r) => r.status === 429);
  assert.equal(made.length, LIMIT, `exactly ${LIMIT} made: ${answers.map((r) => r.status).join(' ')}`);
  assert.equal(refused.length, names.length - LIMIT, answers.map((r) => r.status).join(' '));
  for (const r of refused) {
    assert.equal(r.body.error.code, 'rate_limited');
    assert.match(r.body.error.message, /stores being provisioned, the most it may have at once \(3\)/);
    assert.deepEqual([r.body.error.limit.total, r.body.error.limit.remaining], [LIMIT, 0]);
    assert.equal(r.headers.get('retry-after'), '5');
  }
  const db = s.stockroom.ctx.db;
  const rows = await db.selectFrom('stores').select(['id', 'name', 'lifecycle']).where('name', 'in', names).orderBy('name').execute();
  assert.deepEqual(rows.map((r) => [r.name, r.lifecycle]), made.sort().map((n) => [n, 'live']), 'a row only for the stores made');
  for (const row of rows) assert.deepEqual(await ledgerOf(db, row.id), [['authorization', 1000], ['charge', 2000]], row.name);
  // Nothing was charged for the refused ones, and the partner made only the stores made.
  const ledger = await db.selectFrom('ledger_entries').select('store_id').execute();
  assert.equal(new Set(ledger.map((e) => e.store_id)).size, LIMIT);
  const resources = (await Promise.all(names.map((n) => partnerResources(db, n)))).flat();
  assert.deepEqual(resources.map((r) => r.name).sort(), made.sort());
}

for (const dialect of dialectsToTest()) {
  describe(`the per-team provisioning limit on every create path (${dialect})`, () => {
    test('12 concurrent auto-provision requests with the limit at 3: 3 stores, 9 × 429', async (t) => {
      const { s } = await server(t, dialect);
      const names = Array.from({ length: 12 }, (_, i) => `auto-${i}`);
      await assertLimitHeld(s, names, await Promise.all(names.map((n) => auto(s, n))));
    });

    test('12 concurrent direct creates with the limit at 3: 3 stores, 9 × 429', async (t) => {
      const { s, icfg } = await server(t, dialect);
      const names = Array.from({ length: 12 }, (_, i) => `direct-${i}`);
      await assertLimitHeld(s, names, await Promise.all(names.map((n) => direct(s, icfg, n))));
    });

    test('6 auto-provision and 6 direct creates at once share one limit of 3', async (t) => {
      const { s, icfg } = await server(t, dialect);
      const names = Array.from({ length: 12 }, (_, i) => `mixed-${i}`);
      await assertLimitHeld(s, names, await Promise.all(names.map((n, i) => (i % 2 === 0 ? auto(s, n) : direct(s, icfg, n)))));
    });
  });
}

for (const dialect of dialectsToTest()) {
  describe(`the create-store rate group on every create path (${dialect})`, () => {
    test('auto-provision spends the create-store group of the token, as the direct endpoint does', async (t) => {
      const s = await startTestServer(t, dialect, { env: { STOCKROOM_RATE_LIMIT_CREATE_STORE: '2', STOCKROOM_RATE_LIMIT_WRITE: '100' } });
      const icfg = await bootstrapInstallationId(s);
      const body = { name: 'grouped-1', integrationConfigurationId: icfg, integrationProductIdOrSlug: 'acme-db', metadata: { region: 'iad1' } };
      const first = await s.request('POST', DIRECT, { body });
      assert.equal(first.status, 200, first.text);
      assert.equal(first.headers.get('x-ratelimit-limit'), '2');
      const second = await s.request('POST', AUTO, { body: { name: 'grouped-2', metadata: { region: 'iad1' } } });
      assert.equal(second.status, 200, second.text);
      assert.deepEqual([second.headers.get('x-ratelimit-limit'), second.headers.get('x-ratelimit-remaining')], ['2', '0']);
      const third = await s.request('POST', AUTO, { body: { name: 'grouped-3', metadata: { region: 'iad1' } } });
      assert.equal(third.status, 429, third.text);
      assert.equal(third.body.error.code, 'rate_limited');
      const names = await s.stockroom.ctx.db.selectFrom('stores').select('name').orderBy('name').execute();
      assert.deepEqual(names.map((r) => r.name), ['grouped-1', 'grouped-2']);
      // Other writes are a group of their own.
      assert.equal((await s.request('POST', '/v11/projects', { body: { name: 'still-writes' } })).status, 200);
    });
  });
}
