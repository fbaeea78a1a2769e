import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Kysely } from 'kysely';
import type { DB } from '../../src/db/schema.js';
import { findAccessToken } from '../../src/providers/reference-partner/installation-store.js';
import { createTestDatabase, dialectsToTest } from '../helpers/databases.js';
import { eventually } from '../helpers/eventually.js';
import { send } from '../helpers/stockroom.js';
import { childEnv, installationId, openShared, PLANS, startChild } from './kill-harness.js';

/**
 * A real Stockroom process killed with SIGKILL in a spend threshold's automatic credit purchase,
 * right after the card was charged and before anything else (STOCKROOM_PAUSE_AT=top-up-after-charge:
 * no invoice, no ledger row, the partner not told; docs/balances-and-thresholds.md). The purchase
 * is left `charging`; the restarted process's recovery loop finishes it with no new balance report:
 * the same charge (same key, same reference) recorded once as a paid invoice, Provision Purchase
 * once, one credit. A purchase the partner refuses on recovery is refunded instead, with no credit.
 */

const THRESHOLD = { billingPlanId: 'prepaid', minimumAmountInCents: 1000, purchaseAmountInCents: 1000, maximumAmountPerPeriodInCents: 5000, metadata: '{}' };

/** Submit Prepayment Balances whose answer never comes: its top-up pauses, then the process dies. */
function reportLowBalance(url: string, token: string, icfg: string, resourceId: string): void {
  const body = { timestamp: new Date().toISOString(), balances: [{ resourceId, currencyValueInCents: 100, credit: '1.00 USD', nameLabel: 'Prepaid credits' }] };
  fetch(`${url}/v1/installations/${icfg}/billing/balance`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  }).catch(() => undefined);
}

async function purchasesOf(db: Kysely<DB>, storeId: string) {
  return db.selectFrom('threshold_purchases').select(['id', 'state', 'invoice_id', 'amount_cents', 'reason']).where('store_id', '=', storeId).execute();
}

/** The ledger rows keyed by the purchase: [kind, cents, reference], charge before credit before refund. */
async function ledgerOfPurchase(db: Kysely<DB>, purchaseId: string) {
  const rows = await db.selectFrom('ledger_entries').select(['kind', 'amount_cents', 'reference', 'invoice_id']).where('operation_key', 'like', `${purchaseId}:%`).execute();
  const order = ['charge', 'credit', 'refund'];
  return rows.sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind));
}

async function creditedAtPartner(db: Kysely<DB>, invoiceId: string): Promise<number[]> {
  const rows = await (db as unknown as Kysely<{ ref_partner_credit_purchases: { invoice_id: string; amount_cents: number } }>)
    .selectFrom('ref_partner_credit_purchases')
    .select('amount_cents')
    .where('invoice_id', '=', invoiceId)
    .execute();
  return rows.map((r) => Number(r.amount_cents));
}

for (const dialect of dialectsToTest()) {
  describe(`a threshold purchase whose process was killed after the charge (${dialect})`, () => {
    test('the restarted process finishes it without a new report, or refunds it when the partner refuses', { timeout: 120_000 }, async (t) => {
      const database = await createTestDatabase(dialect);
      t.after(() => database.drop());

      // Set up on a process that pauses nowhere: two prepaid stores with thresholds, a default card.
      const setup = await startChild(t, childEnv(database));
      const { db, secretBox } = openShared(t, database);
      const icfg = await installationId(setup.url);
      const stores: Record<'delivered' | 'refused', { id: string; externalResourceId: string }> = {} as never;
      for (const name of ['delivered', 'refused'] as const) {
        const created = await send(setup.url, 'POST', '/v1/storage/stores/integration/direct', {
          body: { name: `top-up-${name}`, integrationConfigurationId: icfg, integrationProductIdOrSlug: 'acme-db', metadata: { region: 'iad1' }, ...PLANS.prepaid },
        });
        assert.equal(created.status, 200, created.text);
        stores[name] = created.body.store;
        const set = await send(setup.url, 'POST', `/v1/integrations/installations/${icfg}/resources/${created.body.store.id}/billing/threshold`, { body: THRESHOLD });
        assert.equal(set.status, 200, set.text);
      }
      assert.equal((await send(setup.url, 'PUT', '/stockroom/v1/payment-methods/default', { body: { paymentMethodId: 'pm_card_visa' } })).status, 200);
      await setup.kill();
      // The reference partner's own token: it reports the balances, and reads the invoice back with it.
      const token = await findAccessToken(db as never, secretBox, icfg);
      assert.ok(token);

      const paused = await startChild(t, childEnv(database, { STOCKROOM_PAUSE_AT: 'top-up-after-charge' }));
      reportLowBalance(paused.url, token, icfg, stores.delivered.externalResourceId);
      reportLowBalance(paused.url, token, icfg, stores.refused.externalResourceId);
      await paused.waitForOutput(/stockroom: paused at top-up-after-charge\n/, 2);
      await paused.kill();

      // Charged at the processor; nothing else: the purchase says a charge may have happened.
      const left = {} as Record<'delivered' | 'refused', string>;
      for (const name of ['delivered', 'refused'] as const) {
        const purchases = await purchasesOf(db, stores[name].id);
        assert.deepEqual(purchases.map((p) => [p.state, p.invoice_id, Number(p.amount_cents)]), [['charging', null, 1000]], `the kill left the ${name} purchase charging`);
        left[name] = purchases[0]!.id;
        assert.deepEqual(await ledgerOfPurchase(db, left[name]), []);
        assert.equal(await db.selectFrom('invoices').select('id').where('source_key', '=', left[name]).executeTakeFirst(), undefined);
      }
      // While the process is down, the partner stops taking purchases for one of the resources.
      const partnerDb = db as unknown as Kysely<{ ref_partner_resources: { id: string; name: string } }>;
      await partnerDb.updateTable('ref_partner_resources').set({ name: 'fail-purchase' }).where('id', '=', stores.refused.externalResourceId).execute();

      // No balance report from here on: the recovery loop alone finishes both.
      const restarted = await startChild(t, childEnv(database));
      await eventually('recovery settled both purchases', async () => {
        const states = await Promise.all([purchasesOf(db, stores.delivered.id), purchasesOf(db, stores.refused.id)]);
        return states.flat().every((p) => p.state !== 'charging');
      });
      await restarted.waitForOutput(/"outcome":"(delivered|refunded)".*"msg":"threshold purchase recovery"/, 2);

      // Delivered: one charge (the first one's reference), one paid invoice, credited once by the partner, one credit.
      const [delivered] = await purchasesOf(db, stores.delivered.id);
      assert.equal(delivered?.state, 'delivered', delivered?.reason ?? '');
      const paid = await db.selectFrom('invoices').selectAll().where('id', '=', delivered.invoice_id!).executeTakeFirstOrThrow();
      assert.deepEqual([paid.kind, paid.state, Number(paid.total_cents), paid.source_key], ['prepayment', 'paid', 1000, delivered.id]);
      assert.deepEqual(
        (await ledgerOfPurchase(db, delivered.id)).map((e) => [e.kind, Number(e.amount_cents), e.invoice_id]),
        [['charge', 1000, paid.id], ['credit', 1000, paid.id]],
      );
      assert.equal((await ledgerOfPurchase(db, delivered.id))[0]!.reference, paid.charge_reference);
      assert.deepEqual(await creditedAtPartner(db, paid.id), [1000], 'Provision Purchase credited the invoice once');
      const balance = await send(restarted.url, 'GET', `/v1/integrations/installations/${icfg}/billing/balance`);
      assert.equal(balance.status, 200, balance.text);
      const shown = balance.body.balances.find((b: { resourceId: string }) => b.resourceId === stores.delivered.externalResourceId);
      assert.deepEqual([shown.currencyValueInCents, shown.source], [3500, 'partner'], "the partner's balance after the purchase: the create's $25 and this $10");

      // Refused by the partner on recovery: the charge is refunded, its invoice refunded, no credit anywhere.
      const [refused] = await purchasesOf(db, stores.refused.id);
      assert.equal(refused?.state, 'refunded');
      const refunded = await db.selectFrom('invoices').selectAll().where('id', '=', refused.invoice_id!).executeTakeFirstOrThrow();
      assert.deepEqual([refunded.state, Number(refunded.refund_cents), refunded.source_key], ['refunded', 1000, refused.id]);
      assert.deepEqual(
        (await ledgerOfPurchase(db, refused.id)).map((e) => [e.kind, Number(e.amount_cents)]),
        [['charge', 1000], ['refund', 1000]],
      );
      assert.deepEqual(await creditedAtPartner(db, refunded.id), []);
      const notification = JSON.parse((await db.selectFrom('stores').select('notification').where('id', '=', stores.refused.id).executeTakeFirstOrThrow()).notification!);
      assert.equal(notification.level, 'error');
      assert.match(notification.message, /interrupted.*did not take the purchase of \$10\.00, which was refunded/);

      // Nothing was bought a second time, and no threshold is left held.
      assert.equal((await db.selectFrom('threshold_purchases').select('id').where('installation_id', '=', icfg).execute()).length, 2);
      const holds = await db.selectFrom('spend_thresholds').select('purchasing_until').where('installation_id', '=', icfg).execute();
      assert.deepEqual(holds.map((h) => h.purchasing_until), [null, null]);
      await restarted.kill();
    });
  });
}
