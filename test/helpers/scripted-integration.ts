import type { TestContext } from 'node:test';
import { createTestDatabase, type TestDialect } from './databases.js';
import { startScriptedProvider, type ScriptedProvider } from './scripted-provider.js';
import { insertReadyInstallation, writeSingleIntegrationCatalog } from './single-integration.js';
import { startTestServer, type TestServer } from './stockroom.js';

export interface ScriptedIntegration {
  readonly server: TestServer;
  /** The partner API Stockroom reaches over HTTP; the test scripts its answers. */
  readonly provider: ScriptedProvider;
  /** The bootstrap team, which holds the installation. */
  readonly teamId: string;
}

/**
 * Stockroom with a catalog of one integration (`scripted`, product `scripted-db`) served by a
 * scripted provider, and the bootstrap team's installation `icfg` of it already ready (as if
 * installed earlier): for tests about provisioning against answers the reference partner cannot
 * give. `env` adds to the server's environment. Everything is torn down when the test ends.
 */
export async function startWithScriptedIntegration(t: TestContext, dialect: TestDialect, icfg: string, env: Record<string, string> = {}): Promise<ScriptedIntegration> {
  const provider = await startScriptedProvider();
  t.after(() => provider.close());
  const database = await createTestDatabase(dialect);
  t.after(() => database.drop());
  const catalogPath = writeSingleIntegrationCatalog(database.dataDir, { slug: 'scripted', label: 'Scripted', providerBaseUrl: provider.baseUrl });
  const server = await startTestServer(t, dialect, { database, env: { STOCKROOM_CATALOG: catalogPath, ...env } });
  await insertReadyInstallation(server, icfg, 'oac_scripted');
  return { server, provider, teamId: server.stockroom.bootstrap.teamId };
}
