import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { dialectsToTest } from '../helpers/databases.js';
import { changedTables, fuzzWorld, snapshotDatabase } from './fuzz-harness.js';

/**
 * The fuzz files' "no 4xx changes the database" rests on `snapshotDatabase`: it must see a change
 * of a single column in any table, and see nothing when nothing changed (on PostgreSQL it hashes
 * on the server, so it is checked here on its own).
 */
for (const dialect of dialectsToTest()) {
  describe(`the fuzz harness's database snapshot (${dialect})`, () => {
    test('a read changes no digest; a one-column update names exactly its table; an insert names its table', async (t) => {
      const w = await fuzzWorld(t, dialect);
      const db = w.server.stockroom.ctx.db;
      const before = await snapshotDatabase(w);
      assert.ok(before.has('stores') && before.has('installations'), [...before.keys()].join(', '));
      assert.equal((await w.server.request('GET', '/v1/storage/stores')).status, 200);
      assert.deepEqual(changedTables(before, await snapshotDatabase(w)), []);

      const store = await db.selectFrom('stores').select(['id', 'name']).executeTakeFirstOrThrow();
      await db.updateTable('stores').set({ name: `${store.name}-renamed` }).where('id', '=', store.id).execute();
      const renamed = await snapshotDatabase(w);
      assert.deepEqual(changedTables(before, renamed), ['stores']);

      const project = await w.server.request('POST', '/v11/projects', { body: { name: 'snapshot-probe' } });
      assert.equal(project.status, 200, project.text);
      assert.deepEqual(changedTables(renamed, await snapshotDatabase(w)), ['projects']);
    });
  });
}
