import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { createTeam } from '../helpers/accounts.js';
import { dialectsToTest } from '../helpers/databases.js';
import { eventually } from '../helpers/eventually.js';
import { startTestServer } from '../helpers/stockroom.js';

/*
 * Webhooks end to end (issue 15, items 4 and 7): Stockroom delivers its events to the reference
 * partner's receiver (catalog `webhookUrl: "builtin:reference/webhooks"`), signed with the client
 * secret both sides derive from the catalog; the partner verifies, records each event once and acts
 * on it. With `?fail_first=2` the partner refuses the first two deliveries of every event, so
 * Stockroom's retries are what bring them in. (Stockroom's delivery job: docs/webhooks.md.)
 */

const DEFAULT_CATALOG = new URL('../../catalog/default.json', import.meta.url);

for (const dialect of dialectsToTest()) {
  describe(`Stockroom's webhooks reach the reference partner (${dialect})`, () => {
    test('a prepaid purchase\'s invoice events arrive signed, refused twice by the fail_first hook, then recorded once and logged delivered', async (t) => {
      const dir = mkdtempSync(join(tmpdir(), 'stockroom-partner-webhooks-'));
      t.after(() => rmSync(dir, { recursive: true, force: true }));
      const catalog = JSON.parse(readFileSync(DEFAULT_CATALOG, 'utf8'));
      assert.equal(catalog.integrations[0].webhookUrl, 'builtin:reference/webhooks');
      catalog.integrations[0].webhookUrl = 'builtin:reference/webhooks?fail_first=2';
      writeFileSync(join(dir, 'catalog.json'), JSON.stringify(catalog));
      const server = await startTestServer(t, dialect, {
        env: { STOCKROOM_CATALOG: join(dir, 'catalog.json'), STOCKROOM_WEBHOOK_INTERVAL_MS: '50', STOCKROOM_WEBHOOK_RETRY_BASE_MS: '20', STOCKROOM_WEBHOOK_RETRY_MAX_MS: '40' },
      });
      const db = server.stockroom.ctx.db as any;

      const team = await createTeam(server);
      const installed = await server.request('POST', `/stockroom/v1/installations?teamId=${team.id}`, { body: { integrationIdOrSlug: 'acme' } });
      assert.equal(installed.status, 200, installed.text);
      const icfg = installed.body.id as string;
      const created = await server.request('POST', `/v1/storage/stores/integration/direct?teamId=${team.id}`, {
        body: { name: 'credits', integrationConfigurationId: icfg, integrationProductIdOrSlug: 'acme-db', billingPlanId: 'prepaid', paymentMethodId: 'pm_card_visa', prepaymentAmountCents: 1500, metadata: { region: 'iad1' } },
      });
      assert.equal(created.status, 200, created.text);

      const events = await db.selectFrom('webhook_events').select(['id', 'type', 'payload']).where('installation_id', '=', icfg).orderBy('sequence').execute();
      assert.deepEqual(events.map((e: any) => e.type), ['marketplace.invoice.created', 'marketplace.invoice.paid']);

      // At the partner: each event recorded once, after three deliveries (two refused), and acted on.
      const received = await eventually('the partner records both events, acted on', async () => {
        const rows = await db.selectFrom('ref_partner_webhook_events').selectAll().where('installation_id', '=', icfg).execute();
        return rows.length === 2 && rows.every((r: any) => r.processed_at !== null && Number(r.deliveries) === 3) && rows;
      }, { timeoutMs: 20_000 });
      assert.deepEqual(received.map((r: any) => r.id).sort(), events.map((e: any) => e.id).sort());
      for (const row of received) {
        const sent = events.find((e: any) => e.id === row.id);
        assert.equal(row.type, sent.type);
        assert.deepEqual(JSON.parse(row.payload), JSON.parse(sent.payload));
      }

      // At Stockroom: the delivery log says delivered, third attempt, 200.
      const log = await eventually('the delivery log shows them delivered', async () => {
        const res = await server.request('GET', `/stockroom/v1/webhook-deliveries?teamId=${team.id}`);
        assert.equal(res.status, 200, res.text);
        const mine = res.body.deliveries.filter((d: any) => d.installationId === icfg);
        return mine.length === 2 && mine.every((d: any) => d.state === 'delivered') && mine;
      });
      for (const delivery of log) {
        assert.equal(delivery.attempts, 3);
        assert.equal(delivery.lastStatus, 200);
      }
    });
  });
}
