import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Migrator } from 'kysely';
import { loadConfig } from '../../src/config.js';
import { openDatabase } from '../../src/db/database.js';
import type { IdempotencyKeysTable } from '../../src/db/idempotency-keys.js';
import { MIGRATIONS } from '../../src/db/migrations/index.js';
import { requestFingerprint } from '../../src/domain/idempotency.js';
import { storedAnswerContext } from '../../src/http/plugins/idempotency.js';
import { createTeam } from '../helpers/accounts.js';
import { createTestDatabase, dialectsToTest } from '../helpers/databases.js';
import { startTestServer, type TestServer } from '../helpers/stockroom.js';

/**
 * Issue 13 §3 and §4: an answer kept for idempotent replay holds no secret in plaintext, and is
 * replayed only to the token that made the request.
 */

const keyRows = (server: TestServer) =>
  server.stockroom.ctx.db.withTables<{ idempotency_keys: IdempotencyKeysTable }>().selectFrom('idempotency_keys').selectAll().execute();

/** Every column of every stored key, as one text, to search for a secret. */
async function storedKeysText(server: TestServer): Promise<string> {
  return JSON.stringify(await keyRows(server));
}

const tokensNamed = async (server: TestServer, name: string) =>
  (await server.stockroom.ctx.db.selectFrom('tokens').select(['id', 'team_id', 'revoked_at']).where('name', '=', name).execute()).length;

async function scopedToken(server: TestServer, teamId: string, name: string): Promise<string> {
  const res = await server.request('POST', `/v3/user/tokens?teamId=${teamId}`, { body: { name } });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.body.token.scopes[0].teamId, teamId);
  return res.body.bearerToken as string;
}

for (const dialect of dialectsToTest()) {
  describe(`idempotent answers and credentials (${dialect})`, () => {
    test('a token minted under an Idempotency-Key is stored sealed, never as plaintext, and the replay returns it', async (t) => {
      const server = await startTestServer(t, dialect);
      const headers = { 'idempotency-key': 'mint-ci-token' };
      const first = await server.request('POST', '/v3/user/tokens', { body: { name: 'ci' }, headers });
      assert.equal(first.status, 200, first.text);
      const minted = first.body.bearerToken as string;
      assert.ok(minted.length > 20);

      const stored = await keyRows(server);
      assert.equal(stored.length, 1);
      assert.equal(stored[0]!.status_code, 200);
      assert.ok(!(await storedKeysText(server)).includes(minted), 'the stored answer must not hold the token in plaintext');
      assert.ok(!(stored[0]!.response_body ?? '').includes('bearerToken'), 'the stored body is sealed as a whole');
      // Bound to its key's row: it opens there, and nowhere else (another user's key, say).
      const row = stored[0]!;
      const own = { userId: row.user_id, teamScope: row.team_scope, key: row.key };
      assert.equal(server.stockroom.ctx.secretBox.open(row.response_body!, storedAnswerContext(own)), first.text);
      assert.throws(() => server.stockroom.ctx.secretBox.open(row.response_body!, storedAnswerContext({ ...own, userId: 'user_someoneElse' })));

      const replay = await server.request('POST', '/v3/user/tokens', { body: { name: 'ci' }, headers });
      assert.equal(replay.status, 200, replay.text);
      assert.equal(replay.headers.get('idempotent-replayed'), 'true');
      assert.equal(replay.text, first.text);
      assert.equal(replay.body.bearerToken, minted);
      assert.equal(await tokensNamed(server, 'ci'), 1, 'the replay made no second token');
      // The replayed token is the real one.
      assert.equal((await server.request('GET', '/v5/user/tokens/current', { token: minted })).status, 200);
    });

    test('a user created under an Idempotency-Key: their first token is not stored in plaintext; the replay returns it', async (t) => {
      const server = await startTestServer(t, dialect);
      const headers = { 'idempotency-key': 'new-user-ada' };
      const body = { email: 'ada@example.test', username: 'ada' };
      const first = await server.request('POST', '/stockroom/v1/users', { body, headers });
      assert.equal(first.status, 200, first.text);
      const minted = first.body.bearerToken as string;
      assert.ok(!(await storedKeysText(server)).includes(minted), 'the stored answer must not hold the token in plaintext');

      const replay = await server.request('POST', '/stockroom/v1/users', { body, headers });
      assert.equal(replay.status, 200, replay.text);
      assert.equal(replay.headers.get('idempotent-replayed'), 'true');
      assert.equal(replay.body.bearerToken, minted);
      assert.equal((await server.stockroom.ctx.db.selectFrom('users').select('id').where('username', '=', 'ada').execute()).length, 1);
      assert.equal((await server.request('GET', '/v2/user', { token: minted })).body.user.username, 'ada');
    });

    test('a stored answer is replayed only to the token that made it: a team-scoped token gets 422 and nothing is created', async (t) => {
      const server = await startTestServer(t, dialect);
      const teamA = await createTeam(server);
      const scoped = await scopedToken(server, teamA.id, 'scoped-a');
      const headers = { 'idempotency-key': 'same-key' };

      const unscoped = await server.request('POST', '/v3/user/tokens', { body: { name: 'wide' }, headers });
      assert.equal(unscoped.status, 200, unscoped.text);
      assert.equal(unscoped.body.token.scopes[0].type, 'user');

      const fromScoped = await server.request('POST', '/v3/user/tokens', { token: scoped, body: { name: 'wide' }, headers });
      assert.equal(fromScoped.status, 422, fromScoped.text);
      assert.deepEqual(Object.keys(fromScoped.body), ['error']);
      assert.equal(fromScoped.body.error.code, 'idempotency_key_reused');
      assert.equal(typeof fromScoped.body.error.message, 'string');
      assert.equal(fromScoped.headers.get('idempotent-replayed'), null);
      assert.ok(!fromScoped.text.includes(unscoped.body.bearerToken), 'the unscoped token must not reach the scoped caller');
      assert.equal(await tokensNamed(server, 'wide'), 1, 'nothing was created');

      // Another unscoped token of the same user is another credential too (docs/tokens-and-scopes.md).
      const sibling = await server.request('POST', '/v3/user/tokens', { body: { name: 'sibling' } });
      const fromSibling = await server.request('POST', '/v3/user/tokens', { token: sibling.body.bearerToken, body: { name: 'wide' }, headers });
      assert.equal(fromSibling.status, 422, fromSibling.text);
      assert.equal(fromSibling.body.error.code, 'idempotency_key_reused');
      assert.equal(await tokensNamed(server, 'wide'), 1);

      // The token that made it still gets its replay.
      const replay = await server.request('POST', '/v3/user/tokens', { body: { name: 'wide' }, headers });
      assert.equal(replay.status, 200, replay.text);
      assert.equal(replay.headers.get('idempotent-replayed'), 'true');
      assert.equal(replay.text, unscoped.text);
    });

    test('upgrading: answers stored in plaintext before migration 0009 are erased, and their keys refuse (422) rather than run again', async (t) => {
      const database = await createTestDatabase(dialect);
      t.after(() => database.drop());
      const first = await startTestServer(t, dialect, { database });
      const userId = (await first.request('GET', '/v2/user')).body.user.id as string;
      await first.stop();

      // The database as the version before this one left it, with an answer holding a token.
      const legacy = openDatabase(loadConfig({ ...database.env }).database);
      const migrator = new Migrator({ db: legacy.db, provider: { getMigrations: async () => MIGRATIONS } });
      assert.equal((await migrator.migrateTo('0008-store-status-index')).error, undefined);
      const leaked = 'srk_legacyPlaintextToken0123456789abcdef';
      const now = Date.now();
      await legacy.db
        .insertInto('idempotency_keys' as any)
        .values({
          user_id: userId,
          team_scope: '',
          key: 'old-key',
          fingerprint: requestFingerprint('POST', '/v3/user/tokens', {}, { name: 'old' }),
          method: 'POST',
          path: '/v3/user/tokens',
          claim_id: 'claim_old',
          locked_at: now,
          status_code: 200,
          response_headers: JSON.stringify({ 'content-type': 'application/json; charset=utf-8' }),
          response_body: JSON.stringify({ bearerToken: leaked }),
          created_at: now,
          completed_at: now,
        })
        .execute();
      await legacy.destroy();

      const server = await startTestServer(t, dialect, { database });
      assert.ok(!(await storedKeysText(server)).includes(leaked), 'the plaintext answer is gone');
      assert.equal((await keyRows(server)).length, 1, 'the key itself is still recorded');
      const retry = await server.request('POST', '/v3/user/tokens', { body: { name: 'old' }, headers: { 'idempotency-key': 'old-key' } });
      assert.equal(retry.status, 422, retry.text);
      assert.equal(retry.body.error.code, 'idempotency_key_reused');
      assert.equal(await tokensNamed(server, 'old'), 0, 'the request did not run again');
    });

    test('on a team route too: the same key from another token of the same user and team is 422 and creates nothing', async (t) => {
      const server = await startTestServer(t, dialect);
      const teamA = await createTeam(server);
      const scoped = await scopedToken(server, teamA.id, 'scoped-a');
      const headers = { 'idempotency-key': 'project-key' };
      const first = await server.request('POST', `/v11/projects?teamId=${teamA.id}`, { body: { name: 'app' }, headers });
      assert.equal(first.status, 200, first.text);
      const again = await server.request('POST', `/v11/projects?teamId=${teamA.id}`, { token: scoped, body: { name: 'app' }, headers });
      assert.equal(again.status, 422, again.text);
      assert.equal(again.body.error.code, 'idempotency_key_reused');
      assert.equal(again.headers.get('idempotent-replayed'), null);
      const projects = await server.stockroom.ctx.db.selectFrom('projects').select('id').where('team_id', '=', teamA.id).execute();
      assert.equal(projects.length, 1);
    });
  });
}
