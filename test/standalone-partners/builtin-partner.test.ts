import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import { Redis } from 'ioredis';
import type { Kysely } from 'kysely';
import pg from 'pg';
import { openDatabase } from '../../src/db/database.js';
import { PG_ADMIN_URL, REDIS_ADMIN_URL, withClient } from '../providers-real/real-stores.js';
import { startMiniVercel, type MiniVercel } from './mini-vercel.js';
import { BUILTIN_PARTNER_BUNDLE, call, installationBody, runToExit, startStandalone } from './standalone.js';

interface Standalone {
  readonly url: string;
  readonly vercel: MiniVercel;
  /** Its bookkeeping database, opened by the test. */
  readonly db: Kysely<any>;
  readonly output: () => string;
}

/** `builtin-partner <provider>` on its own SQLite file, trusting a fresh mini Vercel's JWKS, with no --client-id (the catalog's). */
async function startBuiltin(t: TestContext, provider: 'postgres' | 'redis', adminUrl: string): Promise<Standalone> {
  const vercel = await startMiniVercel();
  t.after(() => vercel.close());
  const dir = mkdtempSync(join(tmpdir(), `h1-builtin-${provider}-`));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const sqlitePath = join(dir, 'partner.db');
  const process = await startStandalone(t, BUILTIN_PARTNER_BUNDLE, [provider, '--admin-url', adminUrl, '--port', '0', '--jwks', vercel.jwksUrl, '--sqlite-path', sqlitePath]);
  const database = openDatabase({ kind: 'sqlite', path: sqlitePath });
  t.after(() => database.destroy());
  return { url: process.url, vercel, db: database.db as Kysely<any>, output: () => process.output() };
}

const newIcfg = () => `icfg_${randomBytes(8).toString('hex')}`;

/** Installs, provisions on the free plan, and returns the resource with its secrets as a map. */
async function provisionFree(partner: Standalone, clientId: string, product: string, name: string): Promise<{ icfg: string; id: string; secrets: Record<string, string> }> {
  const icfg = newIcfg();
  const installed = await call(partner.url, 'PUT', `/v1/installations/${icfg}`, await partner.vercel.userToken(clientId, icfg), installationBody('tok_h1'));
  assert.equal(installed.status, 200, JSON.stringify(installed.body));
  const answer = await call(partner.url, 'POST', `/v1/installations/${icfg}/resources`, await partner.vercel.userToken(clientId, icfg), { productId: product, name, metadata: {}, billingPlanId: 'free' }, { 'idempotency-key': `prov-${name}` });
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  assert.equal(answer.body.status, 'ready');
  return { icfg, id: answer.body.id, secrets: Object.fromEntries(answer.body.secrets.map((s: { name: string; value: string }) => [s.name, s.value])) };
}

describe('npm run builtin-partner: the built-in real providers as their own processes', () => {
  test('postgres: trusts the --jwks origin and the catalog client id; provision makes a database the secrets connect to; delete drops it', { skip: PG_ADMIN_URL ? false : 'TEST_POSTGRES_ADMIN_URL is not set' }, async (t) => {
    const partner = await startBuiltin(t, 'postgres', PG_ADMIN_URL!);
    // The start-up check ran and its findings were logged, as when Stockroom mounts it.
    assert.match(partner.output(), /PostgreSQL provider (ready at http:\/\/127\.0\.0\.1|\(--admin-url\): )/);
    const clientId = 'oac_stockroomPostgres';
    const refused = await call(partner.url, 'GET', `/v1/products/postgres/plans`, await partner.vercel.systemToken('oac_reference', null));
    assert.equal(refused.status, 403, 'another client id is refused');
    const plans = await call(partner.url, 'GET', `/v1/products/postgres/plans`, await partner.vercel.systemToken(clientId, null));
    assert.equal(plans.status, 200, JSON.stringify(plans.body));

    const created = await provisionFree(partner, clientId, 'postgres', `h1-pg-${randomBytes(3).toString('hex')}`);
    const database = created.secrets.PGDATABASE!;
    t.after(async () => {
      await withClient(PG_ADMIN_URL!, async (c) => {
        await c.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(database)} WITH (FORCE)`);
        const roles = await c.query("SELECT rolname FROM pg_roles WHERE rolname LIKE $1", [`${database}%`]);
        for (const r of roles.rows) await c.query(`DROP ROLE IF EXISTS ${pg.escapeIdentifier(r.rolname as string)}`);
      });
    });
    const exists = async () => withClient(PG_ADMIN_URL!, async (c) => (await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [database])).rowCount === 1);
    assert.equal(await exists(), true);
    const whoami = await withClient(created.secrets.POSTGRES_URL!, async (c) => (await c.query('SELECT current_database() AS db')).rows[0].db);
    assert.equal(whoami, database);
    const row = await partner.db.selectFrom('pg_provider_resources').select(['handle', 'state']).where('id', '=', created.id).executeTakeFirstOrThrow();
    assert.deepEqual(row, { handle: database, state: 'ready' });

    const deleted = await call(partner.url, 'DELETE', `/v1/installations/${created.icfg}/resources/${created.id}`, await partner.vercel.userToken(clientId, created.icfg));
    assert.equal(deleted.status, 204, JSON.stringify(deleted.body));
    assert.equal(await exists(), false);
  });

  test('redis: provision makes an ACL user the secrets connect as, on its own prefix; delete removes it', { skip: REDIS_ADMIN_URL ? false : 'TEST_REDIS_ADMIN_URL is not set' }, async (t) => {
    const partner = await startBuiltin(t, 'redis', REDIS_ADMIN_URL!);
    assert.match(partner.output(), /Redis provider (ready at http:\/\/127\.0\.0\.1|\(--admin-url\): )/);
    const clientId = 'oac_stockroomRedis';
    const created = await provisionFree(partner, clientId, 'redis', `h1-redis-${randomBytes(3).toString('hex')}`);
    const prefix = created.secrets.KV_PREFIX!;
    const user = prefix.replace(/:$/, '');
    const admin = new Redis(REDIS_ADMIN_URL!, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await admin.connect();
    t.after(async () => {
      await admin.call('ACL', 'DELUSER', user).catch(() => undefined);
      admin.disconnect();
    });
    assert.notEqual(await admin.call('ACL', 'GETUSER', user), null);

    const client = new Redis(created.secrets.REDIS_URL!, { lazyConnect: true, maxRetriesPerRequest: 1 });
    client.on('error', () => {});
    await client.connect();
    await client.set(`${prefix}greeting`, 'hello');
    assert.equal(await client.get(`${prefix}greeting`), 'hello');
    await assert.rejects(client.set('elsewhere', 'x'), /NOPERM/);
    client.disconnect();

    const deleted = await call(partner.url, 'DELETE', `/v1/installations/${created.icfg}/resources/${created.id}`, await partner.vercel.userToken(clientId, created.icfg));
    assert.equal(deleted.status, 204, JSON.stringify(deleted.body));
    assert.equal(await admin.call('ACL', 'GETUSER', user), null);
    assert.equal(await admin.exists(`${prefix}greeting`), 0);
  });

  test('a bad command line exits 2 and says what is wrong; --help exits 0', async () => {
    const help = await runToExit(BUILTIN_PARTNER_BUNDLE, ['--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /postgres\|redis --admin-url URL/);
    const cases: Array<[string[], RegExp]> = [
      [[], /name the provider to run: postgres or redis/],
      [['mysql', '--admin-url', 'postgres://x@h/db'], /unknown provider "mysql"/],
      [['postgres'], /--admin-url URL is required/],
      [['redis', '--admin-url', 'postgres://postgres@127.0.0.1/postgres'], /a postgres URL cannot serve the redis provider/],
      [['postgres', '--admin-url', 'postgres://x@h/db', '--port', '70000'], /--port \(BUILTIN_PARTNER_PORT\)/],
      [['postgres', '--admin-url', 'postgres://x@h/db', '--nope'], /Unknown option '--nope'/],
    ];
    for (const [args, message] of cases) {
      const run = await runToExit(BUILTIN_PARTNER_BUNDLE, args);
      assert.equal(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
      assert.match(run.stderr, message, args.join(' '));
    }
  });
});
