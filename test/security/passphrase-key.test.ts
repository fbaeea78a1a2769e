import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createTestDatabase, dialectsToTest } from '../helpers/databases.js';
import { startTestServer } from '../helpers/stockroom.js';
import { bootstrapInstallationId, createProject, createStore } from '../helpers/stores.js';

/**
 * STOCKROOM_ENCRYPTION_KEY given as a passphrase: values are sealed with scrypt and the salt the
 * database keeps (docs/secrets-at-rest.md), so a restart (or another replica) seals with the same
 * salt and opens what the first one sealed.
 */
for (const dialect of dialectsToTest()) {
  describe(`a passphrase encryption key (${dialect})`, () => {
    test('seals with the salt stored in the database, and a restart opens and keeps using it', async (t) => {
      const database = await createTestDatabase(dialect);
      t.after(() => database.drop());
      const env = { STOCKROOM_ENCRYPTION_KEY: 'a passphrase long enough for the test' };
      const first = await startTestServer(t, dialect, { env, database });
      const store = await createStore(first, await bootstrapInstallationId(first), 'passphrase-db');
      const project = await createProject(first, 'passphrase-app');
      const connected = await first.request('POST', `/v1/storage/stores/${store.id}/connections`, { body: { projectId: project.id } });
      assert.equal(connected.status, 200, connected.text);
      const pulled = await first.request('GET', `/v3/env/pull/${project.id}/development`);
      assert.equal(pulled.status, 200, pulled.text);
      const salt = (await first.stockroom.ctx.db.selectFrom('instance_settings').select('value').where('key', '=', 'secret_box_salt').executeTakeFirstOrThrow()).value;
      const sealed = (await first.stockroom.ctx.db.selectFrom('stores').select('secrets_sealed').where('id', '=', store.id).executeTakeFirstOrThrow()).secrets_sealed!;
      assert.deepEqual(sealed.split('.').slice(0, 2), ['v2', salt]);
      await first.stop();

      const second = await startTestServer(t, dialect, { env, database });
      const again = await second.request('GET', `/v3/env/pull/${project.id}/development`);
      assert.equal(again.status, 200, again.text);
      assert.deepEqual(again.body.env, pulled.body.env);
      const other = await createStore(second, await bootstrapInstallationId(second), 'passphrase-db-2');
      const otherSealed = (await second.stockroom.ctx.db.selectFrom('stores').select('secrets_sealed').where('id', '=', other.id).executeTakeFirstOrThrow()).secrets_sealed!;
      assert.equal(otherSealed.split('.')[1], salt, 'the restart seals with the same salt');
    });
  });
}
