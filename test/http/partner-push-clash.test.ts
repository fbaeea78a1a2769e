import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { dialectsToTest, type TestDialect } from '../helpers/databases.js';
import { partnerAccessToken } from '../helpers/reference-partner-db.js';
import { startTestServer, type TestServer } from '../helpers/stockroom.js';
import { bootstrapInstallationId, createProject, createStore } from '../helpers/stores.js';

/**
 * Issue 13, defect 6: connecting two stores whose variables would share a name in a project is
 * refused (409); a partner's secrets push, or a rotation, that would give a connected store such
 * a name must meet the same rule, or the project lists two variables of one name and `env pull`
 * serves whichever comes first.
 */

async function world(t: Parameters<typeof startTestServer>[0], dialect: TestDialect) {
  const server = await startTestServer(t, dialect);
  const icfg = await bootstrapInstallationId(server);
  const first = await createStore(server, icfg, 'first-db');
  const second = await createStore(server, icfg, 'second-db');
  const project = await createProject(server, 'clash-app');
  const connect = async (storeId: string, body: Record<string, unknown>) => {
    const res = await server.request('POST', `/v1/storage/stores/${storeId}/connections`, { body: { projectId: project.id, ...body } });
    assert.equal(res.status, 200, res.text);
  };
  await connect(first.id, {});
  // The second store's variables are OTHER_ACME_DB_URL and OTHER_ACME_DB_TOKEN, in every environment.
  await connect(second.id, { envVarPrefix: 'OTHER_' });
  return { server, icfg, first, second, project, partnerToken: await partnerAccessToken(server, icfg) };
}

async function storedSecrets(server: TestServer, storeId: string) {
  return server.stockroom.ctx.db.selectFrom('stores').select(['secrets_sealed', 'secret_meta', 'updated_at']).where('id', '=', storeId).executeTakeFirstOrThrow();
}

async function envState(server: TestServer, projectId: string) {
  const pull = await server.request('GET', `/v3/env/pull/${projectId}/development`);
  assert.equal(pull.status, 200, pull.text);
  const list = await server.request('GET', `/v9/projects/${projectId}/env`);
  assert.equal(list.status, 200, list.text);
  const keys = (list.body.envs as Array<{ key: string; target: string[] }>).flatMap((e) => e.target.map((target) => `${target}:${e.key}`)).sort();
  return { pulled: pull.body.env as Record<string, string>, keys };
}

for (const dialect of dialectsToTest()) {
  describe(`a partner push meets the env var clash rule (${dialect})`, () => {
    test('a partial push naming a secret like another connected store’s variable is 409 naming it, and changes nothing', async (t) => {
      const w = await world(t, dialect);
      const storeBefore = await storedSecrets(w.server, w.first.id);
      const envBefore = await envState(w.server, w.project.id);
      assert.equal(envBefore.keys.filter((k) => k === 'development:OTHER_ACME_DB_URL').length, 1);

      const path = `/v1/installations/${w.icfg}/resources/${w.first.externalResourceId}/secrets`;
      for (const partial of [true, false]) {
        const res = await w.server.request('PUT', path, {
          token: w.partnerToken,
          body: { secrets: [{ name: 'OTHER_ACME_DB_URL', value: 'postgres://shadow:shadow@evil.invalid/db' }, { name: 'HARMLESS', value: 'x' }], partial },
        });
        assert.equal(res.status, 409, res.text);
        assert.deepEqual(Object.keys(res.body), ['error']);
        assert.equal(res.body.error.code, 'conflict');
        assert.match(res.body.error.message, /OTHER_ACME_DB_URL/);
        assert.match(res.body.error.message, /clash-app/);
        assert.doesNotMatch(res.body.error.message, /shadow/, 'no secret value in the error');
      }
      // The deprecated path with the product in it follows the same rule.
      const legacy = await w.server.request('PUT', `/v1/installations/${w.icfg}/products/acme-db/resources/${w.first.externalResourceId}/secrets`, {
        token: w.partnerToken,
        body: { secrets: [{ name: 'OTHER_ACME_DB_TOKEN', value: 'shadowed' }], partial: true },
      });
      assert.equal(legacy.status, 409, legacy.text);

      assert.deepEqual(await storedSecrets(w.server, w.first.id), storeBefore, 'the stored secrets did not change');
      assert.deepEqual(await envState(w.server, w.project.id), envBefore, 'the project sees the same variables');
    });

    test('the clash counts only environments both connections share, and prefixes; a push without a clash is stored', async (t) => {
      const w = await world(t, dialect);
      const path = `/v1/installations/${w.icfg}/resources/${w.first.externalResourceId}/secrets`;
      // A new name nobody else gives the project is fine.
      const fine = await w.server.request('PUT', path, { token: w.partnerToken, body: { secrets: [{ name: 'ACME_DB_REPLICA_URL', value: 'postgres://r:r@replica.invalid/db' }], partial: true } });
      assert.equal(fine.status, 201, fine.text);
      assert.equal((await envState(w.server, w.project.id)).pulled.ACME_DB_REPLICA_URL, 'postgres://r:r@replica.invalid/db');

      // The second store now only serves production: a development-only overlap is no clash...
      const narrowed = await w.server.request('POST', `/v1/storage/stores/${w.second.id}/connections`, { body: { projectId: w.project.id, envVarEnvironments: ['production'] } });
      assert.equal(narrowed.status, 200, narrowed.text);
      const first = await w.server.request('POST', `/v1/storage/stores/${w.first.id}/connections`, { body: { projectId: w.project.id, envVarEnvironments: ['development', 'preview'] } });
      assert.equal(first.status, 200, first.text);
      const disjoint = await w.server.request('PUT', path, { token: w.partnerToken, body: { secrets: [{ name: 'OTHER_ACME_DB_URL', value: 'dev-only' }], partial: true } });
      assert.equal(disjoint.status, 201, disjoint.text);
      assert.equal((await envState(w.server, w.project.id)).pulled.OTHER_ACME_DB_URL, 'dev-only');
      // ...and widening the second store's connection back is now the clash the connect rule refuses.
      const widened = await w.server.request('POST', `/v1/storage/stores/${w.second.id}/connections`, { body: { projectId: w.project.id, envVarEnvironments: ['production', 'development'] } });
      assert.equal(widened.status, 409, widened.text);
    });
  });
}
