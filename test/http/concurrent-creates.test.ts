import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { startBuiltServer, type BuiltServer } from '../helpers/built-server.js';
import { createTestDatabase, NO_POSTGRES, type TestDatabase } from '../helpers/databases.js';
import { OWNER_TOKEN, send, type TestResponse } from '../helpers/stockroom.js';

/**
 * Racing creates through two real Stockroom processes on one PostgreSQL (issue 5 §2): at least 50
 * simultaneous requests per case, split between the processes, then the database is read to show
 * one store, one charge and one provider resource. Only the database (unique indexes, the
 * idempotency key's primary key) can make that hold across processes.
 */

const RACERS = 60;
const CREATE = '/v1/storage/stores/integration/direct';

type Replica = BuiltServer;

describe(`${RACERS} simultaneous creates through two Stockroom processes on one PostgreSQL`, () => {
  let database: TestDatabase;
  let replicas: Replica[] = [];
  let client: pg.Client;

  // The hooks run even when every test is skipped.
  before(async () => {
    if (NO_POSTGRES) return;
    database = await createTestDatabase('postgres');
    const env = { ...process.env, ...database.env, PORT: '0', STOCKROOM_TOKEN: OWNER_TOKEN, LOG_LEVEL: 'info' };
    // At most 100,000 characters of output kept each: they log every racing request.
    replicas = await Promise.all([startBuiltServer(null, env, { maxOutput: 100_000 }), startBuiltServer(null, env, { maxOutput: 100_000 })]);
    client = new pg.Client({ connectionString: database.url });
    await client.connect();
  });

  after(async () => {
    await Promise.all(replicas.map((r) => r.kill()));
    await client?.end();
    await database?.drop();
  });

  /** A team of its own with the reference integration installed, per case. */
  async function installation(): Promise<{ teamId: string; icfg: string }> {
    const [a] = replicas as [Replica];
    const team = await send(a.url, 'POST', '/v1/teams', { body: { slug: `race-${Math.random().toString(36).slice(2, 10)}` } });
    assert.equal(team.status, 200, team.text);
    const installed = await send(a.url, 'POST', `/stockroom/v1/installations?teamId=${team.body.id}`, { body: { integrationIdOrSlug: 'acme' } });
    assert.equal(installed.status, 200, installed.text);
    return { teamId: team.body.id, icfg: installed.body.id };
  }

  /** Every racer is sent at once, alternating between the two processes. */
  function race(teamId: string, body: Record<string, unknown>, headers: Record<string, string> = {}): Promise<TestResponse[]> {
    return Promise.all(Array.from({ length: RACERS }, (_, i) => send(replicas[i % 2]!.url, 'POST', `${CREATE}?teamId=${teamId}`, { body, headers })));
  }

  const paidBody = (icfg: string, name: string, extra: Record<string, unknown> = {}) => ({
    name,
    integrationConfigurationId: icfg,
    integrationProductIdOrSlug: 'acme-db',
    metadata: { region: 'iad1' },
    billingPlanId: 'pro',
    paymentMethodId: 'pm_card_visa',
    ...extra,
  });

  /** One store, live, with one authorization and one charge, and one live resource at the provider. */
  async function assertExactlyOne(teamId: string, icfg: string, storeId: string): Promise<void> {
    const stores = await client.query('SELECT id, lifecycle FROM stores WHERE team_id = $1', [teamId]);
    assert.deepEqual(stores.rows, [{ id: storeId, lifecycle: 'live' }]);
    const ledger = await client.query('SELECT kind, store_id FROM ledger_entries WHERE team_id = $1 ORDER BY created_at', [teamId]);
    assert.deepEqual(ledger.rows, [
      { kind: 'authorization', store_id: storeId },
      { kind: 'charge', store_id: storeId },
    ]);
    const resources = await client.query('SELECT id, deleted_at FROM ref_partner_resources WHERE installation_id = $1', [icfg]);
    assert.equal(resources.rows.length, 1, 'one resource at the provider');
    assert.equal(resources.rows[0].deleted_at, null);
    const external = await client.query('SELECT external_resource_id FROM stores WHERE id = $1', [storeId]);
    assert.equal(external.rows[0].external_resource_id, resources.rows[0].id);
  }

  const statuses = (answers: TestResponse[]) =>
    Object.entries(answers.reduce<Record<string, number>>((n, r) => ({ ...n, [`${r.status} ${r.body?.error?.code ?? ''}`.trim()]: (n[`${r.status} ${r.body?.error?.code ?? ''}`.trim()] ?? 0) + 1 }), {}));

  test('the same name: exactly one store; every other answer is 409 conflict naming it', { skip: NO_POSTGRES }, async () => {
    const { teamId, icfg } = await installation();
    const answers = await race(teamId, paidBody(icfg, 'same-name'));
    const created = answers.filter((r) => r.status === 200);
    assert.equal(created.length, 1, JSON.stringify(statuses(answers)));
    const storeId = created[0]!.body.store.id as string;
    for (const r of answers.filter((x) => x.status !== 200)) {
      assert.equal(r.status, 409, r.text);
      assert.equal(r.body.error.code, 'conflict');
      assert.equal(r.body.error.storeId, storeId);
    }
    await assertExactlyOne(teamId, icfg, storeId);
  });

  test('the same externalId: one store; the others get it (200) once it is live, or 409 naming it while it is being created', { skip: NO_POSTGRES }, async () => {
    const { teamId, icfg } = await installation();
    const answers = await race(teamId, paidBody(icfg, 'same-external', { externalId: 'ext-42' }));
    const ok = answers.filter((r) => r.status === 200);
    assert.ok(ok.length >= 1, JSON.stringify(statuses(answers)));
    const storeId = ok[0]!.body.store.id as string;
    for (const r of ok) assert.equal(r.body.store.id, storeId);
    for (const r of answers.filter((x) => x.status !== 200)) {
      assert.equal(r.status, 409, r.text);
      assert.equal(r.body.error.code, 'conflict');
      assert.equal(r.body.error.storeId, storeId);
    }
    await assertExactlyOne(teamId, icfg, storeId);
    // Once it is live, a retry is a plain 200 with the same store, on either process.
    for (const r of replicas) {
      const retry = await send(r.url, 'POST', `${CREATE}?teamId=${teamId}`, { body: paidBody(icfg, 'same-external', { externalId: 'ext-42' }) });
      assert.equal(retry.status, 200, retry.text);
      assert.equal(retry.body.store.id, storeId);
    }
  });

  test('the same Idempotency-Key: it runs once; the others replay its answer (200, Idempotent-Replayed) or are 409 in use', { skip: NO_POSTGRES }, async () => {
    const { teamId, icfg } = await installation();
    const body = paidBody(icfg, 'same-key');
    const answers = await race(teamId, body, { 'idempotency-key': 'one-create' });
    const original = answers.filter((r) => r.status === 200 && r.headers.get('idempotent-replayed') === null);
    assert.equal(original.length, 1, JSON.stringify(statuses(answers)));
    const first = original[0]!;
    for (const r of answers.filter((x) => x !== first)) {
      if (r.status === 200) {
        assert.equal(r.headers.get('idempotent-replayed'), 'true');
        assert.equal(r.text, first.text);
      } else {
        assert.equal(r.status, 409, r.text);
        assert.equal(r.body.error.code, 'idempotency_key_in_use');
        assert.equal(r.headers.get('retry-after'), '1');
      }
    }
    await assertExactlyOne(teamId, icfg, first.body.store.id);
    for (const r of replicas) {
      const replay = await send(r.url, 'POST', `${CREATE}?teamId=${teamId}`, { body, headers: { 'idempotency-key': 'one-create' } });
      assert.equal(replay.status, 200);
      assert.equal(replay.headers.get('idempotent-replayed'), 'true');
      assert.equal(replay.text, first.text);
    }
    const keys = await client.query("SELECT status_code FROM idempotency_keys WHERE key = 'one-create'");
    assert.deepEqual(keys.rows, [{ status_code: 200 }]);
  });
});
