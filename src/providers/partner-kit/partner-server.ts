import type { FastifyInstance } from 'fastify';
import { registerPartnerAuth } from './auth.js';
import { registerTolerantJsonParser } from './body-parser.js';
import { registerPartnerErrorHandler } from './error-handler.js';
import type { PartnerApi } from './partner-api.js';
import { billingRoutes } from './routes/billing.js';
import { installationRoutes } from './routes/installations.js';
import { planRoutes } from './routes/plans.js';
import { resourceRoutes } from './routes/resources.js';
import { secretRoutes } from './routes/secrets.js';

/** Who may call a partner server, and what it is called in its messages and logs. */
export interface PartnerServerSettings {
  /** Shown in error messages and logs, e.g. `reference partner`, `PostgreSQL provider`. */
  readonly providerName: string;
  /** The JWT `aud` it requires: the integration's client id. */
  readonly clientId: string;
  /** The JWT `iss` it requires. A function because Stockroom learns its own URL after listening. */
  readonly issuer: string | (() => string);
  /** Stockroom's JWKS URL; read on the first request, then cached (keys refetched on a new `kid`). */
  readonly jwksUrl: string | (() => string);
  readonly now: () => number;
}

/**
 * Serves the partner API (partner-api.md §1.1) in the caller's plugin context: the token check,
 * the body parser, the partner API's error shape, and the routes, which hand each operation to
 * `api`. Call it from a plugin that is not wrapped in fastify-plugin, so the host server's own
 * handlers stay untouched.
 */
export async function servePartnerApi(app: FastifyInstance, settings: PartnerServerSettings, api: PartnerApi): Promise<void> {
  assertPlansReadable(api);
  // Stockroom's own token check (src/http/plugins/auth.ts) runs on every route of the server
  // unless a route says `auth: 'none'`; a partner checks its callers' JWTs itself.
  app.addHook('onRoute', (route) => {
    route.config = { ...route.config, auth: 'none' };
  });
  registerTolerantJsonParser(app);
  registerPartnerErrorHandler(app, settings.providerName);
  registerPartnerAuth(app, { clientId: settings.clientId, issuer: settings.issuer, jwksUrl: settings.jwksUrl, now: settings.now });

  await app.register(installationRoutes, { api });
  await app.register(planRoutes, { api });
  await app.register(resourceRoutes, { api });
  await app.register(secretRoutes, { api });
  await app.register(billingRoutes, { api });
}

/**
 * A partner that changes installation plans must also report them: Stockroom reads the plan back
 * with Get Installation when an Update Installation's answer was lost, and a partner answering
 * `{}` there would have every such change refunded although it made it.
 */
export function assertPlansReadable(api: PartnerApi): void {
  if (api.updateInstallation && !api.installationPlan) {
    throw new Error('The partner API implements updateInstallation but not installationPlan: Get Installation must report the plan Update Installation set (implement installationPlan).');
  }
}
