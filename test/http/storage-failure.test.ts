import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import fsPromises from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import SqliteDatabase from 'better-sqlite3';
import { startBuiltServer } from '../helpers/built-server.js';
import { createTestDatabase } from '../helpers/databases.js';
import { OWNER_TOKEN, send, startTestServer } from '../helpers/stockroom.js';

/**
 * Issue 13 §11: SQLite's WAL is synced by Stockroom off the event loop; when that fdatasync fails
 * Stockroom stops (fail-stop, docs/durability.md) instead of answering later writes as durable.
 * The failure is injected into the real file handle the server syncs the `-wal` file with.
 */
describe('a failed disk sync of the SQLite WAL (sqlite)', () => {
  test('answers 503 in Vercel shape, refuses every later request, is not ready, and asks to exit once', async (t) => {
    let failSyncs = false;
    const realOpen = fsPromises.open;
    t.mock.method(fsPromises, 'open', async (...args: Parameters<typeof realOpen>) => {
      const handle = await realOpen(...args);
      if (String(args[0]).endsWith('-wal')) {
        const datasync = handle.datasync.bind(handle);
        handle.datasync = async () => {
          if (failSyncs) throw Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' });
          return datasync();
        };
      }
      return handle;
    });
    const failures: Error[] = [];
    const server = await startTestServer(t, 'sqlite', { onStorageFailure: (error) => failures.push(error) });
    const before = await server.request('POST', '/v11/projects', { body: { name: 'before' } });
    assert.equal(before.status, 200, before.text);
    assert.equal((await server.request('GET', '/readyz')).status, 200);

    failSyncs = true;
    const unsynced = await server.request('POST', '/v11/projects', { body: { name: 'unsynced' } });
    assert.equal(unsynced.status, 503, unsynced.text);
    assert.equal(unsynced.body.error.code, 'service_unavailable');
    assert.match(unsynced.body.error.message, /failed disk sync/);
    assert.equal(unsynced.body.error.requestId, unsynced.headers.get('x-request-id'));
    assert.equal(failures.length, 1);

    // From now on nothing is acknowledged, even once the disk answers again.
    failSyncs = false;
    const after = await server.request('POST', '/v11/projects', { body: { name: 'after' } });
    assert.equal(after.status, 503, after.text);
    assert.equal((await server.request('GET', '/v9/projects')).status, 503);
    const ready = await server.request('GET', '/readyz');
    assert.equal(ready.status, 503, ready.text);
    assert.equal(ready.body.error.code, 'service_unavailable');
    assert.equal(failures.length, 1, 'the failure is reported once');

    // What is in the file: the acknowledged project; never the one refused after the failure.
    await server.stop();
    const file = new SqliteDatabase(join(server.database.dataDir, 'stockroom.db'), { readonly: true });
    t.after(() => file.close());
    const names = (file.prepare('select name from projects').all() as Array<{ name: string }>).map((r) => r.name);
    assert.ok(names.includes('before'));
    assert.ok(!names.includes('after'));
  });

  test('the process answers the failed write 503, then exits 1 for its supervisor to restart it', { timeout: 40_000 }, async (t) => {
    const database = await createTestDatabase('sqlite');
    t.after(() => database.drop());
    const trigger = join(database.dataDir, 'fail-sync-now');
    // The bundle people run, with a preload that makes the WAL's fdatasync fail once `trigger` exists.
    const server = await startBuiltServer(
      t,
      { ...process.env, ...database.env, PORT: '0', STOCKROOM_TOKEN: OWNER_TOKEN, LOG_LEVEL: 'info', STOCKROOM_TEST_FAIL_SYNC_WHEN: trigger },
      { nodeArgs: ['--import', 'tsx', '--import', './test/helpers/failing-wal-sync.ts'] },
    );
    const { url } = server;
    const before = await send(url, 'POST', '/v11/projects', { body: { name: 'before' } });
    assert.equal(before.status, 200, before.text);
    writeFileSync(trigger, '');
    const failed = await send(url, 'POST', '/v11/projects', { body: { name: 'unsynced' } });
    assert.equal(failed.status, 503, failed.text);
    assert.equal(failed.body.error.code, 'service_unavailable');
    const code = await server.exited;
    assert.equal(code, 1, server.output());
    assert.match(server.output(), /failed disk sync/);
  });
});
