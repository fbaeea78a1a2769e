import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { openStockroomDatabase, startBuiltServer } from '../helpers/built-server.js';
import { createTestDatabase, NO_POSTGRES } from '../helpers/databases.js';
import { eventually } from '../helpers/eventually.js';
import { OWNER_TOKEN, send } from '../helpers/stockroom.js';
import { startWebhookReceiver, writeWebhookCatalog } from '../helpers/webhook-receiver.js';

/**
 * Two Stockroom processes (the bundle) on one PostgreSQL, both running the delivery loop every
 * 20 ms against a partner that fails every event's first attempt and answers slowly: each event
 * is delivered, per installation in `sequence` order, never two of one installation at once, and
 * no event of an installation is sent before every earlier one was delivered.
 */
describe('webhook delivery by two replicas on one PostgreSQL', () => {
  test('in order per installation, one in flight per installation, every event delivered', { skip: NO_POSTGRES, timeout: 120_000 }, async (t) => {
    const receiver = await startWebhookReceiver();
    t.after(() => receiver.close());
    receiver.delayMs = 15;
    const firstSeen = new Set<string>();
    receiver.answer = (_i, body) => {
      if (firstSeen.has(body.id)) return 200;
      firstSeen.add(body.id);
      return 500;
    };
    const dir = mkdtempSync(join(tmpdir(), 'stockroom-webhook-replicas-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const database = await createTestDatabase('postgres');
    t.after(() => database.drop());
    const env = {
      ...process.env,
      ...database.env,
      PORT: '0',
      STOCKROOM_TOKEN: OWNER_TOKEN,
      LOG_LEVEL: 'info',
      STOCKROOM_CATALOG: writeWebhookCatalog(dir, receiver.url),
      STOCKROOM_WEBHOOK_INTERVAL_MS: '20',
      STOCKROOM_WEBHOOK_RETRY_BASE_MS: '20',
      STOCKROOM_WEBHOOK_RETRY_MAX_MS: '100',
    };
    const a = await startBuiltServer(t, env);
    const b = await startBuiltServer(t, env);
    const { db } = openStockroomDatabase(t, database);

    // Three teams, each with its installation of the reference integration, a store and four
    // projects; changes alternate between the replicas while both deliver.
    const urls = [a.url, b.url];
    const teams: string[] = [];
    const me = await send(a.url, 'GET', '/v2/user');
    teams.push(me.body.user.defaultTeamId);
    for (const slug of ['webhooks-two', 'webhooks-three']) {
      const team = await send(b.url, 'POST', '/v1/teams', { body: { slug } });
      assert.equal(team.status, 200, team.text);
      teams.push(team.body.id);
      const installed = await send(a.url, 'POST', `/stockroom/v1/installations?teamId=${team.body.id}`, { body: { integrationIdOrSlug: 'acme' } });
      assert.equal(installed.status, 200, installed.text);
    }
    await Promise.all(
      teams.map(async (teamId, i) => {
        const icfg = (await send(urls[i % 2]!, 'GET', `/v1/integrations/configurations?teamId=${teamId}`)).body[0].id;
        const created = await send(urls[i % 2]!, 'POST', `/v1/storage/stores/integration/direct?teamId=${teamId}`, {
          body: { name: `store-${i}`, integrationConfigurationId: icfg, integrationProductIdOrSlug: 'acme-db', metadata: { region: 'iad1' } },
        });
        assert.equal(created.status, 200, created.text);
        for (let p = 0; p < 4; p++) {
          const url = urls[(i + p) % 2]!;
          const project = await send(url, 'POST', `/v11/projects?teamId=${teamId}`, { body: { name: `p${p}` } });
          const connected = await send(url, 'POST', `/v1/storage/stores/${created.body.store.id}/connections?teamId=${teamId}`, { body: { projectId: project.body.id } });
          assert.equal(connected.status, 200, connected.text);
        }
        assert.equal((await send(urls[(i + 1) % 2]!, 'DELETE', `/v1/storage/stores/${created.body.store.id}/connections?teamId=${teamId}`)).status, 200);
      }),
    );

    const events = await db.selectFrom('webhook_events').selectAll().execute();
    assert.equal(events.length, 3 * 8);
    await eventually('every event is delivered', async () => {
      const states = await db.selectFrom('webhook_events').select('state').execute();
      return states.every((s) => s.state === 'delivered') || false;
    });

    const byId = new Map(events.map((e) => [e.id, e]));
    const delivered = new Set<string>();
    for (const webhook of receiver.received) {
      assert.equal(webhook.signatureValid, true);
      const event = byId.get(webhook.body.id)!;
      for (const earlier of events.filter((e) => e.installation_id === event.installation_id && e.sequence < event.sequence)) {
        assert.ok(delivered.has(earlier.id), `${event.type} #${event.sequence} of ${event.installation_id} was sent before #${earlier.sequence} was delivered`);
      }
      if (webhook.answeredWith === 200) {
        assert.ok(!delivered.has(webhook.body.id), `${webhook.body.id} answered 200 twice`);
        delivered.add(webhook.body.id);
      }
    }
    assert.equal(delivered.size, events.length);
    assert.equal(receiver.maxInFlightPerInstallation(), 1, 'never two requests of one installation open at once');
    const rows = await db.selectFrom('webhook_events').selectAll().execute();
    assert.ok(rows.every((r) => r.attempts === 2 && r.last_status === 200));
    t.diagnostic(`deliveries logged by replica A: ${a.output().match(/webhook delivered/g)?.length ?? 0}, by B: ${b.output().match(/webhook delivered/g)?.length ?? 0}`);
  });
});
