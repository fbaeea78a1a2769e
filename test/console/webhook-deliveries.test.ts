import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { browserSkipReason, screenshot, signedInConsolePage } from '../helpers/browser.js';
import { startBuiltTestServer } from '../helpers/built-server.js';
import { eventually } from '../helpers/eventually.js';
import { bootstrapInstallationId, createProject, createStore } from '../helpers/stores.js';
import { startWebhookReceiver, writeWebhookCatalog } from '../helpers/webhook-receiver.js';

/**
 * The console's "Webhook deliveries" page in headless Chromium against the bundle: the team's
 * deliveries with state, attempts, last status and answer, and a Redeliver button that sends a
 * failed event again (same id) until it is delivered. One attempt per event (a failure is given
 * up at once), so the page shows a `failed` row without waiting for retries.
 */
test('the console lists the team\'s webhook deliveries and redelivers a failed one', { skip: browserSkipReason, timeout: 120_000 }, async (t) => {
  const receiver = await startWebhookReceiver();
  t.after(() => receiver.close());
  receiver.answer = (index) => (index === 0 ? 500 : 200);
  const dir = mkdtempSync(join(tmpdir(), 'stockroom-console-webhooks-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const server = await startBuiltTestServer(t, 'sqlite', {
    env: { STOCKROOM_CATALOG: writeWebhookCatalog(dir, receiver.url), STOCKROOM_WEBHOOK_INTERVAL_MS: '50', STOCKROOM_WEBHOOK_MAX_ATTEMPTS: '1' },
  });
  const db = server.stockroom.ctx.db;
  const icfg = await bootstrapInstallationId(server);
  const store = await createStore(server, icfg, 'console-hooks');
  const first = await createProject(server, 'hooks-one');
  assert.equal((await server.request('POST', `/v1/storage/stores/${store.id}/connections`, { body: { projectId: first.id } })).status, 200);
  await eventually('the first event is given up', async () => (await db.selectFrom('webhook_events').select('state').executeTakeFirst())?.state === 'failed');
  const second = await createProject(server, 'hooks-two');
  assert.equal((await server.request('POST', `/v1/storage/stores/${store.id}/connections`, { body: { projectId: second.id } })).status, 200);
  await eventually('the second event is delivered', async () => (await db.selectFrom('webhook_events').select('state').where('sequence', '=', 2).executeTakeFirst())?.state === 'delivered');
  const [failed, delivered] = await db.selectFrom('webhook_events').selectAll().orderBy('sequence').execute();

  const { page, pageErrors } = await signedInConsolePage(t, server, { width: 1300 });

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Webhook deliveries' }).click();
  await page.getByRole('heading', { level: 1, name: 'Webhook deliveries' }).waitFor();
  assert.equal(await page.getByRole('link', { name: 'Webhook deliveries' }).getAttribute('aria-current'), 'page');
  const rows = page.locator('table.webhooks tbody tr');
  assert.equal(await rows.count(), 2);
  const cells = async (id: string) => (await page.locator(`tr[data-delivery-id="${id}"] > *`).allInnerTexts()).map((s) => s.replace(/\s+/g, ' ').trim());
  const newest = await cells(delivered!.id);
  assert.deepEqual(newest.slice(0, 5), [`integration-resource.project-connected ${delivered!.id}`, icfg, 'delivered', '1', '200']);
  assert.match(newest[5]!, /"ok":true/);
  const oldest = await cells(failed!.id);
  assert.deepEqual(oldest.slice(0, 5), [`integration-resource.project-connected ${failed!.id}`, icfg, 'failed', '1', '500']);
  assert.deepEqual(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-delivery-id'))), [delivered!.id, failed!.id], 'newest first');
  await screenshot(page, 'webhook-deliveries');

  await page.getByRole('button', { name: `Redeliver integration-resource.project-connected ${failed!.id}` }).click();
  await page.locator(`tr[data-delivery-id="${failed!.id}"] .badge`).filter({ hasText: 'pending' }).waitFor();
  await eventually('the redelivered event is delivered', async () => (await db.selectFrom('webhook_events').selectAll().where('id', '=', failed!.id).executeTakeFirst())?.state === 'delivered');
  const row = await db.selectFrom('webhook_events').selectAll().where('id', '=', failed!.id).executeTakeFirstOrThrow();
  assert.deepEqual([row.state, row.attempts, row.last_status], ['delivered', 1, 200]);
  assert.deepEqual(receiver.received.map((w) => w.body.id), [failed!.id, delivered!.id, failed!.id], 'the same event again');

  // Shown as delivered when the page is opened again.
  await page.reload();
  await page.getByRole('heading', { level: 1, name: 'Webhook deliveries' }).waitFor();
  assert.equal(await page.locator(`tr[data-delivery-id="${failed!.id}"] .badge`).innerText(), 'delivered');
  assert.deepEqual(pageErrors, []);
});
