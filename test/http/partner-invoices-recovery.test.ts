import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Vercel } from '@vercel/sdk';
import type { PaymentProcessor } from '../../src/payments/payment-processor.js';
import { INVOICE_HOLD_MS, settleStalledInvoices } from '../../src/use-cases/invoices.js';
import { createTeam } from '../helpers/accounts.js';
import { dialectsToTest } from '../helpers/databases.js';
import { partnerAccessToken } from '../helpers/reference-partner-db.js';
import { startTestServer, type TestServer } from '../helpers/stockroom.js';

/**
 * A crash part-way through issuing or refunding an invoice (docs/invoices.md, "Crashes"): the
 * processor moved the money, then the process "dies" before the outcome is recorded (the wrapped
 * processor throws after the real call). The invoice stays unsettled (`issued`,
 * `refund_requested`), never `paid` without its ledger row; recovery, once the issuer's hold has
 * passed, sends the same idempotency key again and records the outcome once.
 */

interface Calls {
  charges: string[];
  refunds: string[];
}

/** The server's processor, made to fail after moving money while `crash.on` is set. */
function crashingProcessor(server: TestServer, crash: { on: boolean }): Calls {
  const real = server.stockroom.ctx.payments;
  const calls: Calls = { charges: [], refunds: [] };
  const wrapped: PaymentProcessor = {
    ...real,
    async charge(input) {
      const outcome = await real.charge(input);
      calls.charges.push(input.idempotencyKey);
      if (crash.on) throw new Error('crash after the charge');
      return outcome;
    },
    async refund(input) {
      const outcome = await real.refund(input);
      calls.refunds.push(input.idempotencyKey);
      if (crash.on) throw new Error('crash after the refund');
      return outcome;
    },
  };
  (server.stockroom.ctx as { payments: PaymentProcessor }).payments = wrapped;
  return calls;
}

for (const dialect of dialectsToTest()) {
  describe(`partner invoices after a crash (${dialect})`, () => {
    test('a charge whose outcome was never recorded is recorded once by recovery; a refund likewise', async (t) => {
      const server = await startTestServer(t, dialect);
      const team = await createTeam(server);
      const installed = await server.request('POST', `/stockroom/v1/installations?teamId=${team.id}`, { body: { integrationIdOrSlug: 'acme' } });
      const icfg: string = installed.body.id;
      const created = await server.request('POST', `/v1/storage/stores/integration/direct?teamId=${team.id}`, {
        body: { name: 'billed', integrationConfigurationId: icfg, integrationProductIdOrSlug: 'acme-db', metadata: { region: 'iad1' } },
      });
      assert.equal(created.status, 200, created.text);
      const plan = created.body.store.billingPlan.id as string;
      await server.request('PUT', `/stockroom/v1/payment-methods/default?teamId=${team.id}`, { body: { paymentMethodId: 'pm_card_visa' } });
      const sdk = new Vercel({ bearerToken: await partnerAccessToken(server, icfg), serverURL: server.url });
      const crash = { on: true };
      const calls = crashingProcessor(server, crash);
      const db = server.stockroom.ctx.db;
      const row = (id: string) => db.selectFrom('invoices').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      const ledger = (id: string) => db.selectFrom('ledger_entries').select(['kind', 'amount_cents', 'reference', 'operation_key']).where('invoice_id', '=', id).orderBy('kind').execute();
      const events = async () => (await db.selectFrom('webhook_events').select('type').where('installation_id', '=', icfg).orderBy('sequence').execute()).map((e) => e.type);

      const { invoiceId } = await sdk.marketplace.submitInvoice({
        integrationConfigurationId: icfg,
        requestBody: {
          invoiceDate: new Date('2026-06-01T00:00:00Z'),
          period: { start: new Date('2026-05-01T00:00:00Z'), end: new Date('2026-06-01T00:00:00Z') },
          items: [{ resourceId: created.body.store.externalResourceId, billingPlanId: plan, name: 'Usage', price: '1.25', quantity: 8, units: 'GB', total: '10.00' }],
        },
      });
      const id = invoiceId as string;
      // The money moved, the outcome was not recorded: the invoice says a charge may have happened.
      assert.deepEqual(calls.charges, [`${id}:charge`]);
      assert.equal((await row(id)).state, 'issued');
      assert.deepEqual(await ledger(id), []);
      assert.deepEqual(await events(), ['marketplace.invoice.created']);

      // Within the issuer's hold, recovery leaves it alone.
      crash.on = false;
      assert.deepEqual([...(await settleStalledInvoices(server.stockroom.ctx, { holdMs: 1000 })).keys()], []);
      server.clock.advance((server.stockroom.ctx.invoiceHoldMs ?? INVOICE_HOLD_MS) + 1);
      const outcomes = await settleStalledInvoices(server.stockroom.ctx, { holdMs: 1000 });
      assert.equal(outcomes.get(id), 'paid');
      assert.deepEqual(calls.charges, [`${id}:charge`, `${id}:charge`]);
      const paid = await row(id);
      assert.equal(paid.state, 'paid');
      assert.deepEqual(await ledger(id), [{ kind: 'charge', amount_cents: 1000, reference: paid.charge_reference, operation_key: `${id}:charge` }]);
      assert.deepEqual(await events(), ['marketplace.invoice.created', 'marketplace.invoice.paid']);
      // Settled: a further pass does nothing.
      server.clock.advance((server.stockroom.ctx.invoiceHoldMs ?? INVOICE_HOLD_MS) + 1);
      assert.equal((await settleStalledInvoices(server.stockroom.ctx, { holdMs: 1000 })).has(id), false);

      crash.on = true;
      await sdk.marketplace.updateInvoice({ integrationConfigurationId: icfg, invoiceId: id, requestBody: { action: 'refund', reason: 'sorry', total: '4.00' } });
      assert.equal((await row(id)).state, 'refund_requested');
      assert.equal((await ledger(id)).length, 1);
      crash.on = false;
      server.clock.advance((server.stockroom.ctx.invoiceHoldMs ?? INVOICE_HOLD_MS) + 1);
      assert.equal((await settleStalledInvoices(server.stockroom.ctx, { holdMs: 1000 })).get(id), 'refunded');
      assert.deepEqual(calls.refunds, [`${id}:refund`, `${id}:refund`]);
      assert.deepEqual(
        (await ledger(id)).map((e) => [e.kind, e.amount_cents]),
        [['charge', 1000], ['refund', 400]],
      );
      assert.deepEqual(await events(), ['marketplace.invoice.created', 'marketplace.invoice.paid', 'marketplace.invoice.refunded']);
    });
  });
}
