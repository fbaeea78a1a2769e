import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createTeam, createUser } from '../helpers/accounts.js';
import { dialectsToTest } from '../helpers/databases.js';
import { startTestServer } from '../helpers/stockroom.js';

for (const dialect of dialectsToTest()) {
  describe(`users, teams and tokens (${dialect})`, () => {
    test('GET /v2/user answers the bootstrap owner with its default team', async (t) => {
      const server = await startTestServer(t, dialect);
      const res = await server.request('GET', '/v2/user');
      assert.equal(res.status, 200);
      const { user } = res.body;
      assert.match(user.id, /^user_[A-Za-z0-9]+$/);
      assert.equal(user.email, 'owner@stockroom.local');
      assert.equal(user.username, 'owner');
      assert.match(user.defaultTeamId, /^team_[A-Za-z0-9]+$/);
      const row = await server.stockroom.ctx.db.selectFrom('users').selectAll().where('id', '=', user.id).executeTakeFirstOrThrow();
      assert.equal(row.default_team_id, user.defaultTeamId);
    });

    test('POST /v1/teams creates a team with the caller as OWNER; a taken slug is 409', async (t) => {
      const server = await startTestServer(t, dialect);
      const res = await server.request('POST', '/v1/teams', { body: { slug: 'acme', name: 'Acme Inc' } });
      assert.equal(res.status, 200, res.text);
      assert.match(res.body.id, /^team_[A-Za-z0-9]+$/);
      assert.equal(res.body.slug, 'acme');
      assert.equal(res.body.membership.role, 'OWNER');
      const membership = await server.stockroom.ctx.db.selectFrom('memberships').selectAll().where('team_id', '=', res.body.id).execute();
      assert.deepEqual(membership.map((m) => m.role), ['OWNER']);
      const again = await server.request('POST', '/v1/teams', { body: { slug: 'acme' } });
      assert.equal(again.status, 409);
      assert.equal(again.body.error.code, 'conflict');
      assert.equal((await server.stockroom.ctx.db.selectFrom('teams').select('id').where('slug', '=', 'acme').execute()).length, 1);
    });

    test('lists teams newest first with Vercel pagination on /v1 and /v2', async (t) => {
      const server = await startTestServer(t, dialect);
      for (let i = 0; i < 3; i++) {
        await createTeam(server, server.token, `page-${i}`);
        server.clock.advance(10);
      }
      const first = await server.request('GET', '/v2/teams?limit=2');
      assert.equal(first.status, 200);
      assert.deepEqual(first.body.teams.map((x: any) => x.slug), ['page-2', 'page-1']);
      assert.equal(first.body.pagination.count, 2);
      assert.equal(typeof first.body.pagination.next, 'number');
      const second = await server.request('GET', `/v1/teams?limit=2&until=${first.body.pagination.next}`);
      assert.deepEqual(second.body.teams.map((x: any) => x.slug), ['page-0', 'stockroom']);
      assert.equal(second.body.pagination.next, null);
      const bad = await server.request('GET', '/v2/teams?limit=0');
      assert.equal(bad.status, 400);
      assert.equal(bad.body.error.param, 'limit');
    });

    test('another user sees only their own teams', async (t) => {
      const server = await startTestServer(t, dialect);
      const other = await createUser(server, 'someone');
      const res = await server.request('GET', '/v2/teams', { token: other.token });
      assert.deepEqual(res.body.teams.map((x: any) => x.id), [other.defaultTeamId]);
      const forbidden = await server.request('POST', '/stockroom/v1/users', { token: other.token, body: { email: 'x@example.test', username: 'x' } });
      assert.equal(forbidden.status, 403);
      assert.equal((await server.stockroom.ctx.db.selectFrom('users').select('id').where('username', '=', 'x').execute()).length, 0);
    });

    test('tokens: create shows the value once, list and get never do, delete revokes', async (t) => {
      const server = await startTestServer(t, dialect);
      const created = await server.request('POST', '/v3/user/tokens', { body: { name: 'ci' } });
      assert.equal(created.status, 200);
      assert.equal(created.body.token.name, 'ci');
      const id = created.body.token.id;
      const one = await server.request('GET', `/v5/user/tokens/${id}`);
      assert.equal(one.body.token.id, id);
      assert.ok(!one.text.includes(created.body.bearerToken));
      const current = await server.request('GET', '/v5/user/tokens/current', { token: created.body.bearerToken });
      assert.equal(current.body.token.id, id);
      const del = await server.request('DELETE', `/v3/user/tokens/${id}`);
      assert.deepEqual(del.body, { tokenId: id });
      const row = await server.stockroom.ctx.db.selectFrom('tokens').select('revoked_at').where('id', '=', id).executeTakeFirstOrThrow();
      assert.equal(typeof row.revoked_at, 'number');
      assert.equal((await server.request('DELETE', `/v3/user/tokens/${id}`)).status, 404);
      const list = await server.request('GET', '/v6/user/tokens');
      assert.ok(!list.body.tokens.some((x: any) => x.id === id));
      const past = await server.request('POST', '/v3/user/tokens', { body: { name: 'past', expiresAt: 1000 } });
      assert.equal(past.status, 400);
      assert.equal(past.body.error.param, 'expiresAt');
    });
  });
}
