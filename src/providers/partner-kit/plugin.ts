import type { FastifyPluginAsync } from 'fastify';
import { resolveKitContext, type PartnerKitOptions } from './options.js';
import { managedResourcesApi } from './managed-resources.js';
import { servePartnerApi } from './partner-server.js';
import { startRevocationLoop } from './revocation-job.js';

/**
 * A partner-API provider over real resources (partner-api.md §1.1): the kit's partner server
 * (`servePartnerApi`) over `managedResourcesApi`, with the work on the real server done by a
 * `ResourceBackend`. Stockroom mounts it under a prefix and reaches it over HTTP like any partner.
 * Run `migratePartnerKit` on the database first.
 *
 * Not wrapped in fastify-plugin on purpose: its error handler, body parser and token check stay
 * inside its own plugin context and leave the host server's untouched.
 */
export const partnerKitPlugin: FastifyPluginAsync<PartnerKitOptions & { readonly providerName: string }> = async (app, options) => {
  const ctx = resolveKitContext(options, app.log);
  const settings = { providerName: options.providerName, clientId: options.clientId, issuer: options.issuer, jwksUrl: options.jwksUrl, now: ctx.now };
  await servePartnerApi(app, settings, managedResourcesApi(ctx));

  const stopRevocations = startRevocationLoop(ctx, options.revocationIntervalMs ?? 2000);
  app.addHook('preClose', async () => stopRevocations());
};
