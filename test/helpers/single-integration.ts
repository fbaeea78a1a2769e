import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hashToken } from '../../src/crypto/secret-box.js';
import { insertInstallation } from '../../src/db/installations.js';
import type { TestServer } from './stockroom.js';

/**
 * A catalog of one integration served at `providerBaseUrl` (a scripted or faulty provider), with one
 * product `<slug>-db` and no metadata, written into `dir`; its path, for STOCKROOM_CATALOG.
 */
export function writeSingleIntegrationCatalog(dir: string, integration: { slug: string; label: string; providerBaseUrl: string }): string {
  const { slug, label, providerBaseUrl } = integration;
  const catalogPath = join(dir, 'catalog.json');
  const product = { id: `iap_${slug}_db`, slug: `${slug}-db`, name: `${label} DB`, supportedProtocols: ['storage'], primaryProtocol: 'storage', metadataSchema: { type: 'object', properties: {} } };
  const entry = { id: `oac_${slug}`, slug, name: `${label} provider`, icon: 'data:image/svg+xml,%3Csvg%2F%3E', clientId: `oac_${slug}`, providerBaseUrl, products: [product] };
  writeFileSync(catalogPath, JSON.stringify({ integrations: [entry] }));
  return catalogPath;
}

/**
 * The bootstrap team's installation `icfg` of the integration, written straight to the database as
 * if installed earlier: for tests about provisioning, not installing.
 */
export async function insertReadyInstallation(server: Pick<TestServer, 'stockroom'>, icfg: string, integrationId: string): Promise<void> {
  const now = Date.now();
  const { teamId, userId } = server.stockroom.bootstrap;
  await insertInstallation(
    server.stockroom.ctx.db,
    { id: icfg, teamId, integrationId, userId, scopes: [], source: 'marketplace', status: 'ready', createdAt: now, updatedAt: now, deletedAt: null },
    hashToken('srk_unused_installation_token_000000000'),
  );
}
