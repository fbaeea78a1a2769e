import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { hashToken } from '../../src/crypto/secret-box.js';
import { insertInstallation } from '../../src/db/installations.js';
import { createTestDatabase, dialectsToTest } from '../helpers/databases.js';
import { startScriptedProvider } from '../helpers/scripted-provider.js';
import { startTestServer } from '../helpers/stockroom.js';

/**
 * Create-store against an external provider that Stockroom reaches only over HTTP, scripted per
 * test: the cases the reference partner cannot produce, such as a provider that never answers.
 */
for (const dialect of dialectsToTest()) {
  describe(`create store with an external provider (${dialect})`, () => {
    test('a provider that never answers is 500 provisioning_failed after bounded retries, and nothing is left', async (t) => {
      const provider = await startScriptedProvider();
      t.after(() => provider.close());
      const database = await createTestDatabase(dialect);
      t.after(() => database.drop());
      const catalogPath = join(database.dataDir, 'catalog.json');
      writeFileSync(
        catalogPath,
        JSON.stringify({
          integrations: [
            {
              id: 'oac_scripted',
              slug: 'scripted',
              name: 'Scripted provider',
              icon: 'data:image/svg+xml,%3Csvg%2F%3E',
              clientId: 'oac_scripted',
              providerBaseUrl: provider.baseUrl,
              products: [
                {
                  id: 'iap_scripted_db',
                  slug: 'scripted-db',
                  name: 'Scripted DB',
                  supportedProtocols: ['storage'],
                  primaryProtocol: 'storage',
                  metadataSchema: { type: 'object', properties: {} },
                },
              ],
            },
          ],
        }),
      );
      const server = await startTestServer(t, dialect, { database, env: { STOCKROOM_CATALOG: catalogPath, STOCKROOM_PROVIDER_TIMEOUT_MS: '300' } });
      const teamId = server.stockroom.bootstrap.teamId;
      const icfg = 'icfg_scriptedInstall1';
      const now = Date.now();
      // The installation exists (as if installed earlier); this test is about provisioning.
      await insertInstallation(
        server.stockroom.ctx.db,
        { id: icfg, teamId, integrationId: 'oac_scripted', userId: server.stockroom.bootstrap.userId, scopes: [], source: 'marketplace', status: 'ready', createdAt: now, updatedAt: now, deletedAt: null },
        hashToken('srk_unused_installation_token_000000000'),
      );
      provider.on('GET', '/v1/products/scripted-db/plans', { status: 200, body: { plans: [{ id: 'free', type: 'subscription', name: 'Free', description: 'Free', scope: 'resource', paymentMethodRequired: false }] } });
      provider.on('POST', `/v1/installations/${icfg}/resources`, { hang: true });
      provider.on('GET', `/v1/installations/${icfg}/resources`, { status: 200, body: { resources: [] } });

      const res = await server.request('POST', `/v1/storage/stores/integration/direct?teamId=${teamId}`, {
        body: { name: 'never-answers', integrationConfigurationId: icfg, integrationProductIdOrSlug: 'scripted-db' },
      });
      assert.equal(res.status, 500, res.text);
      assert.equal(res.body.error.code, 'provisioning_failed');
      const attempts = provider.requestsTo('POST', `/v1/installations/${icfg}/resources`);
      assert.equal(attempts.length, 3, 'one call and two retries');
      const keys = new Set(attempts.map((r) => r.headers['idempotency-key']));
      assert.equal(keys.size, 1, 'every retry reuses the Idempotency-Key');
      // Orphan mitigation looked for a resource by name at the provider.
      assert.equal(provider.requestsTo('GET', `/v1/installations/${icfg}/resources`).length, 1);
      const stores = await server.stockroom.ctx.db.selectFrom('stores').select('id').execute();
      assert.deepEqual(stores, []);
      assert.deepEqual(await server.stockroom.ctx.db.selectFrom('ledger_entries').select('id').execute(), []);
    });
  });
}
