import { hashToken } from '../../src/crypto/secret-box.js';
import { randomText } from '../../src/crypto/random-text.js';
import { findAccessToken } from '../../src/providers/reference-partner/installation-store.js';
import type { TestServer } from './stockroom.js';

/**
 * The reference partner's own copy of a resource's secrets, read from its table and opened with
 * the server's secret box (the partner keeps them sealed, bound to the resource's row).
 */
export async function partnerSecrets(server: TestServer, externalResourceId: string): Promise<Record<string, string>> {
  const row = await (server.stockroom.ctx.db as any).selectFrom('ref_partner_resources').select('secrets').where('id', '=', externalResourceId).executeTakeFirstOrThrow();
  const opened = JSON.parse(server.stockroom.ctx.secretBox.open(row.secrets, `ref_partner_resources.secrets:${externalResourceId}`)) as Array<{ name: string; value: string }>;
  return Object.fromEntries(opened.map((s) => [s.name, s.value]));
}

/**
 * The installation access token the reference partner holds (sealed in its table), so a test
 * calls Stockroom back with the very token the partner uses. An installation of another provider
 * (a scripted or real one) has none there: the test then makes a fresh token and gives Stockroom
 * its hash, as a rotation would.
 */
export async function partnerAccessToken(server: TestServer, installationId: string): Promise<string> {
  const held = await findAccessToken(server.stockroom.ctx.db as never, server.stockroom.ctx.secretBox, installationId);
  return held ?? replaceInstallationToken(server, installationId);
}

/** Gives the installation a fresh access token outright (Stockroom keeps its hash), as a reinstall would. */
export async function replaceInstallationToken(server: TestServer, installationId: string): Promise<string> {
  const token = `srk_partnerTest${randomText(32)}`;
  await server.stockroom.ctx.db.updateTable('installations').set({ access_token_hash: hashToken(token) }).where('id', '=', installationId).execute();
  return token;
}
