import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Vercel } from '@vercel/sdk';
import { createTeam } from '../helpers/accounts.js';
import { dialectsToTest } from '../helpers/databases.js';
import { partnerAccessToken } from '../helpers/reference-partner-db.js';
import { useSharedServer } from '../helpers/shared-server.js';
import type { TestServer } from '../helpers/stockroom.js';

/**
 * A prepaid create is a paid invoice (docs/invoices.md, "Prepaid purchases"): the charge is stored
 * with the invoice, the reference partner receives Provision Purchase with its id and credits the
 * resource, and Stockroom keeps the balances it answers. A refused purchase refunds the invoice
 * and leaves no store and no resource.
 */

async function install(server: TestServer) {
  const team = await createTeam(server);
  const installed = await server.request('POST', `/stockroom/v1/installations?teamId=${team.id}`, { body: { integrationIdOrSlug: 'acme' } });
  assert.equal(installed.status, 200, installed.text);
  return { teamId: team.id, icfg: installed.body.id as string };
}

function createPrepaid(server: TestServer, teamId: string, icfg: string, name: string) {
  return server.request('POST', `/v1/storage/stores/integration/direct?teamId=${teamId}`, {
    body: { name, integrationConfigurationId: icfg, integrationProductIdOrSlug: 'acme-db', billingPlanId: 'prepaid', paymentMethodId: 'pm_card_visa', prepaymentAmountCents: 2500, metadata: { region: 'iad1' } },
  });
}

for (const dialect of dialectsToTest()) {
  describe(`prepaid purchases as invoices (${dialect})`, () => {
    const server = useSharedServer(dialect);

    test('a prepaid create: a paid invoice with its charge, Provision Purchase received and credited, the balances kept', async () => {
      const s = server();
      const { teamId, icfg } = await install(s);
      const res = await createPrepaid(s, teamId, icfg, 'credits');
      assert.equal(res.status, 200, res.text);
      const store = res.body.store as { id: string; externalResourceId: string };
      const db = s.stockroom.ctx.db as any;

      const invoices = await db.selectFrom('invoices').selectAll().where('installation_id', '=', icfg).execute();
      assert.equal(invoices.length, 1);
      const invoice = invoices[0];
      assert.equal(invoice.kind, 'prepayment');
      assert.equal(invoice.state, 'paid');
      assert.equal(invoice.total_cents, 2500);
      assert.equal(invoice.source_key, `${store.id}:prepayment`);
      assert.equal(JSON.parse(invoice.items)[0].resourceId, store.externalResourceId);

      const ledger = await db.selectFrom('ledger_entries').select(['kind', 'amount_cents', 'invoice_id', 'reference']).where('store_id', '=', store.id).orderBy('kind').execute();
      assert.deepEqual(ledger.map((e: any) => [e.kind, e.amount_cents, e.invoice_id]), [['charge', 2500, invoice.id], ['credit', 2500, invoice.id]]);
      assert.equal(ledger[0].reference, invoice.charge_reference);
      const events = await db.selectFrom('webhook_events').select(['type', 'payload']).where('installation_id', '=', icfg).orderBy('sequence').execute();
      assert.deepEqual(events.map((e: any) => e.type), ['marketplace.invoice.created', 'marketplace.invoice.paid']);
      assert.equal(JSON.parse(events[1].payload).invoiceTotal, '25.00');

      // The reference partner was told, with the invoice's id, and credited the resource.
      const purchases = await db.selectFrom('ref_partner_credit_purchases').selectAll().where('installation_id', '=', icfg).execute();
      assert.deepEqual(purchases.map((p: any) => [p.invoice_id, p.resource_id, p.amount_cents]), [[invoice.id, store.externalResourceId, 2500]]);
      const balances = await db.selectFrom('prepayment_balances').selectAll().where('installation_id', '=', icfg).execute();
      assert.deepEqual(
        balances.map((b: any) => [b.resource_key, b.store_id, b.currency_value_in_cents, b.source, b.invoice_id, b.name_label]),
        [[store.externalResourceId, store.id, 2500, 'provision-purchase', invoice.id, 'Prepaid credits']],
      );

      // The partner reads it with the SDK, as the example partner does before crediting.
      const sdk = new Vercel({ bearerToken: await partnerAccessToken(s, icfg), serverURL: s.url });
      const got = await sdk.marketplace.getInvoice({ integrationConfigurationId: icfg, invoiceId: invoice.id });
      assert.equal(got.state, 'paid');
      assert.equal(got.total, '25.00');
      assert.equal(got.items[0]?.resourceId, store.externalResourceId);

      // The console's read: the invoice and the balance.
      const listed = await s.request('GET', `/stockroom/v1/stores/${store.id}/invoices?teamId=${teamId}`);
      assert.equal(listed.status, 200, listed.text);
      assert.deepEqual(listed.body.invoices.map((i: any) => [i.id, i.kind, i.state, i.totalCents]), [[invoice.id, 'prepayment', 'paid', 2500]]);
      assert.deepEqual(listed.body.balances.map((b: any) => [b.resourceId, b.currencyValueInCents, b.credit]), [[store.externalResourceId, 2500, '25.00 USD']]);

      // Provision Purchase again (a resumed create) credits nothing twice.
      const again = await s.stockroom.ctx.partners
        .forProvider({ baseUrl: `${s.url}/partners/reference`, clientId: 'oac_stockroomReference' })
        .provisionPurchase(icfg, { invoiceId: invoice.id }, { accountId: teamId }, { idempotencyKey: 'another-key' });
      assert.deepEqual(again.balances.map((b) => b.currencyValueInCents), [2500]);
      assert.equal((await db.selectFrom('ref_partner_credit_purchases').selectAll().where('installation_id', '=', icfg).execute()).length, 1);
    });

    test('a purchase the partner refuses: the create fails, the invoice is refunded, no store and no resource remain', async () => {
      const s = server();
      const { teamId, icfg } = await install(s);
      const res = await createPrepaid(s, teamId, icfg, 'fail-purchase');
      assert.equal(res.status, 409, res.text);
      assert.equal(res.body.error.code, 'conflict');
      assert.equal(typeof res.body.error.message, 'string');
      const db = s.stockroom.ctx.db as any;
      const invoice = await db.selectFrom('invoices').selectAll().where('installation_id', '=', icfg).executeTakeFirstOrThrow();
      assert.equal(invoice.state, 'refunded');
      assert.equal(invoice.refund_cents, 2500);
      const ledger = await db.selectFrom('ledger_entries').select(['kind', 'amount_cents', 'invoice_id']).where('invoice_id', '=', invoice.id).orderBy('kind').execute();
      assert.deepEqual(ledger.map((e: any) => [e.kind, e.amount_cents]), [['charge', 2500], ['refund', 2500]]);
      const events = await db.selectFrom('webhook_events').select('type').where('installation_id', '=', icfg).orderBy('sequence').execute();
      assert.deepEqual(events.map((e: any) => e.type), ['marketplace.invoice.created', 'marketplace.invoice.paid', 'marketplace.invoice.refunded']);
      assert.deepEqual(await db.selectFrom('stores').select('id').where('installation_id', '=', icfg).execute(), []);
      const resources = await db.selectFrom('ref_partner_resources').select('id').where('installation_id', '=', icfg).where('deleted_at', 'is', null).execute();
      assert.deepEqual(resources, []);
      assert.deepEqual(await db.selectFrom('ref_partner_credit_purchases').selectAll().where('installation_id', '=', icfg).execute(), []);
    });
  });
}
