import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { startBuiltServer } from '../helpers/built-server.js';
import { createTestDatabase } from '../helpers/databases.js';
import { eventually } from '../helpers/eventually.js';
import { OWNER_TOKEN, send } from '../helpers/stockroom.js';

/**
 * SIGTERM finishes the requests in flight before the process exits (issue 2 §5): a create that
 * is waiting on a slow provider when the signal arrives still answers 200 and is stored.
 */
test('SIGTERM lets a request in flight finish, then exits 0', async (t) => {
  const database = await createTestDatabase('sqlite');
  t.after(() => database.drop());
  const server = await startBuiltServer(t, { ...process.env, ...database.env, PORT: '0', STOCKROOM_TOKEN: OWNER_TOKEN, LOG_LEVEL: 'info', STOCKROOM_PROVIDER_TIMEOUT_MS: '20000' });
  const { url } = server;
  // The bootstrap installation is made before the listening line.
  const list = await send(url, 'GET', '/v1/integrations/configurations?view=account');
  const icfg: string | undefined = list.body?.[0]?.id;
  assert.ok(icfg, list.text);

  const inFlight = send(url, 'POST', '/v1/storage/stores/integration/direct', {
    body: { name: 'slow-store', integrationConfigurationId: icfg, integrationProductIdOrSlug: 'acme-db', metadata: { region: 'iad1', testing_delay_ms: 1500 } },
  });
  // The reference partner stores the resource, then delays its answer: once the row is there the
  // create is waiting on the provider.
  const file = new Database(join(database.dataDir, 'stockroom.db'), { readonly: true });
  t.after(() => file.close());
  await eventually('the partner holds the slow store\'s resource', () => file.prepare('select 1 from ref_partner_resources where name = ?').get('slow-store') !== undefined);
  const signalledAt = Date.now();
  const [res, code] = await Promise.all([inFlight, server.stop()]);
  assert.equal(res.status, 200, res.text);
  assert.equal(res.body.store.name, 'slow-store');
  assert.equal(code, 0, server.output());
  assert.match(server.output(), /shutting down/);
  // The answer closes its connection: a keep-alive client does not hold the exit for the server's
  // keep-alive timeout (72 s), past a supervisor's grace period.
  const exitedAfterMs = Date.now() - signalledAt;
  assert.ok(exitedAfterMs < 15_000, `the process exited ${exitedAfterMs} ms after SIGTERM`);
  const row = file.prepare('select lifecycle from stores where name = ?').get('slow-store') as { lifecycle: string } | undefined;
  assert.equal(row?.lifecycle, 'live', 'the answered create was stored');
});
