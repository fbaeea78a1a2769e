import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createTeam, createUser } from '../helpers/accounts.js';
import { dialectsToTest } from '../helpers/databases.js';
import { useSharedServer } from '../helpers/shared-server.js';
import { bootstrapInstallationId, createStore } from '../helpers/stores.js';

/**
 * `GET /api/marketplace/sso?teamId&integrationConfigurationId&resource_id`, the link
 * `vercel integration open` prints with vercel.com's host: with Stockroom's host it sends the
 * person on (302) to the partner's Redirect Login URL with a one-time code the partner exchanges.
 */
for (const dialect of dialectsToTest()) {
  describe(`the marketplace SSO link (${dialect})`, () => {
    const server = useSharedServer(dialect);
    const db = () => server().stockroom.ctx.db;
    const link = (query: Record<string, string>) => `/api/marketplace/sso?${new URLSearchParams(query)}`;
    const get = (path: string, token: string | null = server().token) =>
      fetch(`${server().url}${path}`, { redirect: 'manual', headers: token === null ? {} : { authorization: `Bearer ${token}` } });

    test('a resource link: 302 to the partner’s landing with code, state and resource_id; the partner exchanges the code once', async () => {
      const icfg = await bootstrapInstallationId(server());
      const teamId: string = (await server().request('GET', '/v2/user')).body.user.defaultTeamId;
      const store = await createStore(server(), icfg, `sso-link-${dialect}`);
      const res = await get(link({ teamId, integrationConfigurationId: icfg, resource_id: store.externalResourceId }));
      assert.equal(res.status, 302, await res.text());
      assert.equal(res.headers.get('cache-control'), 'no-store');
      const location = new URL(res.headers.get('location') ?? '');
      assert.equal(`${location.origin}${location.pathname}`, `${server().url}/partners/reference/sso`);
      assert.deepEqual([...location.searchParams.keys()].sort(), ['code', 'resource_id', 'state']);
      assert.equal(location.searchParams.get('resource_id'), store.externalResourceId);
      const rows = await db().selectFrom('sso_codes').select(['store_id', 'resource_id', 'team_id', 'installation_id', 'state', 'used_at']).where('store_id', '=', store.id).execute();
      assert.deepEqual(rows, [{ store_id: store.id, resource_id: store.externalResourceId, team_id: teamId, installation_id: icfg, state: location.searchParams.get('state'), used_at: null }]);

      const landing = await fetch(location);
      assert.equal(landing.status, 200);
      assert.match(await landing.text(), new RegExp(`for sso-link-${dialect}`));
      assert.equal((await fetch(location)).status, 401, 'a code works once');
    });

    test('an installation link (no resource_id): the code names the installation only', async () => {
      const icfg = await bootstrapInstallationId(server());
      const teamId: string = (await server().request('GET', '/v2/user')).body.user.defaultTeamId;
      const res = await get(link({ teamId, integrationConfigurationId: icfg }));
      assert.equal(res.status, 302, await res.text());
      const location = new URL(res.headers.get('location') ?? '');
      assert.deepEqual([...location.searchParams.keys()].sort(), ['code', 'state']);
      const row = await db().selectFrom('sso_codes').select(['store_id', 'resource_id']).where('state', '=', location.searchParams.get('state')!).executeTakeFirstOrThrow();
      assert.deepEqual(row, { store_id: null, resource_id: null });
      const landing = await fetch(location);
      assert.match(await landing.text(), new RegExp(`for installation ${icfg}`));
    });

    test('unknown installation or resource: 404 in Vercel’s shape, no code made; another team’s: 403; a bad token: 401', async () => {
      const icfg = await bootstrapInstallationId(server());
      const teamId: string = (await server().request('GET', '/v2/user')).body.user.defaultTeamId;
      const before = (await db().selectFrom('sso_codes').select('code_hash').execute()).length;

      const noInstallation = await get(link({ teamId, integrationConfigurationId: 'icfg_unknown' }));
      assert.equal(noInstallation.status, 404);
      assert.deepEqual((await noInstallation.json()).error, { code: 'not_found', message: 'The installation icfg_unknown was not found.', param: 'integrationConfigurationId' });

      const noResource = await get(link({ teamId, integrationConfigurationId: icfg, resource_id: 'res_unknown' }));
      assert.equal(noResource.status, 404);
      assert.equal((await noResource.json()).error.param, 'resource_id');

      const missing = await get('/api/marketplace/sso?teamId=' + teamId);
      assert.equal(missing.status, 400);
      assert.equal((await missing.json()).error.code, 'bad_request');

      const stranger = await createUser(server());
      const otherTeam = await get(link({ teamId, integrationConfigurationId: icfg }), stranger.token);
      assert.equal(otherTeam.status, 403);
      const theirs = await createTeam(server(), stranger.token);
      const notTheirs = await get(link({ teamId: theirs.id, integrationConfigurationId: icfg }), stranger.token);
      assert.equal(notTheirs.status, 404, 'the installation is not of their team');

      const badToken = await get(link({ teamId, integrationConfigurationId: icfg }), 'srk_notAToken');
      assert.equal(badToken.status, 401);
      assert.equal((await badToken.json()).error.code, 'unauthorized');
      assert.equal((await db().selectFrom('sso_codes').select('code_hash').execute()).length, before);
    });

    test('a browser (no Authorization header) is sent to the console’s #/sso page with the link’s ids, and no code is made', async () => {
      const before = (await db().selectFrom('sso_codes').select('code_hash').execute()).length;
      const res = await get(link({ teamId: 'team_x', integrationConfigurationId: 'icfg_y', resource_id: 'res_z' }), null);
      assert.equal(res.status, 302);
      assert.equal(res.headers.get('location'), '/#/sso?integrationConfigurationId=icfg_y&teamId=team_x&resource_id=res_z');
      // A link naming its team by slug keeps it (the console would otherwise use the tab's team).
      const bySlug = await get(link({ slug: 'acme-team', integrationConfigurationId: 'icfg_y' }), null);
      assert.equal(bySlug.headers.get('location'), '/#/sso?integrationConfigurationId=icfg_y&slug=acme-team');
      assert.equal((await db().selectFrom('sso_codes').select('code_hash').execute()).length, before);
    });

    test('POST /stockroom/v1/marketplace/sso (the console’s half) answers the partner URL with a code; unknown ids are 404', async () => {
      const icfg = await bootstrapInstallationId(server());
      const teamId: string = (await server().request('GET', '/v2/user')).body.user.defaultTeamId;
      const store = await createStore(server(), icfg, `sso-post-${dialect}`);
      const res = await server().request('POST', `/stockroom/v1/marketplace/sso?teamId=${teamId}`, { body: { integrationConfigurationId: icfg, resource_id: store.externalResourceId } });
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(Object.keys(res.body).sort(), ['expiresAt', 'url']);
      const url = new URL(res.body.url);
      assert.equal(url.searchParams.get('resource_id'), store.externalResourceId);
      const row = await db().selectFrom('sso_codes').select(['store_id', 'expires_at']).where('state', '=', url.searchParams.get('state')!).executeTakeFirstOrThrow();
      assert.deepEqual(row, { store_id: store.id, expires_at: res.body.expiresAt });

      const unknown = await server().request('POST', `/stockroom/v1/marketplace/sso?teamId=${teamId}`, { body: { integrationConfigurationId: icfg, resource_id: 'res_unknown' } });
      assert.equal(unknown.status, 404);
      assert.equal(unknown.body.error.param, 'resource_id');
    });
  });
}
