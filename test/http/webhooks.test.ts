import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import { Vercel } from '@vercel/sdk';
import { createMember, createTeam } from '../helpers/accounts.js';
import { dialectsToTest, type TestDialect } from '../helpers/databases.js';
import { startTestServer, type TestClock, type TestServer } from '../helpers/stockroom.js';
import { bootstrapInstallationId, createProject, createStore } from '../helpers/stores.js';
import { startWebhookReceiver, writeWebhookCatalog, WEBHOOK_CLIENT_SECRET, type WebhookReceiver } from '../helpers/webhook-receiver.js';
import { deliverDueWebhooks, type WebhookDeliverySettings } from '../../src/jobs/webhook-delivery.js';
import { createWebhookSender, WEBHOOK_USER_AGENT } from '../../src/providers/webhook-sender.js';
import { DEFAULT_RETRY_SCHEDULE } from '../../src/domain/webhook-events.js';

/**
 * Webhooks to partners (issue 15 §4, docs/webhooks.md) through the real HTTP interface: the
 * changes that enqueue them, their delivery to a partner's endpoint (a node:http receiver that
 * checks the signature with the client secret), order, retries on an injected clock, the log and
 * redeliver. The server's own delivery loop is parked (an hour's interval); each test drives the
 * job's passes itself, so what was sent when is exact.
 */

const TIMEOUT_MS = 2000;

function settings(overrides: Partial<WebhookDeliverySettings> = {}): WebhookDeliverySettings {
  return { timeoutMs: TIMEOUT_MS, retry: DEFAULT_RETRY_SCHEDULE, send: createWebhookSender({ timeoutMs: TIMEOUT_MS }), ...overrides };
}

/** A clock that moves only when told: retry times are then exact. */
function frozenClock(): TestClock {
  let at = Date.now();
  return { now: () => at, advance: (ms) => void (at += ms) };
}

async function startWithReceiver(t: TestContext, dialect: TestDialect, options: { webhookUrl?: boolean } = {}): Promise<{ server: TestServer; receiver: WebhookReceiver }> {
  const receiver = await startWebhookReceiver();
  t.after(() => receiver.close());
  const dir = mkdtempSync(join(tmpdir(), 'stockroom-webhooks-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const catalog = writeWebhookCatalog(dir, options.webhookUrl === false ? undefined : receiver.url);
  const server = await startTestServer(t, dialect, { clock: frozenClock(), env: { STOCKROOM_CATALOG: catalog, STOCKROOM_WEBHOOK_INTERVAL_MS: '3600000' } });
  return { server, receiver };
}

async function outbox(server: TestServer) {
  return server.stockroom.ctx.db.selectFrom('webhook_events').selectAll().orderBy('installation_id').orderBy('sequence').execute();
}

function pass(server: TestServer, overrides: Partial<WebhookDeliverySettings> = {}) {
  return deliverDueWebhooks(server.stockroom.ctx, settings(overrides));
}

for (const dialect of dialectsToTest()) {
  describe(`webhooks to partners (${dialect})`, () => {
    test('connect, reconnect, disconnect and uninstall each enqueue in their own transaction, and are delivered signed, in order, with Vercel\'s shapes', async (t) => {
      const { server, receiver } = await startWithReceiver(t, dialect);
      const icfg = await bootstrapInstallationId(server);
      const store = await createStore(server, icfg, 'orders-db');
      const shop = await createProject(server, 'shop');
      const blog = await createProject(server, 'blog');
      const { teamId, userId } = server.stockroom.bootstrap;

      const connected = await server.request('POST', `/v1/storage/stores/${store.id}/connections`, { body: { projectId: shop.id, envVarEnvironments: ['production'] } });
      assert.equal(connected.status, 200, connected.text);
      // A reconnect that changes the environments is no new connection: no event.
      assert.equal((await server.request('POST', `/v1/storage/stores/${store.id}/connections`, { body: { projectId: shop.id, envVarEnvironments: ['production', 'preview'] } })).status, 200);
      // The SDK's connect (201, by the partner's id) enqueues too.
      const vercel = new Vercel({ bearerToken: server.token, serverURL: server.url });
      await vercel.integrations.connectIntegrationResourceToProject({ integrationConfigurationId: icfg, resourceId: store.externalResourceId, requestBody: { projectId: blog.id } });
      assert.equal((await server.request('DELETE', `/v1/storage/stores/${store.id}/connections/${connected.body.connection.id}`)).status, 200);
      assert.equal((await server.request('DELETE', `/v1/storage/stores/${store.id}/connections`)).status, 200);
      assert.equal((await server.request('DELETE', `/v1/integrations/configuration/${icfg}?cascade=true`)).status, 204);

      const rows = await outbox(server);
      assert.deepEqual(
        rows.map((r) => [r.sequence, r.type, r.state, r.attempts]),
        [
          [1, 'integration-resource.project-connected', 'pending', 0],
          [2, 'integration-resource.project-connected', 'pending', 0],
          [3, 'integration-resource.project-disconnected', 'pending', 0],
          [4, 'integration-resource.project-disconnected', 'pending', 0],
          [5, 'integration-configuration.removed', 'pending', 0],
        ],
      );
      assert.ok(rows.every((r) => r.installation_id === icfg && r.team_id === teamId && r.integration_id === 'oac_stockroomReference' && /^evt_/.test(r.id)));
      assert.equal(receiver.received.length, 0, 'nothing is sent by the change itself');

      const result = await pass(server);
      assert.equal(result.attempted, 5);
      assert.deepEqual(
        receiver.received.map((w) => w.body.id),
        rows.map((r) => r.id),
        'delivered in sequence order, each once',
      );
      for (const [i, webhook] of receiver.received.entries()) {
        assert.equal(webhook.signatureValid, true, `x-vercel-signature of ${webhook.body.type} verifies with the client secret`);
        assert.equal(webhook.headers['content-type'], 'application/json');
        assert.equal(webhook.headers['user-agent'], WEBHOOK_USER_AGENT);
        assert.deepEqual(Object.keys(webhook.body), ['id', 'type', 'createdAt', 'payload']);
        assert.equal(webhook.body.type, rows[i]!.type);
        assert.equal(webhook.body.createdAt, rows[i]!.created_at);
        assert.ok(!webhook.rawBody.includes(WEBHOOK_CLIENT_SECRET), 'the secret is never sent');
      }
      const [first, second, third, fourth, removed] = receiver.received.map((w) => w.body.payload);
      const integrations = [{ installationId: icfg, resources: [{ externalResourceId: store.externalResourceId }] }];
      assert.deepEqual(first, {
        team: { id: teamId },
        user: { id: userId },
        installationIds: [icfg],
        integrations,
        configuration: { id: icfg },
        resource: { id: store.id, externalResourceId: store.externalResourceId },
        project: { id: shop.id },
        installationId: icfg,
        resourceId: store.id,
        projectId: shop.id,
        targets: ['production'],
      });
      assert.equal(second.project.id, blog.id);
      assert.deepEqual([third.project.id, third.targets], [shop.id, ['production', 'preview']], 'the disconnect names what was connected');
      assert.equal(fourth.project.id, blog.id);
      assert.deepEqual(removed, { team: { id: teamId }, user: { id: userId }, installationIds: [icfg], integrations, configuration: { id: icfg, projectSelection: 'all' } });

      const after = await outbox(server);
      for (const row of after) {
        assert.equal(row.state, 'delivered');
        assert.equal(row.attempts, 1);
        assert.equal(row.last_status, 200);
        assert.equal(typeof row.delivered_at, 'number');
        assert.match(row.last_response ?? '', /"ok":true/);
      }
      assert.equal((await pass(server)).attempted, 0, 'a delivered event is not sent again');
    });

    test('deleting a project disconnects its stores, told to each partner; a refused change enqueues nothing', async (t) => {
      const { server, receiver } = await startWithReceiver(t, dialect);
      const icfg = await bootstrapInstallationId(server);
      const store = await createStore(server, icfg, 'media');
      const other = await createStore(server, icfg, 'media-cache');
      const project = await createProject(server, 'gallery');
      assert.equal((await server.request('POST', `/v1/storage/stores/${store.id}/connections`, { body: { projectId: project.id } })).status, 200);
      server.clock.advance(1);
      assert.equal((await server.request('POST', `/v1/storage/stores/${other.id}/connections`, { body: { projectId: project.id, envVarPrefix: 'CACHE_' } })).status, 200);
      const missingProject = await server.request('POST', `/v1/storage/stores/${store.id}/connections`, { body: { projectId: 'prj_missing' } });
      assert.equal(missingProject.status, 404, missingProject.text);
      assert.equal(missingProject.body.error.code, 'not_found');
      const missingConnection = await server.request('DELETE', `/v1/storage/stores/${store.id}/connections/spc_missing`);
      assert.equal(missingConnection.status, 404, missingConnection.text);
      assert.equal(missingConnection.body.error.code, 'not_found');
      assert.equal((await outbox(server)).length, 2, 'only the two connects');
      assert.equal((await server.request('DELETE', `/v9/projects/${project.id}`)).status, 204);
      const rows = await outbox(server);
      assert.deepEqual(rows.map((r) => r.type), ['integration-resource.project-connected', 'integration-resource.project-connected', 'integration-resource.project-disconnected', 'integration-resource.project-disconnected']);
      await pass(server);
      const disconnects = receiver.received.slice(2).map((w) => w.body.payload);
      assert.deepEqual(disconnects.map((p) => [p.resourceId, p.projectId, p.user.id]), [[store.id, project.id, server.stockroom.bootstrap.userId], [other.id, project.id, server.stockroom.bootstrap.userId]]);
    });

    test('a member added, given another role or removed: marketplace.member.changed when their marketplace role changes', async (t) => {
      const { server, receiver } = await startWithReceiver(t, dialect);
      const icfg = await bootstrapInstallationId(server);
      const { teamId, userId } = server.stockroom.bootstrap;
      const member = await createMember(server, teamId, 'VIEWER');
      const patch = (role: string) => server.request('PATCH', `/v1/teams/${teamId}/members/${member.id}`, { body: { role } });
      assert.equal((await patch('DEVELOPER')).status, 200, 'VIEWER → DEVELOPER: USER both times, nothing to tell');
      assert.equal((await patch('MEMBER')).status, 200);
      assert.equal((await patch('OWNER')).status, 200, 'MEMBER → OWNER: ADMIN both times');
      assert.equal((await server.request('DELETE', `/v1/teams/${teamId}/members/${member.id}`)).status, 200);
      // Another team's member changes tell this installation nothing.
      const other = await createTeam(server);
      await createMember(server, other.id, 'MEMBER');
      await pass(server);
      assert.deepEqual(
        receiver.received.map((w) => [w.body.type, w.body.payload.member, w.body.payload.role]),
        [
          ['marketplace.member.changed', { id: member.id, role: 'USER', previousRole: null }, 'USER'],
          ['marketplace.member.changed', { id: member.id, role: 'ADMIN', previousRole: 'USER' }, 'ADMIN'],
          ['marketplace.member.changed', { id: member.id, role: null, previousRole: 'ADMIN' }, null],
        ],
      );
      const first = receiver.received[0]!.body.payload;
      assert.deepEqual(
        { team: first.team, user: first.user, installationIds: first.installationIds, integrations: first.integrations, configuration: first.configuration, installationId: first.installationId, memberId: first.memberId },
        { team: { id: teamId }, user: { id: userId }, installationIds: [icfg], integrations: [{ installationId: icfg, resources: [] }], configuration: { id: icfg }, installationId: icfg, memberId: member.id },
      );
    });

    test('a failing partner: the head is retried with backoff (10 s doubling) on the injected clock, and the later events wait for it', async (t) => {
      const { server, receiver } = await startWithReceiver(t, dialect);
      receiver.answer = (index) => (index < 3 ? 503 : 200);
      const icfg = await bootstrapInstallationId(server);
      const store = await createStore(server, icfg, 'cache');
      const projects = [await createProject(server, 'one'), await createProject(server, 'two'), await createProject(server, 'three')];
      for (const p of projects) assert.equal((await server.request('POST', `/v1/storage/stores/${store.id}/connections`, { body: { projectId: p.id } })).status, 200);
      const [e1, e2, e3] = await outbox(server);

      assert.equal((await pass(server)).attempted, 1);
      assert.deepEqual(receiver.received.map((w) => w.body.id), [e1!.id]);
      let head = (await outbox(server))[0]!;
      assert.deepEqual([head.state, head.attempts, head.last_status], ['pending', 1, 503]);
      assert.equal(head.next_attempt_at - head.last_attempt_at!, 10_000, 'the first retry 10 s after');
      assert.match(head.last_response ?? '', /"ok":false/);

      assert.equal((await pass(server)).attempted, 0, 'not due yet; e2 and e3 wait behind e1');
      server.clock.advance(9_999);
      assert.equal((await pass(server)).attempted, 0);
      server.clock.advance(1);
      assert.equal((await pass(server)).attempted, 1);
      head = (await outbox(server))[0]!;
      assert.equal(head.next_attempt_at - head.last_attempt_at!, 20_000, 'then 20 s');
      server.clock.advance(20_000);
      assert.equal((await pass(server)).attempted, 1);
      head = (await outbox(server))[0]!;
      assert.equal(head.next_attempt_at - head.last_attempt_at!, 40_000, 'then 40 s');
      assert.equal(receiver.received.length, 3);
      server.clock.advance(40_000);
      // The fourth attempt succeeds; the events behind it follow in the same pass.
      assert.equal((await pass(server)).attempted, 3);
      assert.deepEqual(
        receiver.received.map((w) => w.body.id),
        [e1!.id, e1!.id, e1!.id, e1!.id, e2!.id, e3!.id],
      );
      assert.equal(new Set(receiver.received.filter((w) => w.body.id === e1!.id).map((w) => w.rawBody)).size, 1, 'every attempt sends the same bytes');
      const rows = await outbox(server);
      assert.deepEqual(rows.map((r) => [r.state, r.attempts, r.last_status]), [['delivered', 4, 200], ['delivered', 1, 200], ['delivered', 1, 200]]);
    });

    test('gives up after the last attempt (failed), which frees the events behind; a timeout and a refused connection count as failures', async (t) => {
      const { server, receiver } = await startWithReceiver(t, dialect);
      receiver.answer = (_index, body) => (body.type === 'integration-resource.project-connected' ? 500 : 200);
      const icfg = await bootstrapInstallationId(server);
      const store = await createStore(server, icfg, 'logs');
      const project = await createProject(server, 'web');
      const connected = await server.request('POST', `/v1/storage/stores/${store.id}/connections`, { body: { projectId: project.id } });
      assert.equal((await server.request('DELETE', `/v1/storage/stores/${store.id}/connections/${connected.body.connection.id}`)).status, 200);
      const retry = { baseMs: 1000, maxMs: 1500, maxAttempts: 3 };
      assert.equal((await pass(server, { retry })).attempted, 1);
      server.clock.advance(1000);
      assert.equal((await pass(server, { retry })).attempted, 1);
      server.clock.advance(1499);
      assert.equal((await pass(server, { retry })).attempted, 0, 'the wait is capped at maxMs, and not shorter');
      server.clock.advance(1);
      // The third and last attempt fails: the event is given up and the disconnect goes out.
      assert.equal((await pass(server, { retry })).attempted, 2);
      const [gaveUp, next] = await outbox(server);
      assert.deepEqual([gaveUp!.state, gaveUp!.attempts, gaveUp!.last_status, gaveUp!.delivered_at], ['failed', 3, 500, null]);
      assert.deepEqual([next!.state, next!.attempts], ['delivered', 1]);

      // A refused connection: no status, the error kept.
      const closed = await startWebhookReceiver();
      const refusedUrl = closed.url;
      await closed.close();
      await server.request('POST', `/v1/storage/stores/${store.id}/connections`, { body: { projectId: project.id } });
      await deliverDueWebhooks(server.stockroom.ctx, settings({ retry, send: (_url, secret, webhook) => createWebhookSender({ timeoutMs: TIMEOUT_MS })(refusedUrl, secret, webhook) }));
      const refused = (await outbox(server))[2]!;
      assert.deepEqual([refused.state, refused.attempts, refused.last_status], ['pending', 1, null]);
      assert.match(refused.last_response ?? '', /ECONNREFUSED/);

      // A partner that does not answer within the timeout.
      server.clock.advance(1000);
      const arrived = receiver.nextRequest({ hold: true });
      assert.equal((await deliverDueWebhooks(server.stockroom.ctx, settings({ retry, timeoutMs: 300, send: createWebhookSender({ timeoutMs: 300 }) }))).attempted, 1);
      await arrived;
      receiver.release();
      const timedOut = (await outbox(server))[2]!;
      assert.deepEqual([timedOut.state, timedOut.attempts, timedOut.last_status], ['pending', 2, null]);
      assert.match(timedOut.last_response ?? '', /no answer within 300 ms/);
    });

    test('the delivery log: list (keyset pages, by installation), one with its payload, redeliver with the same id; OWNER and MEMBER only', async (t) => {
      const { server, receiver } = await startWithReceiver(t, dialect);
      const icfg = await bootstrapInstallationId(server);
      const store = await createStore(server, icfg, 'search');
      for (const name of ['a', 'b', 'c']) {
        const p = await createProject(server, name);
        await server.request('POST', `/v1/storage/stores/${store.id}/connections`, { body: { projectId: p.id } });
        server.clock.advance(5);
      }
      await pass(server);
      const rows = await outbox(server);

      const page1 = await server.request('GET', '/stockroom/v1/webhook-deliveries?limit=2');
      assert.equal(page1.status, 200, page1.text);
      assert.deepEqual(page1.body.deliveries.map((d: { id: string }) => d.id), [rows[2]!.id, rows[1]!.id], 'newest first');
      const page2 = await server.request('GET', `/stockroom/v1/webhook-deliveries?limit=2&cursor=${page1.body.pagination.nextCursor}`);
      assert.deepEqual(page2.body.deliveries.map((d: { id: string }) => d.id), [rows[0]!.id]);
      assert.equal(page2.body.pagination.nextCursor, null);
      const listed = page1.body.deliveries[0];
      assert.deepEqual(listed, {
        id: rows[2]!.id,
        type: 'integration-resource.project-connected',
        installationId: icfg,
        integrationId: 'oac_stockroomReference',
        sequence: 3,
        state: 'delivered',
        attempts: 1,
        nextAttemptAt: null,
        lastAttemptAt: rows[2]!.last_attempt_at,
        lastStatus: 200,
        lastResponse: rows[2]!.last_response,
        deliveredAt: rows[2]!.delivered_at,
        createdAt: rows[2]!.created_at,
      });
      assert.equal((await server.request('GET', `/stockroom/v1/webhook-deliveries?installationId=${icfg}`)).body.deliveries.length, 3);
      assert.equal((await server.request('GET', '/stockroom/v1/webhook-deliveries?installationId=icfg_other')).body.deliveries.length, 0);
      const badCursor = await server.request('GET', '/stockroom/v1/webhook-deliveries?cursor=nope');
      assert.equal(badCursor.status, 400, badCursor.text);
      assert.equal(badCursor.body.error.code, 'bad_request');

      const one = await server.request('GET', `/stockroom/v1/webhook-deliveries/${rows[0]!.id}`);
      assert.equal(one.status, 200, one.text);
      assert.deepEqual(one.body.payload, receiver.received[0]!.body.payload);
      const unknown = await server.request('GET', '/stockroom/v1/webhook-deliveries/evt_unknown');
      assert.equal(unknown.status, 404, unknown.text);
      assert.equal(unknown.body.error.code, 'not_found');

      // Redeliver: pending again, same id, attempts counted afresh; a pending one is refused.
      const redelivered = await server.request('POST', `/stockroom/v1/webhook-deliveries/${rows[0]!.id}/redeliver`);
      assert.equal(redelivered.status, 200, redelivered.text);
      assert.deepEqual([redelivered.body.state, redelivered.body.attempts, redelivered.body.deliveredAt, redelivered.body.sequence], ['pending', 0, null, 1]);
      const again = await server.request('POST', `/stockroom/v1/webhook-deliveries/${rows[0]!.id}/redeliver`);
      assert.equal(again.status, 409, again.text);
      assert.equal(again.body.error.code, 'conflict');
      const stillPending = (await outbox(server))[0]!;
      assert.deepEqual([stillPending.id, stillPending.state, stillPending.attempts, stillPending.delivered_at], [rows[0]!.id, 'pending', 0, null]);
      assert.equal((await outbox(server)).length, rows.length, 'a redeliver makes no new event');
      assert.equal((await pass(server)).attempted, 1);
      const last = receiver.received.at(-1)!;
      assert.equal(last.body.id, rows[0]!.id);
      assert.equal(last.rawBody, receiver.received[0]!.rawBody, 'the same event, byte for byte');
      assert.equal((await outbox(server))[0]!.state, 'delivered');

      // Another team sees none of it; a VIEWER or DEVELOPER of this team may not look.
      const other = await createTeam(server);
      assert.equal((await server.request('GET', `/stockroom/v1/webhook-deliveries?teamId=${other.id}`)).body.deliveries.length, 0);
      assert.equal((await server.request('GET', `/stockroom/v1/webhook-deliveries/${rows[0]!.id}?teamId=${other.id}`)).status, 404);
      assert.equal((await server.request('POST', `/stockroom/v1/webhook-deliveries/${rows[0]!.id}/redeliver?teamId=${other.id}`)).status, 404);
      const { teamId } = server.stockroom.bootstrap;
      const viewer = await createMember(server, teamId, 'VIEWER');
      for (const [method, path] of [
        ['GET', `/stockroom/v1/webhook-deliveries?teamId=${teamId}`],
        ['GET', `/stockroom/v1/webhook-deliveries/${rows[0]!.id}?teamId=${teamId}`],
        ['POST', `/stockroom/v1/webhook-deliveries/${rows[0]!.id}/redeliver?teamId=${teamId}`],
      ] as const) {
        const refused = await server.request(method, path, { token: viewer.token });
        assert.equal(refused.status, 403, `${method} ${path}: ${refused.text}`);
        assert.equal(refused.body.error.code, 'forbidden');
      }
      // None of the refused redelivers (another team's, a VIEWER's) queued the event again.
      const untouched = (await outbox(server))[0]!;
      assert.deepEqual([untouched.id, untouched.state, untouched.attempts], [rows[0]!.id, 'delivered', 1]);
      const member = await createMember(server, teamId, 'MEMBER');
      // The three connects, and the two members added (marketplace.member.changed).
      const seen = await server.request('GET', `/stockroom/v1/webhook-deliveries?teamId=${teamId}`, { token: member.token });
      assert.deepEqual(seen.body.deliveries.map((d: { type: string }) => d.type).sort(), [...Array(3).fill('integration-resource.project-connected'), ...Array(2).fill('marketplace.member.changed')]);
      assert.equal((await server.request('GET', '/stockroom/v1/webhook-deliveries', { token: null })).status, 401);
    });

    test('an integration without a webhook URL: events are kept and marked undeliverable, without holding back the later ones', async (t) => {
      const { server, receiver } = await startWithReceiver(t, dialect, { webhookUrl: false });
      const icfg = await bootstrapInstallationId(server);
      const store = await createStore(server, icfg, 'quiet');
      const project = await createProject(server, 'site');
      await server.request('POST', `/v1/storage/stores/${store.id}/connections`, { body: { projectId: project.id } });
      await server.request('DELETE', `/v1/storage/stores/${store.id}/connections`);
      assert.equal((await pass(server)).attempted, 0);
      assert.equal(receiver.received.length, 0);
      const rows = await outbox(server);
      assert.deepEqual(rows.map((r) => [r.state, r.attempts, r.last_status]), [['undeliverable', 0, null], ['undeliverable', 0, null]]);
      assert.match(rows[0]!.last_response ?? '', /has no webhook URL/);
      const listed = await server.request('GET', '/stockroom/v1/webhook-deliveries');
      assert.deepEqual(listed.body.deliveries.map((d: { state: string }) => d.state), ['undeliverable', 'undeliverable']);
    });
  });
}
