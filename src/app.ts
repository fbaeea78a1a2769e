import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { LogController, type FastifyBaseLogger } from 'fastify';
import type { AnyFastify } from './any-fastify.js';
import type { Logger } from 'pino';
import type { AppContext } from './app-context.js';
import { answerClientError, collectRouteMatchers, registerErrorHandler, renderFrameworkError } from './http/plugins/error-handler.js';
import { registerAuth } from './http/plugins/auth.js';
import { registerCloseOnShutdown } from './http/plugins/close-on-shutdown.js';
import { registerNulGuard } from './http/plugins/nul-guard.js';
import { registerIdempotency } from './http/plugins/idempotency.js';
import { registerJsonBodyParser } from './http/plugins/json-body.js';
import { registerSerializers } from './http/plugins/serializers.js';
import { registerValidators } from './http/plugins/validators.js';
import { requestIdFor } from './http/plugins/request-id.js';
import { isOwnApiRoute, MUTATING_METHODS } from './http/own-api-route.js';
import { adminUserRoutes } from './http/routes/admin-users.js';
import { billingPlanRoutes } from './http/routes/billing-plans.js';
import { billingThresholdRoutes } from './http/routes/billing-thresholds.js';
import { cliAliasRoutes } from './http/routes/cli-aliases.js';
import { consoleRoutes } from './http/routes/console.js';
import { createStoreRoutes } from './http/routes/create-store.js';
import { envVarRoutes } from './http/routes/env-vars.js';
import { projectRoutes } from './http/routes/projects.js';
import { storeConnectionRoutes } from './http/routes/store-connections.js';
import { webhookDeliveryRoutes } from './http/routes/webhook-deliveries.js';
import { storeRoutes } from './http/routes/stores.js';
import { installationRoutes } from './http/routes/installations.js';
import { marketplaceDiscoveryRoutes } from './http/routes/marketplace-discovery.js';
import { marketplaceInstallRoutes } from './http/routes/marketplace-install.js';
import { marketplaceUninstallRoutes } from './http/routes/marketplace-uninstall.js';
import { wellKnownRoutes } from './http/routes/well-known.js';
import { healthRoutes } from './http/routes/health.js';
import { memberRoutes } from './http/routes/members.js';
import { openApiRoutes } from './http/routes/openapi.js';
import { partnerCallbackRoutes } from './http/routes/partner-callbacks.js';
import { partnerInstallationRoutes } from './http/routes/partner-installation.js';
import { partnerResourceRoutes } from './http/routes/partner-resources.js';
import { partnerInvoiceRoutes } from './http/routes/partner-invoices.js';
import { storeInvoiceRoutes } from './http/routes/store-invoices.js';
import { partnerBillingRoutes } from './http/routes/partner-billing.js';
import { ssoRoutes } from './http/routes/sso.js';
import { storePartnerPanelRoutes } from './http/routes/store-partner-panels.js';
import { paymentMethodRoutes } from './http/routes/payment-methods.js';
import { teamRoutes } from './http/routes/teams.js';
import { tokenRoutes } from './http/routes/tokens.js';
import { userRoutes } from './http/routes/user.js';
import { countersFor } from './rate-limits/counters.js';
import { registerRateLimit, type RateLimitSettings } from './rate-limits/plugin.js';

/** Settings of the app's own plugins, from the configuration. */
export interface AppOptions {
  /** Per-token limits and the per-team provisioning limit; absent, nothing is limited. */
  readonly rateLimit?: RateLimitSettings & { readonly provisioningPerTeam: number };
}

/** Builds the HTTP application over ready adapters. It never listens (main.ts does). */
export async function buildApp(ctx: AppContext, logger: Logger, options: AppOptions = {}): Promise<AnyFastify> {
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    genReqId: requestIdFor,
    requestIdHeader: false,
    // One line per request, written in onResponse below, instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 1024 * 1024,
    return503OnClosing: true,
    frameworkErrors: renderFrameworkError,
    clientErrorHandler: answerClientError,
  }).withTypeProvider<TypeBoxTypeProvider>();

  const matchers = collectRouteMatchers(app);
  registerErrorHandler(app, matchers);
  registerJsonBodyParser(app);
  registerValidators(app);
  registerSerializers(app);
  // Stockroom's API speaks JSON only: other bodies answer 415 rather than reaching a handler.
  app.removeContentTypeParser('text/plain');
  registerNulGuard(app);
  registerCloseOnShutdown(app);
  registerAuth(app, ctx);
  // After auth, whose onRequest hook resolves the token and team both of these key on. The
  // idempotency claim comes before the provisioning limit (met where a create writes its row), so
  // a replay is answered even at the limit, and the limit's 429 is never stored under a key.
  const limits = options.rateLimit;
  if (limits?.enabled) {
    registerRateLimit(app, limits, {
      counters: countersFor(ctx, limits.redisUrl),
      now: ctx.now,
      appliesTo: isOwnApiRoute,
      writes: (request) => MUTATING_METHODS.has(request.method),
    });
  }
  registerIdempotency(app, ctx);
  app.addHook('onSend', async (request, reply) => {
    void reply.header('x-request-id', request.id);
  });
  app.addHook('onResponse', async (request, reply) => {
    request.log.info({ method: request.method, url: request.url.split('?')[0], status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request');
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Stockroom',
        version: '0.1.0',
        description: "A self-hostable implementation of Vercel's Marketplace storage API. Paths under /stockroom/ are Stockroom's extensions.",
      },
      components: { securitySchemes: { bearerToken: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearerToken: [] }],
    },
  });

  await app.register(healthRoutes, { ctx });
  await app.register(openApiRoutes);
  await app.register(userRoutes);
  await app.register(teamRoutes, { ctx });
  await app.register(memberRoutes, { ctx });
  await app.register(tokenRoutes, { ctx });
  await app.register(adminUserRoutes, { ctx });
  await app.register(paymentMethodRoutes, { ctx });
  await app.register(wellKnownRoutes, { ctx });
  await app.register(installationRoutes, { ctx });
  await app.register(billingPlanRoutes, { ctx });
  await app.register(createStoreRoutes, { ctx });
  await app.register(partnerCallbackRoutes, { ctx });
  await app.register(partnerInstallationRoutes, { ctx });
  await app.register(partnerResourceRoutes, { ctx });
  await app.register(partnerInvoiceRoutes, { ctx });
  await app.register(storeInvoiceRoutes, { ctx });
  await app.register(partnerBillingRoutes, { ctx });
  await app.register(billingThresholdRoutes, { ctx });
  await app.register(ssoRoutes, { ctx });
  await app.register(storePartnerPanelRoutes, { ctx });
  await app.register(storeRoutes, { ctx });
  await app.register(storeConnectionRoutes, { ctx });
  await app.register(webhookDeliveryRoutes, { ctx });
  await app.register(projectRoutes, { ctx });
  await app.register(envVarRoutes, { ctx });
  await app.register(marketplaceDiscoveryRoutes, { ctx });
  await app.register(marketplaceInstallRoutes, { ctx });
  await app.register(marketplaceUninstallRoutes, { ctx });
  await app.register(cliAliasRoutes, { ctx });
  await app.register(consoleRoutes);
  return app;
}
