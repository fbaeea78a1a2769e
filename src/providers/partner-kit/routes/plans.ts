import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { PartnerError } from '../errors.js';
import { InstallationParams, PlansQuery, ProductParams, ResourceParams } from '../schemas.js';
import { isLiveInstallation } from '../installation-store.js';
import type { KitContext } from '../options.js';
import { billingPlans, findKitProduct, installationBillingPlans } from '../products.js';
import { getLiveResource } from '../resource-changes.js';

/**
 * List Billing Plans for a product, an installation and a resource (partner-api.md §1.1 #12–#14).
 * Plans do not depend on metadata here, so the `metadata` query is accepted and not read.
 */
export const planRoutes: FastifyPluginAsyncTypebox<{ ctx: KitContext }> = async (app, { ctx }) => {
  app.get('/v1/products/:productSlug/plans', { schema: { params: ProductParams, querystring: PlansQuery } }, async (request) => {
    const product = ctx.products.find((p) => p.slug === request.params.productSlug);
    if (!product) throw new PartnerError('not_found', `Product ${request.params.productSlug} was not found.`);
    return { plans: billingPlans(product) };
  });

  app.get('/v1/installations/:installationId/plans', { schema: { params: InstallationParams } }, async (request) => {
    const { installationId } = request.params;
    if (!(await isLiveInstallation(ctx.db, installationId))) throw new PartnerError('not_found', `Installation ${installationId} was not found.`);
    return { plans: installationBillingPlans(ctx.products) };
  });

  app.get(
    '/v1/installations/:installationId/resources/:resourceId/plans',
    { schema: { params: ResourceParams, querystring: PlansQuery } },
    async (request) => {
      const resource = await getLiveResource(ctx, request.params.installationId, request.params.resourceId);
      return { plans: billingPlans(findKitProduct(ctx.products, resource.productId)) };
    },
  );
};
