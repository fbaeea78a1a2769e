import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { startBuiltTestServer } from '../helpers/built-server.js';
import { createTestDatabase } from '../helpers/databases.js';
import { eventually } from '../helpers/eventually.js';
import { bootstrapInstallationId, createProject, createStore } from '../helpers/stores.js';
import { startWebhookReceiver, writeWebhookCatalog } from '../helpers/webhook-receiver.js';

/**
 * Issue 15 §4, "a delivery test through a killed and restarted server loses none and duplicates
 * only with the same id": the bundle is SIGKILLed while the partner holds the first webhook
 * unanswered, with two more waiting behind it in the outbox; restarted on the same SQLite data
 * directory, it sends the first again once its lease ends (the same bytes, the same id), then the
 * others, in order, each signed.
 */
describe('webhook delivery through a killed and restarted server', () => {
  test('every event arrives, in order; the one in flight when the process died arrives twice, with the same id and body', { timeout: 120_000 }, async (t) => {
    const receiver = await startWebhookReceiver();
    t.after(() => receiver.close());
    const dir = mkdtempSync(join(tmpdir(), 'stockroom-webhook-kill-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const database = await createTestDatabase('sqlite');
    t.after(() => database.drop());
    const env = { STOCKROOM_CATALOG: writeWebhookCatalog(dir, receiver.url), STOCKROOM_WEBHOOK_INTERVAL_MS: '50', STOCKROOM_WEBHOOK_TIMEOUT_MS: '1000' };

    const first = await startBuiltTestServer(t, 'sqlite', { database, env });
    const icfg = await bootstrapInstallationId(first);
    const store = await createStore(first, icfg, 'kept-db');
    const arrived = receiver.nextRequest({ hold: true });
    for (const name of ['one', 'two', 'three']) {
      const project = await createProject(first, name);
      const res = await first.request('POST', `/v1/storage/stores/${store.id}/connections`, { body: { projectId: project.id } });
      assert.equal(res.status, 200, res.text);
    }
    const inFlight = await arrived;
    await first.process.kill();
    receiver.release();
    assert.equal(receiver.received.length, 1, 'the later events waited behind the one in flight');

    const second = await startBuiltTestServer(t, 'sqlite', { database, env });
    const db = second.stockroom.ctx.db;
    const events = await db.selectFrom('webhook_events').selectAll().orderBy('sequence').execute();
    assert.equal(events.length, 3, 'no event was lost with the process');
    assert.equal(inFlight.body.id, events[0]!.id);
    await eventually('every event is delivered after the restart', async () => (await db.selectFrom('webhook_events').select('state').execute()).every((r) => r.state === 'delivered') || false, { timeoutMs: 30_000 });

    const ids = receiver.received.map((w) => w.body.id);
    assert.deepEqual(ids, [events[0]!.id, events[0]!.id, events[1]!.id, events[2]!.id], 'the held event again, then the others in order');
    assert.equal(receiver.received[1]!.rawBody, inFlight.rawBody, 'the duplicate is the same event, byte for byte');
    assert.ok(receiver.received.every((w) => w.signatureValid));
    assert.deepEqual(
      receiver.received.filter((w) => w.answeredWith === 200).map((w) => w.body.id),
      events.map((e) => e.id),
      'each event answered 200 exactly once',
    );
    const rows = await db.selectFrom('webhook_events').selectAll().orderBy('sequence').execute();
    assert.deepEqual(rows.map((r) => [r.state, r.attempts, r.last_status]), [['delivered', 2, 200], ['delivered', 1, 200], ['delivered', 1, 200]]);
  });
});
