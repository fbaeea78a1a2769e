import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import Database from 'better-sqlite3';
import pg from 'pg';
import type { Page } from 'playwright-core';
import { ROOT } from '../../scripts/build-inputs.mjs';
import { freePort } from '../helpers/free-port.js';
import { browserSkipReason, launchChromium, screenshot } from '../helpers/browser.js';
import { watch } from '../helpers/built-server.js';
import { createTestDatabase, NO_POSTGRES } from '../helpers/databases.js';
import { send } from '../helpers/stockroom.js';
import { PG_ADMIN_URL, REDIS_ADMIN_URL, withClient } from '../providers-real/real-stores.js';

/** A running `npm start` and the token it printed. */
interface NpmStart {
  readonly url: string;
  readonly token: string;
  /** SIGTERM to npm and the server, as a terminal's Ctrl-C does; resolves once the server exited. */
  stop(): Promise<void>;
}

/**
 * The README's first command, as a person runs it: `npm start` in the checkout (its prestart
 * step builds what is stale) with `settings` and a free port, nothing else chosen for them
 * (the first start makes the token and prints it).
 */
async function npmStart(t: TestContext, settings: Record<string, string>): Promise<NpmStart> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port) };
  for (const name of ['STOCKROOM_TOKEN', 'DATABASE_URL', 'STOCKROOM_DATA_DIR', 'STOCKROOM_ENCRYPTION_KEY', 'STOCKROOM_CATALOG', 'STOCKROOM_PAUSE_AT', 'LOG_LEVEL', 'STOCKROOM_POSTGRES_ADMIN_URL', 'STOCKROOM_REDIS_ADMIN_URL']) delete env[name];
  Object.assign(env, settings);
  // npm runs the server as its child: its own process group, so the test can stop both.
  const npm = spawn('npm', ['start'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const stopGroup = (signal: NodeJS.Signals) => {
    try {
      if (npm.pid) process.kill(-npm.pid, signal);
    } catch {
      // already gone
    }
  };
  t.after(() => stopGroup('SIGKILL'));
  const server = await watch(t, npm, { timeoutMs: 60_000 });
  assert.equal(server.url, `http://127.0.0.1:${port}`);
  const token = /Access token \(shown once, store it now\):\s+(srk_\S+)/.exec(server.output())?.[1];
  assert.ok(token, `npm start printed no token:\n${server.output()}`);
  return {
    url: server.url,
    token,
    async stop() {
      stopGroup('SIGTERM');
      await server.exited;
    },
  };
}

/** Chromium on the console, signed in with `token`; page errors are collected for the test to check. */
async function signIn(t: TestContext, url: string, token: string): Promise<{ page: Page; pageErrors: string[] }> {
  const browser = await launchChromium();
  t.after(() => browser.close());
  const page = await browser.newPage();
  page.setDefaultTimeout(20_000);
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await page.goto(`${url}/`);
  await page.getByLabel('Access token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { level: 1, name: 'Stores' }).waitFor();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Create store' }).click();
  await page.getByRole('heading', { level: 1, name: 'Create store' }).waitFor();
  return { page, pageErrors };
}

test('npm start serves a working console: sign in with the printed token, create a store', { skip: browserSkipReason, timeout: 120_000 }, async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'stockroom-npm-start-'));
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const server = await npmStart(t, { STOCKROOM_DATA_DIR: dataDir });

  const script = await fetch(`${server.url}/console/app.js`);
  assert.equal(script.status, 200, await script.clone().text());
  assert.match(script.headers.get('content-type') ?? '', /^text\/javascript/);
  assert.ok((await script.text()).length > 1000, 'the console script is not empty');

  const { page, pageErrors } = await signIn(t, server.url, server.token);
  await page.getByLabel('Product').selectOption({ label: 'Acme DB' });
  await page.getByRole('radio', { name: /Free/ }).waitFor();
  await page.getByLabel('Name', { exact: true }).fill('from-npm-start');
  await page.getByLabel('Primary region').selectOption('iad1');
  await page.getByRole('button', { name: 'Create store' }).click();
  await page.getByRole('heading', { level: 1, name: 'from-npm-start' }).waitFor();
  await page.locator('#store-status').filter({ hasText: 'available' }).waitFor();
  await screenshot(page, 'npm-start-store');
  assert.deepEqual(pageErrors, []);

  const db = new Database(join(dataDir, 'stockroom.db'), { readonly: true });
  const row = db.prepare('select lifecycle, status from stores where name = ?').get('from-npm-start');
  db.close();
  assert.deepEqual(row, { lifecycle: 'live', status: 'available' }, 'the store the form created is stored');

  await server.stop();
});


/** Why the PostgreSQL half cannot run here, or false: it needs Stockroom's server, the providers' servers and the browser. */
const NO_REAL_SETUP: string | false =
  NO_POSTGRES ||
  (PG_ADMIN_URL ? false : 'TEST_POSTGRES_ADMIN_URL is not set') ||
  (REDIS_ADMIN_URL ? false : 'TEST_REDIS_ADMIN_URL is not set') ||
  browserSkipReason;

/**
 * The same, the way it runs in production (README "Real stores"): Stockroom's data in PostgreSQL
 * with its own encryption key, and the built-in PostgreSQL and Redis providers on. The store the
 * form creates is a real database on the admin server; deleting it leaves nothing behind.
 */
test('npm start on PostgreSQL with the real providers: the console creates a real PostgreSQL store', { skip: NO_REAL_SETUP, timeout: 180_000 }, async (t) => {
  const database = await createTestDatabase('postgres');
  const stockroomUrl = database.url!;
  // One hook, so its steps run in this order even when the test fails half-way: whatever the
  // provider made on the admin server (recorded in Stockroom's database) is dropped, then
  // Stockroom's database itself (WITH FORCE: the server process may still hold connections).
  t.after(async () => {
    const recorded = await withClient(stockroomUrl, async (c) => {
      const handles = (await c.query('SELECT handle FROM pg_provider_resources')).rows.map((r) => r.handle as string);
      const logins = (await c.query('SELECT DISTINCT login FROM pg_provider_credentials')).rows.map((r) => r.login as string);
      return { handles, logins };
    }).catch(() => ({ handles: [], logins: [] }));
    await withClient(PG_ADMIN_URL!, async (c) => {
      for (const handle of recorded.handles) await c.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(handle)} WITH (FORCE)`);
      for (const role of [...recorded.logins, ...recorded.handles]) await c.query(`DROP ROLE IF EXISTS ${pg.escapeIdentifier(role)}`);
    });
    await database.drop();
  });
  const server = await npmStart(t, { ...database.env, STOCKROOM_POSTGRES_ADMIN_URL: PG_ADMIN_URL!, STOCKROOM_REDIS_ADMIN_URL: REDIS_ADMIN_URL! });
  const api = (method: string, path: string, body?: unknown) => send(server.url, method, path, { token: server.token, ...(body === undefined ? {} : { body }) });

  const { page, pageErrors } = await signIn(t, server.url, server.token);
  // The picker names each installation by its integration's name and slug.
  await page.getByLabel('Integration').selectOption({ label: 'PostgreSQL (built-in) — stockroom-postgres' });
  await page.getByLabel('Product').selectOption({ label: 'PostgreSQL database' });
  await page.getByRole('radio', { name: /Free/ }).check();
  await page.getByLabel('Name', { exact: true }).fill('real-pg-from-console');
  await page.getByRole('button', { name: 'Create store' }).click();
  await page.getByRole('heading', { level: 1, name: 'real-pg-from-console' }).waitFor();
  await page.locator('#store-status').filter({ hasText: 'available' }).waitFor();
  await screenshot(page, 'npm-start-real-postgres-store');
  assert.deepEqual(pageErrors, []);

  const stored = await withClient(stockroomUrl, async (c) => (await c.query('SELECT id, lifecycle, status, product_id FROM stores WHERE name = $1', ['real-pg-from-console'])).rows);
  assert.equal(stored.length, 1, 'the store the form created is stored in PostgreSQL');
  const store = stored[0]!;
  assert.deepEqual({ lifecycle: store.lifecycle, status: store.status, product: store.product_id }, { lifecycle: 'live', status: 'available', product: 'iap_stockroom_postgres' });

  // Its secrets reach a project; with them an application connects to a database of its own.
  const project = await api('POST', '/v11/projects', { name: 'real-pg-app' });
  assert.equal(project.status, 200, project.text);
  const connection = await api('POST', `/v1/storage/stores/${store.id}/connections`, { projectId: project.body.id });
  assert.equal(connection.status, 200, connection.text);
  const pulled = await api('GET', `/v3/env/pull/${project.body.id}/development`);
  assert.equal(pulled.status, 200, pulled.text);
  const env = pulled.body.env as Record<string, string>;
  assert.match(env.PGDATABASE ?? '', /^sr_[a-z0-9]{20}$/);
  const written = await withClient(env.POSTGRES_URL!, async (c) => {
    await c.query('CREATE TABLE notes (body text NOT NULL)');
    await c.query("INSERT INTO notes VALUES ('from the console')");
    return (await c.query('SELECT current_database() AS db, body FROM notes')).rows;
  });
  assert.deepEqual(written, [{ db: env.PGDATABASE, body: 'from the console' }]);
  const onAdmin = () =>
    withClient(PG_ADMIN_URL!, async (c) => ({
      database: (await c.query('SELECT pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = $1', [env.PGDATABASE])).rows,
      roles: (await c.query('SELECT rolname FROM pg_roles WHERE rolname = ANY($1) ORDER BY rolname', [[env.PGDATABASE, env.PGUSER]])).rows.map((r) => r.rolname),
    }));
  assert.deepEqual(await onAdmin(), { database: [{ owner: env.PGDATABASE }], roles: [env.PGDATABASE, env.PGUSER].sort() });

  // Deleting the store through the API drops its database and roles on the admin server.
  const deleted = await api('DELETE', `/v1/storage/stores/integration/${store.id}`);
  assert.equal(deleted.status, 200, deleted.text);
  assert.deepEqual(await onAdmin(), { database: [], roles: [] });

  await server.stop();
});
