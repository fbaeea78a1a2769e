import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Vercel } from '@vercel/sdk';
import { createMember, createTeam } from '../helpers/accounts.js';
import { startWithStoresAndProjects } from '../helpers/connected-store.js';
import { dialectsToTest } from '../helpers/databases.js';
import { startTestServer, type TestServer } from '../helpers/stockroom.js';
import { createProject } from '../helpers/stores.js';
import { assertParsedFromWire, lastJson, recordingHttpClient } from '../helpers/wire-compare.js';

/**
 * Projects through `@vercel/sdk` and raw HTTP: the full answer the SDK requires, the `/v10` list
 * the SDK's getProjects calls (exact paging over ties, search, refused filters) and delete.
 */

function sdkFor(server: TestServer, token = server.token) {
  const recorder = recordingHttpClient();
  return { vercel: new Vercel({ serverURL: server.url, bearerToken: token, httpClient: recorder.httpClient }), bodies: recorder.bodies };
}

async function setCreatedAt(server: TestServer, ids: string[], createdAt: number): Promise<void> {
  await server.stockroom.ctx.db.updateTable('projects').set({ created_at: createdAt }).where('id', 'in', ids).execute();
}

/** Follows `GET /v10/projects` by `from`: each page's `pagination.next`, or its `nextCursor`. */
async function pageThrough(server: TestServer, by: 'next' | 'nextCursor', limit: number, teamId: string): Promise<string[]> {
  const { vercel, bodies } = sdkFor(server);
  const ids: string[] = [];
  let from: string | undefined;
  for (let pages = 1; pages <= 50; pages++) {
    const page = await vercel.projects.getProjects({ teamId, limit: String(limit), ...(from !== undefined ? { from } : {}) });
    const wire = lastJson(bodies) as { projects: Array<{ id: string }>; pagination: { next: number | null; nextCursor: string | null; count: number } };
    assertParsedFromWire(page, wire);
    assert.ok(!Array.isArray(page) && 'projects' in page);
    assert.equal(wire.pagination.count, wire.projects.length);
    assert.ok(wire.projects.length <= limit);
    ids.push(...wire.projects.map((p) => p.id));
    const next = wire.pagination[by];
    assert.equal(wire.pagination.next === null, wire.pagination.nextCursor === null, 'next and nextCursor end together');
    if (next === null) return ids;
    from = String(next);
  }
  assert.fail('the list never ended');
}

for (const dialect of dialectsToTest()) {
  describe(`projects (${dialect})`, () => {
    test('createProject and getProject answer every field the SDK requires, and what is stored', async (t) => {
      const server = await startTestServer(t, dialect);
      const { vercel, bodies } = sdkFor(server);
      const created = await vercel.projects.createProject({ requestBody: { name: 'web', framework: 'nextjs' } });
      const wire = lastJson(bodies) as Record<string, unknown>;
      assertParsedFromWire(created, wire);
      assert.match(created.id, /^prj_/);
      assert.deepEqual(
        { alias: wire.alias, defaultResourceConfig: wire.defaultResourceConfig, resourceConfig: wire.resourceConfig, deploymentExpiration: wire.deploymentExpiration, directoryListing: wire.directoryListing, nodeVersion: wire.nodeVersion },
        { alias: [], defaultResourceConfig: { functionDefaultRegions: [] }, resourceConfig: { functionDefaultRegions: [] }, deploymentExpiration: {}, directoryListing: false, nodeVersion: '22.x' },
      );
      const row = await server.stockroom.ctx.db.selectFrom('projects').selectAll().where('id', '=', created.id).executeTakeFirstOrThrow();
      assert.deepEqual([row.name, row.framework, row.team_id, Number(row.created_at)], ['web', 'nextjs', created.accountId, created.createdAt]);

      for (const idOrName of [created.id, 'web']) {
        const got = await vercel.projects.getProject({ idOrName });
        assertParsedFromWire(got, lastJson(bodies));
        assert.deepEqual(lastJson(bodies), wire);
      }
    });

    test('getProjects pages through projects that share a millisecond, by `next` and by `nextCursor`, each exactly once', async (t) => {
      const server = await startTestServer(t, dialect);
      const team = await createTeam(server);
      const ids: string[] = [];
      for (let i = 0; i < 7; i++) ids.push((await createProject(server, `p${i}`, { teamId: team.id })).id);
      // p1…p4 in one millisecond: a page of 3 ends inside that group.
      await setCreatedAt(server, [ids[0]!], 1_000);
      await setCreatedAt(server, ids.slice(1, 5), 2_000);
      await setCreatedAt(server, [ids[5]!], 3_000);
      await setCreatedAt(server, [ids[6]!], 4_000);
      const rows = await server.stockroom.ctx.db.selectFrom('projects').select(['id', 'created_at']).where('team_id', '=', team.id).execute();
      const expected = rows.sort((a, b) => Number(b.created_at) - Number(a.created_at) || (a.id < b.id ? 1 : -1)).map((r) => r.id);
      assert.equal(expected.length, 7);
      // `next` is exact while a page is longer than a tie group (4 here); only the cursor walks
      // through a group longer than the page (http/keyset-pagination.ts).
      for (const limit of [5, 6, 100]) assert.deepEqual(await pageThrough(server, 'next', limit, team.id), expected, `by next, limit ${limit}`);
      for (const limit of [1, 2, 3, 100]) assert.deepEqual(await pageThrough(server, 'nextCursor', limit, team.id), expected, `by nextCursor, limit ${limit}`);
      // Groups of two and pages of two: `next` neither skips nor repeats.
      await setCreatedAt(server, ids.slice(1, 3), 2_000);
      await setCreatedAt(server, ids.slice(3, 5), 2_500);
      const regrouped = await server.stockroom.ctx.db.selectFrom('projects').select(['id', 'created_at']).where('team_id', '=', team.id).execute();
      const expectedRegrouped = regrouped.sort((a, b) => Number(b.created_at) - Number(a.created_at) || (a.id < b.id ? 1 : -1)).map((r) => r.id);
      assert.deepEqual(await pageThrough(server, 'next', 2, team.id), expectedRegrouped);
    });

    test('search keeps names containing the text; `_` and `%` are not wildcards', async (t) => {
      const server = await startTestServer(t, dialect);
      const team = await createTeam(server);
      for (const name of ['alpha-web', 'alpha_api', 'alphaxapi', 'beta-web']) await createProject(server, name, { teamId: team.id });
      const { vercel } = sdkFor(server);
      const names = async (search: string) => {
        const page = await vercel.projects.getProjects({ teamId: team.id, search });
        assert.ok(!Array.isArray(page) && 'projects' in page);
        return page.projects.map((p) => p.name).sort();
      };
      assert.deepEqual(await names('web'), ['alpha-web', 'beta-web']);
      assert.deepEqual(await names('ALPHA'), ['alpha-web', 'alpha_api', 'alphaxapi']);
      assert.deepEqual(await names('a_a'), ['alpha_api']);
      assert.deepEqual(await names('%'), []);
      const v9 = await server.request('GET', `/v9/projects?teamId=${team.id}&search=beta`);
      assert.equal(v9.status, 200, v9.text);
      assert.deepEqual(v9.body.projects.map((p: { name: string }) => p.name), ['beta-web']);
    });

    test('filters over what Stockroom does not model, bad limits and bad cursors are 400', async (t) => {
      const server = await startTestServer(t, dialect);
      for (const query of ['repo=acme/web', 'edgeConfigId=ecfg_1', 'deprecated=true', 'gitForkProtection=1']) {
        const res = await server.request('GET', `/v10/projects?${query}`);
        assert.equal(res.status, 400, `${query}: ${res.text}`);
        assert.equal(res.body.error.code, 'bad_request');
        assert.match(res.body.error.message, /not supported/);
      }
      for (const query of ['limit=0', 'limit=101', 'from=not-a-cursor', 'limit=abc']) {
        const res = await server.request('GET', `/v10/projects?${query}`);
        assert.equal(res.status, 400, `${query}: ${res.text}`);
        assert.equal(res.body.error.code, 'bad_request');
      }
    });

    test('deleteProject answers 204, removes the project and its store connections, keeps the store', async (t) => {
      const { server, stores: [store], projects: [project, kept] } = await startWithStoresAndProjects(t, dialect, { stores: ['db'], projects: ['doomed', 'kept'] });
      for (const p of [project, kept]) {
        const connected = await server.request('POST', `/v1/storage/stores/${store.id}/connections`, { body: { projectId: p.id } });
        assert.equal(connected.status, 200, connected.text);
      }
      const { vercel, bodies } = sdkFor(server);
      assert.equal(await vercel.projects.deleteProject({ idOrName: 'doomed' }), undefined);
      assert.equal(bodies[bodies.length - 1]?.status, 204);

      const db = server.stockroom.ctx.db;
      assert.equal(await db.selectFrom('projects').select('id').where('id', '=', project.id).executeTakeFirst(), undefined);
      const connections = await db.selectFrom('store_connections').select('project_id').where('store_id', '=', store.id).execute();
      assert.deepEqual(connections.map((c) => c.project_id), [kept.id]);
      assert.ok(await db.selectFrom('stores').select('id').where('id', '=', store.id).where('deleted_at', 'is', null).executeTakeFirst());
      const read = await server.request('GET', `/v1/storage/stores/${store.id}`);
      assert.equal(read.status, 200, read.text);
      assert.deepEqual(read.body.store.projectsMetadata.map((m: { projectId: string }) => m.projectId), [kept.id]);

      const again = await server.request('DELETE', `/v9/projects/${project.id}`);
      assert.equal(again.status, 404, again.text);
      assert.equal(again.body.error.code, 'not_found');
      const gone = await server.request('GET', `/v9/projects/${project.id}`);
      assert.equal(gone.status, 404, gone.text);
    });

    test("a VIEWER may not delete a project, nor may another team's member", async (t) => {
      const server = await startTestServer(t, dialect);
      const team = await createTeam(server);
      const project = await createProject(server, 'guarded', { teamId: team.id });
      const viewer = await createMember(server, team.id, 'VIEWER');
      const refused = await server.request('DELETE', `/v9/projects/${project.id}?teamId=${team.id}`, { token: viewer.token });
      assert.equal(refused.status, 403, refused.text);
      const outsider = await createTeam(server);
      const elsewhere = await server.request('DELETE', `/v9/projects/${project.id}?teamId=${outsider.id}`);
      assert.equal(elsewhere.status, 404, elsewhere.text);
      assert.ok(await server.stockroom.ctx.db.selectFrom('projects').select('id').where('id', '=', project.id).executeTakeFirst(), 'the project is still stored');
    });
  });
}
