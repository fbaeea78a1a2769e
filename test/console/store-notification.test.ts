import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hashToken } from '../../src/crypto/secret-box.js';
import { randomText } from '../../src/crypto/random-text.js';
import { browserSkipReason, screenshot, signedInConsole } from '../helpers/browser.js';
import { startBuiltTestServer } from '../helpers/built-server.js';
import { partnerSdk } from '../helpers/partner-sdk.js';
import { bootstrapInstallationId } from '../helpers/stores.js';

/**
 * The store page shows the partner's notification (level, title, message, link) as the partner
 * sets it through Import and Update Resource, in headless Chromium against the bundle.
 */

const UI_TIMEOUT = 15_000;

test('the store page shows the partner’s notification', { skip: browserSkipReason, timeout: 120_000 }, async (t) => {
  const server = await startBuiltTestServer(t, 'sqlite');
  const icfg = await bootstrapInstallationId(server);
  // The partner's token: a fresh one whose hash Stockroom keeps, as a rotation would make.
  const token = `srk_${randomText(40)}`;
  await server.stockroom.ctx.db.updateTable('installations').set({ access_token_hash: hashToken(token) }).where('id', '=', icfg).execute();
  const sdk = partnerSdk(server, token);
  await sdk.marketplace.importResource({
    integrationConfigurationId: icfg,
    resourceId: 'console-imported',
    requestBody: {
      productId: 'acme-db',
      name: 'notified-db',
      status: 'ready',
      notification: { level: 'warn', title: 'Storage almost full', message: '92% of 1 GB used', href: 'https://partner.example/usage' },
      secrets: [{ name: 'DATABASE_URL', value: 'postgres://imported' }],
    },
  });
  const row = await server.stockroom.ctx.db.selectFrom('stores').select(['id', 'notification']).where('external_resource_id', '=', 'console-imported').executeTakeFirstOrThrow();
  assert.ok(row.notification);

  const { page, pageErrors } = await signedInConsole(t, server, UI_TIMEOUT);
  await page.goto(`${server.url}/#/stores/${row.id}`);
  await page.getByRole('heading', { level: 1, name: 'notified-db' }).waitFor();

  const notice = page.locator('#store-notice .notice');
  await notice.waitFor();
  assert.equal(await notice.getAttribute('data-level'), 'warn');
  assert.match((await notice.getAttribute('class')) ?? '', /\bnotice-warn\b/);
  assert.equal(await notice.locator('.notice-title').innerText(), 'Storage almost full');
  assert.equal(await notice.locator('.notice-message').innerText(), '92% of 1 GB used');
  assert.equal(await notice.getByRole('link', { name: 'Details' }).getAttribute('href'), 'https://partner.example/usage');
  assert.match(await notice.textContent() ?? '', /^Warning: Storage almost full — 92% of 1 GB used Details$/);
  await screenshot(page, 'store-notification-warn');

  // An error with a link that is not http(s): shown without the link.
  await sdk.marketplace.updateResource({ integrationConfigurationId: icfg, resourceId: 'console-imported', requestBody: { notification: { level: 'error', title: 'Unreachable', href: 'javascript:alert(1)' } } });
  await page.reload();
  await page.getByRole('heading', { level: 1, name: 'notified-db' }).waitFor();
  await notice.filter({ hasText: 'Unreachable' }).waitFor();
  assert.equal(await notice.getAttribute('data-level'), 'error');
  assert.equal(await notice.locator('a').count(), 0);
  assert.equal(await notice.locator('.notice-message').count(), 0);

  // Cleared by the partner: no notice.
  const cleared = await fetch(`${server.url}/v1/installations/${icfg}/resources/console-imported`, {
    method: 'PATCH',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ notification: null }),
  });
  assert.equal(cleared.status, 200);
  await page.reload();
  await page.getByRole('heading', { level: 1, name: 'notified-db' }).waitFor();
  assert.equal(await page.locator('#store-notice').innerText(), '');
  assert.deepEqual(pageErrors, []);
});
