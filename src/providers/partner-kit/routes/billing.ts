import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { PartnerApi } from '../partner-api.js';
import { InstallationParams, ProvisionPurchaseBody } from '../schemas.js';

/**
 * Provision Purchase (partner-api.md §1.1 #15): Stockroom reports a paid prepayment invoice; the
 * partner credits it and answers its balances. Served only by partners whose `PartnerApi` has
 * `provisionPurchase` (those with prepayment plans); elsewhere the path is a 404.
 */
export const billingRoutes: FastifyPluginAsyncTypebox<{ api: PartnerApi }> = async (app, { api }) => {
  const provisionPurchase = api.provisionPurchase?.bind(api);
  if (!provisionPurchase) return;
  app.post('/v1/installations/:installationId/billing/provision', { schema: { params: InstallationParams, body: ProvisionPurchaseBody } }, async (request) => {
    return provisionPurchase(request.params.installationId, { invoiceId: request.body.invoiceId });
  });
};
