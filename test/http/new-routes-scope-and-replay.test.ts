import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createTeam, createUser } from '../helpers/accounts.js';
import { dialectsToTest } from '../helpers/databases.js';
import { startTestServer, type TestServer } from '../helpers/stockroom.js';
import { createProject } from '../helpers/stores.js';

/**
 * The routes this wave added for @vercel/sdk (GET /v10/projects, DELETE /v9/projects/:idOrName,
 * GET /v3/teams/:id/members, POST /v2/teams/:id/members) under the two rules written beside them:
 * a team-scoped token reaches its own team and is refused (403) for any other, and an
 * `Idempotency-Key` answer is replayed only to the token that made it.
 */

async function mint(server: TestServer, name: string, teamId: string): Promise<string> {
  const res = await server.request('POST', `/v3/user/tokens?teamId=${teamId}`, { body: { name } });
  assert.equal(res.status, 200, res.text);
  return res.body.bearerToken;
}

for (const dialect of dialectsToTest()) {
  describe(`the SDK's project and member routes under token scope and idempotency (${dialect})`, () => {
    test('a token scoped to team A lists, deletes and manages members in A, and gets 403 for team B, changing nothing there', async (t) => {
      const server = await startTestServer(t, dialect);
      const db = server.stockroom.ctx.db;
      const teamA = await createTeam(server);
      const teamB = await createTeam(server);
      const scopedA = await mint(server, 'a-only', teamA.id);
      const inA = await createProject(server, 'in-a', { teamId: teamA.id });
      const inB = await createProject(server, 'in-b', { teamId: teamB.id });
      const joiner = await createUser(server);

      const listA = await server.request('GET', `/v10/projects?teamId=${teamA.id}`, { token: scopedA });
      assert.equal(listA.status, 200, listA.text);
      assert.deepEqual(listA.body.projects.map((p: { id: string }) => p.id), [inA.id]);
      // No team named: the scoped token's own team, not the user's default.
      const listDefault = await server.request('GET', '/v10/projects', { token: scopedA });
      assert.deepEqual(listDefault.body.projects.map((p: { id: string }) => p.id), [inA.id]);
      const membersA = await server.request('GET', `/v3/teams/${teamA.id}/members`, { token: scopedA });
      assert.equal(membersA.status, 200, membersA.text);
      const addedA = await server.request('POST', `/v2/teams/${teamA.id}/members`, { token: scopedA, body: [{ uid: joiner.id, role: 'VIEWER' }] });
      assert.equal(addedA.status, 200, addedA.text);

      for (const [method, path, body] of [
        ['GET', `/v10/projects?teamId=${teamB.id}`, undefined],
        ['DELETE', `/v9/projects/${inB.id}?teamId=${teamB.id}`, undefined],
        ['GET', `/v3/teams/${teamB.id}/members`, undefined],
        ['GET', `/v3/teams/${teamB.slug}/members`, undefined],
        ['POST', `/v2/teams/${teamB.id}/members`, [{ uid: joiner.id, role: 'OWNER' }]],
      ] as const) {
        const res = await server.request(method, path, { token: scopedA, ...(body ? { body } : {}) });
        assert.equal(res.status, 403, `${method} ${path}: ${res.text}`);
        assert.equal(res.body.error.code, 'forbidden');
      }
      assert.ok(await db.selectFrom('projects').select('id').where('id', '=', inB.id).executeTakeFirst(), "team B's project is still there");
      assert.equal(await db.selectFrom('memberships').select('role').where('team_id', '=', teamB.id).where('user_id', '=', joiner.id).executeTakeFirst(), undefined, 'nobody joined team B');

      const deletedA = await server.request('DELETE', `/v9/projects/${inA.id}?teamId=${teamA.id}`, { token: scopedA });
      assert.equal(deletedA.status, 204, deletedA.text);
      assert.equal(await db.selectFrom('projects').select('id').where('id', '=', inA.id).executeTakeFirst(), undefined);
    });

    test('an Idempotency-Key on the new writes replays to the same token only; the work runs once', async (t) => {
      const server = await startTestServer(t, dialect);
      const db = server.stockroom.ctx.db;
      const team = await createTeam(server);
      const first = await mint(server, 'first', team.id);
      const second = await mint(server, 'second', team.id);
      const joiner = await createUser(server);

      const add = (token: string) =>
        server.request('POST', `/v2/teams/${team.id}/members`, { token, headers: { 'idempotency-key': 'add-joiner' }, body: [{ uid: joiner.id, role: 'MEMBER' }] });
      const added = await add(first);
      assert.equal(added.status, 200, added.text);
      // Changed meanwhile; a replay answers what the first request did and changes nothing.
      await db.updateTable('memberships').set({ role: 'VIEWER' }).where('team_id', '=', team.id).where('user_id', '=', joiner.id).execute();
      const replayed = await add(first);
      assert.equal(replayed.status, 200, replayed.text);
      assert.equal(replayed.headers.get('idempotent-replayed'), 'true');
      assert.deepEqual(replayed.body, added.body);
      const other = await add(second);
      assert.equal(other.status, 422, other.text);
      assert.equal(other.body.error.code, 'idempotency_key_reused');
      const role = await db.selectFrom('memberships').select('role').where('team_id', '=', team.id).where('user_id', '=', joiner.id).executeTakeFirstOrThrow();
      assert.equal(role.role, 'VIEWER', 'neither the replay nor the refused request ran');

      const project = await createProject(server, 'once', { teamId: team.id });
      const remove = (token: string) => server.request('DELETE', `/v9/projects/${project.id}?teamId=${team.id}`, { token, headers: { 'idempotency-key': 'drop-once' } });
      const removed = await remove(first);
      assert.equal(removed.status, 204, removed.text);
      const again = await remove(first);
      assert.equal(again.status, 204, again.text);
      assert.equal(again.headers.get('idempotent-replayed'), 'true');
      assert.equal(again.text, '');
      const elsewhere = await remove(second);
      assert.equal(elsewhere.status, 422, elsewhere.text);
    });
  });
}
