import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Vercel } from '@vercel/sdk';
import { browserSkipReason, screenshot, signedInConsole } from '../helpers/browser.js';
import { startBuiltTestServer } from '../helpers/built-server.js';
import { partnerAccessToken } from '../helpers/reference-partner-db.js';
import type { TestServer } from '../helpers/stockroom.js';
import { bootstrapInstallationId, createStore } from '../helpers/stores.js';

/**
 * The store page's invoices panel (src/console/pages/store-invoices.ts) in headless Chromium
 * against the bundle: a partner's invoice, paid then partly refunded, and a prepaid purchase with
 * the balance its partner reported; what the page shows is what the database holds.
 */
test('the store page lists its invoices; a prepaid purchase shows as a paid invoice and a balance', { skip: browserSkipReason, timeout: 120_000 }, async (t) => {
  const server = await startBuiltTestServer(t, 'sqlite');
  const icfg = await bootstrapInstallationId(server);
  assert.equal((await server.request('PUT', '/stockroom/v1/payment-methods/default', { body: { paymentMethodId: 'pm_card_visa' } })).status, 200);
  const pro = await createStore(server, icfg, 'invoiced', { paid: true });
  const prepaid = await server.request('POST', '/v1/storage/stores/integration/direct', {
    body: { name: 'prepaid-credits', integrationConfigurationId: icfg, integrationProductIdOrSlug: 'acme-db', billingPlanId: 'prepaid', paymentMethodId: 'pm_card_visa', prepaymentAmountCents: 2500, metadata: { region: 'iad1' } },
  });
  assert.equal(prepaid.status, 200, prepaid.text);

  const sdk = new Vercel({ bearerToken: await partnerAccessToken(server as unknown as TestServer, icfg), serverURL: server.url });
  const { invoiceId } = await sdk.marketplace.submitInvoice({
    integrationConfigurationId: icfg,
    requestBody: {
      invoiceDate: new Date('2026-06-01T12:00:00Z'),
      memo: 'May usage',
      period: { start: new Date('2026-05-01T12:00:00Z'), end: new Date('2026-06-01T12:00:00Z') },
      items: [{ resourceId: pro.externalResourceId, billingPlanId: 'pro', name: 'Pro', price: '20.00', quantity: 1, units: 'month', total: '20.00' }],
    },
  });
  await sdk.marketplace.updateInvoice({ integrationConfigurationId: icfg, invoiceId: invoiceId as string, requestBody: { action: 'refund', reason: 'outage', total: '5.00' } });
  const row = await server.stockroom.ctx.db.selectFrom('invoices').selectAll().where('id', '=', invoiceId as string).executeTakeFirstOrThrow();
  assert.deepEqual([row.state, row.total_cents, row.refund_cents], ['refunded', 2000, 500]);

  const { page, pageErrors } = await signedInConsole(t, server);

  await page.goto(`${server.url}/#/stores/${pro.id}`);
  await page.getByRole('heading', { level: 2, name: 'Invoices' }).waitFor();
  const rows = page.locator('#store-invoices tbody tr');
  await rows.first().waitFor();
  const cells = await rows.evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => (td as HTMLElement).innerText.trim())));
  assert.equal(cells.length, 1);
  assert.match(cells[0]?.[0] ?? '', /Jun 1, 2026/);
  assert.match(cells[0]?.[1] ?? '', /May 1, 2026.*Jun 1, 2026/);
  assert.equal(cells[0]?.[2], 'refunded');
  assert.equal(cells[0]?.[3], '$20.00 ($5.00 refunded)');
  assert.equal(cells[0]?.[4], 'May usage');
  await screenshot(page, 'store-invoices');

  await page.goto(`${server.url}/#/stores/${prepaid.body.store.id}`);
  // The balance Provision Purchase answered, shown by the usage panel from the same table.
  await page.locator('#store-balance strong').waitFor();
  assert.match(await page.locator('#store-balance').innerText(), /\$25\.00/);
  await page.locator('#store-invoices tbody tr').first().waitFor();
  const prepaidCells = await page.locator('#store-invoices tbody tr td').allInnerTexts();
  assert.deepEqual(prepaidCells.slice(1, 4).map((c) => c.trim()), ['one-off', 'paid', '$25.00']);
  assert.deepEqual(pageErrors, []);
});
