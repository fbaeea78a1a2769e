import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createMember, createTeam } from '../helpers/accounts.js';
import { dialectsToTest } from '../helpers/databases.js';
import { startTestServer, type TestServer } from '../helpers/stockroom.js';

/** Issue 13 §10: a team keeps at least one OWNER, whichever route would take the last one away. */

const rolesOf = async (server: TestServer, teamId: string) =>
  Object.fromEntries(
    (await server.stockroom.ctx.db.selectFrom('memberships').select(['user_id', 'role']).where('team_id', '=', teamId).execute()).map((m) => [m.user_id, m.role]),
  );

function assertLastOwnerRefused(res: { status: number; text: string; body: any }): void {
  assert.equal(res.status, 409, res.text);
  assert.deepEqual(Object.keys(res.body), ['error']);
  assert.equal(res.body.error.code, 'last_owner');
  assert.match(res.body.error.message, /at least one OWNER/);
}

for (const dialect of dialectsToTest()) {
  describe(`the last OWNER of a team (${dialect})`, () => {
    test('may not demote themselves, by PATCH or by POSTing themselves again, nor leave; with a second OWNER they may', async (t) => {
      const server = await startTestServer(t, dialect);
      const team = await createTeam(server);
      const me = (await server.request('GET', '/v2/user')).body.user.id as string;

      assertLastOwnerRefused(await server.request('PATCH', `/v1/teams/${team.id}/members/${me}`, { body: { role: 'MEMBER' } }));
      assertLastOwnerRefused(await server.request('POST', `/v1/teams/${team.id}/members`, { body: { uid: me, role: 'VIEWER' } }));
      assertLastOwnerRefused(await server.request('DELETE', `/v1/teams/${team.id}/members/${me}`));
      assert.deepEqual(await rolesOf(server, team.id), { [me]: 'OWNER' });

      // Saying OWNER again changes nothing and is allowed.
      assert.equal((await server.request('PATCH', `/v1/teams/${team.id}/members/${me}`, { body: { role: 'OWNER' } })).status, 200);

      const other = await createMember(server, team.id, 'OWNER');
      const demoted = await server.request('PATCH', `/v1/teams/${team.id}/members/${me}`, { body: { role: 'MEMBER' } });
      assert.equal(demoted.status, 200, demoted.text);
      assert.deepEqual(await rolesOf(server, team.id), { [me]: 'MEMBER', [other.id]: 'OWNER' });

      // Now the other is the last OWNER.
      assertLastOwnerRefused(await server.request('PATCH', `/v1/teams/${team.id}/members/${other.id}`, { token: other.token, body: { role: 'DEVELOPER' } }));
      assertLastOwnerRefused(await server.request('POST', `/v1/teams/${team.id}/members`, { token: other.token, body: { uid: other.id, role: 'MEMBER' } }));
      assert.deepEqual(await rolesOf(server, team.id), { [me]: 'MEMBER', [other.id]: 'OWNER' });
    });

    test('two OWNERs demoting each other at the same moment: one succeeds, the other is refused, never both', async (t) => {
      const server = await startTestServer(t, dialect);
      const team = await createTeam(server);
      const me = (await server.request('GET', '/v2/user')).body.user.id as string;
      const other = await createMember(server, team.id, 'OWNER');
      for (let round = 0; round < 10; round++) {
        await server.stockroom.ctx.db.updateTable('memberships').set({ role: 'OWNER' }).where('team_id', '=', team.id).execute();
        const answers = await Promise.all([
          server.request('PATCH', `/v1/teams/${team.id}/members/${other.id}`, { body: { role: 'MEMBER' } }),
          server.request('PATCH', `/v1/teams/${team.id}/members/${me}`, { token: other.token, body: { role: 'MEMBER' } }),
        ]);
        const owners = Object.values(await rolesOf(server, team.id)).filter((role) => role === 'OWNER');
        assert.equal(owners.length, 1, `round ${round}: ${answers.map((a) => a.status).join(', ')}`);
        // The loser is refused either as the last OWNER (409) or, when it ran after being demoted, as no OWNER at all (403).
        const statuses = answers.map((a) => a.status).sort();
        assert.ok(statuses[0] === 200 && (statuses[1] === 403 || statuses[1] === 409), statuses.join(', '));
      }
    });
  });
}
