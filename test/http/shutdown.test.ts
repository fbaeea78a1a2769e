import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { startBuiltServer } from '../helpers/built-server.js';
import { createTestDatabase } from '../helpers/databases.js';
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
  // The bootstrap installation is made right after listening; wait for it.
  let icfg: string | undefined;
  for (let i = 0; i < 50 && !icfg; i++) {
    const list = await send(url, 'GET', '/v1/integrations/configurations?view=account');
    icfg = list.body?.[0]?.id;
    if (!icfg) await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(icfg);

  const inFlight = send(url, 'POST', '/v1/storage/stores/integration/direct', {
    body: { name: 'slow-store', integrationConfigurationId: icfg, integrationProductIdOrSlug: 'acme-db', metadata: { region: 'iad1', testing_delay_ms: 1500 } },
  });
  await new Promise((r) => setTimeout(r, 400));
  const [res, code] = await Promise.all([inFlight, server.stop()]);
  assert.equal(res.status, 200, res.text);
  assert.equal(res.body.store.name, 'slow-store');
  assert.equal(code, 0, server.output());
  assert.match(server.output(), /shutting down/);
  const db = new Database(join(database.dataDir, 'stockroom.db'), { readonly: true });
  const row = db.prepare('select lifecycle from stores where name = ?').get('slow-store') as { lifecycle: string } | undefined;
  db.close();
  assert.equal(row?.lifecycle, 'live', 'the answered create was stored');
});
