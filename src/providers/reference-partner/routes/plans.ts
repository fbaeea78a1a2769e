import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { claimsOf } from '../../partner-kit/auth.js';
import { PartnerError, validationError } from '../../partner-kit/errors.js';
import { isFreePlanOffered } from '../free-quota.js';
import { findLiveInstallation } from '../installation-store.js';
import type { PartnerContext } from '../options.js';
import { FREE_PLAN_ID, installationPlans, offeredPlans, productPlans } from '../plans.js';
import { findProduct } from '../products.js';
import { getResource } from '../resource-changes.js';
import { InstallationParams, PlansQuery, ProductParams, ResourceParams } from '../../partner-kit/schemas.js';

/** List Billing Plans for a product, an installation and a resource (partner-api.md §1.1 #12–#14). */
export const planRoutes: FastifyPluginAsyncTypebox<{ ctx: PartnerContext }> = async (app, { ctx }) => {
  // May be called before the integration is installed, when the token has no installation.
  app.get('/v1/products/:productSlug/plans', { schema: { params: ProductParams, querystring: PlansQuery } }, async (request) => {
    const { productSlug } = request.params;
    const product = findProduct(productSlug);
    if (!product) throw new PartnerError('not_found', `Product ${productSlug} was not found.`);
    const metadata = parseMetadataQuery(request.query.metadata);
    const freeOffered = await isFreePlanOffered(ctx, ctx.db, claimsOf(request).installationId);
    return { plans: offeredPlans(productPlans(product, metadata), freeOffered) };
  });

  app.get('/v1/installations/:installationId/plans', { schema: { params: InstallationParams } }, async (request) => {
    const { installationId } = request.params;
    if (!(await findLiveInstallation(ctx.db, installationId))) {
      throw new PartnerError('not_found', `Installation ${installationId} was not found.`);
    }
    return { plans: offeredPlans(installationPlans(), await isFreePlanOffered(ctx, ctx.db, installationId)) };
  });

  app.get(
    '/v1/installations/:installationId/resources/:resourceId/plans',
    { schema: { params: ResourceParams, querystring: PlansQuery } },
    async (request) => {
      const { installationId, resourceId } = request.params;
      const resource = await getResource(ctx, installationId, resourceId);
      const product = findProduct(resource.productId);
      if (!product) throw new PartnerError('not_found', `Product ${resource.productId} was not found.`);
      const metadata = request.query.metadata === undefined ? resource.metadata : parseMetadataQuery(request.query.metadata);
      // A resource already on the free plan keeps seeing it: it is its current plan.
      const freeOffered = resource.billingPlanId === FREE_PLAN_ID || (await isFreePlanOffered(ctx, ctx.db, installationId));
      return { plans: offeredPlans(productPlans(product, metadata), freeOffered) };
    },
  );
};

function parseMetadataQuery(text: string | undefined): Record<string, unknown> {
  if (text === undefined || text === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw validationError([{ key: 'metadata', message: 'must be a JSON object' }]);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw validationError([{ key: 'metadata', message: 'must be a JSON object' }]);
  }
  return value as Record<string, unknown>;
}
