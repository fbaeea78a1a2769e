import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';
import { Redis } from 'ioredis';
import { createTeam, createUser } from '../helpers/accounts.js';
import { createTestDatabase, dialectsToTest, NO_POSTGRES, type TestDatabase, type TestDialect } from '../helpers/databases.js';
import { eventually } from '../helpers/eventually.js';
import { startTestServer, type TestResponse, type TestServer } from '../helpers/stockroom.js';

/**
 * Rate limits (docs/rules.md §7, issue 5 §3): per token and endpoint group, Vercel's 429 body and
 * headers, recovery when the window resets, sharing between instances (PostgreSQL, Redis), the
 * off switch, and the per-team limit on concurrent provisioning.
 */

const HOUR = 3_600_000;
const CREATE = '/v1/storage/stores/integration/direct';

/** Starts a server whose clock sits just after the start of a window, so no test crosses one by accident. */
async function server(t: TestContext, dialect: TestDialect, env: Record<string, string>, database?: TestDatabase): Promise<TestServer> {
  const s = await startTestServer(t, dialect, { env: { STOCKROOM_RATE_LIMIT_WINDOW_MS: String(HOUR), ...env }, ...(database ? { database } : {}) });
  s.clock.advance(HOUR - (s.clock.now() % HOUR) + 1000);
  return s;
}

function assertHeaders(res: TestResponse, limit: number, remaining: number): void {
  assert.equal(res.headers.get('x-ratelimit-limit'), String(limit), res.text);
  assert.equal(res.headers.get('x-ratelimit-remaining'), String(remaining));
  assert.match(res.headers.get('x-ratelimit-reset') ?? '', /^\d{10}$/, 'epoch seconds');
}

function assertLimited(res: TestResponse, total: number, now: number): void {
  assert.equal(res.status, 429, res.text);
  assert.equal(res.headers.get('content-type'), 'application/json; charset=utf-8');
  assert.equal(res.body.error.code, 'rate_limited');
  const { limit } = res.body.error;
  assert.deepEqual(Object.keys(limit).sort(), ['remaining', 'reset', 'resetMs', 'total']);
  assert.equal(limit.remaining, 0);
  assert.equal(limit.total, total);
  assert.ok(limit.resetMs > now, 'the reset lies ahead');
  assert.equal(limit.reset, Math.ceil(limit.resetMs / 1000));
  assert.equal(res.headers.get('retry-after'), String(Math.max(1, Math.ceil((limit.resetMs - now) / 1000))));
  assert.equal(res.headers.get('x-ratelimit-remaining'), '0');
  assert.equal(res.headers.get('x-ratelimit-reset'), String(limit.reset));
}

for (const dialect of dialectsToTest()) {
  describe(`rate limits (${dialect})`, () => {
    test('every authenticated answer carries X-RateLimit-Limit, -Remaining and -Reset; public routes and 401s do not', async (t) => {
      const s = await server(t, dialect, { STOCKROOM_RATE_LIMIT_READ: '50', STOCKROOM_RATE_LIMIT_WRITE: '20' });
      const windowEnd = (Math.floor(s.clock.now() / HOUR) + 1) * (HOUR / 1000);
      const me = await s.request('GET', '/v2/user');
      assertHeaders(me, 50, 49);
      assert.equal(me.headers.get('x-ratelimit-reset'), String(windowEnd));
      assertHeaders(await s.request('GET', '/v1/storage/stores/store_unknown'), 50, 48);
      assertHeaders(await s.request('POST', '/v11/projects', { body: { name: 'app' } }), 20, 19);
      assertHeaders(await s.request('POST', '/v11/projects', { body: { name: 42 } }), 20, 18);
      for (const res of [await s.request('GET', '/healthz'), await s.request('GET', '/v2/user', { token: null })]) {
        assert.equal(res.headers.get('x-ratelimit-limit'), null);
      }
    });

    test('over the limit is 429 rate_limited with error.limit and Retry-After, per token and group, until the window resets', async (t) => {
      const s = await server(t, dialect, { STOCKROOM_RATE_LIMIT_READ: '3', STOCKROOM_RATE_LIMIT_CREATE_STORE: '1' });
      const other = await createUser(s);
      for (const remaining of [2, 1, 0]) assertHeaders(await s.request('GET', '/v2/user'), 3, remaining);
      assertLimited(await s.request('GET', '/v2/user'), 3, s.clock.now());
      assertLimited(await s.request('GET', '/v1/storage/stores'), 3, s.clock.now());

      // Writes are another group, and another token has its own count.
      assert.equal((await s.request('POST', '/v11/projects', { body: { name: 'still-writes' } })).status, 200);
      assertHeaders(await s.request('GET', '/v2/user', { token: other.token }), 3, 2);

      // Creating a store is a group of its own: one create (whatever its answer) spends it.
      const body = { name: 'db', integrationConfigurationId: 'icfg_unknown', integrationProductIdOrSlug: 'acme-db' };
      assert.equal((await s.request('POST', CREATE, { body })).status, 404);
      const refused = await s.request('POST', CREATE, { body, headers: { 'idempotency-key': 'create-1' } });
      assertLimited(refused, 1, s.clock.now());
      assert.equal((await s.request('POST', '/v11/projects', { body: { name: 'other-writes' } })).status, 200);

      s.clock.advance(HOUR);
      assertHeaders(await s.request('GET', '/v2/user'), 3, 2);
      // The refused create kept nothing under its key: it runs now.
      const created = await s.request('POST', CREATE, { body, headers: { 'idempotency-key': 'create-1' } });
      assert.equal(created.status, 404);
      assert.equal(created.headers.get('idempotent-replayed'), null);
    });

    test('STOCKROOM_RATE_LIMIT=off limits nothing and sends no rate-limit headers', async (t) => {
      const s = await server(t, dialect, { STOCKROOM_RATE_LIMIT: 'off', STOCKROOM_RATE_LIMIT_READ: '1', STOCKROOM_RATE_LIMIT_PROVISIONING: '1' });
      for (let i = 0; i < 3; i++) {
        const res = await s.request('GET', '/v2/user');
        assert.equal(res.status, 200);
        assert.equal(res.headers.get('x-ratelimit-limit'), null);
      }
    });

    test('a team with as many stores provisioning as its limit gets 429 for one more; other teams do not', async (t) => {
      const s = await server(t, dialect, { STOCKROOM_RATE_LIMIT_PROVISIONING: '1', STOCKROOM_PROVIDER_TIMEOUT_MS: '30000' });
      const installIn = async () => {
        const team = await createTeam(s);
        const res = await s.request('POST', `/stockroom/v1/installations?teamId=${team.id}`, { body: { integrationIdOrSlug: 'acme' } });
        assert.equal(res.status, 200, res.text);
        return { teamId: team.id, icfg: res.body.id as string };
      };
      const busy = await installIn();
      const calm = await installIn();
      const create = (w: { teamId: string; icfg: string }, name: string, metadata: Record<string, unknown> = {}, key?: string) =>
        s.request('POST', `${CREATE}?teamId=${w.teamId}`, {
          body: { name, integrationConfigurationId: w.icfg, integrationProductIdOrSlug: 'acme-db', metadata: { region: 'iad1', ...metadata }, billingPlanId: 'pro', paymentMethodId: 'pm_card_visa' },
          ...(key ? { headers: { 'idempotency-key': key } } : {}),
        });

      const slow = create(busy, 'slow-db', { testing_delay_ms: 3000 });
      await eventually('the slow create holds its provisioning row', async () => {
        const rows = await s.stockroom.ctx.db.selectFrom('stores').select('id').where('team_id', '=', busy.teamId).where('lifecycle', '=', 'provisioning').execute();
        return rows.length === 1;
      }, { timeoutMs: 5000 });
      const refused = await create(busy, 'second-db', {}, 'second');
      assert.equal(refused.status, 429, refused.text);
      assert.equal(refused.body.error.code, 'rate_limited');
      assert.match(refused.body.error.message, /1 stores being provisioned/);
      assert.equal(refused.body.error.limit.total, 1);
      assert.equal(refused.body.error.limit.remaining, 0);
      assert.equal(refused.headers.get('retry-after'), '5');
      assert.equal((await create(calm, 'elsewhere')).status, 200, 'another team is not limited');

      assert.equal((await slow).status, 200);
      const retried = await create(busy, 'second-db', {}, 'second');
      assert.equal(retried.status, 200, retried.text);
      assert.equal(retried.headers.get('idempotent-replayed'), null, 'the 429 was not stored under the key');
      const names = await s.stockroom.ctx.db.selectFrom('stores').select('name').where('team_id', '=', busy.teamId).orderBy('name').execute();
      assert.deepEqual(names.map((r) => r.name), ['second-db', 'slow-db']);
    });
  });
}

describe('rate limits shared by two Stockroom instances on one PostgreSQL', () => {
  test('the instances count into one window', { skip: NO_POSTGRES }, async (t) => {
    const database = await createTestDatabase('postgres');
    t.after(() => database.drop());
    const env = { STOCKROOM_RATE_LIMIT_READ: '5' };
    const a = await server(t, 'postgres', env, database);
    const b = await server(t, 'postgres', env, database);
    b.clock.advance(a.clock.now() - b.clock.now());
    for (const [s, remaining] of [[a, 4], [b, 3], [a, 2], [b, 1], [a, 0]] as const) assertHeaders(await s.request('GET', '/v2/user'), 5, remaining);
    assertLimited(await b.request('GET', '/v2/user'), 5, b.clock.now());
    const rows = await a.stockroom.ctx.db.withTables<{ rate_limit_counters: { key: string; count: number } }>().selectFrom('rate_limit_counters').selectAll().execute();
    assert.deepEqual(rows.map((r) => r.count), [6]);
  });
});

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

async function redisOrSkip(t: TestContext): Promise<Redis | null> {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 1000, retryStrategy: () => null });
  redis.on('error', () => {});
  try {
    await redis.connect();
    await redis.ping();
    return redis;
  } catch {
    redis.disconnect();
    t.skip(`no Redis at ${REDIS_URL}`);
    return null;
  }
}

for (const dialect of dialectsToTest()) {
  describe(`rate limits in Redis (${dialect})`, () => {
    test('with STOCKROOM_REDIS_URL two instances count into one window in Redis', async (t) => {
      const redis = await redisOrSkip(t);
      if (!redis) return;
      // One hook, registered first: node:test runs after-hooks in the order they were added.
      let tokenIds: string[] = [];
      t.after(async () => {
        for (const id of tokenIds) {
          const keys = await redis.keys(`stockroom:ratelimit:${id}:*`);
          if (keys.length > 0) await redis.del(...keys);
        }
        await redis.quit();
      });
      const database = await createTestDatabase(dialect);
      t.after(() => database.drop());
      const env = { STOCKROOM_RATE_LIMIT_READ: '3', STOCKROOM_REDIS_URL: REDIS_URL };
      const a = await server(t, dialect, env, database);
      const b = await server(t, dialect, env, database);
      b.clock.advance(a.clock.now() - b.clock.now());
      tokenIds = (await a.stockroom.ctx.db.selectFrom('tokens').select('id').execute()).map((r) => r.id);

      for (const [s, remaining] of [[a, 2], [b, 1], [a, 0]] as const) assertHeaders(await s.request('GET', '/v2/user'), 3, remaining);
      assertLimited(await b.request('GET', '/v2/user'), 3, b.clock.now());
      const keys = (await Promise.all(tokenIds.map((id) => redis.keys(`stockroom:ratelimit:${id}:read:*`)))).flat();
      assert.equal(keys.length, 1);
      assert.equal(await redis.get(keys[0] as string), '4');
      if (dialect === 'postgres') {
        const rows = await a.stockroom.ctx.db.withTables<{ rate_limit_counters: { key: string } }>().selectFrom('rate_limit_counters').select('key').execute();
        assert.deepEqual(rows, [], 'nothing counted in the database');
      }
    });
  });
}
