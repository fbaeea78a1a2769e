import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { claimsOf } from '../auth.js';
import { PartnerError } from '../errors.js';
import type { PartnerApi } from '../partner-api.js';
import { InstallationParams, PlansQuery, ProductParams, ResourceParams } from '../schemas.js';

/** List Billing Plans for a product, an installation and a resource (partner-api.md §1.1 #12–#14). */
export const planRoutes: FastifyPluginAsyncTypebox<{ api: PartnerApi }> = async (app, { api }) => {
  // May be called before the integration is installed, when the token has no installation.
  app.get('/v1/products/:productSlug/plans', { schema: { params: ProductParams, querystring: PlansQuery } }, async (request) => {
    return { plans: await api.productPlans(request.params.productSlug, request.query.metadata, claimsOf(request).installationId) };
  });

  app.get('/v1/installations/:installationId/plans', { schema: { params: InstallationParams } }, async (request) => {
    const { installationId } = request.params;
    if (!(await api.isLiveInstallation(installationId))) throw new PartnerError('not_found', `Installation ${installationId} was not found.`);
    return { plans: await api.installationPlans(installationId) };
  });

  app.get(
    '/v1/installations/:installationId/resources/:resourceId/plans',
    { schema: { params: ResourceParams, querystring: PlansQuery } },
    async (request) => {
      const { installationId, resourceId } = request.params;
      return { plans: await api.resourcePlans(installationId, resourceId, request.query.metadata) };
    },
  );
};
