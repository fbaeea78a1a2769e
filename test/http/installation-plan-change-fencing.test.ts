import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';
import { reconcilePlanChanges } from '../../src/jobs/plan-change-reconciliation.js';
import { dialectsToTest, type TestDialect } from '../helpers/databases.js';
import { startWithScriptedIntegration } from '../helpers/scripted-integration.js';

/** Review 2: plan changes where the lease, the read-back and uninstall meet. */

const SCRIPTED_PLANS = {
  plans: [
    { id: 'per-resource', type: 'subscription', name: 'Per resource', scope: 'resource', paymentMethodRequired: false },
    { id: 'org', type: 'subscription', name: 'Org', scope: 'installation', paymentMethodRequired: true, preauthorizationAmount: 5, initialCharge: '30.00' },
  ],
};
const FAST_TIMEOUT = { STOCKROOM_PROVIDER_TIMEOUT_MS: '300' };

async function scripted(t: TestContext, dialect: TestDialect) {
  const icfg = 'icfg_review2';
  const setup = await startWithScriptedIntegration(t, dialect, icfg, FAST_TIMEOUT);
  setup.provider.on('GET', `/v1/installations/${icfg}/plans`, { status: 200, body: SCRIPTED_PLANS });
  const res = await setup.server.request('PUT', '/stockroom/v1/payment-methods/default', { body: { paymentMethodId: 'pm_card_visa' } });
  assert.equal(res.status, 200, res.text);
  return { ...setup, icfg };
}

/** A change whose Update Installation failed (502) and whose read-back could not answer (503): pending, claimed, charged. */
async function unconfirmed(t: TestContext, dialect: TestDialect) {
  const setup = await scripted(t, dialect);
  const { server, provider, icfg } = setup;
  provider.on('PATCH', `/v1/installations/${icfg}`, { status: 502, body: { error: { code: 'bad_gateway', message: 'down' } } });
  provider.on('GET', `/v1/installations/${icfg}`, { status: 503, body: { error: { code: 'unavailable', message: 'down' } } });
  const res = await patch(server, icfg);
  assert.equal(res.status, 503, res.text);
  return { ...setup, res };
}

async function state(server: Awaited<ReturnType<typeof scripted>>['server'], icfg: string) {
  const db = server.stockroom.ctx.db;
  const row = await db.selectFrom('installations').select(['billing_plan', 'plan_change_id']).where('id', '=', icfg).executeTakeFirstOrThrow();
  const ledger = (await db.selectFrom('ledger_entries').select(['kind']).execute()).map((r) => r.kind).sort();
  return { plan: row.billing_plan === null ? null : (JSON.parse(row.billing_plan).id as string), claim: row.plan_change_id, ledger };
}

for (const dialect of dialectsToTest()) {
  describe(`plan changes fenced by their claim and settled only on an answer (${dialect})`, () => {
    test('a 403 from Get Installation says nothing about the plan: the change stays pending, the charge is not refunded', async (t) => {
      const { server, provider, icfg } = await scripted(t, dialect);
      // The provider may have made the change: Update Installation's answers are lost.
      provider.on('PATCH', `/v1/installations/${icfg}`, { hang: true });
      // Get Installation refused for a credentials problem (a rotated key, a misconfigured JWKS).
      provider.on('GET', `/v1/installations/${icfg}`, { status: 403, body: { error: { code: 'forbidden', message: 'bad token' } } });
      const res = await patch(server, icfg);
      const after = await state(server, icfg);
      assert.deepEqual(after.ledger, ['authorization', 'charge'], 'no refund on a non-answer');
      assert.equal(after.plan, null, 'nothing recorded');
      assert.match(after.claim ?? '', /^ipc_/, 'the change still holds the installation for the loop');
      assert.equal(res.status, 503, res.text);
    });

    test('a timed-out Update Installation retried into a 409 is not a definite refusal: no refund while the outcome is unknown', async (t) => {
      const { server, provider, icfg } = await scripted(t, dialect);
      // Attempt 1 reaches the provider and is still being worked on when it times out; the retry (same key) is told 409 "in progress".
      provider.on('PATCH', `/v1/installations/${icfg}`, { hang: true }, { status: 409, body: { error: { code: 'conflict', message: 'a request with this Idempotency-Key is in progress' } } });
      provider.on('GET', `/v1/installations/${icfg}`, { status: 503, body: { error: { code: 'unavailable', message: 'down' } } });
      const res = await patch(server, icfg);
      const after = await state(server, icfg);
      assert.deepEqual(after.ledger, ['authorization', 'charge'], 'the charge is kept for the read-back to decide');
      assert.equal(after.plan, null, 'nothing recorded');
      assert.match(after.claim ?? '', /^ipc_/, 'the change still holds the installation for the loop');
      assert.equal(res.status, 503, res.text);
    });

    test('an uninstall that begins while a plan change is paying stops the change: its charge is refunded and the provider is not asked', async (t) => {
      const { server, provider, icfg } = await scripted(t, dialect);
      provider.on('PATCH', `/v1/installations/${icfg}`, { status: 204 });
      const { db } = server.stockroom.ctx;
      // Another request's uninstall (beginUninstall) lands between this change's checks and its charge.
      const processor = server.stockroom.ctx.payments as { charge: typeof server.stockroom.ctx.payments.charge };
      const charge = processor.charge.bind(processor);
      processor.charge = async (request) => {
        await db.updateTable('installations').set({ status: 'uninstalling' }).where('id', '=', icfg).execute();
        return charge(request);
      };
      t.after(() => {
        processor.charge = charge;
      });
      await patch(server, icfg);
      const after = await state(server, icfg);
      const sent = provider.requestsTo('PATCH', `/v1/installations/${icfg}`).length;
      assert.equal(sent, 0, 'the provider of an installation being uninstalled is not asked');
      assert.deepEqual(after.ledger, ['authorization', 'charge', 'refund'], 'charged, then refunded');
      assert.deepEqual([after.plan, after.claim], [null, null], 'no plan recorded, the installation let go');
    });

    test('a change killed between the processor charge and its ledger row: the loop refunds the charge the processor took', async (t) => {
      const { server, provider, icfg } = await scripted(t, dialect);
      const { db, payments } = server.stockroom.ctx;
      const teamId = server.stockroom.bootstrap.teamId;
      // The dead change authorized (recorded), then charged at the processor and died before appendLedgerEntry.
      const { appendLedgerEntry } = await import('../../src/db/ledger.js');
      await appendLedgerEntry(db, { teamId, storeId: null, kind: 'authorization', amountCents: 500, paymentMethodId: 'pm_card_visa', billingPlanId: 'org', reference: 'auth_x', operationKey: 'ipc_lost:authorization', createdAt: Date.now() });
      assert.ok((await payments.charge({ methodSource: 'pm_card_visa', amountCents: 3000, idempotencyKey: 'ipc_lost:charge' })).ok);
      // Its claim, as claimPlanChange wrote it: with what it was about to charge.
      const claimedAt = Date.now() - 10 * 60 * 1000;
      await db
        .updateTable('installations')
        .set({ plan_change_id: 'ipc_lost', plan_change_at: claimedAt, plan_change_began_at: claimedAt, plan_change_plan_id: 'org', plan_change_charge_cents: 3000, plan_change_payment_method_id: 'pm_card_visa' })
        .where('id', '=', icfg)
        .execute();
      provider.on('GET', `/v1/installations/${icfg}`, { status: 200, body: {} });
      const refunds: string[] = [];
      const processor = payments as { refund: typeof payments.refund };
      const refund = processor.refund.bind(processor);
      processor.refund = async (input) => (refunds.push(input.idempotencyKey), refund(input));
      t.after(() => {
        processor.refund = refund;
      });
      assert.deepEqual([...(await reconcilePlanChanges(server.stockroom.ctx, { leaseMs: 5 * 60 * 1000 })).values()], ['refunded']);
      assert.equal((await state(server, icfg)).claim, null, 'let go');
      // The processor holds a $30 charge for a change the provider never made; nothing gives it back.
      assert.deepEqual(refunds, ['ipc_lost:refund']);
    });

    test('a request whose claim the reconciliation loop took (and refunded) does not answer 200 for a plan it never recorded', async (t) => {
      const { server, provider, icfg } = await scripted(t, dialect);
      // Attempt 1 hangs (the request outlives its lease on this replica's clock); attempt 2 succeeds.
      provider.on('PATCH', `/v1/installations/${icfg}`, { hang: true }, { status: 204 });
      // The loop's read-back happens before the provider applied the change.
      provider.on('GET', `/v1/installations/${icfg}`, { status: 200, body: {} });
      const pending = patch(server, icfg);
      while (provider.requestsTo('PATCH', `/v1/installations/${icfg}`).length === 0) await new Promise((r) => setTimeout(r, 5));
      await new Promise((r) => setTimeout(r, 5));
      // Another replica (lease passed, or its clock ahead): refunds and lets go.
      assert.deepEqual([...(await reconcilePlanChanges(server.stockroom.ctx, { leaseMs: 0 })).values()], ['refunded']);
      const res = await pending;
      const after = await state(server, icfg);
      assert.equal(provider.requestsTo('PATCH', `/v1/installations/${icfg}`).length, 2, 'the provider took the change on the retry');
      // Provider bills org, Stockroom refunded the charge and records no plan; the request must not claim success.
      assert.deepEqual({ plan: after.plan, ledger: after.ledger }, { plan: null, ledger: ['authorization', 'charge', 'refund'] });
      assert.notEqual(res.status, 200, `answered 200 with body ${res.text} although nothing was recorded and the charge was refunded`);
    });

    test('a 404 from Get Installation is an answer (the installation is gone there): refunded; an unconfirmed change answers 503 with Retry-After', async (t) => {
      const { server, provider, icfg, res } = await unconfirmed(t, dialect);
      assert.equal(res.headers.get('retry-after'), '1');
      provider.on('GET', `/v1/installations/${icfg}`, { status: 404, body: { error: { code: 'not_found', message: 'gone' } } });
      await new Promise((r) => setTimeout(r, 5));
      assert.deepEqual([...(await reconcilePlanChanges(server.stockroom.ctx, { leaseMs: 0 })).values()], ['refunded']);
      assert.deepEqual(await state(server, icfg), { plan: null, claim: null, ledger: ['authorization', 'charge', 'refund'] });
    });

    test('a change the provider cannot confirm before the deadline is refunded and let go', async (t) => {
      const { server, provider, icfg } = await unconfirmed(t, dialect);
      await new Promise((r) => setTimeout(r, 5));
      assert.deepEqual([...(await reconcilePlanChanges(server.stockroom.ctx, { leaseMs: 0, deadlineMs: 60_000 })).values()], ['pending'], 'before the deadline: kept');
      await new Promise((r) => setTimeout(r, 5));
      assert.deepEqual([...(await reconcilePlanChanges(server.stockroom.ctx, { leaseMs: 0, deadlineMs: 0 })).values()], ['refunded']);
      assert.deepEqual(await state(server, icfg), { plan: null, claim: null, ledger: ['authorization', 'charge', 'refund'] });
    });

    test('a change whose settling fails does not abort the pass: logged, its claim kept for the next one', async (t) => {
      const { server, provider, icfg } = await unconfirmed(t, dialect);
      provider.on('GET', `/v1/installations/${icfg}`, { status: 200, body: {} });
      const { payments } = server.stockroom.ctx;
      const processor = payments as { refund: typeof payments.refund };
      const refund = processor.refund.bind(processor);
      processor.refund = async () => {
        throw new Error('processor unavailable');
      };
      t.after(() => {
        processor.refund = refund;
      });
      await new Promise((r) => setTimeout(r, 5));
      assert.equal((await reconcilePlanChanges(server.stockroom.ctx, { leaseMs: 0 })).size, 0);
      assert.match((await state(server, icfg)).claim ?? '', /^ipc_/);
    });

    test('an uninstall while a plan change holds the installation is refused (409), and the change goes on', async (t) => {
      const { server, provider, icfg } = await unconfirmed(t, dialect);
      const refused = await server.request('DELETE', `/v1/integrations/configuration/${icfg}`);
      assert.equal(refused.status, 409, refused.text);
      assert.equal(refused.body.error.code, 'conflict');
      assert.match(refused.body.error.message, /plan change in progress/);
      const row = await server.stockroom.ctx.db.selectFrom('installations').select(['status', 'deleted_at']).where('id', '=', icfg).executeTakeFirstOrThrow();
      assert.deepEqual(row, { status: 'ready', deleted_at: null });
      assert.equal(provider.requestsTo('DELETE', `/v1/installations/${icfg}`).length, 0);
    });
  });
}

function patch(server: Awaited<ReturnType<typeof scripted>>['server'], icfg: string) {
  return server.request('PATCH', `/v1/integrations/configuration/${icfg}`, { body: { billingPlanId: 'org' } });
}
