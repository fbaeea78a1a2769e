import Fastify from 'fastify';
import { join, dirname } from 'node:path';
import { loadOrCreateLocalKey } from '../../crypto/local-key.js';
import { createSecretBox } from '../../crypto/secret-box.js';
import { openDatabase } from '../../db/database.js';
import { loadReferencePartnerConfig, ReferencePartnerConfigError } from './config.js';
import { migrateReferencePartner, referencePartnerPlugin } from './index.js';

// Runs the reference partner on its own, as an external partner would run: its own port, its own
// database, Stockroom reached only through the JWKS URL. The only partner file that touches
// `process`.
async function main(): Promise<void> {
  const config = loadReferencePartnerConfig(process.env);
  const database = openDatabase(config.database);
  await migrateReferencePartner(database.db);

  // The default request log names method and URL only: no header, so no token, is ever logged.
  const app = Fastify({ logger: { level: config.logLevel }, bodyLimit: 1024 * 1024, return503OnClosing: true });
  await app.register(referencePartnerPlugin, {
    db: database.db,
    dialect: database.dialect,
    secretBox: createSecretBox(config.encryptionKey ?? loadOrCreateLocalKey(localKeyPath(config))),
    clientId: config.clientId,
    issuer: config.issuer,
    jwksUrl: config.jwksUrl,
    freeResourceQuota: config.freeResourceQuota,
    stockroomUrl: config.stockroomUrl,
    ...(config.clientSecret ? { clientSecret: config.clientSecret } : {}),
    jobIntervalMs: config.jobIntervalMs,
  });
  app.addHook('onClose', async () => database.destroy());
  const url = await app.listen({ port: config.port, host: config.host });
  app.log.info({ url, database: config.database.kind, issuer: config.issuer, jwksUrl: config.jwksUrl }, `reference partner listening on ${url}`);

  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'reference partner shutting down');
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        app.log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

/** Without a configured key, SQLite's key lives beside its database file. */
function localKeyPath(config: ReturnType<typeof loadReferencePartnerConfig>): string {
  return join(config.database.kind === 'sqlite' ? dirname(config.database.path) : '.', 'reference-partner.key');
}

main().catch((error: unknown) => {
  if (error instanceof ReferencePartnerConfigError) {
    process.stderr.write(`${error.message}\n`);
  } else {
    process.stderr.write(`reference partner failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  }
  process.exit(1);
});
