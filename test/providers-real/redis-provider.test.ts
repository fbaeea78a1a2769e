import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, test, type TestContext } from 'node:test';
import { Redis } from 'ioredis';
import pino from 'pino';
import { loadConfig } from '../../src/config.js';
import { createPartnerClient } from '../../src/providers/partner-client.js';
import { createStockroom } from '../../src/server.js';
import { createTestDatabase, DIALECTS, dialectsToTest } from '../helpers/databases.js';
import { eventually } from '../helpers/eventually.js';
import { OWNER_TOKEN, startTestServer, type TestServer } from '../helpers/stockroom.js';
import { connectAndPull, createRealStore, dropRedisObjects, expireOldCredentials, installationOf, pull, recordedObjects, REDIS_ADMIN_URL, rotate } from './real-stores.js';

const PREFIX = 'redis_provider_';

/** A client that fails fast instead of reconnecting for ever, so refusals surface as errors. */
function connect(url: string): Redis {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
  client.on('error', () => {});
  return client;
}

async function withRedis<T>(url: string, fn: (client: Redis) => Promise<T>): Promise<T> {
  const client = connect(url);
  try {
    await client.connect();
    return await fn(client);
  } finally {
    client.disconnect();
  }
}

const admin = <T>(fn: (client: Redis) => Promise<T>) => withRedis(REDIS_ADMIN_URL!, fn);

/** AUTH with a URL's user and password, answered by the server itself (a client's own connect hides WRONGPASS). */
async function auth(url: string): Promise<unknown> {
  const { username, password } = new URL(url);
  return admin((c) => c.call('AUTH', decodeURIComponent(username), decodeURIComponent(password)));
}

async function keysWithPrefix(prefix: string): Promise<string[]> {
  return admin(async (c) => {
    const found: string[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await c.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      found.push(...keys);
      cursor = next;
    } while (cursor !== '0');
    return found;
  });
}

/** Deletes the users and keys the provider made for this server, whatever state a failed test left. */
async function dropCreated(server: TestServer): Promise<void> {
  await dropRedisObjects((await recordedObjects(server, PREFIX)).handles);
}

async function startServer(t: TestContext, dialect: (typeof DIALECTS)[number]): Promise<TestServer> {
  let server: TestServer | undefined;
  // Registered first, so it runs before the server stops and its database goes (after hooks run in order).
  t.after(async () => {
    if (server) await dropCreated(server);
  });
  server = await startTestServer(t, dialect, { env: { STOCKROOM_REDIS_ADMIN_URL: REDIS_ADMIN_URL!, STOCKROOM_POLL_INTERVAL_MS: '100' } });
  return server;
}

async function aclUser(name: string): Promise<unknown> {
  return admin((c) => c.call('ACL', 'GETUSER', name));
}

/** Why no test here can run, or false; on each test, since the tests of a skipped describe are not counted as skipped. */
const NO_SERVER: string | false = REDIS_ADMIN_URL ? false : 'TEST_REDIS_ADMIN_URL is not set';

/** Tests that do not depend on Stockroom's own database run on the first dialect only, to keep the suite short. */
const onlyOnce = (dialect: (typeof DIALECTS)[number]) => (dialect === DIALECTS[0] ? false : 'independent of the dialect; run once');

for (const dialect of dialectsToTest()) {
  describe(`Redis provider (${dialect})`, () => {
    test('a store is an ACL user on its own prefix: env vars connect, other prefixes are NOPERM, rotation keeps the old password for the delay only, delete removes user and keys', { skip: NO_SERVER }, async (t) => {
      const server = await startServer(t, dialect);
      const icfg = await installationOf(server, 'stockroom-redis');
      const a = await createRealStore(server, icfg, 'redis', 'sessions-kv');
      const b = await createRealStore(server, icfg, 'redis', 'cache-kv');
      const { projectId, env } = await connectAndPull(server, a.id, 'sessions-app');
      const other = (await connectAndPull(server, b.id, 'cache-app')).env;
      assert.deepEqual(Object.keys(env).sort(), ['KV_PREFIX', 'KV_URL', 'REDIS_URL']);
      assert.equal(env.KV_URL, env.REDIS_URL);
      assert.match(env.KV_PREFIX!, /^sr_[a-z0-9]{20}:$/);
      const user = env.KV_PREFIX!.slice(0, -1);

      await withRedis(other.REDIS_URL!, (c) => c.set(`${other.KV_PREFIX}secret`, 'b-only'));
      await withRedis(env.REDIS_URL!, async (c) => {
        await c.set(`${env.KV_PREFIX}greeting`, 'hello');
        assert.equal(await c.get(`${env.KV_PREFIX}greeting`), 'hello');
        // Another store's key, an unprefixed key, and the commands that would list or leave the prefix.
        await assert.rejects(c.get(`${other.KV_PREFIX}secret`), /NOPERM/);
        await assert.rejects(c.set('global-key', 'x'), /NOPERM/);
        for (const command of [['KEYS', '*'], ['SCAN', '0'], ['SELECT', '1'], ['FLUSHALL'], ['CONFIG', 'GET', '*'], ['ACL', 'LIST']]) {
          await assert.rejects(c.call(command[0]!, ...command.slice(1)), /NOPERM/, command.join(' '));
        }
      });

      // Rotation: a new password beside the old one until the delay runs out.
      const oldSession = connect(env.REDIS_URL!);
      await oldSession.connect();
      t.after(() => oldSession.disconnect());
      await rotate(server, a.id, 1);
      const rotated = await pull(server, projectId);
      assert.notEqual(rotated.REDIS_URL, env.REDIS_URL);
      assert.equal(rotated.KV_PREFIX, env.KV_PREFIX);
      assert.equal(await withRedis(rotated.REDIS_URL!, (c) => c.get(`${env.KV_PREFIX}greeting`)), 'hello');
      assert.equal(await withRedis(env.REDIS_URL!, (c) => c.get(`${env.KV_PREFIX}greeting`)), 'hello');
      assert.equal(await auth(env.REDIS_URL!), 'OK');

      await expireOldCredentials(server, PREFIX);
      await eventually('the revocation job revoked the old password', async () => {
        await assert.rejects(auth(env.REDIS_URL!), /WRONGPASS/);
      });
      // Connections opened with the old password are closed too.
      await assert.rejects(oldSession.ping());
      assert.equal(await withRedis(rotated.REDIS_URL!, (c) => c.get(`${env.KV_PREFIX}greeting`)), 'hello');

      // Delete: the ACL user and every key under the prefix go; store B keeps its own.
      assert.notEqual(await aclUser(user), null);
      const deleted = await server.request('DELETE', `/v1/storage/stores/integration/${a.id}`);
      assert.equal(deleted.status, 200, deleted.text);
      assert.equal(await aclUser(user), null);
      assert.deepEqual(await keysWithPrefix(env.KV_PREFIX!), []);
      assert.equal(await withRedis(other.REDIS_URL!, (c) => c.get(`${other.KV_PREFIX}secret`)), 'b-only');
    });

    test('the same Idempotency-Key provisions one user, when repeated or raced; deleting twice succeeds', { skip: NO_SERVER }, async (t) => {
      const server = await startServer(t, dialect);
      const icfg = await installationOf(server, 'stockroom-redis');
      const provider = createPartnerClient({ signer: server.stockroom.ctx.signer }).forProvider({ baseUrl: `${server.url}/partners/redis`, clientId: 'oac_stockroomRedis' });
      const caller = { accountId: server.stockroom.bootstrap.teamId, userId: server.stockroom.bootstrap.userId, userRole: 'ADMIN' as const };
      const body = { productId: 'redis', name: 'idem-kv', metadata: {}, billingPlanId: 'free' };

      const first = await provider.provisionResource(icfg, body, caller, { idempotencyKey: 'key-repeated' });
      const again = await provider.provisionResource(icfg, body, caller, { idempotencyKey: 'key-repeated' });
      assert.equal(again.resource.id, first.resource.id);
      assert.deepEqual(again.secrets, first.secrets);
      const raced = await Promise.all([1, 2, 3].map(() => provider.provisionResource(icfg, { ...body, name: 'raced-kv' }, caller, { idempotencyKey: 'key-raced' })));
      assert.equal(new Set(raced.map((r) => r.resource.id)).size, 1);

      const { handles } = await recordedObjects(server, PREFIX);
      assert.equal(handles.length, 2, 'one resource per key');
      for (const handle of handles) assert.notEqual(await aclUser(handle), null);

      for (const id of [first.resource.id, raced[0]!.resource.id]) {
        await provider.deleteResource(icfg, id, caller, { idempotencyKey: `delete-${id}` });
        await provider.deleteResource(icfg, id, caller, { idempotencyKey: `delete-${id}` });
      }
      for (const handle of handles) assert.equal(await aclUser(handle), null);
    });

    test('uninstalling with cascade removes every store of the installation from the server', { skip: NO_SERVER }, async (t) => {
      const server = await startServer(t, dialect);
      const icfg = await installationOf(server, 'stockroom-redis');
      const stores = [await createRealStore(server, icfg, 'redis', 'one-kv'), await createRealStore(server, icfg, 'redis', 'two-kv')];
      const { handles } = await recordedObjects(server, PREFIX);
      assert.equal(handles.length, 2);
      const envs = await Promise.all(stores.map((s, i) => connectAndPull(server, s.id, `cascade-app-${i}`)));
      for (const { env } of envs) await withRedis(env.REDIS_URL!, (c) => c.set(`${env.KV_PREFIX}k`, 'v'));

      const res = await server.request('DELETE', `/v1/integrations/configuration/${icfg}?cascade=true`);
      assert.equal(res.status, 204, res.text);
      for (const handle of handles) {
        assert.equal(await aclUser(handle), null);
        assert.deepEqual(await keysWithPrefix(`${handle}:`), []);
      }
    });

    test('start-up names an unreachable server and an admin user that may not manage ACL users', { skip: NO_SERVER || onlyOnce(dialect) }, async (t) => {
      const weak = `sr_test_weak_${Date.now().toString(36)}`;
      await admin((c) => c.call('ACL', 'SETUSER', weak, 'reset', 'on', '>weak-password-1', '~*', '+@all', '-@admin'));
      t.after(() => admin((c) => c.call('ACL', 'DELUSER', weak)));
      const weakUrl = new URL(REDIS_ADMIN_URL!);
      weakUrl.username = weak;
      weakUrl.password = 'weak-password-1';

      for (const [url, expected] of [
        ['redis://127.0.0.1:1', /Redis provider \(STOCKROOM_REDIS_ADMIN_URL\): cannot reach the Redis server at 127\.0\.0\.1:1/],
        [weakUrl.toString(), /may not (manage ACL users|run ACL commands)/],
      ] as const) {
        const lines: Array<{ level: number; msg: string }> = [];
        const sink = new Writable({ write: (chunk, _enc, done) => (lines.push(JSON.parse(String(chunk))), done()) });
        const database = await createTestDatabase(dialect);
        t.after(() => database.drop());
        const config = loadConfig({ PORT: '0', LOG_LEVEL: 'info', STOCKROOM_TOKEN: OWNER_TOKEN, ...database.env, STOCKROOM_REDIS_ADMIN_URL: url });
        const stockroom = await createStockroom(config, { logger: pino({ level: 'info' }, sink) });
        await stockroom.close();
        const errors = lines.filter((l) => l.level === 50).map((l) => l.msg);
        assert.ok(errors.some((m) => expected.test(m)), errors.join('\n'));
        assert.ok(!lines.some((l) => JSON.stringify(l).includes('weak-password-1')));
      }
    });
  });
}
