import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import pg from 'pg';
import type { TestServer } from '../helpers/stockroom.js';

/** The machine's servers the real providers use in tests; each suite skips itself when its URL is unset. */
export const PG_ADMIN_URL = process.env.TEST_POSTGRES_ADMIN_URL;
export const REDIS_ADMIN_URL = process.env.TEST_REDIS_ADMIN_URL;

/** The bootstrap team's installation of the integration with this slug. */
export async function installationOf(server: TestServer, slug: string): Promise<string> {
  const list = await server.request('GET', '/v1/integrations/configurations?view=account');
  assert.equal(list.status, 200, list.text);
  const id = list.body.find((c: { slug: string }) => c.slug === slug)?.id;
  assert.ok(typeof id === 'string', `the bootstrap team has ${slug} installed`);
  return id;
}

export interface RealStore {
  readonly id: string;
  readonly externalResourceId: string;
}

/** Creates a store through the real create endpoint; the free plan unless `paid`. */
export async function createRealStore(server: TestServer, icfg: string, product: string, name: string, options: { paid?: boolean } = {}): Promise<RealStore> {
  const body = {
    name,
    integrationConfigurationId: icfg,
    integrationProductIdOrSlug: product,
    metadata: {},
    ...(options.paid ? { billingPlanId: 'pro', paymentMethodId: 'pm_card_visa' } : {}),
  };
  const res = await server.request('POST', '/v1/storage/stores/integration/direct', { body });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.body.store.status, 'available');
  return { id: res.body.store.id, externalResourceId: res.body.store.externalResourceId };
}

/** Connects the store to a new project and reads the project's development env vars, as `vercel env pull` does. */
export async function connectAndPull(server: TestServer, storeId: string, projectName: string): Promise<{ projectId: string; env: Record<string, string> }> {
  const project = await server.request('POST', '/v11/projects', { body: { name: projectName } });
  assert.equal(project.status, 200, project.text);
  const connection = await server.request('POST', `/v1/storage/stores/${storeId}/connections`, { body: { projectId: project.body.id } });
  assert.equal(connection.status, 200, connection.text);
  return { projectId: project.body.id, env: await pull(server, project.body.id) };
}

export async function pull(server: TestServer, projectId: string): Promise<Record<string, string>> {
  const res = await server.request('GET', `/v3/env/pull/${projectId}/development`);
  assert.equal(res.status, 200, res.text);
  return res.body.env;
}

export async function rotate(server: TestServer, storeId: string, delayOldSecretsExpirationHours: number): Promise<void> {
  const res = await server.request('POST', `/v1/storage/stores/${storeId}/secrets/rotate`, { body: { delayOldSecretsExpirationHours } });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.body.sync, true);
}

/** Makes every old credential of the provider's tables due for revocation now, instead of after its delay. */
export async function expireOldCredentials(server: TestServer, tablePrefix: string): Promise<void> {
  const db = server.stockroom.ctx.db as any;
  await db.updateTable(`${tablePrefix}credentials`).set({ revoke_at: server.clock.now() - 1 }).where('state', '=', 'expiring').execute();
}

/** Handles and logins the provider recorded in the server's database (deleted ones included). */
export async function recordedObjects(server: TestServer, tablePrefix: string): Promise<{ handles: string[]; logins: string[] }> {
  const db = server.stockroom.ctx.db as any;
  const resources: Array<{ handle: string }> = await db.selectFrom(`${tablePrefix}resources`).select('handle').execute();
  const credentials: Array<{ login: string }> = await db.selectFrom(`${tablePrefix}credentials`).select('login').execute();
  return { handles: resources.map((r) => r.handle), logins: [...new Set(credentials.map((c) => c.login))] };
}

/** A PostgreSQL client for one call, closed after it. */
export async function withClient<T>(config: string | pg.ClientConfig, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client(typeof config === 'string' ? { connectionString: config } : config);
  // A session the revocation job ends while this client holds it must fail the call, not the process.
  client.on('error', () => {});
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

/** Drops the databases and roles a PostgreSQL provider recorded (`recordedObjects`), whatever state a test left them in. */
export async function dropPostgresObjects(recorded: { readonly handles: readonly string[]; readonly logins: readonly string[] }): Promise<void> {
  await withClient(PG_ADMIN_URL!, async (c) => {
    for (const handle of recorded.handles) await c.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(handle)} WITH (FORCE)`);
    for (const role of [...recorded.logins, ...recorded.handles]) await c.query(`DROP ROLE IF EXISTS ${pg.escapeIdentifier(role)}`);
  });
}

/** Deletes the ACL users a Redis provider recorded (`recordedObjects`' handles) and their keys. */
export async function dropRedisObjects(handles: readonly string[]): Promise<void> {
  const client = new Redis(REDIS_ADMIN_URL!, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
  client.on('error', () => {});
  try {
    await client.connect();
    for (const handle of handles) {
      await client.call('ACL', 'DELUSER', handle);
      let cursor = '0';
      do {
        const [next, keys] = await client.scan(cursor, 'MATCH', `${handle}:*`, 'COUNT', 500);
        if (keys.length > 0) await client.unlink(...keys);
        cursor = next;
      } while (cursor !== '0');
    }
  } finally {
    client.disconnect();
  }
}
