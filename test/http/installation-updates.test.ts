import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';
import { appendLedgerEntry } from '../../src/db/ledger.js';
import { reconcilePlanChanges } from '../../src/jobs/plan-change-reconciliation.js';
import { setDefaultPaymentMethodId } from '../../src/db/payment-methods.js';
import { createMember } from '../helpers/accounts.js';
import { dialectsToTest, type TestDialect } from '../helpers/databases.js';
import { startWithScriptedIntegration } from '../helpers/scripted-integration.js';
import { startTestServer, type TestServer } from '../helpers/stockroom.js';
import { bootstrapInstallationId, createProject, createStore } from '../helpers/stores.js';

/**
 * `PATCH /v1/integrations/configuration/{id}`, what `vercel integration update` sends
 * (docs/installation-updates.md): an installation-level plan change through the provider's
 * Update Installation, paid as a create is, and the projects allowed to use the installation.
 */

async function rows(server: TestServer, icfg: string) {
  const db = server.stockroom.ctx.db;
  const installation = await db.selectFrom('installations').select(['billing_plan', 'allowed_projects', 'plan_change_id']).where('id', '=', icfg).executeTakeFirstOrThrow();
  const ledger = await db.selectFrom('ledger_entries').select(['kind', 'amount_cents', 'billing_plan_id', 'store_id']).orderBy('created_at').orderBy('kind').execute();
  const partner = await (db as any).selectFrom('ref_partner_installations').select('billing_plan_id').where('id', '=', icfg).executeTakeFirst();
  return { plan: installation.billing_plan === null ? null : (JSON.parse(installation.billing_plan).id as string), installation, ledger, partnerPlan: partner?.billing_plan_id ?? null };
}

/** The installation's recorded plan and claim, and the ledger as [kind, cents] in the order the change wrote it. */
async function ledgerAndPlan(server: TestServer, icfg: string) {
  const db = server.stockroom.ctx.db;
  const row = await db.selectFrom('installations').select(['billing_plan', 'plan_change_id']).where('id', '=', icfg).executeTakeFirstOrThrow();
  const entries = await db.selectFrom('ledger_entries').select(['kind', 'amount_cents']).execute();
  const order = ['authorization', 'charge', 'refund'];
  const ledger = entries.map((r): [string, number] => [r.kind, r.amount_cents]).sort((a, b) => order.indexOf(a[0]) - order.indexOf(b[0]));
  return { plan: row.billing_plan === null ? null : (JSON.parse(row.billing_plan) as { id: string; description?: string }), planChangeId: row.plan_change_id, ledger };
}

const patch = (server: TestServer, icfg: string, body: unknown) => server.request('PATCH', `/v1/integrations/configuration/${icfg}`, { body });

const SCRIPTED_PLANS = {
  plans: [
    { id: 'per-resource', type: 'subscription', name: 'Per resource', scope: 'resource', paymentMethodRequired: false },
    { id: 'org', type: 'subscription', name: 'Org', scope: 'installation', paymentMethodRequired: true, preauthorizationAmount: 5, initialCharge: '30.00' },
  ],
};

/** A provider timeout short enough for a test to wait through three attempts. */
const FAST_TIMEOUT = { STOCKROOM_PROVIDER_TIMEOUT_MS: '150' };

async function scripted(t: TestContext, dialect: TestDialect, env: Record<string, string> = {}) {
  const icfg = 'icfg_scriptedUpdate1';
  const setup = await startWithScriptedIntegration(t, dialect, icfg, env);
  setup.provider.on('GET', `/v1/installations/${icfg}/plans`, { status: 200, body: SCRIPTED_PLANS });
  // The scripted team pays with the Visa test card.
  const res = await setup.server.request('PUT', '/stockroom/v1/payment-methods/default', { body: { paymentMethodId: 'pm_card_visa' } });
  assert.equal(res.status, 200, res.text);
  return { ...setup, icfg };
}

for (const dialect of dialectsToTest()) {
  describe(`installation updates (${dialect})`, () => {
    test('plan changes: a paid plan is authorized, changed at the partner, charged and recorded; a free one charges nothing; a replay does nothing', async (t) => {
      const server = await startTestServer(t, dialect);
      const icfg = await bootstrapInstallationId(server);

      const paid = await patch(server, icfg, { billingPlanId: 'team', authorizationId: 'auth_fromTheCli' });
      assert.equal(paid.status, 200, paid.text);
      assert.equal(paid.body.id, icfg);
      assert.equal(paid.body.projects, undefined, 'every project may use it');
      let now = await rows(server, icfg);
      assert.equal(now.plan, 'team');
      assert.equal(now.partnerPlan, 'team');
      assert.equal(now.installation.plan_change_id, null, 'the claim is let go');
      assert.deepEqual(now.ledger, [
        { kind: 'authorization', amount_cents: 1000, billing_plan_id: 'team', store_id: null },
        { kind: 'charge', amount_cents: 5000, billing_plan_id: 'team', store_id: null },
      ]);
      const memo = await server.stockroom.ctx.db.selectFrom('ledger_entries').select('memo').where('kind', '=', 'charge').executeTakeFirstOrThrow();
      assert.match(memo.memo ?? '', /auth_fromTheCli/);

      // The same plan again: nothing called, nothing charged.
      const replay = await patch(server, icfg, { billingPlanId: 'team' });
      assert.equal(replay.status, 200, replay.text);
      assert.equal((await rows(server, icfg)).ledger.length, 2);

      const free = await patch(server, icfg, { billingPlanId: 'hobby' });
      assert.equal(free.status, 200, free.text);
      now = await rows(server, icfg);
      assert.equal(now.plan, 'hobby');
      assert.equal(now.partnerPlan, 'hobby');
      assert.equal(now.ledger.length, 2, 'a free plan moves no money');
    });

    test('refusals: unknown plan, per-resource plan, no usable payment method, a declined card, a soft-blocked team, a viewer; nothing charged and the plan unchanged', async (t) => {
      const server = await startTestServer(t, dialect);
      const icfg = await bootstrapInstallationId(server);

      const unknown = await patch(server, icfg, { billingPlanId: 'platinum' });
      assert.equal(unknown.status, 400, unknown.text);
      assert.equal(unknown.body.error.code, 'invalid_billing_plan');
      assert.match(unknown.body.error.message, /"hobby" \(Hobby\), "team" \(Team\)/);

      const perResource = await patch(server, icfg, { billingPlanId: 'pro' });
      assert.equal(perResource.status, 400, perResource.text);
      assert.match(perResource.body.error.message, /billed per resource/);

      const neither = await patch(server, icfg, { billingPlanId: 'team', projects: 'all' });
      assert.equal(neither.status, 400, neither.text);
      assert.equal((await patch(server, icfg, {})).status, 400);

      await server.request('PUT', '/stockroom/v1/payment-methods/default', { body: { paymentMethodId: 'pm_card_chargeDeclined' } });
      const declined = await patch(server, icfg, { billingPlanId: 'team' });
      assert.equal(declined.status, 402, declined.text);
      assert.equal(declined.body.error.code, 'payment_declined');

      // No default at all (the bootstrap card removed as default).
      await setDefaultPaymentMethodId(server.stockroom.ctx.db, server.stockroom.bootstrap.teamId, null, Date.now());
      const noMethod = await patch(server, icfg, { billingPlanId: 'team' });
      assert.equal(noMethod.status, 400, noMethod.text);
      assert.equal(noMethod.body.error.code, 'payment_method_required');

      const viewer = await createMember(server, server.stockroom.bootstrap.teamId, 'VIEWER');
      const byViewer = await server.request('PATCH', `/v1/integrations/configuration/${icfg}?teamId=${server.stockroom.bootstrap.teamId}`, { body: { billingPlanId: 'hobby' }, token: viewer.token });
      assert.equal(byViewer.status, 403, byViewer.text);

      const blocked = await server.request('PATCH', '/stockroom/v1/billing', { body: { billingState: 'soft_blocked' } });
      assert.equal(blocked.status, 200, blocked.text);
      const softBlocked = await patch(server, icfg, { billingPlanId: 'hobby' });
      assert.equal(softBlocked.status, 402, softBlocked.text);
      assert.equal(softBlocked.body.error.code, 'account_soft_blocked');

      const after = await rows(server, icfg);
      assert.equal(after.plan, null);
      assert.equal(after.partnerPlan, null);
      assert.equal(after.installation.plan_change_id, null);
      assert.deepEqual(after.ledger, []);
      assert.equal((await patch(server, 'icfg_doesNotExist', { billingPlanId: 'team' })).status, 404);
    });

    test('the partner refusing (400, 409) or failing (500) the change: nothing charged, the recorded plan unchanged', async (t) => {
      const { server, provider, icfg } = await scripted(t, dialect);
      provider.on(
        'PATCH',
        `/v1/installations/${icfg}`,
        { status: 400, body: { error: { code: 'validation_error', message: 'Org needs a verified domain.' } } },
        { status: 409, body: { error: { code: 'conflict', message: 'A plan change is already scheduled.' } } },
        { status: 500, body: { error: { code: 'internal_server_error', message: 'boom' } } },
      );
      const refused = await patch(server, icfg, { billingPlanId: 'org' });
      assert.equal(refused.status, 400, refused.text);
      assert.equal(refused.body.error.code, 'provider_validation_error');
      assert.equal(refused.body.error.message, 'Org needs a verified domain.');
      const conflict = await patch(server, icfg, { billingPlanId: 'org' });
      assert.equal(conflict.status, 409, conflict.text);
      assert.equal(conflict.body.error.message, 'A plan change is already scheduled.');
      const failed = await patch(server, icfg, { billingPlanId: 'org' });
      assert.equal(failed.status, 500, failed.text);
      assert.equal(failed.body.error.code, 'provisioning_failed');
      assert.match(failed.body.error.message, /updateInstallation/);

      const calls = provider.requestsTo('PATCH', `/v1/installations/${icfg}`);
      assert.equal(calls.length, 3, 'a 500 is an answer, not retried');
      assert.equal(new Set(calls.map((c) => c.headers['idempotency-key'])).size, 3, 'each change has its own Idempotency-Key');
      assert.deepEqual(calls[0]?.body, { billingPlanId: 'org' });
      assert.equal(calls[0]?.headers['x-vercel-auth'], 'user');
      const db = server.stockroom.ctx.db;
      const row = await db.selectFrom('installations').select(['billing_plan', 'plan_change_id']).where('id', '=', icfg).executeTakeFirstOrThrow();
      assert.deepEqual(row, { billing_plan: null, plan_change_id: null });
      const ledger = await db.selectFrom('ledger_entries').select(['kind', 'amount_cents', 'store_id']).execute();
      assert.deepEqual(ledger.map((r) => r.kind).sort(), ['authorization', 'authorization', 'authorization', 'charge', 'charge', 'charge', 'refund', 'refund', 'refund']);
      const total = (kind: string) => ledger.filter((r) => r.kind === kind).reduce((sum, r) => sum + r.amount_cents, 0);
      assert.equal(total('charge'), 9000);
      assert.equal(total('refund'), total('charge'), 'every charge was given back: nothing kept for a change not made');
      assert.ok(ledger.every((r) => r.store_id === null));
    });

    test('the partner accepting with 204 or with its own billingPlan and notification: recorded as answered', async (t) => {
      const { server, provider, icfg } = await scripted(t, dialect);
      provider.on(
        'PATCH',
        `/v1/installations/${icfg}`,
        { status: 200, body: { billingPlan: { ...SCRIPTED_PLANS.plans[1], description: 'as the partner says' }, notification: { level: 'info', title: 'Welcome to Org' } } },
      );
      const res = await patch(server, icfg, { billingPlanId: 'org' });
      assert.equal(res.status, 200, res.text);
      const row = await server.stockroom.ctx.db.selectFrom('installations').select(['billing_plan', 'notification']).where('id', '=', icfg).executeTakeFirstOrThrow();
      assert.equal(JSON.parse(row.billing_plan!).description, 'as the partner says');
      assert.deepEqual(JSON.parse(row.notification!), { level: 'info', title: 'Welcome to Org' });
      const ledger = await server.stockroom.ctx.db.selectFrom('ledger_entries').select(['kind', 'amount_cents']).orderBy('kind').execute();
      assert.deepEqual(ledger, [{ kind: 'authorization', amount_cents: 500 }, { kind: 'charge', amount_cents: 3000 }]);
    });

    test('a charge declined after the card check: the partner is never asked, nothing is kept, the plan unchanged', async (t) => {
      const { server, provider, icfg } = await scripted(t, dialect);
      const db = server.stockroom.ctx.db;
      provider.on('PATCH', `/v1/installations/${icfg}`, { status: 204 });
      // Authorizations pass and charges fail, as with a card that runs out between the two.
      const processor = server.stockroom.ctx.payments as { charge: typeof server.stockroom.ctx.payments.charge };
      const charge = processor.charge.bind(processor);
      processor.charge = async (request) => (request.idempotencyKey.endsWith(':charge') ? { ok: false, declineCode: 'card_declined', message: 'Your card was declined.' } : charge(request));
      t.after(() => {
        processor.charge = charge;
      });
      const res = await patch(server, icfg, { billingPlanId: 'org' });
      assert.equal(res.status, 402, res.text);
      assert.equal(res.body.error.message, 'Your card was declined.');
      assert.equal(provider.requestsTo('PATCH', `/v1/installations/${icfg}`).length, 0);
      const row = await db.selectFrom('installations').select(['billing_plan', 'plan_change_id']).where('id', '=', icfg).executeTakeFirstOrThrow();
      assert.deepEqual(row, { billing_plan: null, plan_change_id: null });
      assert.deepEqual((await db.selectFrom('ledger_entries').select('kind').execute()).map((r) => r.kind), ['authorization']);
    });

    test('a change running is 409, however old its claim; a change a dead process left is settled by the reconciliation loop, which reads the provider back', async (t) => {
      const { server, provider, icfg } = await scripted(t, dialect);
      const { db, payments } = server.stockroom.ctx;
      provider.on('PATCH', `/v1/installations/${icfg}`, { status: 204 });
      // A change that charged and then died, six minutes ago; the provider never got it.
      const charged = await payments.charge({ methodSource: 'pm_card_visa', amountCents: 3000, idempotencyKey: 'ipc_dead:charge' });
      assert.ok(charged.ok);
      const teamId = server.stockroom.bootstrap.teamId;
      await appendLedgerEntry(db, { teamId, storeId: null, kind: 'charge', amountCents: 3000, paymentMethodId: 'pm_card_visa', billingPlanId: 'org', reference: charged.reference, operationKey: 'ipc_dead:charge', createdAt: Date.now() });
      await db.updateTable('installations').set({ plan_change_id: 'ipc_dead', plan_change_at: Date.now() - 6 * 60 * 1000 }).where('id', '=', icfg).execute();
      const busy = await patch(server, icfg, { billingPlanId: 'org' });
      assert.equal(busy.status, 409, busy.text);
      assert.match(busy.body.error.message, /in progress or being confirmed/);

      provider.on('GET', `/v1/installations/${icfg}`, { status: 200, body: {} });
      // Not yet stale under a 10-minute lease; stale under a 5-minute one.
      assert.equal((await reconcilePlanChanges(server.stockroom.ctx, { leaseMs: 10 * 60 * 1000 })).size, 0);
      // Two passes at once (two replicas): one takes the change, the other leaves it.
      const passes = await Promise.all([reconcilePlanChanges(server.stockroom.ctx, { leaseMs: 5 * 60 * 1000 }), reconcilePlanChanges(server.stockroom.ctx, { leaseMs: 5 * 60 * 1000 })]);
      assert.deepEqual(passes.flatMap((p) => [...p]), [['ipc_dead', 'refunded']]);
      assert.equal(provider.requestsTo('GET', `/v1/installations/${icfg}`).length, 1, 'read back once');
      const refund = await db.selectFrom('ledger_entries').select(['kind', 'amount_cents']).where('operation_key', '=', 'ipc_dead:refund').executeTakeFirst();
      assert.deepEqual(refund, { kind: 'refund', amount_cents: 3000 });
      assert.equal(provider.requestsTo('GET', `/v1/installations/${icfg}`)[0]?.headers['x-vercel-auth'], 'system');
      let row = await db.selectFrom('installations').select(['billing_plan', 'plan_change_id']).where('id', '=', icfg).executeTakeFirstOrThrow();
      assert.deepEqual(row, { billing_plan: null, plan_change_id: null });

      const res = await patch(server, icfg, { billingPlanId: 'org' });
      assert.equal(res.status, 200, res.text);
      row = await db.selectFrom('installations').select(['billing_plan', 'plan_change_id']).where('id', '=', icfg).executeTakeFirstOrThrow();
      assert.equal(JSON.parse(row.billing_plan!).id, 'org');
      assert.equal(row.plan_change_id, null);
      assert.equal((await db.selectFrom('ledger_entries').select('id').where('kind', '=', 'refund').execute()).length, 1, 'the dead change refunded once');
    });

    test('a timeout, then Get Installation reports the new plan: recorded, the charge kept', async (t) => {
      const { server, provider, icfg } = await scripted(t, dialect, FAST_TIMEOUT);
      provider.on('PATCH', `/v1/installations/${icfg}`, { hang: true });
      provider.on('GET', `/v1/installations/${icfg}`, { status: 200, body: { billingPlan: { ...SCRIPTED_PLANS.plans[1], description: 'read back' } } });
      const res = await patch(server, icfg, { billingPlanId: 'org' });
      assert.equal(res.status, 200, res.text);
      const after = await ledgerAndPlan(server, icfg);
      assert.equal(after.plan?.description, 'read back');
      assert.equal(after.planChangeId, null);
      assert.deepEqual(after.ledger, [['authorization', 500], ['charge', 3000]]);
    });

    test('a timeout, then Get Installation reports another plan: refunded, 500, the plan unchanged', async (t) => {
      const { server, provider, icfg } = await scripted(t, dialect, FAST_TIMEOUT);
      provider.on('PATCH', `/v1/installations/${icfg}`, { hang: true });
      provider.on('GET', `/v1/installations/${icfg}`, { status: 200, body: {} });
      const res = await patch(server, icfg, { billingPlanId: 'org' });
      assert.equal(res.status, 500, res.text);
      assert.equal(res.body.error.code, 'provisioning_failed');
      assert.match(res.body.error.message, /updateInstallation/);
      const after = await ledgerAndPlan(server, icfg);
      assert.equal(after.plan, null);
      assert.equal(after.planChangeId, null);
      assert.deepEqual(after.ledger, [['authorization', 500], ['charge', 3000], ['refund', 3000]]);
    });

    test('a 5xx, then the provider unreachable: 503, the change pending (claimed, charged); the loop settles it once the provider answers', async (t) => {
      const { server, provider, icfg } = await scripted(t, dialect, FAST_TIMEOUT);
      provider.on('PATCH', `/v1/installations/${icfg}`, { status: 502, body: { error: { code: 'bad_gateway', message: 'upstream down' } } });
      provider.on('GET', `/v1/installations/${icfg}`, { status: 503, body: { error: { code: 'unavailable', message: 'down' } } });
      const res = await patch(server, icfg, { billingPlanId: 'org' });
      assert.equal(res.status, 503, res.text);
      assert.equal(res.body.error.code, 'service_unavailable');
      assert.match(res.body.error.message, /keeps confirming it with the provider/);
      let after = await ledgerAndPlan(server, icfg);
      assert.equal(after.plan, null);
      assert.match(after.planChangeId ?? '', /^ipc_/, 'the claim is held');
      assert.deepEqual(after.ledger, [['authorization', 500], ['charge', 3000]]);
      assert.equal((await patch(server, icfg, { billingPlanId: 'org' })).status, 409, 'no second change meanwhile');
      const sent = provider.requestsTo('PATCH', `/v1/installations/${icfg}`).length;

      // Still down: nothing changes.
      await new Promise((resolve) => setTimeout(resolve, 5));
      assert.deepEqual([...(await reconcilePlanChanges(server.stockroom.ctx, { leaseMs: 0 })).values()], ['pending']);
      assert.deepEqual((await ledgerAndPlan(server, icfg)).ledger, [['authorization', 500], ['charge', 3000]]);

      // Back, with the change made: recorded, the charge kept.
      provider.on('GET', `/v1/installations/${icfg}`, { status: 200, body: { billingPlan: SCRIPTED_PLANS.plans[1] } });
      await new Promise((resolve) => setTimeout(resolve, 5));
      assert.deepEqual([...(await reconcilePlanChanges(server.stockroom.ctx, { leaseMs: 0 })).values()], ['recorded']);
      after = await ledgerAndPlan(server, icfg);
      assert.equal(after.plan?.id, 'org');
      assert.equal(after.planChangeId, null);
      assert.deepEqual(after.ledger, [['authorization', 500], ['charge', 3000]]);
      assert.equal(provider.requestsTo('PATCH', `/v1/installations/${icfg}`).length, sent, 'Update Installation is never sent again');
    });

    test('projects: stored, shown on the configuration, enforced on both connect routes; unknown ids and connected projects left out are refused', async (t) => {
      const server = await startTestServer(t, dialect);
      const icfg = await bootstrapInstallationId(server);
      const allowed = await createProject(server, 'allowed-app');
      const other = await createProject(server, 'other-app');
      const store = await createStore(server, icfg, 'db-for-projects');

      const unknown = await patch(server, icfg, { projects: [allowed.id, 'prj_nope'] });
      assert.equal(unknown.status, 400, unknown.text);
      assert.match(unknown.body.error.message, /prj_nope/);

      const limited = await patch(server, icfg, { projects: [allowed.id] });
      assert.equal(limited.status, 200, limited.text);
      assert.deepEqual(limited.body.projects, [allowed.id]);
      const row = await server.stockroom.ctx.db.selectFrom('installations').select('allowed_projects').where('id', '=', icfg).executeTakeFirstOrThrow();
      assert.deepEqual(JSON.parse(row.allowed_projects!), [allowed.id]);
      assert.deepEqual((await server.request('GET', `/v1/integrations/configuration/${icfg}`)).body.projects, [allowed.id]);

      const refused = await server.request('POST', `/v1/storage/stores/${store.id}/connections`, { body: { projectId: other.id } });
      assert.equal(refused.status, 403, refused.text);
      assert.equal(refused.body.error.code, 'forbidden');
      assert.match(refused.body.error.message, new RegExp(`may not be used by project ${other.id}`));
      const refusedToo = await server.request('POST', `/v1/integrations/installations/${icfg}/resources/${store.id}/connections`, { body: { projectId: other.id } });
      assert.equal(refusedToo.status, 403, refusedToo.text);
      const ok = await server.request('POST', `/v1/storage/stores/${store.id}/connections`, { body: { projectId: allowed.id } });
      assert.equal(ok.status, 200, ok.text);
      const connections = await server.stockroom.ctx.db.selectFrom('store_connections').select('project_id').execute();
      assert.deepEqual(connections, [{ project_id: allowed.id }]);

      // Leaving out a connected project is refused: its env vars would stay behind.
      const narrowing = await patch(server, icfg, { projects: [other.id] });
      assert.equal(narrowing.status, 409, narrowing.text);
      assert.match(narrowing.body.error.message, new RegExp(allowed.id));

      const all = await patch(server, icfg, { projects: 'all' });
      assert.equal(all.status, 200, all.text);
      assert.equal(all.body.projects, undefined);
      const afterAll = await server.stockroom.ctx.db.selectFrom('installations').select('allowed_projects').where('id', '=', icfg).executeTakeFirstOrThrow();
      assert.equal(afterAll.allowed_projects, null);
      assert.equal((await server.request('POST', `/v1/storage/stores/${store.id}/connections`, { body: { projectId: other.id } })).status, 200);
    });
  });
}
