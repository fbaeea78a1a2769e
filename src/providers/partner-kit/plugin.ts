import type { FastifyPluginAsync } from 'fastify';
import { resolveKitContext, type PartnerKitOptions } from './options.js';
import { preparePartnerServer } from './partner-server.js';
import { startRevocationLoop } from './revocation-job.js';
import { installationRoutes } from './routes/installations.js';
import { planRoutes } from './routes/plans.js';
import { resourceRoutes } from './routes/resources.js';
import { secretRoutes } from './routes/secrets.js';

/**
 * A partner-API provider over real resources (partner-api.md §1.1): the routes, the token check
 * and the error shape of the reference partner, with the work done by a `ResourceBackend`.
 * Stockroom mounts it under a prefix and reaches it over HTTP like any partner. Run
 * `migratePartnerKit` on the database first.
 *
 * Not wrapped in fastify-plugin on purpose: its error handler, body parser and token check stay
 * inside its own plugin context and leave the host server's untouched.
 */
export const partnerKitPlugin: FastifyPluginAsync<PartnerKitOptions & { readonly providerName: string }> = async (app, options) => {
  const ctx = resolveKitContext(options, app.log);
  preparePartnerServer(app, { providerName: options.providerName, clientId: options.clientId, issuer: options.issuer, jwksUrl: options.jwksUrl, now: ctx.now });

  await app.register(installationRoutes, { ctx });
  await app.register(planRoutes, { ctx });
  await app.register(resourceRoutes, { ctx });
  await app.register(secretRoutes, { ctx });

  const stopRevocations = startRevocationLoop(ctx, options.revocationIntervalMs ?? 2000);
  app.addHook('preClose', async () => stopRevocations());
};
