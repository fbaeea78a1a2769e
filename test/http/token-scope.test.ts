import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createTeam, createUser } from '../helpers/accounts.js';
import { dialectsToTest } from '../helpers/databases.js';
import { startTestServer, type TestServer } from '../helpers/stockroom.js';

/**
 * Issue 13 §10: what a team-scoped token may do (docs/tokens-and-scopes.md). It acts for its team
 * only: it sees and revokes only tokens of its own scope, and holds none of its user's operator
 * or account-wide powers.
 */

async function mint(server: TestServer, name: string, teamId?: string, token = server.token): Promise<{ id: string; value: string }> {
  const res = await server.request('POST', `/v3/user/tokens${teamId ? `?teamId=${teamId}` : ''}`, { token, body: { name } });
  assert.equal(res.status, 200, res.text);
  return { id: res.body.token.id, value: res.body.bearerToken };
}

const revokedAt = async (server: TestServer, id: string) =>
  (await server.stockroom.ctx.db.selectFrom('tokens').select('revoked_at').where('id', '=', id).executeTakeFirstOrThrow()).revoked_at;

function assertForbidden(res: { status: number; text: string; body: any }): void {
  assert.equal(res.status, 403, res.text);
  assert.deepEqual(Object.keys(res.body), ['error']);
  assert.equal(res.body.error.code, 'forbidden');
}

for (const dialect of dialectsToTest()) {
  describe(`team-scoped tokens (${dialect})`, () => {
    test('list, read and revoke only tokens of their own team', async (t) => {
      const server = await startTestServer(t, dialect);
      const teamA = await createTeam(server);
      const teamB = await createTeam(server);
      const unscoped = await mint(server, 'wide');
      const scopedA = await mint(server, 'a-1', teamA.id);
      const siblingA = await mint(server, 'a-2', teamA.id);
      const scopedB = await mint(server, 'b-1', teamB.id);

      for (const path of ['/v5/user/tokens', '/v6/user/tokens']) {
        const listed = await server.request('GET', path, { token: scopedA.value });
        assert.equal(listed.status, 200, listed.text);
        assert.deepEqual(listed.body.tokens.map((x: any) => x.name).sort(), ['a-1', 'a-2']);
        assert.ok(!listed.text.includes(teamB.id), 'no id of a team the token cannot see');
      }
      // The unscoped token still sees them all.
      const all = await server.request('GET', '/v6/user/tokens?limit=100', { token: unscoped.value });
      assert.ok(['wide', 'a-1', 'a-2', 'b-1'].every((n) => all.body.tokens.some((x: any) => x.name === n)));

      for (const other of [unscoped, scopedB]) {
        const read = await server.request('GET', `/v5/user/tokens/${other.id}`, { token: scopedA.value });
        assert.equal(read.status, 404, read.text);
        const revoke = await server.request('DELETE', `/v3/user/tokens/${other.id}`, { token: scopedA.value });
        assert.equal(revoke.status, 404, revoke.text);
        assert.equal(revoke.body.error.code, 'not_found');
        assert.equal(await revokedAt(server, other.id), null, 'the token is still live');
      }
      assert.equal((await server.request('GET', '/v2/user', { token: unscoped.value })).status, 200);

      const revoked = await server.request('DELETE', `/v3/user/tokens/${siblingA.id}`, { token: scopedA.value });
      assert.equal(revoked.status, 200, revoked.text);
      assert.equal(typeof (await revokedAt(server, siblingA.id)), 'number');
    });

    test("an operator's team-scoped token has no operator powers: it cannot create users", async (t) => {
      const server = await startTestServer(t, dialect);
      const teamA = await createTeam(server);
      const scoped = await mint(server, 'operator-a', teamA.id);
      const users = async () => (await server.stockroom.ctx.db.selectFrom('users').select('id').execute()).length;
      const before = await users();
      assertForbidden(await server.request('POST', '/stockroom/v1/users', { token: scoped.value, body: { email: 'x@example.test', username: 'x' } }));
      assert.equal(await users(), before);
      assert.equal((await server.stockroom.ctx.db.selectFrom('teams').select('id').where('slug', '=', 'x').execute()).length, 0);
      // The same operator unscoped still can.
      assert.equal((await server.request('POST', '/stockroom/v1/users', { body: { email: 'x@example.test', username: 'x' } })).status, 200);
    });

    test("an operator's token scoped to a team where they are no OWNER cannot change its billing state", async (t) => {
      const server = await startTestServer(t, dialect);
      const operatorId = (await server.request('GET', '/v2/user')).body.user.id as string;
      const owner = await createUser(server);
      const team = await createTeam(server, owner.token);
      const added = await server.request('POST', `/v1/teams/${team.id}/members`, { token: owner.token, body: { uid: operatorId, role: 'MEMBER' } });
      assert.equal(added.status, 200, added.text);
      const scoped = await mint(server, 'operator-in-team', team.id);
      const billingState = async () =>
        (await server.stockroom.ctx.db.selectFrom('teams').select('billing_state').where('id', '=', team.id).executeTakeFirstOrThrow()).billing_state;

      assertForbidden(await server.request('PATCH', `/stockroom/v1/billing?teamId=${team.id}`, { token: scoped.value, body: { billingState: 'soft_blocked' } }));
      assert.equal(await billingState(), 'active');
      // Unscoped, the operator may, as the invoicing system's stand-in.
      const unscoped = await server.request('PATCH', `/stockroom/v1/billing?teamId=${team.id}`, { body: { billingState: 'soft_blocked' } });
      assert.equal(unscoped.status, 200, unscoped.text);
      assert.equal(await billingState(), 'soft_blocked');
    });

    test('cannot create teams, and sees its own team as the default team', async (t) => {
      const server = await startTestServer(t, dialect);
      const teamA = await createTeam(server);
      const scoped = await mint(server, 'a', teamA.id);
      assertForbidden(await server.request('POST', '/v1/teams', { token: scoped.value, body: { slug: 'made-by-scoped' } }));
      assert.equal((await server.stockroom.ctx.db.selectFrom('teams').select('id').where('slug', '=', 'made-by-scoped').execute()).length, 0);
      const me = await server.request('GET', '/v2/user', { token: scoped.value });
      assert.equal(me.status, 200, me.text);
      assert.equal(me.body.user.defaultTeamId, teamA.id);
    });
  });
}
