import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Vercel } from '@vercel/sdk';
import { dialectsToTest } from '../helpers/databases.js';
import { startTestServer } from '../helpers/stockroom.js';

/**
 * `@vercel/sdk` 1.28.35 pointed at Stockroom with `serverURL`: any field it requires and we
 * omit throws ResponseValidationError, so these calls are the contract check (issue 2 §7).
 */
for (const dialect of dialectsToTest()) {
  describe(`@vercel/sdk against the account endpoints (${dialect})`, () => {
    test('getAuthUser, createTeam, getTeams, getTeam, and the token calls parse without error', async (t) => {
      const server = await startTestServer(t, dialect);
      const vercel = new Vercel({ serverURL: server.url, bearerToken: server.token });

      const me = await vercel.user.getAuthUser();
      assert.ok(me);
      const { user } = me;
      assert.equal(user.email, 'owner@stockroom.local');
      assert.equal(user.username, 'owner');
      assert.ok(user.defaultTeamId);

      const created = await vercel.teams.createTeam({ slug: 'sdk-team', name: 'SDK team' });
      assert.equal(created.slug, 'sdk-team');
      assert.match(created.id, /^team_/);

      const teams = await vercel.teams.getTeams({ limit: 10 });
      assert.ok(teams.teams.some((x) => x.id === created.id));
      assert.equal(teams.pagination.count, 2);

      const team = await vercel.teams.getTeam({ teamId: created.id });
      assert.equal(team.slug, 'sdk-team');
      assert.equal(team.name, 'SDK team');

      const tok = await vercel.authentication.createAuthToken({ requestBody: { name: 'from-sdk' } });
      assert.match(tok.bearerToken, /^srk_/);
      assert.equal(tok.token.name, 'from-sdk');
      const listed = await vercel.authentication.listAuthTokens();
      assert.ok(listed.tokens.some((x) => x.id === tok.token.id));
      const got = await vercel.authentication.getAuthToken({ tokenId: tok.token.id });
      assert.equal(got.token.id, tok.token.id);
      const deleted = await vercel.authentication.deleteAuthToken({ tokenId: tok.token.id });
      assert.equal(deleted.tokenId, tok.token.id);
      const row = await server.stockroom.ctx.db.selectFrom('tokens').select('revoked_at').where('id', '=', tok.token.id).executeTakeFirstOrThrow();
      assert.ok(row.revoked_at);

      await assert.rejects(new Vercel({ serverURL: server.url, bearerToken: 'srk_nope' }).user.getAuthUser(), (error: any) => error.statusCode === 401);
    });
  });
}
