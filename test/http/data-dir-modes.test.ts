import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { TestDatabase } from '../helpers/databases.js';
import { startTestServer } from '../helpers/stockroom.js';

/**
 * Issue 13 §3: the SQLite data directory holds every secret Stockroom keeps (the database, its
 * WAL, and the generated encryption key), so only its owner may read it, whatever the umask.
 */

const modeOf = (path: string) => statSync(path).mode & 0o777;

function assertOwnerOnly(dataDir: string, when: string): void {
  assert.equal(modeOf(dataDir).toString(8), '700', `${when}: the data directory`);
  for (const file of ['stockroom.db', 'stockroom.db-wal', 'stockroom.db-shm', 'encryption.key']) {
    const path = join(dataDir, file);
    assert.ok(existsSync(path), `${when}: ${file} exists`);
    assert.equal(modeOf(path).toString(8), '600', `${when}: ${file}`);
  }
}

describe('SQLite data directory (sqlite)', () => {
  test('a fresh start creates the directory 0700 and the database, WAL, shared memory and key 0600; writes and restarts keep them so', async (t) => {
    // A permissive umask, as many hosts have: the modes must not depend on it.
    const umask = process.umask(0o022);
    t.after(() => process.umask(umask));
    const parent = mkdtempSync(join(tmpdir(), 'stockroom-modes-'));
    t.after(() => rmSync(parent, { recursive: true, force: true }));
    const dataDir = join(parent, 'data');
    const database: TestDatabase = { env: { STOCKROOM_DATA_DIR: dataDir }, dataDir, drop: async () => {} };

    const server = await startTestServer(t, 'sqlite', { database });
    assertOwnerOnly(dataDir, 'after a fresh start');
    for (let i = 0; i < 5; i++) {
      const res = await server.request('POST', '/v3/user/tokens', { body: { name: `t${i}` }, headers: { 'idempotency-key': `k${i}` } });
      assert.equal(res.status, 200, res.text);
    }
    assert.equal((await server.stockroom.ctx.db.selectFrom('tokens').select('id').where('name', 'like', 't%').execute()).length, 5);
    assertOwnerOnly(dataDir, 'after writes');
    await server.stop();

    // An installation from before this rule: its files were left readable by others.
    for (const file of ['stockroom.db', 'encryption.key']) chmodSync(join(dataDir, file), 0o644);
    const again = await startTestServer(t, 'sqlite', { database });
    assert.equal((await again.request('POST', '/v3/user/tokens', { body: { name: 'after-restart' } })).status, 200);
    assertOwnerOnly(dataDir, 'after a restart');
  });
});
