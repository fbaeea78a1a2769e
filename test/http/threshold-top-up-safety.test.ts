import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createTeam } from '../helpers/accounts.js';
import { dialectsToTest } from '../helpers/databases.js';
import { partnerAccessToken } from '../helpers/reference-partner-db.js';
import { useSharedServer } from '../helpers/shared-server.js';
import type { TestServer } from '../helpers/stockroom.js';
import { claimThreshold, listThresholdsOfInstallation, releaseThreshold } from '../../src/db/spend-thresholds.js';
import { actOnBalances, finishInterruptedPurchases, TOP_UP_HOLD_MS } from '../../src/use-cases/threshold-top-ups.js';
import type { AppContext } from '../../src/app-context.js';

/**
 * What keeps an automatic credit purchase from charging when it should not
 * (docs/balances-and-thresholds.md): two reports at once, a failed purchase, a slow holder, an
 * installation being uninstalled, a deleted store. Each test failed before its fix.
 */

async function install(server: TestServer) {
  const team = await createTeam(server);
  const installed = await server.request('POST', `/stockroom/v1/installations?teamId=${team.id}`, { body: { integrationIdOrSlug: 'acme' } });
  assert.equal(installed.status, 200, installed.text);
  return { teamId: team.id, icfg: installed.body.id as string };
}

async function prepaidStore(server: TestServer, teamId: string, icfg: string, name: string) {
  const res = await server.request('POST', `/v1/storage/stores/integration/direct?teamId=${teamId}`, {
    body: { name, integrationConfigurationId: icfg, integrationProductIdOrSlug: 'acme-db', metadata: { region: 'iad1' }, billingPlanId: 'prepaid', paymentMethodId: 'pm_card_visa', prepaymentAmountCents: 2500 },
  });
  assert.equal(res.status, 200, res.text);
  return res.body.store as { id: string; externalResourceId: string };
}


/** The app's partners, with `before` run ahead of every Provision Purchase (a partner taking its time, or something happening meanwhile). */
function partnersBeforePurchase(ctx: AppContext, before: (invoiceId: string) => Promise<void>): AppContext['partners'] {
  return {
    ...ctx.partners,
    forProvider(target) {
      const client = ctx.partners.forProvider(target);
      return {
        ...client,
        async provisionPurchase(installationId, body, caller, options) {
          await before(body.invoiceId);
          return client.provisionPurchase(installationId, body, caller, options);
        },
      };
    },
  };
}

for (const dialect of dialectsToTest()) {
  describe(`threshold top-up safety (${dialect})`, () => {
    const server = useSharedServer(dialect);
    const db = () => server().stockroom.ctx.db as any;

    test('two balance reports at once buy once per low balance (docs/balances-and-thresholds.md "Two reports at once buy once")', async () => {
      const s = server();
      const ctx = s.stockroom.ctx;
      const { teamId, icfg } = await install(s);
      assert.equal((await s.request('PUT', `/stockroom/v1/payment-methods/default?teamId=${teamId}`, { body: { paymentMethodId: 'pm_card_visa' } })).status, 200);
      // Thresholds act in resource-id order: A is whichever comes first.
      const [a, b] = [await prepaidStore(s, teamId, icfg, 'race-1'), await prepaidStore(s, teamId, icfg, 'race-2')].sort((x, y) => (x.externalResourceId < y.externalResourceId ? -1 : 1)) as [
        { id: string; externalResourceId: string },
        { id: string; externalResourceId: string },
      ];
      for (const store of [a, b]) {
        const set = await s.request('POST', `/v1/integrations/installations/${icfg}/resources/${store.id}/billing/threshold?teamId=${teamId}`, {
          body: { billingPlanId: 'prepaid', minimumAmountInCents: 1000, purchaseAmountInCents: 1000, maximumAmountPerPeriodInCents: 10000, metadata: '{}' },
        });
        assert.equal(set.status, 200, set.text);
      }
      // The partner reports both low (stored; thresholds are acted on below, as two reports would).
      const token = await partnerAccessToken(s, icfg);
      const low = await s.request('POST', `/v1/installations/${icfg}/billing/balance`, {
        token,
        body: { timestamp: new Date(s.clock.now()).toISOString(), balances: [{ resourceId: a.externalResourceId, currencyValueInCents: 1500 }, { resourceId: b.externalResourceId, currencyValueInCents: 1500 }] },
      });
      assert.equal(low.status, 201, low.text);
      await db().updateTable('prepayment_balances').set({ currency_value_in_cents: 100 }).where('installation_id', '=', icfg).execute();

      // Report 1's Provision Purchase for A is slow (a partner taking its time); report 2 arrives meanwhile.
      let releaseA!: () => void;
      const aSlow = new Promise<void>((resolve) => (releaseA = resolve));
      let aStarted!: () => void;
      const aReached = new Promise<void>((resolve) => (aStarted = resolve));
      const slowPartners = partnersBeforePurchase(ctx, async (invoiceId) => {
        const invoice = await db().selectFrom('invoices').select('items').where('id', '=', invoiceId).executeTakeFirstOrThrow();
        if (JSON.parse(invoice.items)[0].resourceId === a.externalResourceId) {
          aStarted();
          await aSlow;
        }
      });
      const report1 = actOnBalances({ ...ctx, partners: slowPartners }, icfg, [a.externalResourceId, b.externalResourceId]);
      await aReached;
      await actOnBalances(ctx, icfg, [a.externalResourceId, b.externalResourceId]); // A is held: skipped; B bought.
      releaseA();
      await report1; // A delivered; then B, from the balance it read before report 2's purchase.

      const bPurchases = await db().selectFrom('threshold_purchases').select(['state']).where('store_id', '=', b.id).execute();
      assert.deepEqual(bPurchases.map((p: any) => p.state), ['delivered'], `B's one low balance was bought ${bPurchases.length} times`);
    });

    test('a purchase the partner refused is not bought again (charged and refunded) at every later low report', async () => {
      const s = server();
      const { teamId, icfg } = await install(s);
      assert.equal((await s.request('PUT', `/stockroom/v1/payment-methods/default?teamId=${teamId}`, { body: { paymentMethodId: 'pm_card_visa' } })).status, 200);
      const store = await prepaidStore(s, teamId, icfg, 'refused-again');
      // An installation-scoped prepaid plan (as the existing installation-threshold test makes one); the reference partner refuses its purchases.
      const row = await db().selectFrom('stores').select('billing_plan').where('id', '=', store.id).executeTakeFirstOrThrow();
      await db().updateTable('stores').set({ billing_plan: JSON.stringify({ ...JSON.parse(row.billing_plan), scope: 'installation' }) }).where('id', '=', store.id).execute();
      const set = await s.request('POST', `/v1/integrations/installations/${icfg}/billing/threshold/batch?teamId=${teamId}`, {
        body: [{ billingPlanId: 'prepaid', minimumAmountInCents: 1000, purchaseAmountInCents: 1000, maximumAmountPerPeriodInCents: 10000, metadata: '{}' }],
      });
      assert.equal(set.status, 200, set.text);
      const token = await partnerAccessToken(s, icfg);
      for (let hour = 0; hour < 4; hour++) {
        s.clock.advance(3_600_000);
        const res = await s.request('POST', `/v1/installations/${icfg}/billing/balance`, { token, body: { timestamp: new Date(s.clock.now()).toISOString(), balances: [{ currencyValueInCents: 100 }] } });
        assert.equal(res.status, 201, res.text);
      }
      const ledger = await db().selectFrom('ledger_entries').select('kind').where('team_id', '=', teamId).where('operation_key', 'like', 'tpur_%').execute();
      const charges = ledger.filter((e: any) => e.kind === 'charge').length;
      assert.ok(charges <= 1, `${charges} charges (and as many refunds) for one refused purchase, one per hourly report`);
    });

    test('the threshold batch route with a non-array or a huge body answers 400, not 500; category filter with a single value', async () => {
      const s = server();
      const { teamId, icfg } = await install(s);
      const one = await s.request('GET', `/v2/integrations/integrations?teamId=${teamId}&category=storage`);
      assert.equal(one.status, 200, one.text);
      const bad = await s.request('POST', `/v1/integrations/installations/${icfg}/billing/threshold/batch?teamId=${teamId}`, { body: { billingPlanId: 'x' } });
      assert.equal(bad.status, 400, bad.text);
    });
    async function storeWithThreshold(s: TestServer, name: string) {
      const { teamId, icfg } = await install(s);
      assert.equal((await s.request('PUT', `/stockroom/v1/payment-methods/default?teamId=${teamId}`, { body: { paymentMethodId: 'pm_card_visa' } })).status, 200);
      const store = await prepaidStore(s, teamId, icfg, name);
      const set = await s.request('POST', `/v1/integrations/installations/${icfg}/resources/${store.id}/billing/threshold?teamId=${teamId}`, {
        body: { billingPlanId: 'prepaid', minimumAmountInCents: 1000, purchaseAmountInCents: 1000, maximumAmountPerPeriodInCents: 10000, metadata: '{}' },
      });
      assert.equal(set.status, 200, set.text);
      return { teamId, icfg, store, thresholdId: set.body.id as string };
    }

    test('a declined purchase is not tried again until the threshold is set again, or the next month', async () => {
      const s = server();
      const { teamId, icfg, store } = await storeWithThreshold(s, 'declined-again');
      assert.equal((await s.request('PUT', `/stockroom/v1/payment-methods/default?teamId=${teamId}`, { body: { paymentMethodId: 'pm_card_chargeDeclined' } })).status, 200);
      const token = await partnerAccessToken(s, icfg);
      const low = async () => {
        s.clock.advance(60_000);
        const res = await s.request('POST', `/v1/installations/${icfg}/billing/balance`, { token, body: { timestamp: new Date(s.clock.now()).toISOString(), balances: [{ resourceId: store.externalResourceId, currencyValueInCents: 100 }] } });
        assert.equal(res.status, 201, res.text);
      };
      const states = async () => (await db().selectFrom('threshold_purchases').select('state').where('store_id', '=', store.id).orderBy('created_at').execute()).map((p: any) => p.state);
      await low();
      await low();
      assert.deepEqual(await states(), ['declined'], 'one attempt for the declined card');
      const notification = JSON.parse((await db().selectFrom('stores').select('notification').where('id', '=', store.id).executeTakeFirstOrThrow()).notification);
      assert.match(notification.message, /declined.*No automatic purchase will be made again until the threshold is set again or the next month begins/s);

      // Someone acts: a working card and the threshold set again.
      assert.equal((await s.request('PUT', `/stockroom/v1/payment-methods/default?teamId=${teamId}`, { body: { paymentMethodId: 'pm_card_visa' } })).status, 200);
      s.clock.advance(1000);
      const set = await s.request('POST', `/v1/integrations/installations/${icfg}/resources/${store.id}/billing/threshold?teamId=${teamId}`, {
        body: { billingPlanId: 'prepaid', minimumAmountInCents: 1000, purchaseAmountInCents: 1000, maximumAmountPerPeriodInCents: 10000, metadata: '{}' },
      });
      assert.equal(set.status, 200, set.text);
      await low();
      assert.deepEqual(await states(), ['declined', 'delivered']);
    });

    test('a holder slower than its hold does not free the claim of the one that took the threshold over', async () => {
      const s = server();
      const { thresholdId } = await storeWithThreshold(s, 'slow-holder');
      const now = s.clock.now();
      assert.equal(await claimThreshold(db(), thresholdId, now, now + 1000), true);
      assert.equal(await claimThreshold(db(), thresholdId, now + 2000, now + 3000), true, 'the first hold passed: taken over');
      await releaseThreshold(db(), thresholdId, now + 1000); // the slow first holder ends
      const held = async () => {
        const until = (await db().selectFrom('spend_thresholds').select('purchasing_until').where('id', '=', thresholdId).executeTakeFirstOrThrow()).purchasing_until;
        return until === null ? null : Number(until);
      };
      assert.equal(await held(), now + 3000, "the successor's hold stands");
      await releaseThreshold(db(), thresholdId, now + 3000);
      assert.equal(await held(), null, 'released by its own holder');
    });

    test('no new purchase for an installation being uninstalled', async () => {
      const s = server();
      const { icfg, store } = await storeWithThreshold(s, 'uninstalling');
      await db().updateTable('prepayment_balances').set({ currency_value_in_cents: 100 }).where('installation_id', '=', icfg).execute();
      await db().updateTable('installations').set({ status: 'uninstalling' }).where('id', '=', icfg).execute();
      await actOnBalances(s.stockroom.ctx, icfg, [store.externalResourceId]);
      assert.deepEqual(await db().selectFrom('threshold_purchases').select('state').where('installation_id', '=', icfg).execute(), []);
      assert.deepEqual(await db().selectFrom('ledger_entries').select('kind').where('operation_key', 'like', 'tpur_%').where('store_id', '=', store.id).execute(), []);
    });

    test("a deleted store's threshold, and an uninstalled installation's, are no threshold any more", async () => {
      const s = server();
      const { teamId, icfg, store } = await storeWithThreshold(s, 'deleted-with-threshold');
      assert.equal((await listThresholdsOfInstallation(db(), icfg)).length, 1);
      assert.equal((await s.request('DELETE', `/v1/storage/stores/integration/${store.id}?teamId=${teamId}`)).status, 200);
      assert.deepEqual(await listThresholdsOfInstallation(db(), icfg), []);

      const other = await storeWithThreshold(s, 'uninstalled-with-threshold');
      await db().updateTable('installations').set({ deleted_at: s.clock.now() }).where('id', '=', other.icfg).execute();
      assert.deepEqual(await listThresholdsOfInstallation(db(), other.icfg), []);
    });

    test('a slow recovery pass claims each threshold with a hold from its own claim, so no one else takes it meanwhile', async () => {
      const s = server();
      const ctx = s.stockroom.ctx;
      const hold = ctx.topUpHoldMs ?? TOP_UP_HOLD_MS;
      const { teamId, icfg } = await install(s);
      assert.equal((await s.request('PUT', `/stockroom/v1/payment-methods/default?teamId=${teamId}`, { body: { paymentMethodId: 'pm_card_visa' } })).status, 200);
      const thresholds: string[] = [];
      for (const name of ['slow-pass-1', 'slow-pass-2']) {
        const store = await prepaidStore(s, teamId, icfg, name);
        const set = await s.request('POST', `/v1/integrations/installations/${icfg}/resources/${store.id}/billing/threshold?teamId=${teamId}`, {
          body: { billingPlanId: 'prepaid', minimumAmountInCents: 1000, purchaseAmountInCents: 1000, maximumAmountPerPeriodInCents: 10000, metadata: '{}' },
        });
        assert.equal(set.status, 200, set.text);
        thresholds.push(set.body.id);
        const at = s.clock.now();
        await db()
          .insertInto('threshold_purchases')
          .values({ id: `tpur_${name.replace(/-/g, '')}`, threshold_id: set.body.id, installation_id: icfg, team_id: teamId, resource_key: store.externalResourceId, store_id: store.id, amount_cents: 1000, state: 'charging', invoice_id: null, payment_method_id: 'pm_card_visa', reason: null, created_at: at, updated_at: at })
          .execute();
      }
      s.clock.advance(hold + 1);

      // The partner is slow: each Provision Purchase of the pass takes longer than a hold.
      const stolen: boolean[] = [];
      let calls = 0;
      const slowPartners = partnersBeforePurchase(ctx, async (invoiceId) => {
        calls += 1;
        if (calls === 1) s.clock.advance(hold + 1);
        else {
          // Meanwhile a report (or another replica's pass) tries to take this purchase's threshold.
          const inv = await db().selectFrom('invoices').select('source_key').where('id', '=', invoiceId).executeTakeFirstOrThrow();
          const row = await db().selectFrom('threshold_purchases').select('threshold_id').where('id', '=', inv.source_key).executeTakeFirstOrThrow();
          stolen.push(await claimThreshold(ctx.db, row.threshold_id, s.clock.now(), s.clock.now() + hold));
        }
      });
      const outcomes = await finishInterruptedPurchases({ ...ctx, partners: slowPartners });
      assert.equal(outcomes.size, 2);
      assert.deepEqual(stolen, [false], 'the threshold being worked on is held against others');
    });
  });
}
