import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { findLiveInstallation } from '../../db/installations.js';
import { normalizeProviderPlan } from '../../domain/provider-plans.js';
import { ApiError } from '../../errors.js';
import { isProviderError } from '../../providers/provider-error.js';
import { providerFor } from '../../providers/provider-for.js';
import type { AppContext } from '../../app-context.js';
import { errorResponses } from '../error-schema.js';
import { assertBoundedMetadata, MAX_METADATA_BYTES } from '../json-limits.js';
import { teamOf } from '../plugins/auth.js';
import { presentBillingPlan } from '../presenters/billing-plan.js';
import { BillingPlansResponse } from '../schemas/index.js';
import { sendJsonText } from '../json-text.js';
import { lazySchemaSerializer } from '../plugins/serializers.js';

/**
 * `GET /v1/integrations/integration/{integrationIdOrSlug}/products/{productIdOrSlug}/plans`
 * (vercel-contract.md §3): the product's plans, from its provider, in the provider's order.
 */
export const billingPlanRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  // A provider's plan list is reused for a few seconds (providers/plan-cache.ts), the same array
  // each time: its answer is serialized once, by the serializer Fastify would use for this
  // route's 200 (the same compiler over the same schema, so the same bytes), and kept as long
  // as the list is (issue 17).
  const answers = new WeakMap<readonly object[], string>();
  const serializeAnswer = lazySchemaSerializer(BillingPlansResponse);
  app.get(
    '/v1/integrations/integration/:integrationIdOrSlug/products/:productIdOrSlug/plans',
    {
      schema: {
        tags: ['integrations'],
        summary: "A product's billing plans, from its provider",
        params: Type.Object({ integrationIdOrSlug: Type.String({ minLength: 1, maxLength: 128 }), productIdOrSlug: Type.String({ minLength: 1, maxLength: 128 }) }),
        querystring: Type.Object({
          integrationConfigurationId: Type.Optional(Type.String({ maxLength: 128 })),
          metadata: Type.Optional(Type.String({ maxLength: MAX_METADATA_BYTES, description: 'the form input as a JSON object string' })),
          source: Type.Optional(Type.String()),
          teamId: Type.Optional(Type.String()),
          slug: Type.Optional(Type.String()),
        }),
        response: { 200: BillingPlansResponse, ...errorResponses(400, 401, 403, 404, 500) },
      },
    },
    async (request, reply) => {
      const { team } = teamOf(request);
      const { integrationIdOrSlug, productIdOrSlug } = request.params;
      const integration = ctx.catalog.findIntegration(integrationIdOrSlug);
      if (!integration) throw new ApiError('not_found', `The integration ${integrationIdOrSlug} was not found.`);
      const product = ctx.catalog.findProduct(integration, productIdOrSlug);
      if (!product) throw new ApiError('not_found', `The product ${productIdOrSlug} of ${integration.slug} was not found.`);
      let installationId: string | null = null;
      const { integrationConfigurationId } = request.query;
      if (integrationConfigurationId) {
        const installation = await findLiveInstallation(ctx.db, team.id, integrationConfigurationId);
        if (!installation || installation.integrationId !== integration.id) {
          throw new ApiError('not_found', `The integration configuration ${integrationConfigurationId} was not found.`);
        }
        installationId = installation.id;
      }
      const metadata = parseMetadataQuery(request.query.metadata);
      try {
        const plans = await providerFor(ctx.partners, ctx.providerBaseUrl, integration).listProductPlans(
          product.providerProductId,
          { installationId, ...(metadata ? { metadata } : {}) },
          { accountId: team.id },
        );
        let json = answers.get(plans);
        if (json === undefined) {
          json = serializeAnswer({ plans: plans.map((plan) => presentBillingPlan(normalizeProviderPlan(plan))) });
          answers.set(plans, json);
        }
        return sendJsonText(reply, json);
      } catch (error) {
        throw isProviderError(error) ? error.toApiError() : error;
      }
    },
  );
};

function parseMetadataQuery(raw: string | undefined): Record<string, unknown> | undefined {
  if (raw === undefined || raw === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new ApiError('bad_request', '`metadata` must be a JSON object string.', { param: 'metadata' });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ApiError('bad_request', '`metadata` must be a JSON object string.', { param: 'metadata' });
  }
  assertBoundedMetadata('metadata', parsed);
  return parsed as Record<string, unknown>;
}
