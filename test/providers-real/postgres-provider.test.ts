import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { describe, test, type TestContext } from 'node:test';
import pg from 'pg';
import pino from 'pino';
import { loadConfig } from '../../src/config.js';
import { createPartnerClient } from '../../src/providers/partner-client.js';
import { createStockroom } from '../../src/server.js';
import { createTestDatabase, DIALECTS, dialectsToTest, type TestDatabase } from '../helpers/databases.js';
import { eventually } from '../helpers/eventually.js';
import { OWNER_TOKEN, startTestServer, type TestServer } from '../helpers/stockroom.js';
import { connectAndPull, createRealStore, dropPostgresObjects, expireOldCredentials, installationOf, PG_ADMIN_URL, pull, recordedObjects, rotate, withClient } from './real-stores.js';

const PREFIX = 'pg_provider_';


const admin = <T>(fn: (client: pg.Client) => Promise<T>) => withClient(PG_ADMIN_URL!, fn);

/** Drops whatever the provider made for this server, whatever state a failed test left. */
async function dropCreated(server: TestServer): Promise<void> {
  // A server stopped by its test (a restart) left its database to the next one, whose cleanup covers it.
  const recorded = await recordedObjects(server, PREFIX).catch(() => undefined);
  if (!recorded) return;
  await dropPostgresObjects(recorded);
}

/** A Stockroom with the PostgreSQL provider on; what it creates is dropped when the test ends, even on failure. */
async function startServer(t: TestContext, dialect: (typeof DIALECTS)[number], database?: TestDatabase): Promise<TestServer> {
  let server: TestServer | undefined;
  // Registered first, so it runs before the server stops and its database goes (after hooks run in order).
  t.after(async () => {
    if (server) await dropCreated(server);
  });
  server = await startTestServer(t, dialect, { env: { STOCKROOM_POSTGRES_ADMIN_URL: PG_ADMIN_URL!, STOCKROOM_POLL_INTERVAL_MS: '100' }, ...(database ? { database } : {}) });
  return server;
}

async function serverState(names: { database: string; roles: string[] }): Promise<{ database: boolean; roles: string[] }> {
  return admin(async (c) => {
    const db = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [names.database]);
    const roles = await c.query('SELECT rolname FROM pg_roles WHERE rolname = ANY($1) ORDER BY rolname', [names.roles]);
    return { database: db.rowCount === 1, roles: roles.rows.map((r) => r.rolname as string) };
  });
}

/** Why no test here can run, or false; on each test, since the tests of a skipped describe are not counted as skipped. */
const NO_SERVER: string | false = PG_ADMIN_URL ? false : 'TEST_POSTGRES_ADMIN_URL is not set';

/** Tests that do not depend on Stockroom's own database run on the first dialect only, to keep the suite short. */
const onlyOnce = (dialect: (typeof DIALECTS)[number]) => (dialect === DIALECTS[0] ? false : 'independent of the dialect; run once');

for (const dialect of dialectsToTest()) {
  describe(`PostgreSQL provider (${dialect})`, () => {
    test('a store is a database of its own: env vars connect, other stores are shut out, rotation keeps the old login for the delay only, delete drops it all', { skip: NO_SERVER }, async (t) => {
      const server = await startServer(t, dialect);
      const icfg = await installationOf(server, 'stockroom-postgres');
      const a = await createRealStore(server, icfg, 'postgres', 'orders-db');
      const b = await createRealStore(server, icfg, 'postgres', 'billing-db');
      const { projectId, env } = await connectAndPull(server, a.id, 'orders-app');
      const other = (await connectAndPull(server, b.id, 'billing-app')).env;
      assert.deepEqual(Object.keys(env).sort(), ['PGDATABASE', 'PGHOST', 'PGPASSWORD', 'PGPORT', 'PGUSER', 'POSTGRES_URL']);
      assert.match(env.PGDATABASE!, /^sr_[a-z0-9]{20}$/);
      assert.notEqual(env.PGDATABASE, other.PGDATABASE);

      // Written with the URL, read back with the PG* variables.
      await withClient(env.POSTGRES_URL!, async (c) => {
        await c.query('CREATE TABLE notes (id serial PRIMARY KEY, body text NOT NULL)');
        await c.query("INSERT INTO notes (body) VALUES ('first')");
      });
      const asPgVars = { host: env.PGHOST, port: Number(env.PGPORT), user: env.PGUSER, password: env.PGPASSWORD, database: env.PGDATABASE };
      const rows = await withClient(asPgVars, async (c) => (await c.query('SELECT body FROM notes')).rows);
      assert.deepEqual(rows, [{ body: 'first' }]);

      // Objects belong to the store's owner role, not to the login that made them.
      const facts = await admin(async (c) => {
        const db = await c.query('SELECT datconnlimit, pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = $1', [env.PGDATABASE]);
        const role = await c.query('SELECT rolconnlimit, rolsuper, rolcreatedb, rolcreaterole FROM pg_roles WHERE rolname = $1', [env.PGUSER]);
        return { db: db.rows[0], role: role.rows[0] };
      });
      assert.deepEqual(facts.db, { datconnlimit: 5, owner: env.PGDATABASE });
      assert.deepEqual(facts.role, { rolconnlimit: 5, rolsuper: false, rolcreatedb: false, rolcreaterole: false });
      const tableOwner = await withClient(env.POSTGRES_URL!, async (c) => (await c.query("SELECT tableowner FROM pg_tables WHERE tablename = 'notes'")).rows[0].tableowner);
      assert.equal(tableOwner, env.PGDATABASE);

      // Store B's login cannot even connect to store A's database.
      await assert.rejects(withClient({ ...asPgVars, user: other.PGUSER, password: other.PGPASSWORD }, async () => {}), (error: { code?: string; message: string }) => {
        assert.equal(error.code, '42501');
        assert.match(error.message, /permission denied for database/);
        return true;
      });

      // Rotation: a new login; the old one keeps working (an open session too) until its delay runs out.
      const oldSession = new pg.Client({ connectionString: env.POSTGRES_URL });
      oldSession.on('error', () => {});
      await oldSession.connect();
      t.after(() => oldSession.end().catch(() => {}));
      await rotate(server, a.id, 1);
      const rotated = await pull(server, projectId);
      assert.notEqual(rotated.PGUSER, env.PGUSER);
      assert.notEqual(rotated.PGPASSWORD, env.PGPASSWORD);
      assert.equal(rotated.PGDATABASE, env.PGDATABASE);
      const seenByNew = await withClient(rotated.POSTGRES_URL!, async (c) => {
        await c.query("INSERT INTO notes (body) VALUES ('second')");
        return (await c.query('SELECT body FROM notes ORDER BY id')).rows.map((r) => r.body);
      });
      assert.deepEqual(seenByNew, ['first', 'second']);
      assert.equal(await withClient(env.POSTGRES_URL!, async (c) => (await c.query('SELECT count(*)::int AS n FROM notes')).rows[0].n), 2);

      await expireOldCredentials(server, PREFIX);
      await eventually('the revocation job revoked the old login', async () => {
        await assert.rejects(withClient(env.POSTGRES_URL!, async () => {}), /not permitted to log in/);
      });
      await assert.rejects(oldSession.query('SELECT 1'));
      assert.equal(await withClient(rotated.POSTGRES_URL!, async (c) => (await c.query('SELECT count(*)::int AS n FROM notes')).rows[0].n), 2);

      // Delete: database, owner role and both logins are gone; store B is untouched.
      const names = { database: env.PGDATABASE!, roles: [env.PGDATABASE!, env.PGUSER!, rotated.PGUSER!] };
      assert.deepEqual(await serverState(names), { database: true, roles: [...names.roles].sort() });
      const deleted = await server.request('DELETE', `/v1/storage/stores/integration/${a.id}`);
      assert.equal(deleted.status, 200, deleted.text);
      assert.deepEqual(await serverState(names), { database: false, roles: [] });
      assert.equal(await withClient(other.POSTGRES_URL!, async (c) => (await c.query('SELECT 1 AS ok')).rows[0].ok), 1);
    });

    test('the same Idempotency-Key provisions one database, when repeated, raced or retried after a timeout; deleting twice succeeds', { skip: NO_SERVER }, async (t) => {
      const server = await startServer(t, dialect);
      const icfg = await installationOf(server, 'stockroom-postgres');
      const { signer } = server.stockroom.ctx;
      const target = { baseUrl: `${server.url}/partners/postgres`, clientId: 'oac_stockroomPostgres' };
      const provider = createPartnerClient({ signer }).forProvider(target);
      const caller = { accountId: server.stockroom.bootstrap.teamId, userId: server.stockroom.bootstrap.userId, userRole: 'ADMIN' as const };
      const body = { productId: 'postgres', name: 'idem-db', metadata: {}, billingPlanId: 'free' };

      const first = await provider.provisionResource(icfg, body, caller, { idempotencyKey: 'key-repeated' });
      const again = await provider.provisionResource(icfg, body, caller, { idempotencyKey: 'key-repeated' });
      assert.equal(again.resource.id, first.resource.id);
      assert.deepEqual(again.secrets, first.secrets);

      const raced = await Promise.all([1, 2, 3].map(() => provider.provisionResource(icfg, { ...body, name: 'raced-db' }, caller, { idempotencyKey: 'key-raced' })));
      assert.equal(new Set(raced.map((r) => r.resource.id)).size, 1);

      // A caller that gives up after 100 ms and retries with the same key gets the same resource.
      const impatient = createPartnerClient({ signer, timeoutMs: 100, retries: 0 }).forProvider(target);
      await impatient.provisionResource(icfg, { ...body, name: 'slow-db' }, caller, { idempotencyKey: 'key-timeout' }).catch(() => undefined);
      const retried = await provider.provisionResource(icfg, { ...body, name: 'slow-db' }, caller, { idempotencyKey: 'key-timeout' });

      await assert.rejects(provider.provisionResource(icfg, { ...body, name: 'other-db' }, caller, { idempotencyKey: 'key-repeated' }), (error: { status?: number }) => {
        assert.equal(error.status, 422);
        return true;
      });

      const { handles } = await recordedObjects(server, PREFIX);
      assert.equal(handles.length, 3, 'one resource per key');
      const databases = await admin(async (c) => (await c.query('SELECT count(*)::int AS n FROM pg_database WHERE datname = ANY($1)', [handles])).rows[0].n);
      assert.equal(databases, 3);

      for (const id of [first.resource.id, raced[0]!.resource.id, retried.resource.id]) {
        await provider.deleteResource(icfg, id, caller, { idempotencyKey: `delete-${id}` });
        await provider.deleteResource(icfg, id, caller, { idempotencyKey: `delete-${id}` });
      }
      const left = await admin(async (c) => (await c.query('SELECT count(*)::int AS n FROM pg_database WHERE datname = ANY($1)', [handles])).rows[0].n);
      assert.equal(left, 0);
    });

    test('a revocation scheduled before a restart is carried out by the next process', { skip: NO_SERVER || onlyOnce(dialect) }, async (t) => {
      const database = await createTestDatabase(dialect);
      t.after(() => database.drop());
      const first = await startServer(t, dialect, database);
      const icfg = await installationOf(first, 'stockroom-postgres');
      const store = await createRealStore(first, icfg, 'postgres', 'restart-db');
      const { projectId, env } = await connectAndPull(first, store.id, 'restart-app');
      await rotate(first, store.id, 24);
      await first.stop();

      const second = await startServer(t, dialect, database);
      await expireOldCredentials(second, PREFIX);
      await eventually('the revocation job revoked the old login', async () => {
        await assert.rejects(withClient(env.POSTGRES_URL!, async () => {}), /not permitted to log in/);
      });
      const rotated = await pull(second, projectId);
      assert.equal(await withClient(rotated.POSTGRES_URL!, async (c) => (await c.query('SELECT 1 AS ok')).rows[0].ok), 1);
    });

    test('the paid plan gets its larger connection limit', { skip: NO_SERVER || onlyOnce(dialect) }, async (t) => {
      const server = await startServer(t, dialect);
      const icfg = await installationOf(server, 'stockroom-postgres');
      const store = await createRealStore(server, icfg, 'postgres', 'big-db', { paid: true });
      const { env } = await connectAndPull(server, store.id, 'big-app');
      const limits = await admin(async (c) => {
        const db = await c.query('SELECT datconnlimit FROM pg_database WHERE datname = $1', [env.PGDATABASE]);
        const role = await c.query('SELECT rolconnlimit FROM pg_roles WHERE rolname = $1', [env.PGUSER]);
        return [db.rows[0].datconnlimit, role.rows[0].rolconnlimit];
      });
      assert.deepEqual(limits, [50, 50]);
    });

    test('no installation-level plans: a plan change is refused by Stockroom (400) and by the provider itself (400), nothing charged', { skip: NO_SERVER || onlyOnce(dialect) }, async (t) => {
      const server = await startServer(t, dialect);
      const icfg = await installationOf(server, 'stockroom-postgres');
      const res = await server.request('PATCH', `/v1/integrations/configuration/${icfg}`, { body: { billingPlanId: 'pro' } });
      assert.equal(res.status, 400, res.text);
      assert.equal(res.body.error.code, 'invalid_billing_plan');
      assert.match(res.body.error.message, /billed per resource/);
      // Asked directly, as Stockroom would if it had no plan list to go by.
      const partners = server.stockroom.ctx.partners;
      const integration = server.stockroom.ctx.catalog.findIntegration('stockroom-postgres')!;
      const client = partners.forProvider({ baseUrl: server.stockroom.ctx.providerBaseUrl(integration.providerBaseUrl), clientId: integration.clientId });
      const user = { accountId: server.stockroom.bootstrap.teamId, userId: 'user_check', userRole: 'ADMIN' as const };
      await assert.rejects(client.updateInstallation(icfg, { billingPlanId: 'pro' }, user, { idempotencyKey: 'k-1' }), { kind: 'validation', status: 400 });
      assert.deepEqual(await server.stockroom.ctx.db.selectFrom('ledger_entries').select('id').execute(), []);
    });

    test('start-up names an unreachable server, and an admin role without CREATEDB and CREATEROLE', { skip: NO_SERVER || onlyOnce(dialect) }, async (t) => {
      const role = `sr_test_weak_${randomBytes(4).toString('hex')}`;
      const password = randomBytes(12).toString('hex');
      await admin((c) => c.query(`CREATE ROLE ${role} LOGIN PASSWORD '${password}'`));
      t.after(() => admin((c) => c.query(`DROP ROLE IF EXISTS ${role}`)));
      const weakUrl = new URL(PG_ADMIN_URL!);
      weakUrl.username = role;
      weakUrl.password = password;

      for (const [url, expected] of [
        ['postgres://postgres@127.0.0.1:1/postgres', /PostgreSQL provider \(STOCKROOM_POSTGRES_ADMIN_URL\): cannot reach the PostgreSQL server at 127\.0\.0\.1:1/],
        [weakUrl.toString(), new RegExp(`the admin role "${role}" lacks CREATEDB and CREATEROLE`)],
      ] as const) {
        const lines: Array<{ level: number; msg: string }> = [];
        const sink = new Writable({ write: (chunk, _enc, done) => (lines.push(JSON.parse(String(chunk))), done()) });
        const database = await createTestDatabase(dialect);
        t.after(() => database.drop());
        const config = loadConfig({ PORT: '0', LOG_LEVEL: 'info', STOCKROOM_TOKEN: OWNER_TOKEN, ...database.env, STOCKROOM_POSTGRES_ADMIN_URL: url });
        const stockroom = await createStockroom(config, { logger: pino({ level: 'info' }, sink) });
        await stockroom.close();
        const errors = lines.filter((l) => l.level === 50).map((l) => l.msg);
        assert.ok(errors.some((m) => expected.test(m)), errors.join('\n'));
        // The admin URL's password never reaches the log.
        assert.ok(!lines.some((l) => JSON.stringify(l).includes(password)));
      }
    });
  });
}
