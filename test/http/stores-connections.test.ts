import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Vercel } from '@vercel/sdk';
import { createMember, createTeam } from '../helpers/accounts.js';
import { startWithStoresAndProjects } from '../helpers/connected-store.js';
import { dialectsToTest } from '../helpers/databases.js';
import { startTestServer, type TestServer } from '../helpers/stockroom.js';
import { bootstrapInstallationId, createProject, createStore } from '../helpers/stores.js';
import { recordingHttpClient } from '../helpers/wire-compare.js';

async function connectionRows(server: TestServer, storeId: string) {
  return server.stockroom.ctx.db.selectFrom('store_connections').selectAll().where('store_id', '=', storeId).execute();
}

async function teamIdOf(server: TestServer): Promise<string> {
  const res = await server.request('GET', '/v2/user');
  return res.body.user.defaultTeamId as string;
}

for (const dialect of dialectsToTest()) {
  describe(`projects (${dialect})`, () => {
    test('creates a project, finds it by id and by name, lists it, and refuses a taken name with 409', async (t) => {
      const server = await startTestServer(t, dialect);
      const created = await server.request('POST', '/v11/projects', { body: { name: 'shop-front', framework: 'nextjs' } });
      assert.equal(created.status, 200, created.text);
      assert.match(created.body.id, /^prj_[A-Za-z0-9]{24}$/);
      assert.equal(created.body.name, 'shop-front');
      assert.equal(created.body.framework, 'nextjs');
      assert.equal(created.body.accountId, await teamIdOf(server));
      assert.equal(typeof created.body.createdAt, 'number');
      assert.equal(created.body.updatedAt, created.body.createdAt);

      const byId = await server.request('GET', `/v9/projects/${created.body.id}`);
      assert.deepEqual(byId.body, created.body);
      const byName = await server.request('GET', '/v9/projects/shop-front');
      assert.deepEqual(byName.body, created.body);
      const plain = await server.request('POST', '/v11/projects', { body: { name: 'api' } });
      assert.equal(plain.body.framework, null);

      const taken = await server.request('POST', '/v11/projects', { body: { name: 'shop-front' } });
      assert.equal(taken.status, 409);
      assert.equal(taken.body.error.code, 'conflict');
      const rows = await server.stockroom.ctx.db.selectFrom('projects').select('id').where('name', '=', 'shop-front').execute();
      assert.equal(rows.length, 1);

      const list = await server.request('GET', '/v9/projects?limit=1');
      assert.equal(list.status, 200);
      assert.equal(list.body.projects.length, 1);
      const rest = await server.request('GET', `/v9/projects?limit=1&cursor=${list.body.pagination.nextCursor}`);
      assert.deepEqual([...list.body.projects, ...rest.body.projects].map((p: { name: string }) => p.name).sort(), ['api', 'shop-front']);
      assert.equal(rest.body.pagination.next, null);
    });

    test('refuses invalid names and frameworks (400), readers (403), and hides projects from other teams (404)', async (t) => {
      const server = await startTestServer(t, dialect);
      for (const body of [{ name: 'My App' }, { name: 'a---b' }, { name: 'x'.repeat(101) }, { name: 'ok', framework: 'not-a-framework' }, {}]) {
        const res = await server.request('POST', '/v11/projects', { body });
        assert.equal(res.status, 400, JSON.stringify(body));
        assert.equal(res.body.error.code, 'bad_request');
      }
      const project = await createProject(server, 'private');
      const teamId = await teamIdOf(server);
      const viewer = await createMember(server, teamId, 'VIEWER');
      const refused = await server.request('POST', `/v11/projects?teamId=${teamId}`, { token: viewer.token, body: { name: 'viewer-made' } });
      assert.equal(refused.status, 403);
      assert.equal((await server.request('GET', `/v9/projects/${project.id}?teamId=${teamId}`, { token: viewer.token })).status, 200);
      const other = await createTeam(server);
      assert.equal((await server.request('GET', `/v9/projects/${project.id}?teamId=${other.id}`)).status, 404);
      assert.equal((await server.request('GET', `/v9/projects/private?teamId=${other.id}`)).status, 404);
      // The same name is free in another team.
      assert.equal((await server.request('POST', `/v11/projects?teamId=${other.id}`, { body: { name: 'private' } })).status, 200);
    });
  });

  describe(`connecting stores to projects (${dialect})`, () => {
    test("the CLI's connect with a prefix lists the project and its prefixed env var names on the store; a second connect updates it", async (t) => {
      const { server, stores: [store], projects: [project] } = await startWithStoresAndProjects(t, dialect, { stores: ['connected-db'], projects: ['web'] });

      const res = await server.request('POST', `/v1/storage/stores/${store.id}/connections`, {
        body: { envVarEnvironments: ['production', 'preview'], projectId: project.id, type: 'integration', envVarPrefix: 'DB_' },
      });
      assert.equal(res.status, 200, res.text);
      assert.match(res.body.connection.id, /^spc_[A-Za-z0-9]{24}$/);
      assert.deepEqual(res.body.connection, { id: res.body.connection.id, projectId: project.id, environments: ['production', 'preview'], envVarPrefix: 'DB_' });

      const read = await server.request('GET', `/v1/storage/stores/${store.id}`);
      assert.deepEqual(read.body.store.projectsMetadata, [
        {
          id: res.body.connection.id,
          projectId: project.id,
          name: 'web',
          environments: ['production', 'preview'],
          environmentVariables: store.secretNames.map((n) => `DB_${n}`),
          envVarPrefix: 'DB_',
          framework: null,
          makeEnvVarsSensitive: false,
        },
      ]);

      // The same project again: the connection is updated, not duplicated; the prefix stays.
      const again = await server.request('POST', `/v1/storage/stores/${store.id}/connections`, { body: { projectId: 'web', envVarEnvironments: ['development'] } });
      assert.equal(again.status, 200, again.text);
      assert.equal(again.body.connection.id, res.body.connection.id);
      assert.deepEqual(again.body.connection.environments, ['development']);
      assert.equal(again.body.connection.envVarPrefix, 'DB_');
      const rows = await connectionRows(server, store.id);
      assert.equal(rows.length, 1);
      assert.deepEqual(JSON.parse(rows[0]!.environments), ['development']);

      const defaults = await createProject(server, 'defaults');
      const plain = await server.request('POST', `/v1/storage/stores/${store.id}/connections`, { body: { projectId: defaults.id } });
      assert.deepEqual(plain.body.connection.environments, ['production', 'preview', 'development']);
      assert.equal(plain.body.connection.envVarPrefix, null);
    });

    test('@vercel/sdk connectIntegrationResourceToProject answers exactly 201, by externalResourceId or by store id', async (t) => {
      const { server, icfg, stores: [store], projects: [first, second] } = await startWithStoresAndProjects(t, dialect, { stores: ['sdk-connected'], projects: ['sdk-one', 'sdk-two'] });
      const { httpClient, bodies } = recordingHttpClient();
      const vercel = new Vercel({ serverURL: server.url, bearerToken: server.token, httpClient });

      const result = await vercel.integrations.connectIntegrationResourceToProject({
        integrationConfigurationId: icfg,
        resourceId: store.externalResourceId,
        requestBody: { projectId: first.id, envVarEnvironments: ['production'], makeEnvVarsSensitive: true },
      });
      assert.equal(result, undefined);
      assert.equal(bodies.at(-1)?.status, 201);
      assert.equal(bodies.at(-1)?.body, '');
      await vercel.integrations.connectIntegrationResourceToProject({ integrationConfigurationId: icfg, resourceId: store.id, requestBody: { projectId: second.id } });
      assert.equal(bodies.at(-1)?.status, 201);

      const rows = await connectionRows(server, store.id);
      const byProject = new Map(rows.map((r) => [r.project_id, r]));
      assert.deepEqual(JSON.parse(byProject.get(first.id)!.environments), ['production']);
      assert.equal(byProject.get(first.id)!.sensitive, 1);
      assert.deepEqual(JSON.parse(byProject.get(second.id)!.environments), ['production', 'preview', 'development']);
      assert.equal(byProject.get(second.id)!.sensitive, 0);

      await assert.rejects(
        vercel.integrations.connectIntegrationResourceToProject({ integrationConfigurationId: icfg, resourceId: 'res_unknown', requestBody: { projectId: first.id } }),
        (e: { statusCode?: number }) => e.statusCode === 404,
      );
      await assert.rejects(
        vercel.integrations.connectIntegrationResourceToProject({ integrationConfigurationId: 'icfg_unknown', resourceId: store.id, requestBody: { projectId: first.id } }),
        (e: { statusCode?: number }) => e.statusCode === 404,
      );
    });

    test('a store that is not live, or another team’s store or project, answers 404; readers get 403; bad prefixes 400', async (t) => {
      const { server, stores: [store], projects: [project] } = await startWithStoresAndProjects(t, dialect, { stores: ['guarded'], projects: ['guarded-app'] });
      const teamId = await teamIdOf(server);

      const other = await createTeam(server);
      const foreignProject = await createProject(server, 'foreign-app', { teamId: other.id });
      const foreignStore = await server.request('POST', `/v1/storage/stores/${store.id}/connections?teamId=${other.id}`, { body: { projectId: foreignProject.id } });
      assert.equal(foreignStore.status, 404);
      const foreignProj = await server.request('POST', `/v1/storage/stores/${store.id}/connections`, { body: { projectId: foreignProject.id } });
      assert.equal(foreignProj.status, 404);
      assert.equal(foreignProj.body.error.param, 'projectId');

      for (const role of ['VIEWER', 'DEVELOPER', 'BILLING'] as const) {
        const member = await createMember(server, teamId, role);
        const refused = await server.request('POST', `/v1/storage/stores/${store.id}/connections?teamId=${teamId}`, { token: member.token, body: { projectId: project.id } });
        assert.equal(refused.status, 403, role);
      }
      for (const envVarPrefix of ['db_', '1DB', 'DB-', '']) {
        const res = await server.request('POST', `/v1/storage/stores/${store.id}/connections`, { body: { projectId: project.id, envVarPrefix } });
        assert.equal(res.status, 400, envVarPrefix);
        assert.equal(res.body.error.param, 'envVarPrefix');
      }
      assert.equal((await server.request('POST', `/v1/storage/stores/${store.id}/connections`, { body: { projectId: project.id, type: 'other' } })).status, 400);

      await server.stockroom.ctx.db.updateTable('stores').set({ lifecycle: 'deleting' }).where('id', '=', store.id).execute();
      const notLive = await server.request('POST', `/v1/storage/stores/${store.id}/connections`, { body: { projectId: project.id } });
      assert.equal(notLive.status, 404);
      assert.equal((await connectionRows(server, store.id)).length, 0);
    });

    test('two stores may not give a project the same env var name in one environment (409); a prefix or other environments resolve it', async (t) => {
      const { server, stores: [first, second], projects: [project] } = await startWithStoresAndProjects(t, dialect, { stores: ['first-db', 'second-db'], projects: ['two-dbs'] });
      assert.equal((await server.request('POST', `/v1/storage/stores/${first.id}/connections`, { body: { projectId: project.id, envVarEnvironments: ['production'] } })).status, 200);

      const clash = await server.request('POST', `/v1/storage/stores/${second.id}/connections`, { body: { projectId: project.id } });
      assert.equal(clash.status, 409);
      assert.equal(clash.body.error.code, 'conflict');
      assert.match(clash.body.error.message, new RegExp(first.secretNames[0]!));
      assert.equal((await connectionRows(server, second.id)).length, 0);

      assert.equal((await server.request('POST', `/v1/storage/stores/${second.id}/connections`, { body: { projectId: project.id, envVarEnvironments: ['preview'] } })).status, 200);
      assert.equal((await server.request('POST', `/v1/storage/stores/${second.id}/connections`, { body: { projectId: project.id, envVarPrefix: 'SECOND_' } })).status, 200);
    });

    test('disconnects one project or all of them (200 {}); an unknown connection is 404', async (t) => {
      const server = await startTestServer(t, dialect);
      const icfg = await bootstrapInstallationId(server);
      const store = await createStore(server, icfg, 'disconnect-me');
      const projects = [await createProject(server, 'one'), await createProject(server, 'two'), await createProject(server, 'three')];
      const connections = [];
      for (const p of projects) connections.push((await server.request('POST', `/v1/storage/stores/${store.id}/connections`, { body: { projectId: p.id } })).body.connection.id as string);

      const one = await server.request('DELETE', `/v1/storage/stores/${store.id}/connections/${connections[0]}`);
      assert.equal(one.status, 200, one.text);
      assert.deepEqual(one.body, {});
      assert.deepEqual((await connectionRows(server, store.id)).map((r) => r.id).sort(), connections.slice(1).sort());
      const read = await server.request('GET', `/v1/storage/stores/${store.id}`);
      assert.equal(read.body.store.totalConnectedProjects, 2);

      assert.equal((await server.request('DELETE', `/v1/storage/stores/${store.id}/connections/${connections[0]}`)).status, 404);
      const other = await createTeam(server);
      assert.equal((await server.request('DELETE', `/v1/storage/stores/${store.id}/connections?teamId=${other.id}`)).status, 404);

      const all = await server.request('DELETE', `/v1/storage/stores/${store.id}/connections`);
      assert.equal(all.status, 200);
      assert.deepEqual(all.body, {});
      assert.equal((await connectionRows(server, store.id)).length, 0);
      assert.deepEqual((await server.request('GET', `/v1/storage/stores/${store.id}`)).body.store.projectsMetadata, []);
    });
  });
}
