import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createMember, createTeam } from '../helpers/accounts.js';
import { dialectsToTest } from '../helpers/databases.js';
import { useSharedServer } from '../helpers/shared-server.js';

/**
 * `POST /v2/integrations/integration/{slug}/marketplace/install`, what `vercel integration
 * accept-terms` sends once the person accepted the terms in a terminal: the team gets an
 * installation and no resource.
 */
for (const dialect of dialectsToTest()) {
  describe(`installing on accepted terms (${dialect})`, () => {
    const server = useSharedServer(dialect);
    const installationsOf = (teamId: string) => server().stockroom.ctx.db.selectFrom('installations').select(['id', 'integration_id']).where('team_id', '=', teamId).where('deleted_at', 'is', null).execute();
    const install = (teamId: string, body: unknown, token?: string) =>
      server().request('POST', `/v2/integrations/integration/acme/marketplace/install?teamId=${teamId}`, { body, ...(token ? { token } : {}) });
    const accepted = { toc: '2026-12-05T22:00:00.000Z' };

    test('accepted terms install the integration for the team; a second call answers the same installation', async () => {
      const team = await createTeam(server());
      const res = await install(team.id, { acceptedPolicies: accepted, source: 'cli' });
      assert.equal(res.status, 200, res.text);
      assert.match(res.body.id, /^icfg_/);
      assert.equal(res.body.integrationId, 'oac_stockroomReference');
      assert.deepEqual(await installationsOf(team.id), [{ id: res.body.id, integration_id: 'oac_stockroomReference' }]);
      assert.deepEqual(await server().stockroom.ctx.db.selectFrom('stores').select('id').where('team_id', '=', team.id).execute(), []);

      const again = await install(team.id, { acceptedPolicies: accepted });
      assert.equal(again.status, 200, again.text);
      assert.equal(again.body.id, res.body.id);
      assert.equal((await installationsOf(team.id)).length, 1);
    });

    test('terms without a time for toc are 400 (param acceptedPolicies); an unknown integration 404; a viewer 403; nothing installed', async () => {
      const team = await createTeam(server());
      const missing = await install(team.id, { acceptedPolicies: { privacy: accepted.toc } });
      assert.equal(missing.status, 400, missing.text);
      assert.deepEqual({ code: missing.body.error.code, param: missing.body.error.param }, { code: 'bad_request', param: 'acceptedPolicies' });
      assert.match(missing.body.error.message, /requires accepting toc/);
      const notATime = await install(team.id, { acceptedPolicies: { toc: 'yes' } });
      assert.equal(notATime.status, 400, notATime.text);

      const unknown = await server().request('POST', `/v2/integrations/integration/nope/marketplace/install?teamId=${team.id}`, { body: { acceptedPolicies: accepted } });
      assert.equal(unknown.status, 404, unknown.text);
      assert.equal(unknown.body.error.code, 'not_found');

      const viewer = await createMember(server(), team.id, 'VIEWER');
      const forbidden = await install(team.id, { acceptedPolicies: accepted }, viewer.token);
      assert.equal(forbidden.status, 403, forbidden.text);
      assert.deepEqual(await installationsOf(team.id), []);
    });
  });
}
