import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test, type TestContext } from 'node:test';
import type { IdempotencyKeysTable } from '../../src/db/idempotency-keys.js';
import { IDEMPOTENCY_KEY_TTL_MS, IDEMPOTENCY_LEASE_MS, requestFingerprint } from '../../src/domain/idempotency.js';
import { sweepExpiredIdempotencyKeys } from '../../src/http/plugins/idempotency.js';
import { createTeam, createUser } from '../helpers/accounts.js';
import { createTestDatabase, dialectsToTest, NO_POSTGRES, type TestDialect } from '../helpers/databases.js';
import { eventually } from '../helpers/eventually.js';
import { useSharedServer } from '../helpers/shared-server.js';
import { startTestServer, type TestResponse, type TestServer } from '../helpers/stockroom.js';

/**
 * Idempotency keys on Stockroom's API (docs/rules.md §5, issue 5 §1): replay, reuse, in flight,
 * scope, expiry, takeover of a dead claim, and what is (not) stored. Each case then reads the
 * database: stores, ledger and the reference partner's resources.
 */

const CREATE = '/v1/storage/stores/integration/direct';
// Long enough that a `testing_delay_ms` answer is slow without timing out.
const SLOW_ENV = { STOCKROOM_PROVIDER_TIMEOUT_MS: '30000' };

interface World {
  server: TestServer;
  teamId: string;
  icfg: string;
}

/** A server of the test's own: for a test that sets env or moves the clock. */
async function world(t: TestContext, dialect: TestDialect, env: Record<string, string> = {}): Promise<World> {
  return worldOn(await startTestServer(t, dialect, { env }));
}

/** A new team with the reference partner installed on `server` (a shared one). */
async function worldOn(server: TestServer): Promise<World> {
  return { server, ...(await teamWithInstallation(server)) };
}

async function teamWithInstallation(server: TestServer, token = server.token): Promise<{ teamId: string; icfg: string }> {
  const team = await createTeam(server, token);
  const installed = await server.request('POST', `/stockroom/v1/installations?teamId=${team.id}`, { token, body: { integrationIdOrSlug: 'acme' } });
  assert.equal(installed.status, 200, installed.text);
  return { teamId: team.id, icfg: installed.body.id };
}

function storeBody(w: Pick<World, 'icfg'>, name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name,
    integrationConfigurationId: w.icfg,
    integrationProductIdOrSlug: 'acme-db',
    metadata: { region: 'iad1' },
    billingPlanId: 'pro',
    paymentMethodId: 'pm_card_visa',
    ...extra,
  };
}

function create(w: World, key: string | null, body: unknown, options: { token?: string | null; teamId?: string } = {}): Promise<TestResponse> {
  return w.server.request('POST', `${CREATE}?teamId=${options.teamId ?? w.teamId}`, {
    body,
    ...(options.token !== undefined ? { token: options.token } : {}),
    headers: key === null ? {} : { 'idempotency-key': key },
  });
}

const db = (server: TestServer) => server.stockroom.ctx.db;
const keyRows = (server: TestServer) => db(server).withTables<{ idempotency_keys: IdempotencyKeysTable }>().selectFrom('idempotency_keys').selectAll().execute();
/**
 * The key rows stored since `keyRowsFrom` was called, over the whole table: on a shared server, what
 * this test stored (its describe runs one test at a time), whatever its user, team or key.
 */
async function keyRowsFrom(server: TestServer): Promise<() => ReturnType<typeof keyRows>> {
  const identity = (r: { user_id: string; team_scope: string; key: string }) => JSON.stringify([r.user_id, r.team_scope, r.key]);
  const before = new Set((await keyRows(server)).map(identity));
  return async () => (await keyRows(server)).filter((r) => !before.has(identity(r)));
}
const storeRows = (w: World) => db(w.server).selectFrom('stores').selectAll().where('team_id', '=', w.teamId).execute();
const ledgerKinds = async (w: World) => (await db(w.server).selectFrom('ledger_entries').select('kind').where('team_id', '=', w.teamId).orderBy('created_at').execute()).map((r) => r.kind);
const partnerResources = (w: World): Promise<Array<{ name: string; deleted_at: number | null }>> =>
  (db(w.server) as any).selectFrom('ref_partner_resources').selectAll().where('installation_id', '=', w.icfg).execute();

function assertReplayOf(replay: TestResponse, first: TestResponse): void {
  assert.equal(replay.status, first.status, replay.text);
  assert.equal(replay.headers.get('idempotent-replayed'), 'true');
  assert.equal(replay.text, first.text, 'the stored body is sent exactly as it was');
  assert.equal(replay.headers.get('content-type'), first.headers.get('content-type'));
  assert.notEqual(replay.headers.get('x-request-id'), first.headers.get('x-request-id'), 'the replay is a request of its own');
}

/** Waits (bounded) until the request with `key` holds its claim, i.e. is running. */
async function claimed(server: TestServer, key: string): Promise<void> {
  await eventually(`the request with key ${key} holds its claim`, async () => (await keyRows(server)).some((r) => r.key === key && r.status_code === null), { timeoutMs: 5000 });
}

for (const dialect of dialectsToTest()) {
  describe(`idempotency keys (${dialect})`, () => {
    const sharedServer = useSharedServer(dialect);

    test('the same key and request replays the first answer with Idempotent-Replayed: true, and charges and provisions once', async () => {
      const w = await worldOn(sharedServer());
      const first = await create(w, 'create-db-1', storeBody(w, 'db-1'));
      assert.equal(first.status, 200, first.text);
      assert.equal(first.headers.get('idempotent-replayed'), null);
      // The same body with its keys in another order is the same request.
      const reordered = Object.fromEntries(Object.entries(storeBody(w, 'db-1')).reverse());
      const replay = await create(w, 'create-db-1', reordered);
      assertReplayOf(replay, first);
      assertReplayOf(await create(w, 'create-db-1', storeBody(w, 'db-1')), first);

      assert.deepEqual((await storeRows(w)).map((r) => r.name), ['db-1']);
      assert.deepEqual(await ledgerKinds(w), ['authorization', 'charge']);
      assert.deepEqual((await partnerResources(w)).map((r) => r.name), ['db-1']);
      // Without the key the retry is a new request, and the name is taken.
      const unkeyed = await create(w, null, storeBody(w, 'db-1'));
      assert.equal(unkeyed.status, 409);
      assert.equal(unkeyed.body.error.storeId, first.body.store.id);
    });

    test('the same key with another body, path or method is 422 idempotency_key_reused and does nothing', async () => {
      const w = await worldOn(sharedServer());
      const first = await create(w, 'k', storeBody(w, 'db-a'));
      assert.equal(first.status, 200, first.text);
      const attempts = [
        await create(w, 'k', storeBody(w, 'db-b')),
        await create(w, 'k', storeBody(w, 'db-a', { externalId: 'x' })),
        await w.server.request('POST', `/v11/projects?teamId=${w.teamId}`, { body: { name: 'app' }, headers: { 'idempotency-key': 'k' } }),
        await w.server.request('DELETE', `/v1/storage/stores/integration/${first.body.store.id}?teamId=${w.teamId}`, { headers: { 'idempotency-key': 'k' } }),
      ];
      for (const res of attempts) {
        assert.equal(res.status, 422, res.text);
        assert.equal(res.body.error.code, 'idempotency_key_reused');
        assert.equal(res.body.error.param, 'Idempotency-Key');
        assert.match(res.body.error.message, /POST \/v1\/storage\/stores\/integration\/direct/);
      }
      assert.deepEqual((await storeRows(w)).map((r) => [r.name, r.lifecycle]), [['db-a', 'live']]);
      assert.deepEqual((await w.server.request('GET', `/v9/projects?teamId=${w.teamId}`)).body.projects, []);
      assert.deepEqual(await ledgerKinds(w), ['authorization', 'charge']);
    });

    test('a key belongs to its user and team: another user or another team may use the same key', async () => {
      const w = await worldOn(sharedServer());
      const newKeyRows = await keyRowsFrom(w.server);
      const mine = await create(w, 'shared-key', storeBody(w, 'db'));
      assert.equal(mine.status, 200, mine.text);

      const other = await teamWithInstallation(w.server);
      const otherTeam = await create({ ...w, ...other }, 'shared-key', storeBody(other, 'db'));
      assert.equal(otherTeam.status, 200, otherTeam.text);
      assert.equal(otherTeam.headers.get('idempotent-replayed'), null);
      assert.notEqual(otherTeam.body.store.id, mine.body.store.id);

      const user = await createUser(w.server);
      const theirs = await teamWithInstallation(w.server, user.token);
      const otherUser = await create({ ...w, ...theirs }, 'shared-key', storeBody(theirs, 'db'), { token: user.token });
      assert.equal(otherUser.status, 200, otherUser.text);
      assert.equal(otherUser.headers.get('idempotent-replayed'), null);
      assert.equal((await newKeyRows()).filter((r) => r.key === 'shared-key').length, 3);
    });

    test('a key must be 1 to 255 characters (else 400 naming the header); 255 is accepted', async () => {
      const w = await worldOn(sharedServer());
      const newKeyRows = await keyRowsFrom(w.server);
      for (const key of ['', 'k'.repeat(256)]) {
        const res = await create(w, key, storeBody(w, 'db'));
        assert.equal(res.status, 400, res.text);
        assert.equal(res.body.error.code, 'bad_request');
        assert.equal(res.body.error.param, 'Idempotency-Key');
      }
      assert.deepEqual(await storeRows(w), []);
      assert.deepEqual(await newKeyRows(), []);
      const longest = await create(w, 'k'.repeat(255), storeBody(w, 'db'));
      assert.equal(longest.status, 200, longest.text);
      assertReplayOf(await create(w, 'k'.repeat(255), storeBody(w, 'db')), longest);
    });

    test('4xx and 500 answers are stored and replayed; 401 and a body that fails validation are not', async () => {
      const w = await worldOn(sharedServer());
      const newKeyRows = await keyRowsFrom(w.server);
      const notFound = await create(w, 'nf', storeBody(w, 'db', { integrationConfigurationId: 'icfg_unknown' }));
      assert.equal(notFound.status, 404, notFound.text);
      assertReplayOf(await create(w, 'nf', storeBody(w, 'db', { integrationConfigurationId: 'icfg_unknown' })), notFound);

      const failed = await create(w, 'boom', storeBody(w, 'fail-500'));
      assert.equal(failed.status, 500, failed.text);
      assert.equal(failed.body.error.code, 'provisioning_failed');
      const replayed = await create(w, 'boom', storeBody(w, 'fail-500'));
      assertReplayOf(replayed, failed);
      assert.equal(replayed.body.error.requestId, failed.body.error.requestId, "the 500's body names the request that failed");
      // The replay did not provision again.
      assert.deepEqual((await partnerResources(w)).filter((r) => r.deleted_at === null), []);

      const unauthorized = await create(w, 'later', storeBody(w, 'db'), { token: null });
      assert.equal(unauthorized.status, 401);
      const invalid = await create(w, 'later', { ...storeBody(w, 'db'), name: 42 });
      assert.equal(invalid.status, 400, invalid.text);
      const forbidden = await create(w, 'later', storeBody(w, 'db'), { teamId: 'team_notmine' });
      assert.equal(forbidden.status, 403);
      const ran = await create(w, 'later', storeBody(w, 'db'));
      assert.equal(ran.status, 200, ran.text);
      assert.equal(ran.headers.get('idempotent-replayed'), null);
      assert.deepEqual((await newKeyRows()).map((r) => [r.key, r.status_code]).sort(), [['boom', 500], ['later', 200], ['nf', 404]]);
    });

    test('while the first request runs, the same key is 409 idempotency_key_in_use with Retry-After; then it replays', async (t) => {
      // A server of its own: it sets a longer provider timeout by env.
      const w = await world(t, dialect, SLOW_ENV);
      const body = storeBody(w, 'fail-slow-1', { metadata: { region: 'iad1', testing_delay_ms: 3000 } });
      const running = create(w, 'slow', body);
      await claimed(w.server, 'slow');

      const busy = await create(w, 'slow', body);
      assert.equal(busy.status, 409, busy.text);
      assert.equal(busy.body.error.code, 'idempotency_key_in_use');
      assert.equal(busy.headers.get('retry-after'), '1');
      const other = await create(w, 'slow', storeBody(w, 'fail-slow-2'));
      assert.equal(other.status, 422, 'another request with the key is refused even while the first runs');

      const first = await running;
      assert.equal(first.status, 200, first.text);
      assertReplayOf(await create(w, 'slow', body), first);
      assert.deepEqual((await storeRows(w)).map((r) => r.name), ['fail-slow-1']);
      assert.deepEqual(await ledgerKinds(w), ['authorization', 'charge']);
      assert.equal((await partnerResources(w)).length, 1);
    });

    test('a key is kept 24 hours: after that the same key is a new request, and the sweep deletes old keys', async (t) => {
      // A server of its own: it moves the clock by a day and sweeps the whole table.
      const w = await world(t, dialect);
      const first = await create(w, 'daily', storeBody(w, 'db-day-1'));
      assert.equal(first.status, 200, first.text);
      w.server.clock.advance(IDEMPOTENCY_KEY_TTL_MS - 60_000);
      assertReplayOf(await create(w, 'daily', storeBody(w, 'db-day-1')), first);
      assert.equal((await create(w, 'daily', storeBody(w, 'db-day-2'))).status, 422);

      w.server.clock.advance(60_000);
      const next = await create(w, 'daily', storeBody(w, 'db-day-2'));
      assert.equal(next.status, 200, next.text);
      assert.equal(next.headers.get('idempotent-replayed'), null);
      assert.deepEqual((await storeRows(w)).map((r) => r.name).sort(), ['db-day-1', 'db-day-2']);

      w.server.clock.advance(2 * 3600_000);
      const project = await w.server.request('POST', `/v11/projects?teamId=${w.teamId}`, { body: { name: 'app' }, headers: { 'idempotency-key': 'project' } });
      assert.equal(project.status, 200, project.text);
      w.server.clock.advance(IDEMPOTENCY_KEY_TTL_MS - 3600_000);
      // 'daily' (its second use) is now 25 h old; 'project' is 23 h old.
      assert.equal(await sweepExpiredIdempotencyKeys(w.server.stockroom.ctx), 1);
      assert.deepEqual((await keyRows(w.server)).map((r) => r.key), ['project']);
    });

    test('a claim whose process died (no heartbeat for the lease) is taken over; a live claim is not', async () => {
      const w = await worldOn(sharedServer());
      const userId = (await w.server.request('GET', '/v2/user')).body.user.id as string;
      const tokenId = (await w.server.request('GET', '/v5/user/tokens/current')).body.token.id as string;
      const body = storeBody(w, 'db-orphaned');
      const claim = (key: string, lockedAt: number) =>
        db(w.server)
          .withTables<{ idempotency_keys: IdempotencyKeysTable }>()
          .insertInto('idempotency_keys')
          .values({
            user_id: userId,
            team_scope: w.teamId,
            key,
            fingerprint: requestFingerprint('POST', CREATE, { teamId: w.teamId }, body),
            method: 'POST',
            path: CREATE,
            claim_id: `claim_${randomBytes(6).toString('hex')}`,
            token_id: tokenId,
            locked_at: lockedAt,
            status_code: null,
            response_headers: null,
            response_body: null,
            created_at: lockedAt,
            completed_at: null,
          })
          .execute();
      const now = w.server.clock.now();
      await claim('alive', now - IDEMPOTENCY_LEASE_MS + 5000);
      await claim('dead', now - IDEMPOTENCY_LEASE_MS - 1000);

      const waiting = await create(w, 'alive', body);
      assert.equal(waiting.status, 409, waiting.text);
      assert.equal(waiting.body.error.code, 'idempotency_key_in_use');

      const takenOver = await create(w, 'dead', body);
      assert.equal(takenOver.status, 200, takenOver.text);
      assert.equal(takenOver.headers.get('idempotent-replayed'), null);
      assertReplayOf(await create(w, 'dead', body), takenOver);
      assert.deepEqual((await storeRows(w)).map((r) => r.name), ['db-orphaned']);
    });

    test('only the keys callers sent are kept: Stockroom’s own keys to the mounted reference partner are not', async () => {
      const w = await worldOn(sharedServer());
      const newKeyRows = await keyRowsFrom(w.server);
      assert.equal((await create(w, 'only-mine', storeBody(w, 'db'))).status, 200);
      assert.equal((await w.server.request('GET', `/v1/storage/stores?teamId=${w.teamId}`, { headers: { 'idempotency-key': 'on-a-get' } })).status, 200);
      assert.deepEqual((await newKeyRows()).map((r) => r.key), ['only-mine']);
    });
  });
}

describe('idempotency keys shared by two Stockroom instances on one PostgreSQL', () => {
  test('a key running on one instance is in use on the other, which then replays its answer', { skip: NO_POSTGRES }, async (t) => {
    const database = await createTestDatabase('postgres');
    t.after(() => database.drop());
    const a = await startTestServer(t, 'postgres', { database, env: SLOW_ENV });
    const b = await startTestServer(t, 'postgres', { database, env: SLOW_ENV });
    const wa: World = { server: a, ...(await teamWithInstallation(a)) };
    const wb: World = { ...wa, server: b };

    const body = storeBody(wa, 'fail-slow-shared', { metadata: { region: 'iad1', testing_delay_ms: 2000 } });
    const running = create(wa, 'across', body);
    await claimed(b, 'across');
    const busy = await create(wb, 'across', body);
    assert.equal(busy.status, 409, busy.text);
    assert.equal(busy.body.error.code, 'idempotency_key_in_use');

    const first = await running;
    assert.equal(first.status, 200, first.text);
    assertReplayOf(await create(wb, 'across', body), first);
    assert.equal((await storeRows(wa)).length, 1);
    assert.deepEqual(await ledgerKinds(wa), ['authorization', 'charge']);
  });
});
