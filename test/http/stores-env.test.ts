import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Vercel } from '@vercel/sdk';
import { createMember } from '../helpers/accounts.js';
import { dialectsToTest } from '../helpers/databases.js';
import { partnerSecrets } from '../helpers/reference-partner-db.js';
import { connectStore, startWithStoresAndProjects } from '../helpers/connected-store.js';
import type { TestServer } from '../helpers/stockroom.js';
import { assertParsedFromWire, lastJson, recordingHttpClient } from '../helpers/wire-compare.js';

async function teamIdOf(server: TestServer): Promise<string> {
  return (await server.request('GET', '/v2/user')).body.user.defaultTeamId as string;
}

for (const dialect of dialectsToTest()) {
  describe(`project env vars from connected stores (${dialect})`, () => {
    test('env pull returns the decrypted values with the prefix for connected targets, and nothing for the others', async (t) => {
      const { server, stores: [main, cache], projects: [project] } = await startWithStoresAndProjects(t, dialect, { stores: ['main-db', 'cache-db'], projects: ['pulling-app'] });
      await connectStore(server, main.id, project.id, { envVarPrefix: 'MAIN_', envVarEnvironments: ['production', 'preview'] });
      await connectStore(server, cache.id, project.id, { envVarPrefix: 'CACHE_', envVarEnvironments: ['development', 'env_staging1'] });
      const mainValues = await partnerSecrets(server, main.externalResourceId);
      const cacheValues = await partnerSecrets(server, cache.externalResourceId);
      const prefixed = (prefix: string, values: Record<string, string>) => Object.fromEntries(Object.entries(values).map(([k, v]) => [`${prefix}${k}`, v]));

      const production = await server.request('GET', `/v3/env/pull/${project.id}/production`);
      assert.equal(production.status, 200, production.text);
      assert.equal(production.headers.get('cache-control'), 'no-store');
      assert.deepEqual(production.body, { env: prefixed('MAIN_', mainValues) });
      assert.deepEqual((await server.request('GET', `/v3/env/pull/${project.id}/preview`)).body, { env: prefixed('MAIN_', mainValues) });
      assert.deepEqual((await server.request('GET', `/v3/env/pull/${project.id}/development`)).body, { env: prefixed('CACHE_', cacheValues) });
      assert.deepEqual((await server.request('GET', `/v3/env/pull/pulling-app/env_staging1`)).body, { env: prefixed('CACHE_', cacheValues) });
      assert.deepEqual((await server.request('GET', `/v3/env/pull/${project.id}/env_other`)).body, { env: {} });

      // The stored copy is sealed: no value appears in the row in the clear.
      const row = await server.stockroom.ctx.db.selectFrom('stores').select(['secrets_sealed', 'secret_meta']).where('id', '=', main.id).executeTakeFirstOrThrow();
      for (const value of Object.values(mainValues)) {
        assert.ok(!row.secrets_sealed!.includes(value));
        assert.ok(!row.secret_meta.includes(value));
      }
      assert.equal((await server.request('GET', `/v3/env/pull/prj_unknown/production`)).status, 404);
    });

    test('values are for OWNER, MEMBER and DEVELOPER; VIEWER and BILLING get 403 but may list names', async (t) => {
      const { server, stores: [store], projects: [project] } = await startWithStoresAndProjects(t, dialect, { stores: ['role-db'], projects: ['role-app'] });
      await connectStore(server, store.id, project.id);
      const teamId = await teamIdOf(server);
      for (const role of ['MEMBER', 'DEVELOPER'] as const) {
        const member = await createMember(server, teamId, role);
        const pull = await server.request('GET', `/v3/env/pull/${project.id}/production?teamId=${teamId}`, { token: member.token });
        assert.equal(pull.status, 200, role);
        assert.deepEqual(Object.keys(pull.body.env).sort(), [...store.secretNames].sort());
      }
      for (const role of ['VIEWER', 'BILLING'] as const) {
        const member = await createMember(server, teamId, role);
        const pull = await server.request('GET', `/v3/env/pull/${project.id}/production?teamId=${teamId}`, { token: member.token });
        assert.equal(pull.status, 403, role);
        assert.equal(pull.body.error.code, 'forbidden');
        assert.equal((await server.request('GET', `/v9/projects/${project.id}/env?decrypt=true&teamId=${teamId}`, { token: member.token })).status, 403, role);
        const names = await server.request('GET', `/v9/projects/${project.id}/env?teamId=${teamId}`, { token: member.token });
        assert.equal(names.status, 200, role);
        assert.deepEqual(names.body.envs.map((e: { key: string }) => e.key).sort(), [...store.secretNames].sort());
        assert.ok(names.body.envs.every((e: { value: string }) => e.value === ''));
      }
    });

    test('the env list shows values only with decrypt=true, never for sensitive connections, and @vercel/sdk filterProjectEnvs parses it', async (t) => {
      const { server, icfg, stores: [plain, sensitive], projects: [project] } = await startWithStoresAndProjects(t, dialect, { stores: ['plain-db', 'sensitive-db'], projects: ['listing-app'] });
      await connectStore(server, plain.id, project.id, { envVarPrefix: 'PLAIN_', envVarEnvironments: ['production', 'env_custom1'] });
      await connectStore(server, sensitive.id, project.id, { envVarPrefix: 'SECRET_', makeEnvVarsSensitive: true });
      const values = await partnerSecrets(server, plain.externalResourceId);

      const hidden = await server.request('GET', `/v9/projects/${project.id}/env`);
      assert.equal(hidden.status, 200);
      assert.ok(hidden.body.envs.every((e: { value: string; decrypted: boolean }) => e.value === '' && e.decrypted === false));

      const shown = await server.request('GET', `/v9/projects/${project.id}/env?decrypt=true`);
      const plainEnvs = shown.body.envs.filter((e: { key: string }) => e.key.startsWith('PLAIN_'));
      assert.deepEqual(Object.fromEntries(plainEnvs.map((e: { key: string; value: string }) => [e.key, e.value])), Object.fromEntries(Object.entries(values).map(([k, v]) => [`PLAIN_${k}`, v])));
      for (const env of plainEnvs) {
        assert.equal(env.type, 'encrypted');
        assert.deepEqual(env.target, ['production']);
        assert.deepEqual(env.customEnvironmentIds, ['env_custom1']);
        assert.equal(env.configurationId, icfg);
        assert.deepEqual(env.contentHint, { type: 'integration-store-secret', storeId: plain.id, integrationId: 'oac_stockroomReference', integrationProductId: 'iap_acme_db', integrationConfigurationId: icfg });
      }
      const sensitiveEnvs = shown.body.envs.filter((e: { key: string }) => e.key.startsWith('SECRET_'));
      assert.equal(sensitiveEnvs.length, sensitive.secretNames.length);
      assert.ok(sensitiveEnvs.every((e: { type: string; value: string }) => e.type === 'sensitive' && e.value === ''));
      // Ids do not depend on who asks or whether values were shown.
      assert.deepEqual(shown.body.envs.map((e: { id: string }) => e.id), hidden.body.envs.map((e: { id: string }) => e.id));
      const pulled = await server.request('GET', `/v3/env/pull/${project.id}/production`);
      assert.ok(sensitive.secretNames.every((n) => pulled.body.env[`SECRET_${n}`] === ''));

      const { httpClient, bodies } = recordingHttpClient();
      const vercel = new Vercel({ serverURL: server.url, bearerToken: server.token, httpClient });
      const parsed = await vercel.projects.filterProjectEnvs({ idOrName: project.id, decrypt: 'true' });
      assertParsedFromWire(parsed, lastJson(bodies));
      assert.ok('envs' in parsed && parsed.envs.length === plain.secretNames.length + sensitive.secretNames.length);
    });
  });
}
