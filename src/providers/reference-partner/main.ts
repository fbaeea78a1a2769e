import Fastify from 'fastify';
import { createSecretBox } from '../../crypto/secret-box.js';
import { openDatabase } from '../../db/database.js';
import { readWithFlags } from '../command-line.js';
import { sealingKey } from '../standalone-config.js';
import { runStandalone, standaloneFastifyOptions } from '../standalone-process.js';
import { REFERENCE_PARTNER_FLAGS, REFERENCE_PARTNER_USAGE, referencePartnerEnvironment } from './command-line.js';
import { loadReferencePartnerConfig, ReferencePartnerConfigError, type ReferencePartnerConfig } from './config.js';
import { migrateReferencePartner, referencePartnerPlugin } from './index.js';

// Runs the reference partner on its own, as an external partner would run: its own port, its own
// database, its callers trusted through the JWKS URL it is given (Stockroom's, or a conformance
// checker's). `npm run reference-partner -- --help` lists the flags.
runStandalone('reference partner', async () => {
  const config = readConfig();
  if (config === 'help') return { print: REFERENCE_PARTNER_USAGE };
  const database = openDatabase(config.database);
  await migrateReferencePartner(database.db);

  const app = Fastify(standaloneFastifyOptions(config.logLevel));
  await app.register(referencePartnerPlugin, {
    db: database.db,
    dialect: database.dialect,
    secretBox: createSecretBox(sealingKey(config, 'reference-partner.key')),
    clientId: config.clientId,
    issuer: config.issuer,
    jwksUrl: config.jwksUrl,
    freeResourceQuota: config.freeResourceQuota,
    stockroomUrl: config.stockroomUrl,
    ...(config.clientSecret ? { clientSecret: config.clientSecret } : {}),
    jobIntervalMs: config.jobIntervalMs,
    rotation: config.rotation,
  });
  app.addHook('onClose', async () => database.destroy());
  const url = await app.listen({ port: config.port, host: config.host });
  app.log.info(
    { url, database: config.database.kind, clientId: config.clientId, issuer: config.issuer, jwksUrl: config.jwksUrl, vercelUrl: config.stockroomUrl, rotation: config.rotation },
    `reference partner listening on ${url}`,
  );
  return app;
});

function readConfig(): ReferencePartnerConfig | 'help' {
  const read = referencePartnerEnvironment(process.argv.slice(2), process.env);
  if (read.help) return 'help';
  return readWithFlags(REFERENCE_PARTNER_FLAGS, ReferencePartnerConfigError, () => loadReferencePartnerConfig(read.env));
}
