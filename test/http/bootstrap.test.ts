import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createTestDatabase, dialectsToTest } from '../helpers/databases.js';
import { startTestServer } from '../helpers/stockroom.js';

for (const dialect of dialectsToTest()) {
  describe(`bootstrap and restart (${dialect})`, () => {
    test('creates one owner, team and token on the first start, and nothing on a restart', async (t) => {
      const database = await createTestDatabase(dialect);
      t.after(() => database.drop());
      const first = await startTestServer(t, dialect, { database });
      assert.equal(first.stockroom.bootstrap.created, true);
      const team = await first.request('POST', '/v1/teams', { body: { slug: 'kept-across-restarts' } });
      assert.equal(team.status, 200);
      await first.stop();

      const second = await startTestServer(t, dialect, { database });
      assert.equal(second.stockroom.bootstrap.created, false);
      assert.equal(second.stockroom.bootstrap.userId, first.stockroom.bootstrap.userId);
      const db = second.stockroom.ctx.db;
      assert.equal((await db.selectFrom('users').select('id').execute()).length, 1);
      assert.equal((await db.selectFrom('tokens').select('id').execute()).length, 1);
      const me = await second.request('GET', '/v2/user');
      assert.equal(me.status, 200);
      assert.equal(me.body.user.id, first.stockroom.bootstrap.userId);
      const teams = await second.request('GET', '/v2/teams');
      assert.ok(teams.body.teams.some((x: any) => x.slug === 'kept-across-restarts'));
    });

    test('without STOCKROOM_TOKEN, generates a token once and returns it only on that start', async (t) => {
      const database = await createTestDatabase(dialect);
      t.after(() => database.drop());
      const first = await startTestServer(t, dialect, { database, env: { STOCKROOM_TOKEN: '' } });
      const generated = first.stockroom.bootstrap.generatedToken;
      assert.match(generated ?? '', /^srk_[A-Za-z0-9]{40}$/);
      assert.equal((await first.request('GET', '/v2/user', { token: generated })).status, 200);
      await first.stop();
      const second = await startTestServer(t, dialect, { database, env: { STOCKROOM_TOKEN: '' } });
      assert.equal(second.stockroom.bootstrap.generatedToken, undefined);
      assert.equal((await second.request('GET', '/v2/user', { token: generated })).status, 200);
    });
  });
}
