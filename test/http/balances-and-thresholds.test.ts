import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createMember, createTeam } from '../helpers/accounts.js';
import { dialectsToTest } from '../helpers/databases.js';
import { partnerAccessToken } from '../helpers/reference-partner-db.js';
import { useSharedServer } from '../helpers/shared-server.js';
import type { TestServer } from '../helpers/stockroom.js';
import { finishInterruptedPurchases, TOP_UP_HOLD_MS } from '../../src/use-cases/threshold-top-ups.js';

/**
 * Balances and spend thresholds (docs/balances-and-thresholds.md): the balance answer the CLI's
 * `integration balance` reads, the thresholds `integration resource create-threshold` sets, and a
 * threshold acting when the partner reports a balance below its minimum.
 */

async function install(server: TestServer) {
  const team = await createTeam(server);
  const installed = await server.request('POST', `/stockroom/v1/installations?teamId=${team.id}`, { body: { integrationIdOrSlug: 'acme' } });
  assert.equal(installed.status, 200, installed.text);
  return { team, teamId: team.id, icfg: installed.body.id as string };
}

async function createStore(server: TestServer, teamId: string, icfg: string, name: string, plan: 'prepaid' | 'free' = 'prepaid') {
  const body = plan === 'prepaid' ? { billingPlanId: 'prepaid', paymentMethodId: 'pm_card_visa', prepaymentAmountCents: 2500 } : {};
  const res = await server.request('POST', `/v1/storage/stores/integration/direct?teamId=${teamId}`, {
    body: { name, integrationConfigurationId: icfg, integrationProductIdOrSlug: 'acme-db', metadata: { region: 'iad1' }, ...body },
  });
  assert.equal(res.status, 200, res.text);
  return res.body.store as { id: string; externalResourceId: string };
}

const threshold = (icfg: string, storeId: string, teamId: string) => `/v1/integrations/installations/${icfg}/resources/${storeId}/billing/threshold?teamId=${teamId}`;
const balance = (icfg: string, teamId: string) => `/v1/integrations/installations/${icfg}/billing/balance?teamId=${teamId}`;
const amounts = (minimum: number, purchase: number, limit: number, billingPlanId = 'prepaid') => ({
  billingPlanId,
  minimumAmountInCents: minimum,
  purchaseAmountInCents: purchase,
  maximumAmountPerPeriodInCents: limit,
  metadata: '{}',
});

/** The partner reports balances over HTTP with its own access token, as Submit Prepayment Balances. */
async function report(server: TestServer, icfg: string, resourceId: string, cents: number) {
  const res = await server.request('POST', `/v1/installations/${icfg}/billing/balance`, {
    token: await partnerAccessToken(server, icfg),
    body: { timestamp: new Date(server.clock.now()).toISOString(), balances: [{ resourceId, currencyValueInCents: cents, credit: `${cents / 100} USD`, nameLabel: 'Prepaid credits' }] },
  });
  assert.equal(res.status, 201, res.text);
}

async function setDefaultMethod(server: TestServer, teamId: string, paymentMethodId: string) {
  const res = await server.request('PUT', `/stockroom/v1/payment-methods/default?teamId=${teamId}`, { body: { paymentMethodId } });
  assert.equal(res.status, 200, res.text);
}

function assertError(res: { status: number; body: any; text: string }, status: number, code: string, param?: string) {
  assert.equal(res.status, status, res.text);
  assert.equal(res.body.error.code, code, res.text);
  assert.equal(typeof res.body.error.message, 'string');
  if (param !== undefined) assert.equal(res.body.error.param, param, res.text);
}

for (const dialect of dialectsToTest()) {
  describe(`balances and spend thresholds (${dialect})`, () => {
    const server = useSharedServer(dialect);
    const db = () => server().stockroom.ctx.db as any;

    test("balance: the partner's figure when it gave one, else the ledger's credit; another team's installation is 404", async () => {
      const s = server();
      const { teamId, icfg } = await install(s);
      const store = await createStore(s, teamId, icfg, 'bal-credits');
      await createStore(s, teamId, icfg, 'bal-free', 'free');
      const reported = await s.request('GET', balance(icfg, teamId));
      assert.equal(reported.status, 200, reported.text);
      assert.deepEqual(reported.body.thresholds, []);
      assert.equal(reported.body.balances.length, 1, 'the free store has no balance');
      const { reportedAt, ...rest } = reported.body.balances[0];
      assert.deepEqual(rest, { resourceId: store.externalResourceId, currencyValueInCents: 2500, credit: '25.00 USD', nameLabel: 'Prepaid credits', source: 'partner' });
      assert.equal(typeof reportedAt, 'number');

      // Without the partner's figure, the ledger's credit row stands in.
      await db().deleteFrom('prepayment_balances').where('installation_id', '=', icfg).execute();
      const fromLedger = await s.request('GET', balance(icfg, teamId));
      assert.deepEqual(fromLedger.body.balances, [{ resourceId: store.externalResourceId, currencyValueInCents: 2500, source: 'ledger' }]);

      const other = await createTeam(s);
      assertError(await s.request('GET', balance(icfg, other.id)), 404, 'not_found');
      assertError(await s.request('GET', balance('icfg_unknown', teamId)), 404, 'not_found');
    });

    test('create-threshold: stored per store, replaced on a second call, shown in the balance answer', async () => {
      const s = server();
      const { teamId, icfg } = await install(s);
      const store = await createStore(s, teamId, icfg, 'thr-store');
      const res = await s.request('POST', threshold(icfg, store.id, teamId), { body: { ...amounts(500, 1000, 5000), metadata: '{"note":"cli"}' } });
      assert.equal(res.status, 200, res.text);
      assert.match(res.body.id, /^thr_/);
      assert.equal(res.body.resourceId, store.externalResourceId);
      assert.equal(res.body.minimumAmountInCents, 500);
      assert.equal(res.body.purchaseAmountInCents, 1000);
      assert.equal(res.body.maximumAmountPerPeriodInCents, 5000);
      assert.equal(res.body.metadata, '{"note":"cli"}');

      const again = await s.request('POST', threshold(icfg, store.externalResourceId, teamId), { body: amounts(700, 1500, 3000) });
      assert.equal(again.status, 200, again.text);
      assert.equal(again.body.id, res.body.id, 'one threshold per store: replaced');
      const rows = await db().selectFrom('spend_thresholds').selectAll().where('installation_id', '=', icfg).execute();
      assert.deepEqual(
        rows.map((r: any) => [r.resource_key, r.store_id, r.team_id, r.billing_plan_id, Number(r.minimum_cents), Number(r.purchase_cents), Number(r.maximum_per_period_cents), r.metadata]),
        [[store.externalResourceId, store.id, teamId, 'prepaid', 700, 1500, 3000, '{}']],
      );

      const shown = await s.request('GET', balance(icfg, teamId));
      assert.deepEqual(
        shown.body.thresholds.map((t: any) => [t.resourceId, t.minimumAmountInCents, t.purchaseAmountInCents, t.maximumAmountPerPeriodInCents, t.metadata]),
        [[store.externalResourceId, 700, 1500, 3000, '{}']],
      );
    });

    test('create-threshold refuses bad values, other plans, unknown or foreign stores and roles that may not spend', async () => {
      const s = server();
      const { team, teamId, icfg } = await install(s);
      const store = await createStore(s, teamId, icfg, 'thr-refused');
      const free = await createStore(s, teamId, icfg, 'thr-free', 'free');
      const post = (body: unknown, storeId = store.id, token?: string) => s.request('POST', threshold(icfg, storeId, teamId), { body, ...(token ? { token } : {}) });

      assertError(await post({ ...amounts(500, 1000, 5000), minimumAmountInCents: -1 }), 400, 'bad_request');
      assertError(await post({ ...amounts(500, 1000, 5000), purchaseAmountInCents: 10.5 }), 400, 'bad_request');
      assertError(await post(amounts(2000, 1000, 5000)), 400, 'bad_request', 'minimumAmountInCents');
      assertError(await post(amounts(500, 1000, 800)), 400, 'bad_request', 'maximumAmountPerPeriodInCents');
      assertError(await post(amounts(100, 200, 5000)), 400, 'bad_request', 'purchaseAmountInCents'); // the plan's minimum purchase is $5.00
      assertError(await post(amounts(500, 60000, 90000)), 400, 'bad_request', 'purchaseAmountInCents'); // …and its maximum $500.00
      assertError(await post(amounts(500, 1000, 200000)), 400, 'bad_request', 'maximumAmountPerPeriodInCents'); // maximumAmountAutoPurchasePerPeriod $1000.00
      assertError(await post({ ...amounts(500, 1000, 5000), metadata: 'not json' }), 400, 'bad_request', 'metadata');
      assertError(await post(amounts(500, 1000, 5000, 'pro')), 400, 'invalid_billing_plan', 'billingPlanId');
      assertError(await post(amounts(500, 1000, 5000, 'free'), free.id), 400, 'bad_request', 'resourceId');
      assertError(await post(amounts(500, 1000, 5000), 'store_unknown'), 404, 'not_found');

      // Another team's store reads as absent, through that team's installation or this one.
      const other = await install(s);
      const foreign = await createStore(s, other.teamId, other.icfg, 'thr-foreign');
      assertError(await post(amounts(500, 1000, 5000), foreign.id), 404, 'not_found');

      // MEMBER may create stores but not set standing purchases; BILLING may.
      const member = await createMember(s, team.id, 'MEMBER');
      assertError(await post(amounts(500, 1000, 5000), store.id, member.token), 403, 'forbidden');
      const billing = await createMember(s, team.id, 'BILLING');
      assert.equal((await post(amounts(500, 1000, 5000), store.id, billing.token)).status, 200);

      // A token scoped to another team cannot act here.
      const minted = await s.request('POST', `/v3/user/tokens?teamId=${other.teamId}`, { body: { name: 'scoped' } });
      assert.equal(minted.status, 200, minted.text);
      assertError(await post(amounts(500, 1000, 5000), store.id, minted.body.bearerToken), 403, 'forbidden');

      const rows = await db().selectFrom('spend_thresholds').select('store_id').where('installation_id', '=', icfg).execute();
      assert.deepEqual(rows.map((r: any) => r.store_id), [store.id], 'only the BILLING call stored one');
    });

    test('installation-level thresholds: the batch call for an installation-scoped prepaid plan; refused for resource-scoped ones', async () => {
      const s = server();
      const { teamId, icfg } = await install(s);
      const store = await createStore(s, teamId, icfg, 'thr-installation');
      const batch = (body: unknown) => s.request('POST', `/v1/integrations/installations/${icfg}/billing/threshold/batch?teamId=${teamId}`, { body });
      assertError(await batch([amounts(500, 1000, 5000)]), 400, 'invalid_billing_plan', '[0].billingPlanId');
      assertError(await batch([]), 400, 'bad_request');

      // The same plan, installation-scoped (as a partner's installation-level prepaid plan would be).
      const row = await db().selectFrom('stores').select('billing_plan').where('id', '=', store.id).executeTakeFirstOrThrow();
      await db().updateTable('stores').set({ billing_plan: JSON.stringify({ ...JSON.parse(row.billing_plan), scope: 'installation' }) }).where('id', '=', store.id).execute();
      const res = await batch([amounts(500, 1000, 5000)]);
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.thresholds.length, 1);
      assert.equal(res.body.thresholds[0].resourceId, undefined);
      assertError(await s.request('POST', threshold(icfg, store.id, teamId), { body: amounts(500, 1000, 5000) }), 400, 'bad_request', 'resourceId');
      const rows = await db().selectFrom('spend_thresholds').select(['resource_key', 'store_id']).where('installation_id', '=', icfg).execute();
      assert.deepEqual(rows.map((r: any) => [r.resource_key, r.store_id]), [['', null]]);
      const shown = await s.request('GET', balance(icfg, teamId));
      assert.deepEqual(shown.body.thresholds.map((t: any) => [t.resourceId, t.purchaseAmountInCents]), [[undefined, 1000]]);
    });

    test('a reported balance below the minimum buys the spend, as a paid invoice the partner credits, until the month\'s limit', async () => {
      const s = server();
      const { teamId, icfg } = await install(s);
      await setDefaultMethod(s, teamId, 'pm_card_visa');
      const store = await createStore(s, teamId, icfg, 'thr-acts');
      assert.equal((await s.request('POST', threshold(icfg, store.id, teamId), { body: amounts(1000, 1000, 2500) })).status, 200);

      // Above the minimum: nothing happens.
      await report(s, icfg, store.externalResourceId, 1500);
      assert.deepEqual(await db().selectFrom('threshold_purchases').selectAll().where('installation_id', '=', icfg).execute(), []);

      await report(s, icfg, store.externalResourceId, 300);
      const purchases = await db().selectFrom('threshold_purchases').selectAll().where('installation_id', '=', icfg).execute();
      assert.deepEqual(purchases.map((p: any) => [p.state, Number(p.amount_cents), p.store_id, p.payment_method_id]), [['delivered', 1000, store.id, 'pm_card_visa']]);
      const invoice = await db().selectFrom('invoices').selectAll().where('id', '=', purchases[0].invoice_id).executeTakeFirstOrThrow();
      assert.deepEqual([invoice.kind, invoice.state, Number(invoice.total_cents), invoice.source_key], ['prepayment', 'paid', 1000, purchases[0].id]);
      assert.equal(JSON.parse(invoice.items)[0].resourceId, store.externalResourceId);
      const ledger = await db().selectFrom('ledger_entries').select(['kind', 'amount_cents', 'operation_key']).where('invoice_id', '=', invoice.id).orderBy('kind').execute();
      assert.deepEqual(ledger.map((e: any) => [e.kind, Number(e.amount_cents), e.operation_key]), [['charge', 1000, `${purchases[0].id}:charge`], ['credit', 1000, `${purchases[0].id}:credit`]]);
      // The partner credited it once and answered the new balance, which is now the one kept.
      const credited = await db().selectFrom('ref_partner_credit_purchases').select(['invoice_id', 'amount_cents']).where('installation_id', '=', icfg).orderBy('created_at').execute();
      assert.deepEqual(credited.map((c: any) => [c.invoice_id, Number(c.amount_cents)]).slice(1), [[invoice.id, 1000]]);
      const shown = await s.request('GET', balance(icfg, teamId));
      assert.equal(shown.body.balances[0].currencyValueInCents, 3500);
      const events = await db().selectFrom('webhook_events').select('type').where('installation_id', '=', icfg).orderBy('sequence').execute();
      assert.deepEqual(events.map((e: any) => e.type).slice(2), ['marketplace.invoice.created', 'marketplace.invoice.paid'], "the partner hears of the top-up's invoice");

      // Again below: a second purchase (2 × $10 ≤ $25); a third would pass the limit and is not made.
      s.clock.advance(1000);
      await report(s, icfg, store.externalResourceId, 200);
      s.clock.advance(1000);
      await report(s, icfg, store.externalResourceId, 100);
      const after = await db().selectFrom('threshold_purchases').select('state').where('installation_id', '=', icfg).execute();
      assert.deepEqual(after.map((p: any) => p.state), ['delivered', 'delivered']);
      const notified = await db().selectFrom('stores').select('notification').where('id', '=', store.id).executeTakeFirstOrThrow();
      const notification = JSON.parse(notified.notification);
      assert.equal(notification.level, 'warn');
      assert.match(notification.message, /\$1\.00, below the threshold's minimum of \$10\.00.*limit of \$25\.00 \(\$20\.00 bought so far\)/);
      assert.equal((await db().selectFrom('spend_thresholds').select('purchasing_until').where('installation_id', '=', icfg).executeTakeFirstOrThrow()).purchasing_until, null);
    });

    test('a purchase its holder left unfinished (a crash) is finished by the next low report, charged once', async () => {
      const s = server();
      const { teamId, icfg } = await install(s);
      await setDefaultMethod(s, teamId, 'pm_card_visa');
      const store = await createStore(s, teamId, icfg, 'thr-resumed');
      const set = await s.request('POST', threshold(icfg, store.id, teamId), { body: amounts(1000, 1000, 5000) });
      assert.equal(set.status, 200, set.text);
      // What a holder that died after starting the purchase leaves: the row, `charging`, its hold long past.
      const then = s.clock.now() - (s.stockroom.ctx.topUpHoldMs ?? TOP_UP_HOLD_MS) - 1;
      await db()
        .insertInto('threshold_purchases')
        .values({ id: 'tpur_interrupted', threshold_id: set.body.id, installation_id: icfg, team_id: teamId, resource_key: store.externalResourceId, store_id: store.id, amount_cents: 1000, state: 'charging', invoice_id: null, payment_method_id: 'pm_card_visa', reason: null, created_at: then, updated_at: then })
        .execute();

      await report(s, icfg, store.externalResourceId, 100);
      const purchases = await db().selectFrom('threshold_purchases').selectAll().where('installation_id', '=', icfg).execute();
      assert.deepEqual(purchases.map((p: any) => [p.id, p.state]), [['tpur_interrupted', 'delivered']], 'finished, and no second purchase for the same low balance');
      const ledger = await db().selectFrom('ledger_entries').select(['kind', 'operation_key']).where('invoice_id', '=', purchases[0].invoice_id).orderBy('kind').execute();
      assert.deepEqual(ledger.map((e: any) => [e.kind, e.operation_key]), [['charge', 'tpur_interrupted:charge'], ['credit', 'tpur_interrupted:credit']]);
      const shown = await s.request('GET', balance(icfg, teamId));
      assert.equal(shown.body.balances[0].currencyValueInCents, 3500);
    });

    /**
     * A prepaid store with a threshold, and what a holder that died after starting its purchase
     * leaves: the purchase row `id`, `charging`, written now, with no invoice or ledger row.
     */
    async function interruptedPurchase(s: TestServer, name: string, id: string) {
      const { teamId, icfg } = await install(s);
      await setDefaultMethod(s, teamId, 'pm_card_visa');
      const store = await createStore(s, teamId, icfg, name);
      const set = await s.request('POST', threshold(icfg, store.id, teamId), { body: amounts(1000, 1000, 5000) });
      assert.equal(set.status, 200, set.text);
      const at = s.clock.now();
      await db()
        .insertInto('threshold_purchases')
        .values({ id, threshold_id: set.body.id, installation_id: icfg, team_id: teamId, resource_key: store.externalResourceId, store_id: store.id, amount_cents: 1000, state: 'charging', invoice_id: null, payment_method_id: 'pm_card_visa', reason: null, created_at: at, updated_at: at })
        .execute();
      return { teamId, icfg, store, thresholdId: set.body.id as string };
    }

    test('recovery finishes an interrupted purchase with no report: once, though two replicas pass at once; a held one waits', async () => {
      const s = server();
      const ctx = s.stockroom.ctx;
      const hold = ctx.topUpHoldMs ?? TOP_UP_HOLD_MS;
      const { teamId, icfg, thresholdId } = await interruptedPurchase(s, 'thr-recovered', 'tpur_recoveryPass');

      // Within its hold the holder may still be working: left alone.
      assert.equal((await finishInterruptedPurchases(ctx)).has('tpur_recoveryPass'), false);
      // Past it, but the threshold is held (a report buying right now): left alone too.
      s.clock.advance(hold + 1);
      await db().updateTable('spend_thresholds').set({ purchasing_until: s.clock.now() + 1000 }).where('id', '=', thresholdId).execute();
      assert.equal((await finishInterruptedPurchases(ctx)).has('tpur_recoveryPass'), false);
      s.clock.advance(1001);

      const [first, second] = await Promise.all([finishInterruptedPurchases(ctx), finishInterruptedPurchases(ctx)]);
      const outcomes = [first.get('tpur_recoveryPass'), second.get('tpur_recoveryPass')].filter((o) => o !== undefined);
      assert.deepEqual(outcomes, ['delivered'], 'one of the two passes took it');
      const purchase = await db().selectFrom('threshold_purchases').selectAll().where('id', '=', 'tpur_recoveryPass').executeTakeFirstOrThrow();
      assert.equal(purchase.state, 'delivered');
      const ledger = await db().selectFrom('ledger_entries').select(['kind', 'operation_key']).where('operation_key', 'like', 'tpur_recoveryPass:%').orderBy('kind').execute();
      assert.deepEqual(ledger.map((e: any) => [e.kind, e.operation_key]), [['charge', 'tpur_recoveryPass:charge'], ['credit', 'tpur_recoveryPass:credit']]);
      const credited = await db().selectFrom('ref_partner_credit_purchases').select('amount_cents').where('invoice_id', '=', purchase.invoice_id).execute();
      assert.deepEqual(credited.map((c: any) => Number(c.amount_cents)), [1000], 'Provision Purchase once');
      assert.equal((await s.request('GET', balance(icfg, teamId))).body.balances[0].currencyValueInCents, 3500);
      assert.equal((await finishInterruptedPurchases(ctx)).has('tpur_recoveryPass'), false, 'nothing left to do');
    });

    test('recovery refunds an interrupted purchase whose store is gone, even a charge that was never recorded', async () => {
      const s = server();
      const ctx = s.stockroom.ctx;
      // Its holder died right after the processor took the charge: no invoice, no ledger row.
      const { teamId, store } = await interruptedPurchase(s, 'thr-store-gone', 'tpur_storeGone');
      assert.equal((await s.request('DELETE', `/v1/storage/stores/integration/${store.id}?teamId=${teamId}`)).status, 200);
      s.clock.advance((ctx.topUpHoldMs ?? TOP_UP_HOLD_MS) + 1);

      assert.equal((await finishInterruptedPurchases(ctx)).get('tpur_storeGone'), 'refunded');
      const ledger = await db().selectFrom('ledger_entries').select(['kind', 'amount_cents', 'reference']).where('operation_key', 'like', 'tpur_storeGone:%').orderBy('kind').execute();
      assert.deepEqual(ledger.map((e: any) => [e.kind, Number(e.amount_cents)]), [['charge', 1000], ['refund', 1000]], 'the charge the processor may have taken is asked again with its key, recorded and refunded');
      assert.equal((await db().selectFrom('invoices').select('id').where('source_key', '=', 'tpur_storeGone').execute()).length, 0);
      assert.equal((await db().selectFrom('threshold_purchases').select('state').where('id', '=', 'tpur_storeGone').executeTakeFirstOrThrow()).state, 'refunded');
    });

    test('recovery of a purchase whose payment method was removed ends it and tells the team on the store (the threshold is stopped)', async () => {
      const s = server();
      const ctx = s.stockroom.ctx;
      const { teamId, store } = await interruptedPurchase(s, 'thr-method-gone', 'tpur_methodGone');
      const own = await s.request('POST', `/stockroom/v1/payment-methods?teamId=${teamId}`, { body: { source: 'pm_card_visa' } });
      assert.equal(own.status, 200, own.text);
      await db().updateTable('threshold_purchases').set({ payment_method_id: own.body.id }).where('id', '=', 'tpur_methodGone').execute();
      assert.equal((await s.request('DELETE', `/stockroom/v1/payment-methods/${own.body.id}?teamId=${teamId}`)).status, 200);
      s.clock.advance((ctx.topUpHoldMs ?? TOP_UP_HOLD_MS) + 1);

      assert.equal((await finishInterruptedPurchases(ctx)).get('tpur_methodGone'), 'declined');
      const row = await db().selectFrom('stores').select('notification').where('id', '=', store.id).executeTakeFirstOrThrow();
      const notification = JSON.parse(row.notification);
      assert.equal(notification.level, 'error');
      assert.match(notification.message, /payment method it used was removed.*No automatic purchase will be made again/s);
    });

    test('recovery never has a purchase credited whose refund was recorded before the crash', async () => {
      const s = server();
      const ctx = s.stockroom.ctx;
      const { teamId, icfg, store } = await interruptedPurchase(s, 'thr-refunded-crash', 'tpur_refundedCrash');
      // The purchase was refused and refunded, and the process died before the purchase row said so.
      const { name } = await db().selectFrom('ref_partner_resources').select('name').where('id', '=', store.externalResourceId).executeTakeFirstOrThrow();
      await db().updateTable('ref_partner_resources').set({ name: 'fail-purchase' }).where('id', '=', store.externalResourceId).execute();
      s.clock.advance((ctx.topUpHoldMs ?? TOP_UP_HOLD_MS) + 1);
      assert.equal((await finishInterruptedPurchases(ctx)).get('tpur_refundedCrash'), 'refunded');
      await db().updateTable('threshold_purchases').set({ state: 'charging', updated_at: 0 }).where('id', '=', 'tpur_refundedCrash').execute();
      // Now the partner would take it: it must not be asked.
      await db().updateTable('ref_partner_resources').set({ name }).where('id', '=', store.externalResourceId).execute();

      assert.equal((await finishInterruptedPurchases(ctx)).get('tpur_refundedCrash'), 'refunded');
      const purchase = await db().selectFrom('threshold_purchases').selectAll().where('id', '=', 'tpur_refundedCrash').executeTakeFirstOrThrow();
      assert.equal((await db().selectFrom('invoices').select('state').where('id', '=', purchase.invoice_id).executeTakeFirstOrThrow()).state, 'refunded');
      const notification = JSON.parse((await db().selectFrom('stores').select('notification').where('id', '=', store.id).executeTakeFirstOrThrow()).notification);
      assert.match(notification.message, /had already been refunded; the provider was not asked again/);
      const ledger = await db().selectFrom('ledger_entries').select('kind').where('operation_key', 'like', 'tpur_refundedCrash:%').orderBy('kind').execute();
      assert.deepEqual(ledger.map((e: any) => e.kind), ['charge', 'refund']);
      assert.deepEqual(await db().selectFrom('ref_partner_credit_purchases').select('invoice_id').where('invoice_id', '=', purchase.invoice_id).execute(), []);
      assert.equal((await s.request('GET', balance(icfg, teamId))).body.balances[0].currencyValueInCents, 2500, 'only the create\'s credit');
    });

    test('a declined card charges nothing; a purchase the partner refuses is refunded; both are noted on the store', async () => {
      const s = server();
      const { teamId, icfg } = await install(s);
      const store = await createStore(s, teamId, icfg, 'thr-declined');
      assert.equal((await s.request('POST', threshold(icfg, store.id, teamId), { body: amounts(1000, 1000, 5000) })).status, 200);
      await setDefaultMethod(s, teamId, 'pm_card_chargeDeclined');
      const invoicesBefore = (await db().selectFrom('invoices').select('id').where('installation_id', '=', icfg).execute()).length;
      await report(s, icfg, store.externalResourceId, 100);
      const declined = await db().selectFrom('threshold_purchases').selectAll().where('installation_id', '=', icfg).execute();
      assert.deepEqual(declined.map((p: any) => [p.state, p.invoice_id, p.reason]), [['declined', null, 'Your card was declined.']]);
      assert.equal((await db().selectFrom('invoices').select('id').where('installation_id', '=', icfg).execute()).length, invoicesBefore);
      let notification = JSON.parse((await db().selectFrom('stores').select('notification').where('id', '=', store.id).executeTakeFirstOrThrow()).notification);
      assert.equal(notification.level, 'error');
      assert.match(notification.message, /declined/);

      // The partner refuses the purchase (its fail-purchase hook, by the resource's name there); the
      // declined purchase stopped the threshold, so it is set again with the new card.
      await setDefaultMethod(s, teamId, 'pm_card_visa');
      await db().updateTable('ref_partner_resources').set({ name: 'fail-purchase' }).where('id', '=', store.externalResourceId).execute();
      s.clock.advance(1000);
      assert.equal((await s.request('POST', threshold(icfg, store.id, teamId), { body: amounts(1000, 1000, 5000) })).status, 200);
      await report(s, icfg, store.externalResourceId, 100);
      const refused = await db().selectFrom('threshold_purchases').selectAll().where('installation_id', '=', icfg).where('state', '=', 'refunded').executeTakeFirstOrThrow();
      const invoice = await db().selectFrom('invoices').selectAll().where('id', '=', refused.invoice_id).executeTakeFirstOrThrow();
      assert.equal(invoice.state, 'refunded');
      assert.equal(Number(invoice.refund_cents), 1000);
      const ledger = await db().selectFrom('ledger_entries').select(['kind', 'amount_cents']).where('invoice_id', '=', invoice.id).orderBy('kind').execute();
      assert.deepEqual(ledger.map((e: any) => [e.kind, Number(e.amount_cents)]), [['charge', 1000], ['refund', 1000]], 'no credit row: nothing was delivered');
      notification = JSON.parse((await db().selectFrom('stores').select('notification').where('id', '=', store.id).executeTakeFirstOrThrow()).notification);
      assert.match(notification.message, /did not take the purchase of \$10\.00, which was refunded/);
      const shown = await s.request('GET', balance(icfg, teamId));
      assert.equal(shown.body.balances[0].currencyValueInCents, 100, "the partner's last figure stands");
    });
  });
}
