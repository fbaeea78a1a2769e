import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Vercel } from '@vercel/sdk';
import { SDKError } from '@vercel/sdk/models/sdkerror.js';
import { createMember, createTeam } from '../helpers/accounts.js';
import { dialectsToTest } from '../helpers/databases.js';
import { useSharedServer } from '../helpers/shared-server.js';
import { createProject } from '../helpers/stores.js';
import type { TestServer } from '../helpers/stockroom.js';
import { assertParsedFromWire, lastJson, recordingHttpClient } from '../helpers/wire-compare.js';

/**
 * `POST /v1/storage/stores/integration/direct` end to end through `@vercel/sdk`
 * `createIntegrationStoreDirect`, against a real Stockroom and its reference partner. Every case
 * checks the status, the error code, and what the database holds afterwards.
 */

interface World {
  server: TestServer;
  vercel: Vercel;
  bodies: Array<{ url: string; status: number; body: string }>;
  teamId: string;
  icfg: string;
}

/** A new team with the reference partner installed, on `server`: every check below is scoped to it. */
async function world(server: TestServer): Promise<World> {
  const team = await createTeam(server);
  const installed = await server.request('POST', `/stockroom/v1/installations?teamId=${team.id}`, { body: { integrationIdOrSlug: 'acme' } });
  assert.equal(installed.status, 200, installed.text);
  const { httpClient, bodies } = recordingHttpClient();
  const vercel = new Vercel({ serverURL: server.url, bearerToken: server.token, httpClient });
  return { server, vercel, bodies, teamId: team.id, icfg: installed.body.id };
}

function create(w: World, body: Record<string, unknown>, options: { token?: string; teamId?: string } = {}) {
  const vercel = options.token ? new Vercel({ serverURL: w.server.url, bearerToken: options.token }) : w.vercel;
  return vercel.integrations.createIntegrationStoreDirect({
    teamId: options.teamId ?? w.teamId,
    requestBody: {
      integrationConfigurationId: w.icfg,
      integrationProductIdOrSlug: 'acme-db',
      metadata: { region: 'iad1' },
      ...body,
    } as never,
  });
}

async function rejects(promise: Promise<unknown>, status: number, code: string): Promise<any> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof SDKError, `SDKError expected, got ${String(error)}`);
    assert.equal(error.statusCode, status, error.body);
    const body = JSON.parse(error.body);
    assert.equal(body.error.code, code, error.body);
    return body.error;
  }
  assert.fail(`expected ${status} ${code}`);
}

async function storeRows(w: World) {
  return w.server.stockroom.ctx.db.selectFrom('stores').selectAll().where('team_id', '=', w.teamId).execute();
}

async function ledgerRows(w: World) {
  return w.server.stockroom.ctx.db.selectFrom('ledger_entries').selectAll().where('team_id', '=', w.teamId).orderBy('created_at').execute();
}

async function partnerResources(w: World) {
  return (w.server.stockroom.ctx.db as any).selectFrom('ref_partner_resources').selectAll().where('installation_id', '=', w.icfg).execute() as Promise<any[]>;
}

async function assertNothingLeft(w: World) {
  assert.deepEqual((await storeRows(w)).map((r) => r.name), [], 'no store row');
  const ledger = await ledgerRows(w);
  const charged = ledger.filter((e) => e.kind === 'charge').reduce((sum, e) => sum + e.amount_cents, 0);
  const refunded = ledger.filter((e) => e.kind === 'refund').reduce((sum, e) => sum + e.amount_cents, 0);
  assert.equal(charged, refunded, 'no unreversed charge');
  const live = (await partnerResources(w)).filter((r) => r.deleted_at === null);
  assert.deepEqual(live.map((r) => r.name), [], 'no live provider resource');
}

for (const dialect of dialectsToTest()) {
  describe(`create integration store (${dialect})`, () => {
    const sharedServer = useSharedServer(dialect);

    test('uses the first free plan when billingPlanId is omitted, and answers the full store', async () => {
      const w = await world(sharedServer());
      const { store } = await create(w, { name: 'free-db' });
      assert.ok(store, 'store is not null');
      assertParsedFromWire({ store }, lastJson(w.bodies));
      const wire = (lastJson(w.bodies) as any).store;
      assert.match(wire.id, /^store_[A-Za-z0-9]+$/);
      assert.equal(store.status, 'available');
      assert.equal(store.externalResourceStatus, 'ready');
      assert.equal(store.billingPlan?.id, 'free');
      assert.equal(store.billingPlan?.paymentMethodRequired, false);
      assert.equal(store.product.integration.slug, 'acme');
      assert.equal(store.product.integrationConfigurationId, w.icfg);
      assert.deepEqual(store.product.supportedProtocols, ['storage']);
      assert.ok(store.secrets.length > 0);
      for (const secret of store.secrets) assert.ok(secret.length > 0);
      assert.ok(!JSON.stringify(w.bodies.at(-1)).includes('"value"'), 'no secret value on the wire');
      assert.deepEqual(store.projectsMetadata, []);
      assert.equal(store.metadata?.region, 'iad1');

      const [row] = await storeRows(w);
      assert.ok(row);
      assert.equal(row.id, wire.id);
      assert.equal(row.lifecycle, 'live');
      assert.equal(row.external_resource_id, store.externalResourceId);
      const values = JSON.parse(w.server.stockroom.ctx.secretBox.open(row.secrets_sealed!, `stores.secrets_sealed:${row.id}`)) as Array<{ name: string; value: string }>;
      assert.deepEqual(values.map((s) => s.name), store.secrets.map((s) => s.name));
      for (const s of values) assert.ok(!row.secrets_sealed!.includes(s.value), 'sealed at rest');
      assert.deepEqual(await ledgerRows(w), [], 'a free plan moves no money');
      const resources = await partnerResources(w);
      assert.deepEqual(resources.map((r) => [r.id, r.name]), [[store.externalResourceId, 'free-db']]);
    });

    test('finds the product by id as well as by slug', async () => {
      const w = await world(sharedServer());
      const products = await w.server.request('GET', `/v1/integrations/configuration/${w.icfg}/products?teamId=${w.teamId}`);
      const id = products.body.products.find((p: any) => p.slug === 'acme-db').id;
      const { store } = await create(w, { name: 'by-id', integrationProductIdOrSlug: id });
      assert.equal(store?.product.id, id);
      assert.equal((await storeRows(w)).length, 1);
    });

    test('paid plan with a test card: authorizes, provisions, charges the initial charge', async () => {
      const w = await world(sharedServer());
      const { store } = await create(w, { name: 'paid', billingPlanId: 'pro', paymentMethodId: 'pm_card_visa' });
      assert.equal(store?.billingPlan?.id, 'pro');
      assert.equal(store?.billingPlan?.initialCharge, '20.00');
      const ledger = await ledgerRows(w);
      const [row] = await storeRows(w);
      assert.deepEqual(ledger.map((e) => [e.kind, e.amount_cents, e.store_id, e.payment_method_id]), [
        ['authorization', 1000, row!.id, 'pm_card_visa'],
        ['charge', 2000, row!.id, 'pm_card_visa'],
      ]);
    });

    test('paid plan without any payment method is 400 payment_method_required, and nothing is left', async () => {
      const w = await world(sharedServer());
      await rejects(create(w, { name: 'no-card', billingPlanId: 'pro' }), 400, 'payment_method_required');
      await assertNothingLeft(w);
    });

    test("uses the team's default payment method when none is given", async () => {
      const w = await world(sharedServer());
      const added = await w.server.request('POST', `/stockroom/v1/payment-methods?teamId=${w.teamId}`, { body: { source: 'pm_card_mastercard', setDefault: true } });
      assert.equal(added.status, 200, added.text);
      await create(w, { name: 'default-card', billingPlanId: 'pro' });
      const ledger = await ledgerRows(w);
      assert.deepEqual(ledger.map((e) => e.payment_method_id), [added.body.id, added.body.id]);
    });

    test('a declined card is 402 payment_declined and leaves nothing', async () => {
      const w = await world(sharedServer());
      await rejects(create(w, { name: 'declined', billingPlanId: 'pro', paymentMethodId: 'pm_card_chargeDeclined' }), 402, 'payment_declined');
      await rejects(create(w, { name: 'poor', billingPlanId: 'prepaid', paymentMethodId: 'pm_card_chargeDeclinedInsufficientFunds', prepaymentAmountCents: 1000 }), 402, 'payment_declined');
      await assertNothingLeft(w);
      assert.deepEqual(await ledgerRows(w), []);
    });

    test('a soft-blocked team is 402 account_soft_blocked, for free plans too', async () => {
      const w = await world(sharedServer());
      const blocked = await w.server.request('PATCH', `/stockroom/v1/billing?teamId=${w.teamId}`, { body: { billingState: 'soft_blocked' } });
      assert.equal(blocked.status, 200, blocked.text);
      await rejects(create(w, { name: 'blocked-free' }), 402, 'account_soft_blocked');
      await rejects(create(w, { name: 'blocked-paid', billingPlanId: 'pro', paymentMethodId: 'pm_card_visa' }), 402, 'account_soft_blocked');
      await assertNothingLeft(w);
    });

    test('prepayment: amount missing or out of range is 400; a valid amount is charged and credited', async () => {
      const w = await world(sharedServer());
      await rejects(create(w, { name: 'pre-missing', billingPlanId: 'prepaid', paymentMethodId: 'pm_card_visa' }), 400, 'invalid_prepayment_amount');
      await rejects(create(w, { name: 'pre-low', billingPlanId: 'prepaid', paymentMethodId: 'pm_card_visa', prepaymentAmountCents: 100 }), 400, 'invalid_prepayment_amount');
      await rejects(create(w, { name: 'pre-high', billingPlanId: 'prepaid', paymentMethodId: 'pm_card_visa', prepaymentAmountCents: 50001 }), 400, 'invalid_prepayment_amount');
      const below = await rejects(create(w, { name: 'pre-tiny', billingPlanId: 'prepaid', paymentMethodId: 'pm_card_visa', prepaymentAmountCents: 10 }), 400, 'bad_request');
      assert.equal(below.param, 'prepaymentAmountCents');
      await assertNothingLeft(w);
      const { store } = await create(w, { name: 'pre-ok', billingPlanId: 'prepaid', paymentMethodId: 'pm_card_visa', prepaymentAmountCents: 2500 });
      assert.equal(store?.billingPlan?.type, 'prepayment');
      const ledger = await ledgerRows(w);
      assert.deepEqual(ledger.map((e) => [e.kind, e.amount_cents]), [['charge', 2500], ['credit', 2500]]);
    });

    test('an unknown plan is 400 invalid_billing_plan; an unknown installation or product is 404', async () => {
      const w = await world(sharedServer());
      await rejects(create(w, { name: 'x', billingPlanId: 'platinum' }), 400, 'invalid_billing_plan');
      await rejects(create(w, { name: 'x', integrationConfigurationId: 'icfg_doesNotExist1' }), 404, 'not_found');
      await rejects(create(w, { name: 'x', integrationProductIdOrSlug: 'no-such-product' }), 404, 'not_found');
      const other = await createTeam(w.server);
      // Another team's installation is as unknown as a missing one.
      await rejects(create(w, { name: 'x' }, { teamId: other.id }), 404, 'not_found');
      await assertNothingLeft(w);
    });

    test('invalid metadata is 400 invalid_metadata naming every failing field', async () => {
      const w = await world(sharedServer());
      const error = await rejects(create(w, { name: 'bad-meta', metadata: { storageGb: 'lots' } }), 400, 'invalid_metadata');
      const keys = (error.fields as Array<{ key: string }>).map((f) => f.key).sort();
      assert.deepEqual(keys, ['region', 'storageGb']);
      const bad = await rejects(create(w, { name: 'bad-meta', metadata: { region: 'mars' } }), 400, 'invalid_metadata');
      assert.deepEqual(bad.fields.map((f: any) => f.key), ['region']);
      await assertNothingLeft(w);
    });

    test('a taken name is 409 with the existing id; the same externalId retried answers the same store', async () => {
      const w = await world(sharedServer());
      const first = await w.server.request('POST', `/v1/storage/stores/integration/direct?teamId=${w.teamId}`, {
        body: { name: 'dup', integrationConfigurationId: w.icfg, integrationProductIdOrSlug: 'acme-db', metadata: { region: 'iad1' }, externalId: 'ext-1' },
      });
      assert.equal(first.status, 200, first.text);
      const taken = await rejects(create(w, { name: 'dup' }), 409, 'conflict');
      assert.equal(taken.storeId, first.body.store.id);
      const retried = await w.server.request('POST', `/v1/storage/stores/integration/direct?teamId=${w.teamId}`, {
        body: { name: 'dup', integrationConfigurationId: w.icfg, integrationProductIdOrSlug: 'acme-db', metadata: { region: 'iad1' }, externalId: 'ext-1' },
      });
      assert.equal(retried.status, 200);
      assert.equal(retried.body.store.id, first.body.store.id);
      const other = await rejects(create(w, { name: 'dup-2', externalId: 'ext-1' }), 409, 'conflict');
      assert.equal(other.storeId, first.body.store.id);
      assert.equal((await storeRows(w)).length, 1);
      assert.equal((await partnerResources(w)).length, 1);
    });

    test('a retried create answers the store with the projects connected since it was created', async () => {
      const w = await world(sharedServer());
      const body = { name: 'connected-retry', integrationConfigurationId: w.icfg, integrationProductIdOrSlug: 'acme-db', metadata: { region: 'iad1' }, externalId: 'ext-connected' };
      const first = await w.server.request('POST', `/v1/storage/stores/integration/direct?teamId=${w.teamId}`, { body });
      assert.equal(first.status, 200, first.text);
      assert.deepEqual(first.body.store.projectsMetadata, []);
      const project = await createProject(w.server, 'retry-project', { teamId: w.teamId });
      const connected = await w.server.request('POST', `/v1/storage/stores/${first.body.store.id}/connections?teamId=${w.teamId}`, { body: { projectId: project.id } });
      assert.equal(connected.status, 200, connected.text);
      const retried = await w.server.request('POST', `/v1/storage/stores/integration/direct?teamId=${w.teamId}`, { body });
      assert.equal(retried.status, 200, retried.text);
      assert.equal(retried.body.store.id, first.body.store.id);
      assert.deepEqual(
        retried.body.store.projectsMetadata.map((p: { projectId: string }) => p.projectId),
        [project.id],
      );
    });

    test('a VIEWER is 403, no token is 401, a malformed body is 400 with param', async () => {
      const w = await world(sharedServer());
      const viewer = await createMember(w.server, w.teamId, 'VIEWER');
      await rejects(create(w, { name: 'v' }, { token: viewer.token }), 403, 'forbidden');
      const none = await w.server.request('POST', '/v1/storage/stores/integration/direct', { token: null, body: { name: 'n' } });
      assert.equal(none.status, 401);
      const badId = await w.server.request('POST', `/v1/storage/stores/integration/direct?teamId=${w.teamId}`, {
        body: { name: 'b', integrationConfigurationId: 'icfg_bad-id', integrationProductIdOrSlug: 'acme-db' },
      });
      assert.equal(badId.status, 400);
      assert.equal(badId.body.error.param, 'integrationConfigurationId');
      const numeric = await w.server.request('POST', `/v1/storage/stores/integration/direct?teamId=${w.teamId}`, {
        body: { name: 'b', integrationConfigurationId: w.icfg, integrationProductIdOrSlug: 42 },
      });
      assert.equal(numeric.status, 400);
      assert.equal(numeric.body.error.param, 'integrationProductIdOrSlug');
      const long = await w.server.request('POST', `/v1/storage/stores/integration/direct?teamId=${w.teamId}`, {
        body: { name: 'x'.repeat(129), integrationConfigurationId: w.icfg, integrationProductIdOrSlug: 'acme-db' },
      });
      assert.equal(long.body.error.param, 'name');
      await assertNothingLeft(w);
    });

    test('provider 400 with fields and 409 pass through; 500 and a malformed answer are 500 with nothing left', async () => {
      const w = await world(sharedServer());
      const invalid = await rejects(create(w, { name: 'fail-validation' }), 400, 'provider_validation_error');
      assert.deepEqual(invalid.fields.map((f: any) => f.key), ['region']);
      await rejects(create(w, { name: 'fail-conflict' }), 409, 'conflict');
      await rejects(create(w, { name: 'fail-500' }), 500, 'provisioning_failed');
      await rejects(create(w, { name: 'fail-malformed' }), 500, 'provisioning_failed');
      await assertNothingLeft(w);
      // The malformed answer's resource did exist at the partner: it was found and deleted.
      const resources = await partnerResources(w);
      assert.deepEqual(resources.map((r) => [r.name, r.deleted_at !== null]), [['fail-malformed', true]]);
    });

    test('a prepayment is refunded when provisioning fails', async () => {
      const w = await world(sharedServer());
      await rejects(create(w, { name: 'fail-500', billingPlanId: 'prepaid', paymentMethodId: 'pm_card_visa', prepaymentAmountCents: 1000 }), 500, 'provisioning_failed');
      const ledger = await ledgerRows(w);
      assert.deepEqual(ledger.map((e) => [e.kind, e.amount_cents]), [['charge', 1000], ['refund', 1000]]);
      await assertNothingLeft(w);
    });

    test('a provider answering pending makes the store initializing', async () => {
      const w = await world(sharedServer());
      const { store } = await create(w, { name: 'pending-db' });
      assert.equal(store?.status, 'initializing');
      assert.equal(store?.externalResourceStatus, 'pending');
      const [row] = await storeRows(w);
      assert.equal(row?.status, 'initializing');
    });
  });
}
