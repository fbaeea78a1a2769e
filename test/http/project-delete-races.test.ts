import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { dialectsToTest } from '../helpers/databases.js';
import { startTestServer } from '../helpers/stockroom.js';
import { bootstrapInstallationId, createProject, createStore } from '../helpers/stores.js';

/**
 * `DELETE /v9/projects/:idOrName` (new in this wave) against a connect to the same project
 * (`POST /v1/storage/stores/:id/connections`), sent at the same moment. A connection names its
 * project by a foreign key, so one of the two must win cleanly: the connect answers 200 and the
 * delete then removes the connection with the project, or the delete wins and the connect
 * answers 404. Neither may answer a 500 from the foreign key.
 */
for (const dialect of dialectsToTest()) {
  describe(`deleting a project while a store is connected to it (${dialect})`, () => {
    test('a connect racing the delete answers 200 or 404, the delete 204, and no connection outlives its project', async (t) => {
      const server = await startTestServer(t, dialect);
      const icfg = await bootstrapInstallationId(server);
      const store = await createStore(server, icfg, 'raced-db');
      const db = server.stockroom.ctx.db;
      const seen = new Map<string, number>();
      for (let round = 0; round < 12; round++) {
        const project = await createProject(server, `raced-app-${round}`);
        const [connected, deleted] = await Promise.all([
          server.request('POST', `/v1/storage/stores/${store.id}/connections`, { body: { projectId: project.id } }),
          server.request('DELETE', `/v9/projects/${project.id}`),
        ]);
        const pair = `${connected.status}/${deleted.status}`;
        seen.set(pair, (seen.get(pair) ?? 0) + 1);
        assert.ok([200, 404].includes(connected.status), `connect answered ${connected.status}: ${connected.text}`);
        assert.equal(deleted.status, 204, deleted.text);
        if (connected.status === 404) assert.equal(connected.body.error.code, 'not_found');
        assert.equal(await db.selectFrom('projects').select('id').where('id', '=', project.id).executeTakeFirst(), undefined, 'the project is gone');
        assert.deepEqual(await db.selectFrom('store_connections').select('id').where('project_id', '=', project.id).execute(), [], 'no connection outlives its project');
      }
      t.diagnostic(`connect/delete answers: ${JSON.stringify(Object.fromEntries(seen))}`);
    });
  });
}
