import Fastify from 'fastify';
import { createSecretBox } from '../../crypto/secret-box.js';
import { openDatabase } from '../../db/database.js';
import { logStartupFindings, type RealProvider } from '../builtin-real-providers.js';
import { readWithFlags } from '../command-line.js';
import { migratePartnerKit } from '../partner-kit/migrate.js';
import { partnerKitPlugin } from '../partner-kit/plugin.js';
import { sealingKey } from '../standalone-config.js';
import { runStandalone, standaloneFastifyOptions } from '../standalone-process.js';
import { BUILTIN_PARTNER_FLAGS, BUILTIN_PARTNER_USAGE, builtinPartnerEnvironment } from './command-line.js';
import { BuiltinPartnerConfigError, loadBuiltinPartnerConfig, type BuiltinPartnerConfig } from './config.js';

// Runs one of Stockroom's built-in real providers (PostgreSQL or Redis) on its own, as an
// external partner would run: its own port, its own database for its bookkeeping, its callers
// trusted through the JWKS URL it is given. The same provider Stockroom mounts at
// /partners/<name> when its admin URL is set (src/real-providers.ts), served at the root here.
runStandalone('built-in partner', async () => {
  const read = readConfig();
  if (read === 'help') return { print: BUILTIN_PARTNER_USAGE };
  const { provider, config } = read;
  const database = openDatabase(config.database);
  await migratePartnerKit(database.db, provider.tablePrefix);
  const { backend, check } = provider.open(config.server);

  const app = Fastify(standaloneFastifyOptions(config.logLevel));
  await app.register(partnerKitPlugin, {
    providerName: provider.title,
    db: database.db,
    dialect: database.dialect,
    tablePrefix: provider.tablePrefix,
    clientId: config.clientId,
    issuer: config.issuer,
    jwksUrl: config.jwksUrl,
    secretBox: createSecretBox(sealingKey(config, `builtin-${provider.name}.key`)),
    backend,
    products: provider.products,
    revocationIntervalMs: config.revocationIntervalMs,
  });
  app.addHook('onClose', async () => {
    await backend.close();
    await database.destroy();
  });
  const url = await app.listen({ port: config.port, host: config.host });
  logStartupFindings(app.log, provider, config.server.adminUrl, '--admin-url', await check(), url);
  app.log.info(
    { url, provider: provider.name, database: config.database.kind, clientId: config.clientId, issuer: config.issuer, jwksUrl: config.jwksUrl },
    `${provider.title} listening on ${url}`,
  );
  return app;
});

function readConfig(): { provider: RealProvider; config: BuiltinPartnerConfig } | 'help' {
  const read = builtinPartnerEnvironment(process.argv.slice(2), process.env);
  if (read.help) return 'help';
  return { provider: read.provider, config: readWithFlags(BUILTIN_PARTNER_FLAGS, BuiltinPartnerConfigError, () => loadBuiltinPartnerConfig(read.provider, read.env)) };
}
