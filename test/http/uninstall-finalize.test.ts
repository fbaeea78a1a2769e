import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Vercel } from '@vercel/sdk';
import { dialectsToTest, type TestDialect } from '../helpers/databases.js';
import { eventually } from '../helpers/eventually.js';
import { partnerAccessToken } from '../helpers/reference-partner-db.js';
import { startWithScriptedIntegration } from '../helpers/scripted-integration.js';
import { startTestServer, type TestServer } from '../helpers/stockroom.js';
import { bootstrapInstallationId, createStore } from '../helpers/stores.js';

/**
 * Uninstall honours the partner's `{finalized:false}` (partner-api.md §1.1 #4): the team sees the
 * installation gone at once, while its partner may still send billing calls with its token until
 * it calls Finalize Installation or the wait (24 h by default) ends. The reference partner answers
 * `{finalized:false}` for an installation holding a resource named `finalize-later…`.
 */

const HOUR = 3_600_000;

async function world(t: Parameters<typeof startTestServer>[0], dialect: TestDialect, storeName: string, env: Record<string, string> = {}) {
  const server = await startTestServer(t, dialect, { env });
  const icfg = await bootstrapInstallationId(server);
  const store = await createStore(server, icfg, storeName);
  const token = await partnerAccessToken(server, icfg);
  const sdk = new Vercel({ bearerToken: token, serverURL: server.url });
  return { server, icfg, store, token, sdk };
}

async function uninstall(server: TestServer, icfg: string) {
  const res = await server.request('DELETE', `/v1/integrations/configuration/${icfg}?cascade=true`);
  assert.equal(res.status, 204, res.text);
}

async function installationRow(server: TestServer, icfg: string) {
  return server.stockroom.ctx.db.selectFrom('installations').select(['status', 'deleted_at', 'finalize_by', 'finalized_at']).where('id', '=', icfg).executeTakeFirstOrThrow();
}

function usage(server: TestServer, resourceId: string) {
  const now = server.clock.now();
  return {
    timestamp: new Date(now),
    eod: new Date(now),
    period: { start: new Date(now - 24 * HOUR), end: new Date(now + HOUR) },
    billing: { items: [] },
    usage: [{ resourceId, name: 'Final storage', type: 'total' as const, units: 'GB', dayValue: 3, periodValue: 3 }],
  };
}

async function statusOf(call: Promise<unknown>): Promise<number> {
  try {
    await call;
    return 0;
  } catch (error) {
    return (error as { statusCode: number }).statusCode;
  }
}

for (const dialect of dialectsToTest()) {
  describe(`uninstall waits for final invoices after {finalized:false} (${dialect})`, () => {
    test('the team sees it uninstalled at once; the partner’s billing calls are taken until Finalize Installation, then refused', async (t) => {
      const w = await world(t, dialect, 'finalize-later-db');
      const before = w.server.clock.now();
      await uninstall(w.server, w.icfg);

      const row = await installationRow(w.server, w.icfg);
      assert.ok(row.deleted_at !== null, 'gone for the team');
      assert.ok(row.finalize_by !== null && Number(row.finalize_by) >= before + 24 * HOUR && Number(row.finalize_by) <= w.server.clock.now() + 24 * HOUR, `finalize_by ${row.finalize_by}`);
      assert.equal(row.finalized_at, null);

      // The team: not listed, not readable, no new store in it.
      const list = await w.server.request('GET', '/v1/integrations/configurations?view=account');
      assert.equal(list.status, 200, list.text);
      assert.ok(!list.body.some((c: { id: string }) => c.id === w.icfg), 'not listed');
      assert.equal((await w.server.request('GET', `/v1/integrations/configuration/${w.icfg}`)).status, 404);
      assert.equal((await w.server.request('GET', `/v1/storage/stores/${w.store.id}`)).status, 404);
      const create = await w.server.request('POST', '/v1/storage/stores/integration/direct', {
        body: { name: 'late-db', integrationConfigurationId: w.icfg, integrationProductIdOrSlug: 'acme-db', metadata: { region: 'iad1' } },
      });
      assert.equal(create.status, 404, create.text);

      // The partner: billing calls still work, for the deleted store's resource too; others do not.
      assert.equal(await w.sdk.marketplace.submitBillingData({ integrationConfigurationId: w.icfg, requestBody: usage(w.server, w.store.externalResourceId) }), undefined);
      await w.sdk.marketplace.submitPrepaymentBalances({ integrationConfigurationId: w.icfg, requestBody: { timestamp: new Date(w.server.clock.now()), balances: [{ currencyValueInCents: 0 }] } });
      const usageRow = await w.server.stockroom.ctx.db.selectFrom('resource_usage').selectAll().where('installation_id', '=', w.icfg).executeTakeFirstOrThrow();
      assert.equal(usageRow.name, 'Final storage');
      assert.equal(
        await statusOf(w.sdk.marketplace.createEvent({ integrationConfigurationId: w.icfg, requestBody: { event: { type: 'installation.updated' } } })),
        401,
        'only billing calls are taken while it waits',
      );

      assert.equal(await w.sdk.marketplace.finalizeInstallation({ integrationConfigurationId: w.icfg }), undefined);
      const finalized = await installationRow(w.server, w.icfg);
      assert.ok(finalized.finalized_at !== null && Number(finalized.finalized_at) >= before && Number(finalized.finalized_at) <= w.server.clock.now());

      // From now on the token is refused, a second Finalize too.
      assert.equal(await statusOf(w.sdk.marketplace.submitBillingData({ integrationConfigurationId: w.icfg, requestBody: usage(w.server, w.store.externalResourceId) })), 401);
      assert.equal(await statusOf(w.sdk.marketplace.finalizeInstallation({ integrationConfigurationId: w.icfg })), 401);
      assert.equal(Number((await installationRow(w.server, w.icfg)).finalized_at), Number(finalized.finalized_at), 'the refused Finalize changed nothing');
      const submissions = await w.server.stockroom.ctx.db.selectFrom('billing_submissions').select('id').where('installation_id', '=', w.icfg).execute();
      assert.equal(submissions.length, 1);
    });

    test('final invoices: Submit Invoice for the deleted store is taken and charged while the installation waits, refused after Finalize', async (t) => {
      const server = await startTestServer(t, dialect);
      const icfg = await bootstrapInstallationId(server);
      const store = await createStore(server, icfg, 'finalize-later-paid', { paid: true });
      const token = await partnerAccessToken(server, icfg);
      const sdk = new Vercel({ bearerToken: token, serverURL: server.url });
      const setDefault = await server.request('PUT', '/stockroom/v1/payment-methods/default', { body: { paymentMethodId: 'pm_card_visa' } });
      assert.equal(setDefault.status, 200, setDefault.text);
      await uninstall(server, icfg);

      const now = server.clock.now();
      const invoice = {
        externalId: 'final-1',
        invoiceDate: new Date(now),
        period: { start: new Date(now - 10 * 24 * HOUR), end: new Date(now) },
        items: [{ resourceId: store.externalResourceId, billingPlanId: 'pro', name: 'Pro plan, last days', price: '5.00', quantity: 1, units: 'period', total: '5.00' }],
        final: true,
      };
      const { invoiceId } = await sdk.marketplace.submitInvoice({ integrationConfigurationId: icfg, requestBody: invoice });
      assert.ok(invoiceId);
      const row = await server.stockroom.ctx.db.selectFrom('invoices').selectAll().where('id', '=', invoiceId).executeTakeFirstOrThrow();
      assert.equal(row.installation_id, icfg);
      assert.equal(Number(row.total_cents), 500);
      assert.equal((await sdk.marketplace.getInvoice({ integrationConfigurationId: icfg, invoiceId })).invoiceId, invoiceId);

      await sdk.marketplace.finalizeInstallation({ integrationConfigurationId: icfg });
      assert.equal(await statusOf(sdk.marketplace.submitInvoice({ integrationConfigurationId: icfg, requestBody: { ...invoice, externalId: 'final-2' } })), 401);
      assert.equal(await statusOf(sdk.marketplace.getInvoice({ integrationConfigurationId: icfg, invoiceId })), 401);
      const invoices = await server.stockroom.ctx.db.selectFrom('invoices').select(['id', 'external_id']).where('installation_id', '=', icfg).execute();
      assert.deepEqual(invoices, [{ id: invoiceId, external_id: 'final-1' }], 'the refused invoice is not stored');
    });

    test('without Finalize, the wait ends after 24 h: the token is refused and the job records the end', async (t) => {
      const w = await world(t, dialect, 'finalize-later', { STOCKROOM_FINALIZATION_INTERVAL_MS: '50' });
      await uninstall(w.server, w.icfg);
      const { finalize_by: finalizeBy } = await installationRow(w.server, w.icfg);
      assert.ok(finalizeBy !== null);

      w.server.clock.advance(23 * HOUR);
      assert.equal(await statusOf(w.sdk.marketplace.submitBillingData({ integrationConfigurationId: w.icfg, requestBody: usage(w.server, w.store.externalResourceId) })), 0, 'still taken after 23 h');
      assert.equal((await installationRow(w.server, w.icfg)).finalized_at, null);

      w.server.clock.advance(HOUR + 1000);
      assert.equal(await statusOf(w.sdk.marketplace.submitBillingData({ integrationConfigurationId: w.icfg, requestBody: usage(w.server, w.store.externalResourceId) })), 401, 'refused once the wait is over');
      const ended = await eventually('the job ends the wait', async () => {
        const row = await installationRow(w.server, w.icfg);
        return row.finalized_at !== null && row;
      });
      assert.equal(Number(ended.finalized_at), Number(finalizeBy), 'finalized at its deadline');
    });

    test('the wait is configurable (STOCKROOM_FINALIZATION_WAIT_MS)', async (t) => {
      const w = await world(t, dialect, 'finalize-later-short', { STOCKROOM_FINALIZATION_WAIT_MS: String(HOUR) });
      const before = w.server.clock.now();
      await uninstall(w.server, w.icfg);
      const row = await installationRow(w.server, w.icfg);
      assert.ok(Number(row.finalize_by) >= before + HOUR && Number(row.finalize_by) < before + 2 * HOUR, `finalize_by ${row.finalize_by}`);
      w.server.clock.advance(HOUR + 1000);
      assert.equal(await statusOf(w.sdk.marketplace.finalizeInstallation({ integrationConfigurationId: w.icfg })), 401);
    });

    test('any partner: an answer without finalized:true waits, a 204 is final', async (t) => {
      for (const [answer, waits] of [[{ status: 200, body: {} }, true], [{ status: 200, body: { finalized: false } }, true], [{ status: 204 }, false]] as const) {
        const icfg = `icfg_scripted${waits ? 'Wait' : 'Final'}${Object.keys(answer).length}${'body' in answer ? Object.keys(answer.body).length : 0}`;
        const { server, provider } = await startWithScriptedIntegration(t, dialect, icfg);
        provider.on('DELETE', `/v1/installations/${icfg}`, answer);
        await uninstall(server, icfg);
        assert.equal(provider.requestsTo('DELETE', `/v1/installations/${icfg}`).length, 1);
        const row = await installationRow(server, icfg);
        assert.ok(row.deleted_at !== null);
        assert.equal(row.finalize_by !== null, waits, JSON.stringify(answer));
      }
    });

    test('{finalized:true} (any other resource) is final at once, as before: no wait, the token refused', async (t) => {
      const w = await world(t, dialect, 'plain-db');
      await uninstall(w.server, w.icfg);
      const row = await installationRow(w.server, w.icfg);
      assert.ok(row.deleted_at !== null);
      assert.equal(row.finalize_by, null);
      assert.equal(row.finalized_at, null);
      assert.equal(await statusOf(w.sdk.marketplace.submitBillingData({ integrationConfigurationId: w.icfg, requestBody: usage(w.server, w.store.externalResourceId) })), 401);
      assert.equal(await statusOf(w.sdk.marketplace.finalizeInstallation({ integrationConfigurationId: w.icfg })), 401);
      // Nothing the refused calls sent was stored.
      assert.deepEqual(await w.server.stockroom.ctx.db.selectFrom('resource_usage').select('name').where('installation_id', '=', w.icfg).execute(), []);
      assert.deepEqual(await w.server.stockroom.ctx.db.selectFrom('billing_submissions').select('id').where('installation_id', '=', w.icfg).execute(), []);
      assert.equal((await installationRow(w.server, w.icfg)).finalized_at, null);
    });
  });
}
