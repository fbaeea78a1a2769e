import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TOKEN_CACHE_TTL_MS } from '../../src/http/plugins/auth.js';
import { createMember, createTeam } from '../helpers/accounts.js';
import { dialectsToTest } from '../helpers/databases.js';
import { startTestServer } from '../helpers/stockroom.js';

for (const dialect of dialectsToTest()) {
  describe(`token lookups cached for a few seconds (${dialect})`, () => {
    test('a token revoked by another replica is refused once the cache time has passed', async (t) => {
      const server = await startTestServer(t, dialect);
      const created = await server.request('POST', '/v3/user/tokens', { body: { name: 'elsewhere' } });
      const token = created.body.bearerToken as string;
      assert.equal((await server.request('GET', '/v2/user', { token })).status, 200);
      // Another replica revokes it: only the shared database changes.
      await server.stockroom.ctx.db.updateTable('tokens').set({ revoked_at: server.clock.now() }).where('id', '=', created.body.token.id).execute();
      server.clock.advance(TOKEN_CACHE_TTL_MS);
      assert.equal((await server.request('GET', '/v2/user', { token })).status, 401);
    });

    test('a token revoked through this server is refused on the next request', async (t) => {
      const server = await startTestServer(t, dialect);
      const created = await server.request('POST', '/v3/user/tokens', { body: { name: 'here' } });
      const token = created.body.bearerToken as string;
      assert.equal((await server.request('GET', '/v2/user', { token })).status, 200);
      assert.equal((await server.request('DELETE', '/v3/user/tokens/current', { token })).status, 200);
      assert.equal((await server.request('GET', '/v2/user', { token })).status, 401);
    });

    test('a cached token still expires on time', async (t) => {
      const server = await startTestServer(t, dialect);
      const created = await server.request('POST', '/v3/user/tokens', { body: { name: 'brief', expiresAt: server.clock.now() + 500 } });
      const token = created.body.bearerToken as string;
      assert.equal((await server.request('GET', '/v2/user', { token })).status, 200);
      server.clock.advance(501);
      assert.equal((await server.request('GET', '/v2/user', { token })).status, 401);
    });

    test('a role change and a removal from the team apply to the very next request', async (t) => {
      const server = await startTestServer(t, dialect);
      const team = await createTeam(server);
      const member = await createMember(server, team.id, 'MEMBER');
      const asMember = { token: member.token };
      const store = { body: { name: 'x', integrationConfigurationId: 'icfg_none', integrationProductIdOrSlug: 'acme-db' }, ...asMember };
      // A MEMBER may write: past the role check, the unknown installation answers 404.
      assert.equal((await server.request('POST', `/v1/storage/stores/integration/direct?teamId=${team.id}`, store)).status, 404);
      // Another replica makes them a VIEWER, then removes them: only the shared database changes.
      await server.stockroom.ctx.db.updateTable('memberships').set({ role: 'VIEWER' }).where('team_id', '=', team.id).where('user_id', '=', member.id).execute();
      assert.equal((await server.request('POST', `/v1/storage/stores/integration/direct?teamId=${team.id}`, store)).status, 403);
      assert.equal((await server.request('GET', `/v2/teams/${team.id}`, asMember)).status, 200);
      await server.stockroom.ctx.db.deleteFrom('memberships').where('team_id', '=', team.id).where('user_id', '=', member.id).execute();
      assert.equal((await server.request('GET', `/v2/teams/${team.id}`, asMember)).status, 403);
    });
  });
}
