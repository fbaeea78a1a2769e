import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { createTeam } from '../helpers/accounts.js';
import { browserSkipReason, launchChromium, screenshot } from '../helpers/browser.js';
import { startBuiltTestServer, type BuiltTestServer as TestServer } from '../helpers/built-server.js';
import { writeConsoleCatalog } from './console-catalog.js';

/**
 * The web console in headless Chromium against the bundle `npm start` runs (SQLite; the console only speaks
 * the public API, which the HTTP suites cover on every dialect). One browser and one server for
 * the whole file, steps in order, each checking the page and then the database.
 */

const UI_TIMEOUT = 15_000;

async function storeRow(server: TestServer, name: string) {
  return server.stockroom.ctx.db.selectFrom('stores').selectAll().where('name', '=', name).orderBy('created_at', 'desc').executeTakeFirst();
}

async function signIn(page: Page, server: TestServer): Promise<void> {
  await page.getByLabel('Access token').fill(server.token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { level: 1, name: 'Stores' }).waitFor();
}

/** Opens the create form on Acme DB and waits for its plans. */
async function openCreateForm(page: Page): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Create store' }).click();
  await page.getByRole('heading', { level: 1, name: 'Create store' }).waitFor();
  await page.getByLabel('Product').selectOption({ label: 'Acme DB' });
  await page.getByRole('radio', { name: /Free/ }).waitFor();
}

test('the web console', { skip: browserSkipReason, timeout: 120_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'stockroom-console-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  // A fast poller, so a pending store turns available within the test's patience.
  const server = await startBuiltTestServer(t, 'sqlite', { env: { STOCKROOM_CATALOG: writeConsoleCatalog(dir), STOCKROOM_POLL_INTERVAL_MS: '200' } });
  const browser: Browser = await launchChromium();
  t.after(() => browser.close());
  const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(UI_TIMEOUT);
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));

  await t.test('GET / is a page anyone may load, with a strict content security policy', async () => {
    const res = await fetch(`${server.url}/`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(res.headers.get('content-security-policy') ?? '', /script-src 'self'/);
    const script = await fetch(`${server.url}/console/app.js`);
    assert.equal(script.status, 200);
    assert.equal((await fetch(`${server.url}/console/app.js`, { headers: { 'if-none-match': script.headers.get('etag') ?? '' } })).status, 304);
  });

  await t.test('signs in with a token kept in sessionStorage, after refusing a wrong one', async () => {
    await page.goto(`${server.url}/`);
    await page.getByLabel('Access token').fill('srk_not_a_real_token_0000000000000000');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'The token is not valid' }).waitFor();
    await screenshot(page, '1-sign-in');
    await signIn(page, server);
    assert.equal(await page.evaluate(() => sessionStorage.getItem('stockroom.token')), server.token);
    assert.equal(await page.evaluate(() => localStorage.length), 0, 'nothing is kept beyond the tab');
    assert.match((await page.getByLabel('Team').inputValue()) ?? '', /^team_/);
  });

  await t.test('shows invalid-metadata messages next to their fields and creates nothing', async () => {
    await openCreateForm(page);
    await page.getByLabel('Name', { exact: true }).fill('bad-metadata');
    await page.getByLabel('Storage (GB)').fill('5000');
    await page.getByRole('button', { name: 'Create store' }).click();
    const summary = page.locator('.error-summary');
    await summary.waitFor({ state: 'visible' });
    await page.locator('#meta-region-error').filter({ hasText: 'Primary region is required' }).waitFor();
    await page.locator('#meta-storageGb-error').filter({ hasText: 'Storage (GB) must be <= 1024' }).waitFor();
    assert.equal(await page.getByLabel('Primary region').getAttribute('aria-invalid'), 'true');
    assert.equal(await page.getByLabel('Storage (GB)').getAttribute('aria-invalid'), 'true');
    assert.ok(await summary.evaluate((el) => el === document.activeElement), 'focus moves to the error summary');
    await summary.getByRole('link', { name: 'Storage (GB) must be <= 1024' }).click();
    assert.ok(await page.getByLabel('Storage (GB)').evaluate((el) => el === document.activeElement), 'the summary links to the field');
    await screenshot(page, '3-create-store-errors');
    assert.equal(await storeRow(server, 'bad-metadata'), undefined);
  });

  await t.test('creates a free store through the form generated from the metadata schema', async () => {
    await openCreateForm(page);
    assert.equal(await page.locator('.error-summary').isHidden(), true, 'the form starts afresh');
    // Every control family of the schema is drawn, hidden fields are not, read-only ones are locked.
    assert.equal(await page.getByLabel('Engine').isDisabled(), true);
    assert.equal(await page.locator('[data-key="testing_delay_ms"]').count(), 0);
    assert.equal(await page.getByPlaceholder('e.g. payments-team').count(), 1);
    assert.equal(await page.getByRole('radio', { name: 'Legacy' }).count(), 0, 'a hidden option is left out');
    assert.equal(await page.getByRole('switch', { name: 'Connection pooling' }).isChecked(), true);
    const unlabelled = await page.locator('form input, form select').evaluateAll((controls) =>
      controls.filter((c) => (c as HTMLInputElement).labels?.length === 0 && !c.getAttribute('aria-label')).map((c) => c.outerHTML),
    );
    assert.deepEqual(unlabelled, [], 'every control has a label');
    await page.getByLabel('Name', { exact: true }).fill('console-free');
    // The plans are asked for again with the form's metadata as it changes.
    const replanned = page.waitForRequest((request) => {
      const url = new URL(request.url());
      return url.pathname.endsWith('/plans') && JSON.parse(url.searchParams.get('metadata') ?? '{}').region === 'fra1';
    });
    await page.getByLabel('Primary region').selectOption('fra1');
    await replanned;
    await page.getByRole('radio', { name: 'Burst' }).check();
    await page.getByRole('checkbox', { name: 'pgvector' }).check();
    await page.getByRole('checkbox', { name: 'hnd1' }).check();
    await page.getByLabel('Backup region').selectOption('sfo1');
    await page.getByRole('switch', { name: 'Connection pooling' }).uncheck();
    await page.getByLabel('Owner tag').fill('payments');
    assert.equal(await page.getByRole('radio', { name: /Free/ }).isChecked(), true, 'the first free plan is chosen');
    await page.getByText('No payment method is needed for Free.').waitFor();
    await screenshot(page, '2-create-store');
    await page.getByRole('button', { name: 'Create store' }).click();
    await page.getByRole('heading', { level: 1, name: 'console-free' }).waitFor();
    await page.locator('#store-status').filter({ hasText: 'available' }).waitFor();
    await page.getByText('ACME_DB_URL').waitFor();

    const row = await storeRow(server, 'console-free');
    assert.ok(row);
    assert.equal(row.lifecycle, 'live');
    assert.equal(JSON.parse(row.billing_plan).id, 'free');
    assert.deepEqual(JSON.parse(row.metadata), {
      region: 'fra1',
      tier: 'burst',
      storageGb: 1,
      extensions: ['pgvector'],
      readReplicas: ['hnd1'],
      backupRegion: 'sfo1',
      pooling: false,
      ownerTag: 'payments',
      engine: 'pg16',
    });
  });

  await t.test('creates a paid store, showing that a payment method is needed and which one pays', async () => {
    // The bootstrap team starts with a default card; removed, the form must ask for a method.
    const starterCard = (await server.request('GET', '/stockroom/v1/payment-methods')).body.defaultPaymentMethodId;
    assert.equal((await server.request('DELETE', `/stockroom/v1/payment-methods/${starterCard}`)).status, 200);
    await openCreateForm(page);
    await page.getByLabel('Name', { exact: true }).fill('console-pro');
    await page.getByLabel('Primary region').selectOption('iad1');
    await page.getByRole('radio', { name: /Pro/ }).check();
    await page.getByText('Pro needs a payment method, and the team has no default').waitFor();
    await page.getByRole('button', { name: 'Create store' }).click();
    await page.locator('#payment-error').filter({ hasText: 'needs a payment method' }).waitFor();
    assert.equal(await storeRow(server, 'console-pro'), undefined);

    await page.getByLabel('Payment method').selectOption('pm_card_visa');
    await page.getByRole('button', { name: 'Create store' }).click();
    await page.getByRole('heading', { level: 1, name: 'console-pro' }).waitFor();
    const ledger = page.locator('table.ledger tbody tr');
    await ledger.first().waitFor();
    assert.deepEqual(await ledger.locator('td:nth-child(2)').allTextContents(), ['charge', 'authorization']);
    assert.deepEqual(await ledger.locator('td:nth-child(3)').allTextContents(), ['$20.00', '$10.00']);
    await screenshot(page, '4-store');

    const row = await storeRow(server, 'console-pro');
    assert.ok(row);
    assert.equal(JSON.parse(row.billing_plan).id, 'pro');
    const entries = await server.stockroom.ctx.db.selectFrom('ledger_entries').select(['kind', 'amount_cents', 'payment_method_id']).where('store_id', '=', row.id).orderBy('created_at').execute();
    assert.deepEqual(entries.map((e) => [e.kind, Number(e.amount_cents), e.payment_method_id]), [
      ['authorization', 1000, 'pm_card_visa'],
      ['charge', 2000, 'pm_card_visa'],
    ]);
  });

  await t.test('watches a pending store go from initializing to available', async () => {
    await openCreateForm(page);
    await page.getByLabel('Name', { exact: true }).fill('pending-console');
    await page.getByLabel('Primary region').selectOption('sfo1');
    await page.getByRole('button', { name: 'Create store' }).click();
    await page.getByRole('heading', { level: 1, name: 'pending-console' }).waitFor();
    await page.locator('#store-status').filter({ hasText: 'initializing' }).waitFor();
    await page.locator('#store-status').filter({ hasText: 'available' }).waitFor();
    await page.locator('#announcer').filter({ hasText: 'pending-console is now available.' }).waitFor();
    assert.equal((await storeRow(server, 'pending-console'))?.status, 'available');
  });

  await t.test('deletes a store after confirming', async () => {
    const row = await storeRow(server, 'pending-console');
    assert.ok(row);
    await page.getByRole('button', { name: 'Delete this store…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete pending-console?' });
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    assert.equal((await storeRow(server, 'pending-console'))?.lifecycle, 'live', 'cancel deletes nothing');
    await page.getByRole('button', { name: 'Delete this store…' }).click();
    await dialog.getByRole('button', { name: 'Delete store' }).click();
    await page.getByRole('heading', { level: 1, name: 'Stores' }).waitFor();
    await page.locator('table.stores').waitFor();
    assert.equal(await page.locator(`tr[data-store-id="${row.id}"]`).count(), 0);
    assert.deepEqual(await page.locator('table.stores tbody th').allTextContents(), ['console-pro', 'console-free']);
    await screenshot(page, '5-stores');
    const deleted = await server.stockroom.ctx.db.selectFrom('stores').select(['lifecycle', 'deleted_at']).where('id', '=', row.id).executeTakeFirstOrThrow();
    assert.equal(deleted.lifecycle, 'deleted');
    assert.equal(typeof deleted.deleted_at, 'number');
  });

  await t.test('adds a test payment method and makes it the default', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Billing' }).click();
    await page.getByRole('heading', { level: 1, name: 'Billing' }).waitFor();
    assert.equal(await page.locator('#billing-state').textContent(), 'active');
    assert.equal(await page.locator('#default-method').textContent(), 'none');
    await page.getByLabel('Behaves like').selectOption('pm_card_mastercard');
    await page.getByRole('button', { name: 'Add payment method' }).click();
    const own = page.locator('tr', { hasText: 'team method, like pm_card_mastercard' });
    await own.waitFor();
    await own.getByRole('button', { name: /^Make mastercard .* the default$/ }).click();
    await page.locator('#default-method').filter({ hasText: 'mastercard ···· 4444' }).waitFor();
    await screenshot(page, '6-billing');
    const team = await server.stockroom.ctx.db.selectFrom('payment_methods').select(['id', 'source']).where('source', '=', 'pm_card_mastercard').execute();
    assert.equal(team.length, 1);
    const billing = await server.request('GET', '/stockroom/v1/billing');
    assert.equal(billing.body.defaultPaymentMethodId, team[0]?.id);
  });

  await t.test('a CLI "finish in the browser" link opens the create form prefilled', async () => {
    const teamId = (await server.request('GET', '/v2/user')).body.user.defaultTeamId;
    const link = new URL('/', server.url);
    link.search = new URLSearchParams({ integration: 'acme', product: 'acme-db', teamId, defaultResourceName: 'from-cli', metadata: JSON.stringify({ region: 'hnd1' }), planId: 'free', source: 'cli' }).toString();
    await page.goto(link.href);
    await page.getByRole('heading', { level: 1, name: 'Create store' }).waitFor();
    await page.getByRole('radio', { name: /Free/ }).waitFor();
    assert.equal(await page.getByLabel('Name', { exact: true }).inputValue(), 'from-cli');
    assert.equal(await page.getByLabel('Primary region').inputValue(), 'hnd1');
    assert.equal(new URL(page.url()).search, '', 'the link is consumed');
    await page.getByRole('button', { name: 'Create store' }).click();
    await page.getByRole('heading', { level: 1, name: 'from-cli' }).waitFor();
    assert.equal((await storeRow(server, 'from-cli'))?.lifecycle, 'live');
  });

  await t.test('the team switcher shows another team\'s stores', async () => {
    const other = await createTeam(server);
    // The teams are read at sign-in; a reload signs in again from sessionStorage.
    await page.reload();
    await page.locator(`#team-switcher option[value="${other.id}"]`).waitFor({ state: 'attached' });
    await page.getByLabel('Team').selectOption(other.id);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Stores' }).click();
    await page.getByText(`Team ${other.slug} has no stores yet.`).waitFor();
    assert.equal(await page.evaluate(() => sessionStorage.getItem('stockroom.teamId')), other.id);
  });

  await t.test('signs out, forgetting the token', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Access token').waitFor();
    assert.equal(await page.evaluate(() => sessionStorage.getItem('stockroom.token')), null);
  });

  assert.deepEqual(pageErrors, [], 'no script error on any page');
});
