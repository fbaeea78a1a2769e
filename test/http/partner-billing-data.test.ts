import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Vercel } from '@vercel/sdk';
import { createTeam } from '../helpers/accounts.js';
import { dialectsToTest, type TestDialect } from '../helpers/databases.js';
import { partnerAccessToken } from '../helpers/reference-partner-db.js';
import { startTestServer, type TestServer } from '../helpers/stockroom.js';
import { bootstrapInstallationId, createStore } from '../helpers/stores.js';

/**
 * Submit Billing Data and Submit Prepayment Balances (partner-api.md §1.5), driven by the partner's
 * own client, `@vercel/sdk`, which parses Stockroom's answers strictly: status, body, and the rows.
 */

const HOUR = 3_600_000;

async function world(t: Parameters<typeof startTestServer>[0], dialect: TestDialect) {
  const server = await startTestServer(t, dialect);
  const icfg = await bootstrapInstallationId(server);
  const store = await createStore(server, icfg, 'metered-db');
  const token = await partnerAccessToken(server, icfg);
  const sdk = new Vercel({ bearerToken: token, serverURL: server.url });
  return { server, icfg, store, token, sdk };
}

/** A valid submission for the server's clock: the day ends in an hour, the month started 10 days ago. */
function billingData(server: TestServer, resourceId: string, overrides: { timestamp?: number; dayValue?: number; eod?: number; periodEnd?: number } = {}) {
  const now = server.clock.now();
  return {
    timestamp: new Date(overrides.timestamp ?? now),
    eod: new Date(overrides.eod ?? now + HOUR),
    period: { start: new Date(now - 10 * 24 * HOUR), end: new Date(overrides.periodEnd ?? now + 20 * 24 * HOUR) },
    billing: {
      items: [{ billingPlanId: 'pro', resourceId, name: 'Storage', price: '0.25', quantity: 12, units: 'GB', total: '3.00' }],
      discounts: [{ billingPlanId: 'pro', resourceId, name: 'Launch discount', amount: '1.00' }],
    },
    usage: [
      { resourceId, name: 'Storage', type: 'total' as const, units: 'GB', dayValue: 12, periodValue: overrides.dayValue ?? 12, planValue: 100 },
      { resourceId, name: 'Requests', type: 'interval' as const, units: 'requests', dayValue: overrides.dayValue ?? 500, periodValue: 4500 },
    ],
  };
}

async function usageRows(server: TestServer, icfg: string) {
  return server.stockroom.ctx.db.selectFrom('resource_usage').selectAll().where('installation_id', '=', icfg).orderBy('name').execute();
}

async function submissions(server: TestServer, icfg: string) {
  return server.stockroom.ctx.db.selectFrom('billing_submissions').selectAll().where('installation_id', '=', icfg).execute();
}

/** The SDK's error for a refused call, with Stockroom's body parsed. */
async function refused(call: Promise<unknown>, status: number): Promise<{ code: string; message: string; fields?: Array<{ key: string }>; param?: string }> {
  let caught: any;
  await assert.rejects(call, (error: any) => {
    caught = error;
    return true;
  });
  assert.equal(caught.statusCode, status, `${caught.statusCode}: ${caught.body}`);
  const body = JSON.parse(caught.body);
  assert.deepEqual(Object.keys(body), ['error']);
  return body.error;
}

for (const dialect of dialectsToTest()) {
  describe(`partner billing data (${dialect})`, () => {
    test('Submit Billing Data answers 201 and keeps the submission and each metric’s latest value', async (t) => {
      const w = await world(t, dialect);
      const result = await w.sdk.marketplace.submitBillingData({ integrationConfigurationId: w.icfg, requestBody: billingData(w.server, w.store.externalResourceId) });
      assert.equal(result, undefined);

      const [submission, ...more] = await submissions(w.server, w.icfg);
      assert.equal(more.length, 0);
      assert.ok(submission);
      const billing = JSON.parse(submission.billing);
      assert.equal(billing.items[0].total, '3.00');
      assert.equal(billing.discounts[0].amount, '1.00');
      assert.equal(JSON.parse(submission.usage).length, 2);
      const rows = await usageRows(w.server, w.icfg);
      assert.deepEqual(
        rows.map((r) => [r.resource_id, r.name, r.type, r.units, Number(r.day_value), Number(r.period_value), r.plan_value === null ? null : Number(r.plan_value)]),
        [
          [w.store.externalResourceId, 'Requests', 'interval', 'requests', 500, 4500, null],
          [w.store.externalResourceId, 'Storage', 'total', 'GB', 12, 12, 100],
        ],
      );

      // A later report replaces the values; a delayed older one (earlier timestamp) does not.
      const later = w.server.clock.now() + 60_000;
      await w.sdk.marketplace.submitBillingData({ integrationConfigurationId: w.icfg, requestBody: billingData(w.server, w.store.externalResourceId, { timestamp: later, dayValue: 800 }) });
      await w.sdk.marketplace.submitBillingData({ integrationConfigurationId: w.icfg, requestBody: billingData(w.server, w.store.externalResourceId, { timestamp: later - 30 * 60_000, dayValue: 1 }) });
      const requests = (await usageRows(w.server, w.icfg)).find((r) => r.name === 'Requests');
      assert.equal(Number(requests?.day_value), 800);
      assert.equal(Number(requests?.timestamp), later);
      assert.equal((await submissions(w.server, w.icfg)).length, 3, 'every submission is kept as received');
    });

    test('the old billing form (items alone) and the /api prefix are accepted', async (t) => {
      const w = await world(t, dialect);
      const data = billingData(w.server, w.store.externalResourceId);
      const viaApi = new Vercel({ bearerToken: w.token, serverURL: `${w.server.url}/api` });
      await viaApi.marketplace.submitBillingData({ integrationConfigurationId: w.icfg, requestBody: { ...data, billing: data.billing.items } });
      const [submission] = await submissions(w.server, w.icfg);
      assert.deepEqual(JSON.parse(submission!.billing).discounts, []);
    });

    test('the 24 h rules: an eod or period end older than 24 h, or an eod outside the period, is 400 naming the field; nothing is stored', async (t) => {
      const w = await world(t, dialect);
      const now = w.server.clock.now();
      const stale = now - 25 * HOUR;
      const cases: Array<[Parameters<typeof billingData>[2], string]> = [
        [{ eod: stale }, 'eod'],
        [{ eod: stale, periodEnd: now - 24 * HOUR - 1 }, 'period.end'],
        [{ eod: now + 30 * 24 * HOUR }, 'eod'],
      ];
      for (const [overrides, key] of cases) {
        const error = await refused(w.sdk.marketplace.submitBillingData({ integrationConfigurationId: w.icfg, requestBody: billingData(w.server, w.store.externalResourceId, overrides) }), 400);
        assert.equal(error.code, 'bad_request');
        assert.ok(error.fields?.some((f) => f.key === key), `${key} in ${JSON.stringify(error.fields)}`);
        assert.match(error.message, new RegExp(key.replace('.', '\\.')));
      }
      // 23 h old is still taken: the limit is 24 h.
      await w.sdk.marketplace.submitBillingData({ integrationConfigurationId: w.icfg, requestBody: billingData(w.server, w.store.externalResourceId, { eod: now - 23 * HOUR, periodEnd: now - 23 * HOUR }) });
      assert.equal((await submissions(w.server, w.icfg)).length, 1);

      // The same data 2 h later (the server's clock moved) is now too old.
      w.server.clock.advance(2 * HOUR);
      const late = await refused(w.sdk.marketplace.submitBillingData({ integrationConfigurationId: w.icfg, requestBody: billingData(w.server, w.store.externalResourceId, { eod: now - 23 * HOUR, periodEnd: now - 23 * HOUR }) }), 400);
      assert.ok(late.fields?.some((f) => f.key === 'eod'));
      assert.equal((await submissions(w.server, w.icfg)).length, 1);
    });

    test('a metric reported twice, a bad amount or an unknown resource is refused; nothing is stored', async (t) => {
      const w = await world(t, dialect);
      const data = billingData(w.server, w.store.externalResourceId);
      const twice = await refused(w.sdk.marketplace.submitBillingData({ integrationConfigurationId: w.icfg, requestBody: { ...data, usage: [data.usage[0]!, data.usage[0]!] } }), 400);
      assert.equal(twice.fields?.[0]?.key, 'usage[1]');
      const badAmount = await refused(
        w.sdk.marketplace.submitBillingData({ integrationConfigurationId: w.icfg, requestBody: { ...data, billing: { items: [{ ...data.billing.items[0]!, total: 'three dollars' }] } } }),
        400,
      );
      assert.equal(badAmount.param, 'billing.items[0].total');
      const unknown = await refused(
        w.sdk.marketplace.submitBillingData({ integrationConfigurationId: w.icfg, requestBody: { ...data, usage: [{ ...data.usage[0]!, resourceId: 'res_not_ours' }] } }),
        404,
      );
      assert.equal(unknown.code, 'not_found');
      assert.match(unknown.message, /res_not_ours/);
      // JSON's 1e400 parses to Infinity, which no column keeps; the SDK cannot send it, a raw body can.
      const raw = JSON.stringify({ ...data, usage: [{ ...data.usage[0]!, dayValue: 1 }] }).replace('"dayValue":1,', '"dayValue":1e400,');
      const infinite = await w.server.request('POST', `/v1/installations/${w.icfg}/billing`, { rawBody: raw, token: w.token, headers: { 'content-type': 'application/json' } });
      assert.equal(infinite.status, 400, infinite.text);
      assert.equal(infinite.body.error.param, 'usage[0].dayValue');
      assert.equal((await submissions(w.server, w.icfg)).length, 0);
      assert.equal((await usageRows(w.server, w.icfg)).length, 0);
    });

    test('Submit Prepayment Balances answers 201 and keeps the latest balance per resource', async (t) => {
      const w = await world(t, dialect);
      const now = w.server.clock.now();
      const submit = (timestamp: number, cents: number) =>
        w.sdk.marketplace.submitPrepaymentBalances({
          integrationConfigurationId: w.icfg,
          requestBody: { timestamp: new Date(timestamp), balances: [{ resourceId: w.store.externalResourceId, currencyValueInCents: cents, credit: '1,000 requests', nameLabel: 'Requests' }, { currencyValueInCents: 50 }] },
        });
      assert.equal(await submit(now, 1500), undefined);
      await submit(now + 1000, 1200);
      await submit(now - 1000, 9999); // older: ignored
      const rows = await w.server.stockroom.ctx.db.selectFrom('prepayment_balances').selectAll().where('installation_id', '=', w.icfg).orderBy('resource_key').execute();
      assert.deepEqual(
        rows.map((r) => [r.resource_key, Number(r.currency_value_in_cents), r.credit, r.name_label, Number(r.reported_at)]),
        [
          ['', 50, null, null, now + 1000],
          [w.store.externalResourceId, 1200, '1,000 requests', 'Requests', now + 1000],
        ],
      );
      const twice = await refused(
        w.sdk.marketplace.submitPrepaymentBalances({ integrationConfigurationId: w.icfg, requestBody: { timestamp: new Date(now), balances: [{ currencyValueInCents: 1 }, { currencyValueInCents: 2 }] } }),
        400,
      );
      assert.equal(twice.param, 'balances[1].resourceId');
      assert.equal(twice.code, 'bad_request');
      const unknown = await refused(
        w.sdk.marketplace.submitPrepaymentBalances({ integrationConfigurationId: w.icfg, requestBody: { timestamp: new Date(now + 2000), balances: [{ resourceId: 'res_nope', currencyValueInCents: 1 }, { currencyValueInCents: 7 }] } }),
        404,
      );
      assert.equal(unknown.code, 'not_found');
      // Neither refusal changed a kept balance (the 404's other, newer balance included).
      const after = await w.server.stockroom.ctx.db.selectFrom('prepayment_balances').selectAll().where('installation_id', '=', w.icfg).orderBy('resource_key').execute();
      assert.deepEqual(after.map((r) => [r.resource_key, Number(r.currency_value_in_cents), Number(r.reported_at)]), rows.map((r) => [r.resource_key, Number(r.currency_value_in_cents), Number(r.reported_at)]));
    });

    test('Finalize Installation on a live installation is 400 and changes nothing', async (t) => {
      const w = await world(t, dialect);
      const error = await refused(w.sdk.marketplace.finalizeInstallation({ integrationConfigurationId: w.icfg }), 400);
      assert.equal(error.code, 'bad_request');
      assert.match(error.message, /not being uninstalled/);
      const row = await w.server.stockroom.ctx.db.selectFrom('installations').select(['finalized_at', 'deleted_at']).where('id', '=', w.icfg).executeTakeFirstOrThrow();
      assert.deepEqual(row, { finalized_at: null, deleted_at: null });
    });

    test('another installation’s token is 403, a user token or none is 401, on every billing call', async (t) => {
      const w = await world(t, dialect);
      const team = await createTeam(w.server);
      const installed = await w.server.request('POST', `/stockroom/v1/installations?teamId=${team.id}`, { body: { integrationIdOrSlug: 'acme' } });
      assert.equal(installed.status, 200, installed.text);
      const otherToken = await partnerAccessToken(w.server, installed.body.id);
      const calls = (sdk: Vercel) => [
        () => sdk.marketplace.submitBillingData({ integrationConfigurationId: w.icfg, requestBody: billingData(w.server, w.store.externalResourceId) }),
        () => sdk.marketplace.submitPrepaymentBalances({ integrationConfigurationId: w.icfg, requestBody: { timestamp: new Date(), balances: [{ currencyValueInCents: 1 }] } }),
        () => sdk.marketplace.finalizeInstallation({ integrationConfigurationId: w.icfg }),
      ];
      for (const [token, status] of [[otherToken, 403], [w.server.token, 401], ['', 401]] as const) {
        const sdk = new Vercel({ ...(token ? { bearerToken: token } : {}), serverURL: w.server.url });
        for (const call of calls(sdk)) await refused(call(), status);
      }
      assert.equal((await submissions(w.server, w.icfg)).length, 0);
      const balances = await w.server.stockroom.ctx.db.selectFrom('prepayment_balances').selectAll().execute();
      assert.equal(balances.length, 0);
    });
  });
}
