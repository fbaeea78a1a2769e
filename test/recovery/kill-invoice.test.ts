import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';
import type { Kysely } from 'kysely';
import { hashToken } from '../../src/crypto/secret-box.js';
import type { DB } from '../../src/db/schema.js';
import type { PausePoint } from '../../src/fault-injection.js';
import { createTestDatabase, dialectsToTest, type TestDatabase } from '../helpers/databases.js';
import { eventually } from '../helpers/eventually.js';
import { send } from '../helpers/stockroom.js';
import { childEnv, installationId, openShared, startChild, type Child } from './kill-harness.js';

/**
 * A real Stockroom process killed with SIGKILL right after the processor moved an invoice's money
 * (STOCKROOM_PAUSE_AT=invoice-after-charge, then invoice-after-refund), before the outcome was
 * recorded (docs/invoices.md, "Crashes"). The killed process leaves the invoice `issued` (or
 * `refund_requested`) with no ledger row; a restarted process finishes it with the same
 * idempotency key: one charge, one refund, each with its ledger row and event, nothing twice.
 */

const PARTNER_TOKEN = 'srk_partnerKillTest0123456789abcdefABCDEF';

function partnerCall(url: string, method: 'GET' | 'POST', path: string, body?: unknown) {
  return send(url, method, path, { token: PARTNER_TOKEN, ...(body === undefined ? {} : { body }) });
}

/** Sends a partner call whose answer never comes (the process pauses, then dies). */
function fireAndForget(url: string, path: string, body: unknown): void {
  fetch(`${url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${PARTNER_TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) }).catch(() => undefined);
}

async function pausedThenKilled(t: TestContext, database: TestDatabase, point: PausePoint, act: (child: Child) => Promise<void>): Promise<void> {
  const child = await startChild(t, childEnv(database, { STOCKROOM_PAUSE_AT: point }));
  await act(child);
  await child.waitForOutput(new RegExp(`stockroom: paused at ${point}\\n`), 1);
  await child.kill();
}

async function invoiceState(db: Kysely<DB>, id: string) {
  const row = await db.selectFrom('invoices').select(['state', 'charge_reference']).where('id', '=', id).executeTakeFirstOrThrow();
  const ledger = await db.selectFrom('ledger_entries').select(['kind', 'amount_cents', 'reference']).where('invoice_id', '=', id).orderBy('kind').execute();
  const events = await db.selectFrom('webhook_events').select('type').where('payload', 'like', `%${id}%`).orderBy('sequence').execute();
  return { state: row.state, chargeReference: row.charge_reference, ledger, events: events.map((e) => e.type) };
}

for (const dialect of dialectsToTest()) {
  describe(`an invoice whose process was killed after the money moved (${dialect})`, () => {
    test('killed after the charge, then after the refund: each is recorded once by the restarted process', { timeout: 120_000 }, async (t) => {
      const database = await createTestDatabase(dialect);
      t.after(() => database.drop());

      // Set up on a process that pauses nowhere: a store to bill, a default card, the partner's token.
      const setup = await startChild(t, childEnv(database));
      const { db } = openShared(t, database);
      const icfg = await installationId(setup.url);
      const created = await send(setup.url, 'POST', '/v1/storage/stores/integration/direct', {
        body: { name: 'billed', integrationConfigurationId: icfg, integrationProductIdOrSlug: 'acme-db', metadata: { region: 'iad1' } },
      });
      assert.equal(created.status, 200, created.text);
      assert.equal((await send(setup.url, 'PUT', '/stockroom/v1/payment-methods/default', { body: { paymentMethodId: 'pm_card_visa' } })).status, 200);
      await db.updateTable('installations').set({ access_token_hash: hashToken(PARTNER_TOKEN) }).where('id', '=', icfg).execute();
      await setup.kill();

      const invoice = {
        externalId: 'kill-1',
        invoiceDate: '2026-06-01T00:00:00.000Z',
        period: { start: '2026-05-01T00:00:00.000Z', end: '2026-06-01T00:00:00.000Z' },
        items: [{ resourceId: created.body.store.externalResourceId, billingPlanId: created.body.store.billingPlan.id, name: 'Usage', price: '0.25', quantity: 40, units: 'GB', total: '10.00' }],
      };
      await pausedThenKilled(t, database, 'invoice-after-charge', async (child) => fireAndForget(child.url, `/v1/installations/${icfg}/billing/invoices`, invoice));
      const row = await db.selectFrom('invoices').select('id').where('external_id', '=', 'kill-1').executeTakeFirstOrThrow();
      const id = row.id;
      // Charged at the processor, not recorded: the state says a charge may have happened.
      assert.deepEqual(await invoiceState(db, id), { state: 'issued', chargeReference: null, ledger: [], events: ['marketplace.invoice.created'] });

      const restarted = await startChild(t, childEnv(database));
      await eventually('recovery recorded the charge', async () => (await invoiceState(db, id)).state === 'paid');
      const paid = await invoiceState(db, id);
      assert.deepEqual(paid.ledger.map((e) => [e.kind, e.amount_cents, e.reference]), [['charge', 1000, paid.chargeReference]]);
      assert.deepEqual(paid.events, ['marketplace.invoice.created', 'marketplace.invoice.paid']);
      const read = await partnerCall(restarted.url, 'GET', `/v1/installations/${icfg}/billing/invoices/${id}`);
      assert.equal(read.status, 200, read.text);
      assert.equal(read.body.state, 'paid');
      await restarted.kill();

      await pausedThenKilled(t, database, 'invoice-after-refund', async (child) =>
        fireAndForget(child.url, `/v1/installations/${icfg}/billing/invoices/${id}/actions`, { action: 'refund', reason: 'killed mid-refund', total: '4.00' }),
      );
      assert.equal((await invoiceState(db, id)).state, 'refund_requested');
      assert.equal((await invoiceState(db, id)).ledger.length, 1);

      const last = await startChild(t, childEnv(database));
      await eventually('recovery recorded the refund', async () => (await invoiceState(db, id)).state === 'refunded');
      const refunded = await invoiceState(db, id);
      assert.deepEqual(
        refunded.ledger.map((e) => [e.kind, e.amount_cents]),
        [['charge', 1000], ['refund', 400]],
      );
      assert.deepEqual(refunded.events, ['marketplace.invoice.created', 'marketplace.invoice.paid', 'marketplace.invoice.refunded']);
      await last.kill();
    });
  });
}
