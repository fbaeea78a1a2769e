import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Vercel } from '@vercel/sdk';
import { startBuiltTestServer } from '../helpers/built-server.js';
import { dialectsToTest } from '../helpers/databases.js';
import { bootstrapInstallationId } from '../helpers/stores.js';

/**
 * `@vercel/sdk` end to end against the bundle `npm start` runs: the SDK parses every answer
 * strictly, so this catches a bundle whose answers differ from the sources' (a serializer or a
 * schema lost in bundling) where the HTTP suites, which run the sources in-process, would not.
 */
for (const dialect of dialectsToTest()) {
  test(`the SDK creates and reads a store on the bundle (${dialect})`, { timeout: 60_000 }, async (t) => {
    const server = await startBuiltTestServer(t, dialect);
    const vercel = new Vercel({ serverURL: server.url, bearerToken: server.token });
    const icfg = await bootstrapInstallationId(server);

    const created = await vercel.integrations.createIntegrationStoreDirect({
      requestBody: { name: 'sdk-on-bundle', integrationConfigurationId: icfg, integrationProductIdOrSlug: 'acme-db', billingPlanId: 'pro', paymentMethodId: 'pm_card_visa', metadata: { region: 'iad1' } },
    });
    assert.equal(created.store?.status, 'available');
    assert.equal(created.store?.billingPlan?.id, 'pro');
    assert.deepEqual(created.store?.secrets.map((s) => s.name), ['ACME_DB_URL', 'ACME_DB_TOKEN']);

    const { db } = server.stockroom.ctx;
    const row = await db.selectFrom('stores').select(['id', 'lifecycle', 'status', 'external_resource_id']).where('name', '=', 'sdk-on-bundle').executeTakeFirstOrThrow();
    assert.deepEqual(row, { id: row.id, lifecycle: 'live', status: 'available', external_resource_id: created.store?.externalResourceId });
    const ledger = await db.selectFrom('ledger_entries').select(['kind', 'amount_cents']).where('store_id', '=', row.id).execute();
    assert.deepEqual(ledger.map((e) => [e.kind, Number(e.amount_cents)]).sort(), [['authorization', 1000], ['charge', 2000]]);

    const read = await vercel.storage.getStorageStoresById({ id: row.id });
    assert.equal(read.store.status, 'available');
  });
}
