import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Vercel } from '@vercel/sdk';
import { createTeam } from '../helpers/accounts.js';
import { dialectsToTest } from '../helpers/databases.js';
import { partnerAccessToken } from '../helpers/reference-partner-db.js';
import { useSharedServer } from '../helpers/shared-server.js';
import type { TestServer } from '../helpers/stockroom.js';

/**
 * Submit Invoice, Get Invoice and Invoice Actions (docs/invoices.md), driven with @vercel/sdk's
 * marketplace operations as a partner would, with the installation's access token; each checks
 * the answer, the invoice row, the ledger and the webhook outbox.
 */

interface World {
  server: TestServer;
  teamId: string;
  icfg: string;
  token: string;
  sdk: Vercel;
  store: { id: string; externalResourceId: string };
}

async function world(server: TestServer, defaultMethod: string | null = 'pm_card_visa', storeName = 'billed'): Promise<World> {
  const team = await createTeam(server);
  const installed = await server.request('POST', `/stockroom/v1/installations?teamId=${team.id}`, { body: { integrationIdOrSlug: 'acme' } });
  assert.equal(installed.status, 200, installed.text);
  const icfg: string = installed.body.id;
  const created = await server.request('POST', `/v1/storage/stores/integration/direct?teamId=${team.id}`, {
    body: { name: storeName, integrationConfigurationId: icfg, integrationProductIdOrSlug: 'acme-db', billingPlanId: 'pro', paymentMethodId: 'pm_card_visa', metadata: { region: 'iad1' } },
  });
  assert.equal(created.status, 200, created.text);
  if (defaultMethod !== null) {
    const set = await server.request('PUT', `/stockroom/v1/payment-methods/default?teamId=${team.id}`, { body: { paymentMethodId: defaultMethod } });
    assert.equal(set.status, 200, set.text);
  }
  const token = await partnerAccessToken(server, icfg);
  return { server, teamId: team.id, icfg, token, sdk: new Vercel({ bearerToken: token, serverURL: server.url }), store: created.body.store };
}

const MAY_1 = new Date('2026-05-01T00:00:00.000Z');
const JUNE_1 = new Date('2026-06-01T00:00:00.000Z');

function body(w: World, overrides: Record<string, unknown> = {}) {
  return {
    externalId: `ext-${Math.random().toString(36).slice(2)}`,
    invoiceDate: JUNE_1,
    period: { start: MAY_1, end: JUNE_1 },
    memo: 'May',
    items: [
      { resourceId: w.store.externalResourceId, billingPlanId: 'pro', name: 'Pro plan', price: '20.00', quantity: 1, units: 'month', total: '20.00' },
      { resourceId: w.store.externalResourceId, billingPlanId: 'pro', name: 'Reads', price: '0.0004', quantity: 12_345, units: 'reads', total: '4.94' },
    ],
    discounts: [{ resourceId: w.store.externalResourceId, billingPlanId: 'pro', name: 'Welcome', amount: '1.50' }],
    ...overrides,
  };
}

function invoiceRow(w: World, id: string) {
  return w.server.stockroom.ctx.db.selectFrom('invoices').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}
function ledgerOf(w: World, invoiceId: string) {
  return w.server.stockroom.ctx.db.selectFrom('ledger_entries').selectAll().where('invoice_id', '=', invoiceId).orderBy('created_at').orderBy('kind').execute();
}
async function eventsOf(w: World, invoiceId: string) {
  const rows = await w.server.stockroom.ctx.db.selectFrom('webhook_events').selectAll().where('installation_id', '=', w.icfg).orderBy('sequence').execute();
  return rows.map((r) => ({ type: r.type, payload: JSON.parse(r.payload) as Record<string, unknown> })).filter((e) => e.payload.invoiceId === invoiceId);
}

async function failure(promise: Promise<unknown>): Promise<{ statusCode: number; body: any }> {
  try {
    await promise;
  } catch (error) {
    const e = error as { statusCode?: number; body?: string };
    return { statusCode: e.statusCode ?? 0, body: e.body ? JSON.parse(e.body) : undefined };
  }
  throw new Error('expected the call to fail');
}

for (const dialect of dialectsToTest()) {
  describe(`partner invoices (${dialect})`, () => {
    const server = useSharedServer(dialect);

    test('Submit Invoice charges the default method: paid, one ledger charge, created and paid events; Get Invoice parses', async () => {
      const w = await world(server());
      const sent = body(w);
      const answer = await w.sdk.marketplace.submitInvoice({ integrationConfigurationId: w.icfg, requestBody: sent });
      assert.match(answer.invoiceId ?? '', /^inv_[A-Za-z0-9]+$/);
      const id = answer.invoiceId as string;

      const row = await invoiceRow(w, id);
      assert.equal(row.state, 'paid');
      assert.equal(row.total_cents, 2344); // 20.00 + 4.94 − 1.50
      assert.equal(row.team_id, w.teamId);
      assert.equal(row.payment_method_id, 'pm_card_visa');
      assert.equal(row.external_id, sent.externalId);
      assert.ok(row.charge_reference);

      const ledger = await ledgerOf(w, id);
      assert.deepEqual(
        ledger.map((e) => [e.kind, e.amount_cents, e.operation_key, e.reference, e.store_id]),
        [['charge', 2344, `${id}:charge`, row.charge_reference, w.store.id]],
      );
      const events = await eventsOf(w, id);
      assert.deepEqual(events.map((e) => e.type), ['marketplace.invoice.created', 'marketplace.invoice.paid']);
      assert.deepEqual(events[1]?.payload, {
        installationId: w.icfg,
        invoiceId: id,
        externalInvoiceId: sent.externalId,
        period: { start: MAY_1.toISOString(), end: JUNE_1.toISOString() },
        invoiceDate: JUNE_1.toISOString(),
        invoiceTotal: '23.44',
      });

      const got = await w.sdk.marketplace.getInvoice({ integrationConfigurationId: w.icfg, invoiceId: id });
      assert.equal(got.invoiceId, id);
      assert.equal(got.state, 'paid');
      assert.equal(got.total, '23.44');
      assert.equal(got.externalId, sent.externalId);
      assert.equal(got.items.length, 2);
      assert.equal(got.items[1]?.total, '4.94');
      assert.equal(got.discounts?.[0]?.amount, '1.50');
      assert.equal(got.period.start, MAY_1.toISOString());
      assert.ok(got.paidAt);

      // Under /api too, as partners hard-code https://vercel.com/api.
      const viaApi = await w.server.request('GET', `/api/v1/installations/${w.icfg}/billing/invoices/${id}`, { token: w.token });
      assert.equal(viaApi.status, 200, viaApi.text);
      assert.equal(viaApi.body.state, 'paid');
    });

    test('a declined card ends notpaid: no ledger row, created and notpaid events', async () => {
      const w = await world(server(), 'pm_card_chargeDeclined');
      const { invoiceId } = await w.sdk.marketplace.submitInvoice({ integrationConfigurationId: w.icfg, requestBody: body(w) });
      const id = invoiceId as string;
      const row = await invoiceRow(w, id);
      assert.equal(row.state, 'notpaid');
      assert.equal(row.charge_reference, null);
      assert.match(row.notpaid_reason ?? '', /declined/);
      assert.deepEqual(await ledgerOf(w, id), []);
      assert.deepEqual((await eventsOf(w, id)).map((e) => e.type), ['marketplace.invoice.created', 'marketplace.invoice.notpaid']);
      const got = await w.sdk.marketplace.getInvoice({ integrationConfigurationId: w.icfg, invoiceId: id });
      assert.equal(got.state, 'notpaid');
    });

    test('a team with no default method: notpaid', async () => {
      const w = await world(server(), null);
      const { invoiceId } = await w.sdk.marketplace.submitInvoice({ integrationConfigurationId: w.icfg, requestBody: body(w) });
      const row = await invoiceRow(w, invoiceId as string);
      assert.equal(row.state, 'notpaid');
      assert.match(row.notpaid_reason ?? '', /no usable default payment method/);
    });

    test("a prepaid purchase is Stockroom's invoice: Invoice Actions cannot refund it (409), nothing moves", async () => {
      const w = await world(server());
      const created = await w.server.request('POST', `/v1/storage/stores/integration/direct?teamId=${w.teamId}`, {
        body: { name: 'prepaid-credits', integrationConfigurationId: w.icfg, integrationProductIdOrSlug: 'acme-db', billingPlanId: 'prepaid', paymentMethodId: 'pm_card_visa', prepaymentAmountCents: 1000, metadata: { region: 'iad1' } },
      });
      assert.equal(created.status, 200, created.text);
      const purchase = await w.server.stockroom.ctx.db.selectFrom('invoices').selectAll().where('installation_id', '=', w.icfg).where('kind', '=', 'prepayment').executeTakeFirstOrThrow();
      const refused = await failure(w.sdk.marketplace.updateInvoice({ integrationConfigurationId: w.icfg, invoiceId: purchase.id, requestBody: { action: 'refund', reason: 'mine', total: '10.00' } }));
      assert.equal(refused.statusCode, 409);
      assert.equal(refused.body.error.code, 'conflict');
      assert.equal((await invoiceRow(w, purchase.id)).state, 'paid');
      assert.deepEqual((await ledgerOf(w, purchase.id)).map((e) => e.kind).filter((k) => k === 'refund'), []);
    });

    test('refund: 204, refunded with a ledger refund and a refunded event; a second refund is 409; more than paid is 400', async () => {
      const w = await world(server());
      const { invoiceId } = await w.sdk.marketplace.submitInvoice({ integrationConfigurationId: w.icfg, requestBody: body(w) });
      const id = invoiceId as string;

      const tooMuch = await failure(w.sdk.marketplace.updateInvoice({ integrationConfigurationId: w.icfg, invoiceId: id, requestBody: { action: 'refund', reason: 'x', total: '23.45' } }));
      assert.equal(tooMuch.statusCode, 400);
      assert.equal(tooMuch.body.error.param, 'total');
      assert.equal((await invoiceRow(w, id)).state, 'paid');

      await w.sdk.marketplace.updateInvoice({ integrationConfigurationId: w.icfg, invoiceId: id, requestBody: { action: 'refund', reason: 'outage on May 3', total: '10.00' } });
      const row = await invoiceRow(w, id);
      assert.equal(row.state, 'refunded');
      assert.equal(row.refund_cents, 1000);
      assert.equal(row.refund_reason, 'outage on May 3');
      const ledger = await ledgerOf(w, id);
      assert.deepEqual(ledger.map((e) => [e.kind, e.amount_cents, e.operation_key]).sort(), [['charge', 2344, `${id}:charge`], ['refund', 1000, `${id}:refund`]]);
      const events = await eventsOf(w, id);
      assert.deepEqual(events.map((e) => e.type), ['marketplace.invoice.created', 'marketplace.invoice.paid', 'marketplace.invoice.refunded']);
      assert.equal(events[2]?.payload.amount, '10.00');
      assert.equal(events[2]?.payload.reason, 'outage on May 3');

      const got = await w.sdk.marketplace.getInvoice({ integrationConfigurationId: w.icfg, invoiceId: id });
      assert.equal(got.state, 'refunded');
      assert.equal(got.refundTotal, '10.00');
      assert.equal(got.refundReason, 'outage on May 3');

      const again = await failure(w.sdk.marketplace.updateInvoice({ integrationConfigurationId: w.icfg, invoiceId: id, requestBody: { action: 'refund', reason: 'again', total: '1.00' } }));
      assert.equal(again.statusCode, 409);
      assert.equal(again.body.error.code, 'conflict');
      assert.equal((await ledgerOf(w, id)).length, 2);
      const unchanged = await invoiceRow(w, id);
      assert.deepEqual([unchanged.state, unchanged.refund_cents, unchanged.refund_reason], ['refunded', 1000, 'outage on May 3'], 'the refused refund changed nothing');
      assert.equal((await eventsOf(w, id)).length, 3, 'and told the partner nothing more');
    });

    test('a duplicate externalId and a second invoice for the same resource, plan and period are 409; nothing is stored', async () => {
      const w = await world(server());
      const first = body(w);
      const { invoiceId } = await w.sdk.marketplace.submitInvoice({ integrationConfigurationId: w.icfg, requestBody: first });
      const count = async () => (await w.server.stockroom.ctx.db.selectFrom('invoices').select('id').where('installation_id', '=', w.icfg).execute()).length;
      assert.equal(await count(), 1);

      const dup = await failure(w.sdk.marketplace.submitInvoice({ integrationConfigurationId: w.icfg, requestBody: { ...body(w, { period: { start: JUNE_1, end: new Date('2026-07-01T00:00:00Z') } }), externalId: first.externalId } }));
      assert.equal(dup.statusCode, 409);
      assert.equal(dup.body.error.code, 'conflict');
      assert.equal(dup.body.error.invoiceId, invoiceId);
      assert.equal(dup.body.error.param, 'externalId');

      const overlapping = await failure(w.sdk.marketplace.submitInvoice({ integrationConfigurationId: w.icfg, requestBody: body(w, { period: { start: new Date('2026-05-15T00:00:00Z'), end: new Date('2026-06-15T00:00:00Z') } }) }));
      assert.equal(overlapping.statusCode, 409);
      assert.equal(overlapping.body.error.param, 'period');
      assert.equal(await count(), 1);

      // The next month is its own period.
      const next = await w.sdk.marketplace.submitInvoice({ integrationConfigurationId: w.icfg, requestBody: body(w, { period: { start: JUNE_1, end: new Date('2026-07-01T00:00:00Z') } }) });
      assert.ok(next.invoiceId);
      assert.equal(await count(), 2);
    });

    test('totals that do not add up, a foreign resource, the wrong plan: 400 naming the field, nothing stored', async () => {
      const w = await world(server());
      const other = await world(server());
      const cases: Array<[Record<string, unknown>, string]> = [
        [{ items: [{ resourceId: w.store.externalResourceId, billingPlanId: 'pro', name: 'Pro', price: '20.00', quantity: 1, units: 'month', total: '19.99' }] }, 'items[0].total'],
        [{ items: [{ resourceId: w.store.externalResourceId, billingPlanId: 'pro', name: 'Pro', price: '20.00', quantity: 1, units: 'month', total: '20.001' }] }, 'items[0].total'],
        [{ items: [{ resourceId: other.store.externalResourceId, billingPlanId: 'pro', name: 'Pro', price: '20.00', quantity: 1, units: 'month', total: '20.00' }] }, 'items[0].resourceId'],
        [{ items: [{ billingPlanId: 'pro', name: 'Pro', price: '20.00', quantity: 1, units: 'month', total: '20.00' }] }, 'items[0].resourceId'],
        [{ items: [{ resourceId: w.store.externalResourceId, billingPlanId: 'free', name: 'Free', price: '0', quantity: 1, units: 'month', total: '0.00' }] }, 'items[0].billingPlanId'],
        [{ discounts: [{ billingPlanId: 'pro', name: 'Too much', amount: '100.00' }] }, 'discounts'],
        [{ period: { start: JUNE_1, end: MAY_1 } }, 'period.end'],
        // A period that would claim the store for all time.
        [{ period: { start: new Date('1970-01-01T00:00:00Z'), end: JUNE_1 } }, 'period.end'],
        // Each amount is a safe integer of cents; their sum is not.
        [
          {
            items: [0, 1].map(() => ({ resourceId: w.store.externalResourceId, billingPlanId: 'pro', name: 'Huge', price: '90071992547409.91', quantity: 1, units: 'month', total: '90071992547409.91' })),
            discounts: [],
          },
          'items',
        ],
      ];
      for (const [overrides, param] of cases) {
        const refused = await failure(w.sdk.marketplace.submitInvoice({ integrationConfigurationId: w.icfg, requestBody: body(w, overrides) as never }));
        assert.equal(refused.statusCode, 400, JSON.stringify(overrides));
        assert.equal(refused.body.error.param, param, JSON.stringify(refused.body));
      }
      const stored = await w.server.stockroom.ctx.db.selectFrom('invoices').select('id').where('installation_id', '=', w.icfg).execute();
      assert.deepEqual(stored, []);
    });

    test('test mode: validate stores nothing and lists problems; result notpaid ends notpaid without money', async () => {
      const w = await world(server());
      const valid = await w.sdk.marketplace.submitInvoice({ integrationConfigurationId: w.icfg, requestBody: body(w, { test: { validate: true } }) });
      assert.deepEqual(valid, { test: true, validationErrors: [] });
      const invalid = await w.sdk.marketplace.submitInvoice({
        integrationConfigurationId: w.icfg,
        requestBody: body(w, { test: { validate: true }, items: [{ resourceId: w.store.externalResourceId, billingPlanId: 'pro', name: 'Pro', price: '20.00', quantity: 2, units: 'month', total: '20.00' }] }),
      });
      assert.equal(invalid.test, true);
      assert.deepEqual(invalid.validationErrors, ['items[0].total is 20.00, but price 20.00 × quantity 2 is 40.00.']);
      assert.deepEqual(await w.server.stockroom.ctx.db.selectFrom('invoices').select('id').where('installation_id', '=', w.icfg).execute(), []);

      // A real invoice takes the externalId and the period: validating either again names the clash.
      const real = body(w);
      const { invoiceId } = await w.sdk.marketplace.submitInvoice({ integrationConfigurationId: w.icfg, requestBody: real });
      const clash = await w.sdk.marketplace.submitInvoice({ integrationConfigurationId: w.icfg, requestBody: { ...real, test: { validate: true } } });
      assert.equal(clash.validationErrors?.length, 1);
      assert.match(clash.validationErrors?.[0] ?? '', new RegExp(`externalId "${real.externalId}" \\(${invoiceId}\\)`));

      const notpaid = await w.sdk.marketplace.submitInvoice({ integrationConfigurationId: w.icfg, requestBody: body(w, { test: { result: 'notpaid' } }) });
      assert.equal(notpaid.test, true);
      const row = await invoiceRow(w, notpaid.invoiceId as string);
      assert.equal(row.state, 'notpaid');
      assert.equal(row.test, 1);
      assert.deepEqual(await ledgerOf(w, notpaid.invoiceId as string), []);
      const got = await w.sdk.marketplace.getInvoice({ integrationConfigurationId: w.icfg, invoiceId: notpaid.invoiceId as string });
      assert.equal(got.test, true);
      assert.equal(got.state, 'notpaid');

      const paid = await w.sdk.marketplace.submitInvoice({ integrationConfigurationId: w.icfg, requestBody: body(w, { test: { result: 'paid' } }) });
      assert.equal((await invoiceRow(w, paid.invoiceId as string)).state, 'paid');
      assert.deepEqual(await ledgerOf(w, paid.invoiceId as string), []);
    });

    test("another installation's token is 403, a user token or none 401; an unknown invoice 404", async () => {
      const w = await world(server());
      const other = await world(server());
      const { invoiceId } = await w.sdk.marketplace.submitInvoice({ integrationConfigurationId: w.icfg, requestBody: body(w) });
      const path = `/v1/installations/${w.icfg}/billing/invoices`;
      for (const [token, status] of [[other.token, 403], [w.server.token, 401], [null, 401]] as const) {
        const submitted = await w.server.request('POST', path, { token, body: JSON.parse(JSON.stringify(body(w, { externalId: `stolen-${status}` }))) });
        assert.equal(submitted.status, status, submitted.text);
        assert.equal(submitted.body.error.code, status === 403 ? 'forbidden' : 'unauthorized');
        assert.equal((await w.server.request('GET', `${path}/${invoiceId}`, { token })).status, status);
        assert.equal((await w.server.request('POST', `${path}/${invoiceId}/actions`, { token, body: { action: 'refund', reason: 'x', total: '1.00' } })).status, status);
      }
      assert.equal((await invoiceRow(w, invoiceId as string)).state, 'paid');
      assert.deepEqual(await ledgerOf(w, invoiceId as string).then((l) => l.map((e) => e.kind)), ['charge'], 'no refund moved money');
      const stored = await w.server.stockroom.ctx.db.selectFrom('invoices').select('id').where('installation_id', 'in', [w.icfg, other.icfg]).execute();
      assert.deepEqual(stored.map((r) => r.id), [invoiceId], 'no refused submission was stored');
      // Another installation's invoice is not found through one's own installation.
      const foreign = await failure(other.sdk.marketplace.getInvoice({ integrationConfigurationId: other.icfg, invoiceId: invoiceId as string }));
      assert.equal(foreign.statusCode, 404);
      assert.equal(foreign.body.error.code, 'not_found');
    });

    test('after an uninstall answered {finalized:false}, a final invoice for the deleted store is charged; after Finalize the token is refused', async () => {
      // The reference partner answers {finalized:false} for an installation holding a `finalize-later…` resource.
      const w = await world(server(), 'pm_card_visa', 'finalize-later-billed');
      const gone = await w.server.request('DELETE', `/v1/integrations/configuration/${w.icfg}?cascade=true&teamId=${w.teamId}`);
      assert.equal(gone.status, 204, gone.text);
      const store = await w.server.stockroom.ctx.db.selectFrom('stores').select(['lifecycle', 'deleted_at']).where('id', '=', w.store.id).executeTakeFirstOrThrow();
      assert.ok(store.deleted_at !== null, 'the store went with the installation');

      const { invoiceId } = await w.sdk.marketplace.submitInvoice({ integrationConfigurationId: w.icfg, requestBody: body(w, { final: true }) });
      const row = await invoiceRow(w, invoiceId as string);
      assert.deepEqual([row.state, row.final, row.total_cents], ['paid', 1, 2344]);
      assert.deepEqual((await ledgerOf(w, invoiceId as string)).map((e) => [e.kind, e.amount_cents, e.store_id]), [['charge', 2344, w.store.id]]);
      assert.equal((await w.sdk.marketplace.getInvoice({ integrationConfigurationId: w.icfg, invoiceId: invoiceId as string })).state, 'paid');

      await w.sdk.marketplace.finalizeInstallation({ integrationConfigurationId: w.icfg });
      const late = await failure(w.sdk.marketplace.submitInvoice({ integrationConfigurationId: w.icfg, requestBody: body(w, { period: { start: JUNE_1, end: new Date('2026-07-01T00:00:00Z') } }) }));
      assert.equal(late.statusCode, 401);
      assert.equal(late.body.error.code, 'unauthorized');
      const stored = await w.server.stockroom.ctx.db.selectFrom('invoices').select('id').where('installation_id', '=', w.icfg).execute();
      assert.deepEqual(stored.map((r) => r.id), [invoiceId], 'the refused invoice is not stored');
    });

    test("the store's invoices are listed for its team, and refused to others", async () => {
      const w = await world(server());
      const { invoiceId } = await w.sdk.marketplace.submitInvoice({ integrationConfigurationId: w.icfg, requestBody: body(w) });
      const res = await w.server.request('GET', `/stockroom/v1/stores/${w.store.id}/invoices?teamId=${w.teamId}`);
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(
        res.body.invoices.map((i: any) => [i.id, i.state, i.totalCents, i.period.start]),
        [[invoiceId, 'paid', 2344, MAY_1.getTime()]],
      );
      const other = await world(server());
      assert.equal((await w.server.request('GET', `/stockroom/v1/stores/${w.store.id}/invoices?teamId=${other.teamId}`)).status, 404);
      assert.equal((await w.server.request('GET', `/stockroom/v1/stores/${w.store.id}/invoices?teamId=${w.teamId}`, { token: w.token })).status, 401);
    });
  });
}
