import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Vercel } from '@vercel/sdk';
import { hashToken } from '../../src/crypto/secret-box.js';
import { randomText } from '../../src/crypto/random-text.js';
import { browserSkipReason, signedInConsole } from '../helpers/browser.js';
import { startBuiltTestServer } from '../helpers/built-server.js';
import { bootstrapInstallationId, createStore } from '../helpers/stores.js';

/**
 * The store page's partner panels, in headless Chromium against the bundle: the usage and balance
 * the partner reported (through the SDK), and "Open in provider", which appears only when the
 * integration has a redirect-login URL and takes the browser to it with a one-time code.
 */

const UI_TIMEOUT = 15_000;

test('the store page shows usage and balance, and Open in provider goes to the partner with a code', { skip: browserSkipReason, timeout: 120_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'stockroom-console-usage-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const catalog = JSON.parse(readFileSync(new URL('../../catalog/default.json', import.meta.url), 'utf8'));
  catalog.integrations[0].redirectLoginUrl = 'builtin:reference/sso/landing';
  const catalogPath = join(dir, 'catalog.json');
  writeFileSync(catalogPath, JSON.stringify(catalog));
  const server = await startBuiltTestServer(t, 'sqlite', { env: { STOCKROOM_CATALOG: catalogPath } });
  const icfg = await bootstrapInstallationId(server);
  const store = await createStore(server, icfg, 'metered-console-db');

  // The partner reports, with its installation token.
  const partnerToken = `srk_partnerTest${randomText(32)}`;
  await server.stockroom.ctx.db.updateTable('installations').set({ access_token_hash: hashToken(partnerToken) }).where('id', '=', icfg).execute();
  const sdk = new Vercel({ bearerToken: partnerToken, serverURL: server.url });
  const now = Date.now();
  await sdk.marketplace.submitBillingData({
    integrationConfigurationId: icfg,
    requestBody: {
      timestamp: new Date(now),
      eod: new Date(now),
      period: { start: new Date(now - 86_400_000), end: new Date(now + 86_400_000) },
      billing: { items: [] },
      usage: [{ resourceId: store.externalResourceId, name: 'Requests', type: 'interval', units: 'requests', dayValue: 500, periodValue: 4500, planValue: 10000 }],
    },
  });
  await sdk.marketplace.submitPrepaymentBalances({
    integrationConfigurationId: icfg,
    requestBody: { timestamp: new Date(now), balances: [{ resourceId: store.externalResourceId, currencyValueInCents: 1234, nameLabel: 'Prepaid credit' }] },
  });

  const { page, pageErrors } = await signedInConsole(t, server, UI_TIMEOUT);
  await page.goto(`${server.url}/#/stores/${store.id}`);
  await page.getByRole('heading', { level: 1, name: 'metered-console-db' }).waitFor();

  const panel = page.getByRole('region', { name: 'Usage and balance' });
  await panel.getByRole('table').waitFor();
  assert.match(await panel.locator('#store-balance').innerText(), /^Prepaid credit: \$12\.34/);
  const cells = await panel.locator('tbody tr').first().locator('td').allInnerTexts();
  assert.deepEqual(cells.slice(0, 4), ['Requests', '500 requests', '4,500 requests', '10,000 requests']);

  const open = page.getByRole('button', { name: 'Open in provider' });
  await open.waitFor();
  await Promise.all([page.waitForURL((url) => url.pathname === '/partners/reference/sso/landing'), open.click()]);
  const landed = new URL(page.url());
  assert.equal(landed.searchParams.get('resource_id'), store.externalResourceId);
  const code = landed.searchParams.get('code');
  assert.ok(code);
  const row = await server.stockroom.ctx.db.selectFrom('sso_codes').selectAll().where('code_hash', '=', hashToken(code)).executeTakeFirst();
  assert.equal(row?.installation_id, icfg);
  assert.equal(row?.state, landed.searchParams.get('state'));
  assert.deepEqual(pageErrors, []);
});
