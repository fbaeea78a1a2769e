import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Vercel } from '@vercel/sdk';
import { createTeam, createUser } from '../helpers/accounts.js';
import { DIALECTS } from '../helpers/databases.js';
import { startTestServer, type TestServer } from '../helpers/stockroom.js';
import { assertParsedFromWire, lastJson, recordingHttpClient } from '../helpers/wire-compare.js';

/**
 * Team members on the paths `@vercel/sdk` calls: getTeamMembers (`GET /v3/teams/:teamId/members`)
 * and inviteUserToTeam (`POST /v2/teams/:teamId/members`, a list of one invitation).
 */

async function emailOf(server: TestServer, userId: string): Promise<string> {
  return (await server.stockroom.ctx.db.selectFrom('users').select('email').where('id', '=', userId).executeTakeFirstOrThrow()).email;
}

for (const dialect of DIALECTS) {
  describe(`team members on the SDK's paths (${dialect})`, () => {
    test('inviteUserToTeam adds an existing user with the role asked, as stored', async (t) => {
      const server = await startTestServer(t, dialect);
      const team = await createTeam(server);
      const user = await createUser(server, 'invitee');
      const recorder = recordingHttpClient();
      const vercel = new Vercel({ serverURL: server.url, bearerToken: server.token, httpClient: recorder.httpClient });
      const added = await vercel.teams.inviteUserToTeam({ teamId: team.id, requestBody: [{ email: await emailOf(server, user.id), role: 'DEVELOPER' }] });
      assertParsedFromWire(added, lastJson(recorder.bodies));
      assert.deepEqual({ uid: added.uid, username: added.username, role: added.role }, { uid: user.id, username: 'invitee', role: 'DEVELOPER' });
      const row = await server.stockroom.ctx.db.selectFrom('memberships').select('role').where('team_id', '=', team.id).where('user_id', '=', user.id).executeTakeFirstOrThrow();
      assert.equal(row.role, 'DEVELOPER');

      // The SDK's default role is VIEWER; it sends it.
      const other = await createUser(server);
      assert.equal((await vercel.teams.inviteUserToTeam({ teamId: team.id, requestBody: [{ email: await emailOf(server, other.id) }] })).role, 'VIEWER');
    });

    test('inviteUserToTeam refuses two invitations, project roles and roles Stockroom lacks with 400, storing nothing', async (t) => {
      const server = await startTestServer(t, dialect);
      const team = await createTeam(server);
      const a = await createUser(server);
      const b = await createUser(server);
      const [ea, eb] = [await emailOf(server, a.id), await emailOf(server, b.id)];
      const bodies = [
        [{ email: ea }, { email: eb }],
        [{ email: ea, projects: [{ projectId: 'prj_1', role: 'ADMIN' }] }],
        [{ email: ea, role: 'CONTRIBUTOR' }],
        [],
      ];
      for (const body of bodies) {
        const res = await server.request('POST', `/v2/teams/${team.id}/members`, { body });
        assert.equal(res.status, 400, `${JSON.stringify(body)}: ${res.text}`);
        assert.equal(res.body.error.code, 'bad_request');
      }
      const rows = await server.stockroom.ctx.db.selectFrom('memberships').select('user_id').where('team_id', '=', team.id).execute();
      assert.deepEqual(rows.map((r) => r.user_id).filter((id) => id === a.id || id === b.id), []);
    });

    test('getTeamMembers pages newest first, exactly, and filters by search and role', async (t) => {
      const server = await startTestServer(t, dialect);
      const team = await createTeam(server);
      const ids: string[] = [];
      for (const name of ['ann', 'bob', 'cyd', 'dee']) {
        const user = await createUser(server, `${name}-x`);
        const added = await server.request('POST', `/v2/teams/${team.id}/members`, { body: [{ uid: user.id, role: name === 'bob' ? 'VIEWER' : 'MEMBER' }] });
        assert.equal(added.status, 200, added.text);
        ids.push(user.id);
      }
      // Three members joined in one millisecond.
      await server.stockroom.ctx.db.updateTable('memberships').set({ created_at: 5_000 }).where('team_id', '=', team.id).where('user_id', 'in', ids.slice(0, 3)).execute();
      const rows = await server.stockroom.ctx.db.selectFrom('memberships').select(['user_id', 'created_at']).where('team_id', '=', team.id).execute();
      const expected = rows.sort((x, y) => Number(y.created_at) - Number(x.created_at) || (x.user_id < y.user_id ? 1 : -1)).map((r) => r.user_id);
      assert.equal(expected.length, 5, 'the owner and four members');

      const recorder = recordingHttpClient();
      const vercel = new Vercel({ serverURL: server.url, bearerToken: server.token, httpClient: recorder.httpClient });
      const seen: string[] = [];
      let cursor: string | undefined;
      // The SDK has no `cursor` parameter: raw HTTP follows `nextCursor`, the SDK reads the first page.
      for (let pages = 0; pages < 10; pages++) {
        const res = await server.request('GET', `/v3/teams/${team.id}/members?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
        assert.equal(res.status, 200, res.text);
        seen.push(...res.body.members.map((m: { uid: string }) => m.uid));
        assert.equal(res.body.pagination.hasNext, res.body.pagination.nextCursor !== null);
        if (!res.body.pagination.hasNext) break;
        cursor = res.body.pagination.nextCursor;
      }
      assert.deepEqual(seen, expected);

      const first = await vercel.teams.getTeamMembers({ teamId: team.id, limit: 2 });
      assertParsedFromWire(first, lastJson(recorder.bodies));
      assert.equal(first.pagination.hasNext, true);
      const viewers = await vercel.teams.getTeamMembers({ teamId: team.id, role: 'VIEWER' });
      assert.deepEqual(viewers.members.map((m) => m.uid), [ids[1]]);
      const searched = await vercel.teams.getTeamMembers({ teamId: team.id, search: 'CYD' });
      assert.deepEqual(searched.members.map((m) => m.uid), [ids[2]]);

      const unmodelled = await server.request('GET', `/v3/teams/${team.id}/members?excludeProject=prj_1`);
      assert.equal(unmodelled.status, 400, unmodelled.text);
      assert.equal(unmodelled.body.error.code, 'bad_request');
    });
  });
}
