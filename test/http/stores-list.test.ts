import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Vercel } from '@vercel/sdk';
import { createTeam } from '../helpers/accounts.js';
import { startWithStoresAndProjects } from '../helpers/connected-store.js';
import { dialectsToTest } from '../helpers/databases.js';
import { startTestServer, type TestServer } from '../helpers/stockroom.js';
import { bootstrapInstallationId, createStore } from '../helpers/stores.js';
import { assertParsedFromWire, lastJson, recordingHttpClient } from '../helpers/wire-compare.js';

/** Follows a list from its first page to its end, by `next` (Vercel's `until`) or by `nextCursor`. */
async function pageThrough(server: TestServer, by: 'until' | 'cursor', limit: number): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let query = '';
  for (let pages = 1; pages <= 50; pages++) {
    const res = await server.request('GET', `/v1/storage/stores?limit=${limit}${query}`);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.pagination.count, res.body.stores.length);
    assert.ok(res.body.stores.length <= limit);
    ids.push(...res.body.stores.map((s: { id: string }) => s.id));
    const { next, nextCursor } = res.body.pagination;
    assert.equal(next === null, nextCursor === null, 'next and nextCursor end together');
    if (next === null) return { ids, pages };
    query = by === 'until' ? `&until=${next}` : `&cursor=${encodeURIComponent(nextCursor)}`;
  }
  assert.fail('the list never ended');
}

async function setCreatedAt(server: TestServer, ids: string[], createdAt: number): Promise<void> {
  await server.stockroom.ctx.db.updateTable('stores').set({ created_at: createdAt }).where('id', 'in', ids).execute();
}

/** Ids in the list's order: newest first, ties by id, descending. */
async function expectedOrder(server: TestServer, teamId: string): Promise<string[]> {
  const rows = await server.stockroom.ctx.db.selectFrom('stores').select(['id', 'created_at']).where('team_id', '=', teamId).where('lifecycle', 'in', ['live', 'deleting']).execute();
  return rows.sort((a, b) => b.created_at - a.created_at || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0)).map((r) => r.id);
}

for (const dialect of dialectsToTest()) {
  describe(`listing and reading stores (${dialect})`, () => {
    test('integrationConfigurationId keeps the stores of that installation (the vercel CLI names them when removal is refused)', async (t) => {
      const server = await startTestServer(t, dialect);
      const icfg = await bootstrapInstallationId(server);
      const a = await createStore(server, icfg, 'first');
      const b = await createStore(server, icfg, 'second');
      const mine = await server.request('GET', `/v1/storage/stores?integrationConfigurationId=${icfg}&skip-metadata=true`);
      assert.equal(mine.status, 200, mine.text);
      assert.deepEqual(mine.body.stores.map((s: { id: string }) => s.id).sort(), [a.id, b.id].sort());
      assert.ok(mine.body.stores.every((s: { product: { integrationConfigurationId: string } }) => s.product.integrationConfigurationId === icfg));
      const other = await server.request('GET', '/v1/storage/stores?integrationConfigurationId=icfg_someoneElse');
      assert.equal(other.status, 200, other.text);
      assert.deepEqual(other.body.stores, []);
      // What the list answered is what is stored for that installation.
      const rows = await server.stockroom.ctx.db.selectFrom('stores').select('id').where('installation_id', '=', icfg).where('lifecycle', '=', 'live').execute();
      assert.deepEqual(rows.map((r) => r.id).sort(), [a.id, b.id].sort());
    });

    test('pages through stores that share a millisecond, by `until` and by `cursor`, showing each store exactly once', async (t) => {
      const server = await startTestServer(t, dialect);
      const icfg = await bootstrapInstallationId(server);
      const stores = [];
      for (let i = 0; i < 7; i++) stores.push(await createStore(server, icfg, `page-${i}`, { paid: true }));
      const ids = stores.map((s) => s.id);
      const teamId = (await server.request('GET', `/v1/storage/stores/${ids[0]}`)).body.store.ownerId as string;
      const base = 1_700_000_000_000;

      // Groups of two stores in one millisecond, with pages of two: `next` must not skip or repeat.
      await setCreatedAt(server, [ids[0]!], base + 5);
      await setCreatedAt(server, [ids[1]!, ids[2]!], base + 4);
      await setCreatedAt(server, [ids[3]!, ids[4]!], base + 3);
      await setCreatedAt(server, [ids[5]!, ids[6]!], base + 1);
      const byUntil = await pageThrough(server, 'until', 2);
      assert.deepEqual(byUntil.ids, await expectedOrder(server, teamId));

      // Five stores in one millisecond: only the cursor can walk through them exactly.
      await setCreatedAt(server, ids.slice(1, 6), base + 2);
      const byCursor = await pageThrough(server, 'cursor', 2);
      assert.deepEqual(byCursor.ids, await expectedOrder(server, teamId));
      assert.equal(new Set(byCursor.ids).size, 7);
      assert.equal(byCursor.pages, 4);

      // Every store at once, newest first.
      const all = await server.request('GET', '/v1/storage/stores?limit=100');
      assert.deepEqual(all.body.stores.map((s: { id: string }) => s.id), await expectedOrder(server, teamId));
      assert.deepEqual(all.body.pagination, { count: 7, next: null, prev: base + 5, nextCursor: null });
    });

    test('lists 20 stores by default and refuses bad paging parameters with 400', async (t) => {
      const server = await startTestServer(t, dialect);
      const icfg = await bootstrapInstallationId(server);
      await createStore(server, icfg, 'only-one');
      const list = await server.request('GET', '/v1/storage/stores');
      assert.equal(list.status, 200);
      assert.equal(list.body.stores.length, 1);
      assert.equal(list.body.stores[0].type, 'integration');
      assert.equal(list.body.stores[0].product.slug, 'acme-db');
      assert.deepEqual(list.body.stores[0].secrets.map((s: Record<string, unknown>) => Object.keys(s).sort()), [['length', 'name'], ['length', 'name']]);
      for (const [query, param] of [['limit=101', 'limit'], ['limit=0', 'limit'], ['cursor=nonsense', 'cursor'], ['cursor=WzEsIngiXQ&until=5', 'cursor']] as const) {
        const res = await server.request('GET', `/v1/storage/stores?${query}`);
        assert.equal(res.status, 400, query);
        assert.equal(res.body.error.code, 'bad_request');
        assert.equal(res.body.error.param, param, query);
      }
    });

    test('lists and reads only live and deleting stores; provisioning and deleted rows stay hidden', async (t) => {
      const server = await startTestServer(t, dialect);
      const icfg = await bootstrapInstallationId(server);
      const live = await createStore(server, icfg, 'live-one');
      const deleting = await createStore(server, icfg, 'deleting-one');
      const provisioning = await createStore(server, icfg, 'provisioning-one');
      const db = server.stockroom.ctx.db;
      await db.updateTable('stores').set({ lifecycle: 'deleting' }).where('id', '=', deleting.id).execute();
      await db.updateTable('stores').set({ lifecycle: 'provisioning' }).where('id', '=', provisioning.id).execute();
      const list = await server.request('GET', '/v1/storage/stores');
      assert.deepEqual(new Set(list.body.stores.map((s: { id: string }) => s.id)), new Set([live.id, deleting.id]));
      assert.equal((await server.request('GET', `/v1/storage/stores/${deleting.id}`)).status, 200);
      const hidden = await server.request('GET', `/v1/storage/stores/${provisioning.id}`);
      assert.equal(hidden.status, 404);
      assert.equal(hidden.body.error.code, 'not_found');
    });

    test('reads one store with its connections; another team gets 404 and an empty list', async (t) => {
      const { server, stores: [store, other], projects: [project] } = await startWithStoresAndProjects(t, dialect, { stores: ['readable', 'unconnected'], projects: ['reader-app'] });
      const connected = await server.request('POST', `/v1/storage/stores/${store.id}/connections`, { body: { projectId: project.id, envVarPrefix: 'MAIN_' } });
      assert.equal(connected.status, 200, connected.text);

      const res = await server.request('GET', `/v1/storage/stores/${store.id}`);
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.store.id, store.id);
      assert.equal(res.body.store.name, 'readable');
      assert.equal(res.body.store.status, 'available');
      assert.equal(res.body.store.totalConnectedProjects, 1);
      assert.equal(res.body.store.projectsMetadata[0].projectId, project.id);
      assert.deepEqual(res.body.store.projectsMetadata[0].environmentVariables, store.secretNames.map((n) => `MAIN_${n}`));

      const byProject = await server.request('GET', `/v1/storage/stores?projectId=${project.id}`);
      assert.deepEqual(byProject.body.stores.map((s: { id: string }) => s.id), [store.id]);
      const unfiltered = await server.request('GET', '/v1/storage/stores');
      assert.deepEqual(new Set(unfiltered.body.stores.map((s: { id: string }) => s.id)), new Set([store.id, other.id]));

      const team = await createTeam(server);
      const foreign = await server.request('GET', `/v1/storage/stores/${store.id}?teamId=${team.id}`);
      assert.equal(foreign.status, 404);
      const foreignList = await server.request('GET', `/v1/storage/stores?teamId=${team.id}`);
      assert.equal(foreignList.status, 200);
      assert.deepEqual(foreignList.body.stores, []);
      assert.equal((await server.request('GET', `/v1/storage/stores/${store.id}`, { token: null })).status, 401);
    });

    test('@vercel/sdk getStorageStoresById reads the status shape without any Authorization header', async (t) => {
      const { server, stores: [store], projects: [project] } = await startWithStoresAndProjects(t, dialect, { stores: ['status-read'], projects: ['status-app'] });
      await server.request('POST', `/v1/storage/stores/${store.id}/connections`, { body: { projectId: project.id, envVarEnvironments: ['production'] } });

      const { httpClient, bodies } = recordingHttpClient();
      const authorizations: Array<string | null> = [];
      httpClient.addHook('beforeRequest', (request) => {
        authorizations.push(request.headers.get('authorization'));
      });
      const vercel = new Vercel({ serverURL: server.url, bearerToken: server.token, httpClient });
      const answer = await vercel.storage.getStorageStoresById({ id: store.id, skipMetadata: true });
      assert.deepEqual(authorizations, [null]);
      assertParsedFromWire(answer, lastJson(bodies));
      assert.equal(answer.store.status, 'available');
      assert.equal(answer.store.usageQuotaExceeded, false);
      assert.equal(answer.store.totalConnectedProjects, 1);
      assert.deepEqual(answer.store.projectsMetadata[0]?.environments, ['production']);
      assert.deepEqual(answer.store.projectsMetadata[0]?.environmentVariables, store.secretNames);
      // Only the status shape: nothing secret or identifying beyond the id itself.
      const wire = lastJson(bodies) as { store: Record<string, unknown> };
      assert.deepEqual(Object.keys(wire.store).sort(), ['id', 'projectsMetadata', 'status', 'totalConnectedProjects', 'usageQuotaExceeded']);

      // Unknown, malformed or truncated ids: 404, the same answer.
      for (const id of ['store_AAAAAAAAAAAAAAAAAAAAAAAA', store.id.slice(0, -1), 'prj_x', store.externalResourceId]) {
        const res = await server.request('GET', `/storage/stores/${id}`, { token: null });
        assert.equal(res.status, 404, id);
      }
      await assert.rejects(vercel.storage.getStorageStoresById({ id: 'store_AAAAAAAAAAAAAAAAAAAAAAAA' }), (e: { statusCode?: number }) => e.statusCode === 404);
    });
  });
}
