import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { hashToken } from '../../src/crypto/secret-box.js';
import { createMember, createTeam, createUser } from '../helpers/accounts.js';
import { dialectsToTest } from '../helpers/databases.js';
import { useSharedServer } from '../helpers/shared-server.js';
import { startTestServer } from '../helpers/stockroom.js';

function assertVercelError(res: { status: number; body: any; headers: Headers }, status: number, code: string) {
  assert.equal(res.status, status, JSON.stringify(res.body));
  assert.equal(res.body?.error?.code, code);
  assert.equal(typeof res.body.error.message, 'string');
  assert.ok(res.body.error.message.length > 0);
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
  assert.ok(res.headers.get('x-request-id'));
}

for (const dialect of dialectsToTest()) {
  describe(`authentication and team access (${dialect})`, () => {
    const sharedServer = useSharedServer(dialect);

    test('answers 401 unauthorized for a missing, malformed, unknown, revoked or expired token', async (t) => {
      // A server of its own: this test moves the clock.
      const server = await startTestServer(t, dialect);
      assertVercelError(await server.request('GET', '/v2/user', { token: null }), 401, 'unauthorized');
      assertVercelError(await server.request('GET', '/v2/user', { token: null, headers: { authorization: 'Basic abc' } }), 401, 'unauthorized');
      assertVercelError(await server.request('GET', '/v2/user', { token: null, headers: { authorization: 'Bearer' } }), 401, 'unauthorized');
      assertVercelError(await server.request('GET', '/v2/user', { token: 'srk_doesNotExist000000000000000000000000000' }), 401, 'unauthorized');

      const created = await server.request('POST', '/v3/user/tokens', { body: { name: 'to-revoke' } });
      assert.equal(created.status, 200);
      const revocable = created.body.bearerToken as string;
      assert.equal((await server.request('GET', '/v2/user', { token: revocable })).status, 200);
      assert.equal((await server.request('DELETE', `/v3/user/tokens/${created.body.token.id}`)).status, 200);
      assertVercelError(await server.request('GET', '/v2/user', { token: revocable }), 401, 'unauthorized');

      const expiresAt = server.clock.now() + 60_000;
      const expiring = await server.request('POST', '/v3/user/tokens', { body: { name: 'short', expiresAt } });
      assert.equal(expiring.status, 200);
      assert.equal(expiring.body.token.expiresAt, expiresAt);
      assert.equal((await server.request('GET', '/v2/user', { token: expiring.body.bearerToken })).status, 200);
      server.clock.advance(61_000);
      assertVercelError(await server.request('GET', '/v2/user', { token: expiring.body.bearerToken }), 401, 'unauthorized');
    });

    test('answers 403 forbidden for an unknown team, a team of others and a slug that does not match', async () => {
      const server = sharedServer();
      const other = await createUser(server);
      assertVercelError(await server.request('GET', '/v2/teams/team_doesNotExist123'), 403, 'forbidden');
      assertVercelError(await server.request('GET', `/v2/teams/${other.defaultTeamId}`), 403, 'forbidden');
      const mine = await createTeam(server);
      assert.equal((await server.request('GET', `/v2/teams/${mine.id}`)).status, 200);
    });

    test('refuses a team-scoped token on every other team', async () => {
      const server = sharedServer();
      const a = await createTeam(server);
      const b = await createTeam(server);
      const scoped = await server.request('POST', `/v3/user/tokens?teamId=${a.id}`, { body: { name: 'scoped' } });
      assert.equal(scoped.status, 200);
      assert.deepEqual(scoped.body.token.scopes.map((s: any) => [s.type, s.teamId]), [['team', a.id]]);
      const token = scoped.body.bearerToken as string;
      assert.equal((await server.request('GET', `/v2/teams/${a.id}`, { token })).status, 200);
      assertVercelError(await server.request('GET', `/v2/teams/${b.id}`, { token }), 403, 'forbidden');
      const list = await server.request('GET', '/v2/teams', { token });
      assert.deepEqual(list.body.teams.map((x: any) => x.id), [a.id]);
      assertVercelError(await server.request('POST', '/v1/teams', { token, body: { slug: 'from-scoped' } }), 403, 'forbidden');
    });

    test('lets a VIEWER read the team but refuses it a write', async () => {
      const server = sharedServer();
      const team = await createTeam(server);
      const viewer = await createMember(server, team.id, 'VIEWER');
      const read = await server.request('GET', `/v2/teams/${team.id}`, { token: viewer.token });
      assert.equal(read.status, 200);
      assert.equal(read.body.membership.role, 'VIEWER');
      const write = await server.request('POST', `/v1/teams/${team.id}/members`, { token: viewer.token, body: { uid: viewer.id, role: 'OWNER' } });
      assertVercelError(write, 403, 'forbidden');
      const row = await server.stockroom.ctx.db.selectFrom('memberships').select('role').where('team_id', '=', team.id).where('user_id', '=', viewer.id).executeTakeFirstOrThrow();
      assert.equal(row.role, 'VIEWER');
    });

    test('stores tokens only as hashes', async () => {
      const server = sharedServer();
      const created = await server.request('POST', '/v3/user/tokens', { body: { name: 'hashed' } });
      const value = created.body.bearerToken as string;
      assert.match(value, /^srk_[A-Za-z0-9]{40}$/);
      const rows = await server.stockroom.ctx.db.selectFrom('tokens').selectAll().execute();
      assert.ok(rows.length >= 2);
      for (const row of rows) {
        for (const cell of Object.values(row)) assert.ok(!String(cell).includes(value), 'no column holds the token value');
        assert.ok(!Object.values(row).map(String).includes(server.token), 'the bootstrap token is not stored either');
      }
      const row = rows.find((r) => r.id === created.body.token.id);
      assert.equal(row?.token_hash, hashToken(value));
      // The list never shows a value.
      const list = await server.request('GET', '/v5/user/tokens');
      assert.ok(!list.text.includes(value));
      assert.ok(list.body.tokens.some((tok: any) => tok.id === created.body.token.id));
    });
  });
}
