import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import { Type, type Static } from 'typebox';
import type { CatalogIntegration, CatalogProduct } from '../../catalog/catalog.js';
import { createStorePorts } from '../../use-cases/create-store-ports.js';
import { installForActor } from '../../use-cases/install-ports.js';
import { listLiveInstallations } from '../../db/installations.js';
import { chooseInstallation, missingRequiredMetadata, type BrowserReason } from '../../domain/auto-provision.js';
import { createStore } from '../../domain/create-store.js';
import type { Installation } from '../../domain/installations.js';
import { ApiError } from '../../errors.js';
import { isProviderError } from '../../providers/provider-error.js';
import type { AppContext } from '../../app-context.js';
import { errorResponses, STORE_CREATE_ERRORS } from '../error-schema.js';
import { assertBoundedMetadata } from '../json-limits.js';
import { TeamQuery } from '../pagination.js';
import { actorOf, teamOf } from '../plugins/auth.js';
import { presentBillingPlan } from '../presenters/billing-plan.js';
import { named, presentMarketplaceIntegration } from '../presenters/marketplace-integration.js';
import { AutoProvisionBody, AutoProvisioned, AutoProvisionFallback, MarketplaceIntegration } from '../schemas/marketplace.js';

const Slug = Type.String({ minLength: 1, maxLength: 128 });

/**
 * The marketplace install flow of `vercel integration add <integration>/<product>`
 * (partner-api.md §3.2): the integration as the catalog has it, then auto-provision, which creates
 * the store with the same `createStore` core as the direct endpoint. What a terminal cannot do
 * (choose between installations, accept terms, fill a required form field) answers 422 with a URL
 * of this Stockroom's console, where the create form takes over.
 */
export const marketplaceInstallRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.get(
    '/v2/integrations/integration/:integrationIdOrSlug',
    {
      schema: {
        tags: ['integrations'],
        summary: 'An integration of the catalog with its products and their metadata schemas',
        params: Type.Object({ integrationIdOrSlug: Slug }),
        querystring: TeamQuery,
        response: { 200: MarketplaceIntegration, ...errorResponses(401, 403, 404) },
      },
    },
    async (request) => {
      const integration = ctx.catalog.findIntegration(request.params.integrationIdOrSlug);
      if (!integration) throw new ApiError('not_found', `The integration ${request.params.integrationIdOrSlug} is not in this Stockroom's catalog.`);
      return presentMarketplaceIntegration(integration);
    },
  );

  app.post(
    '/v1/integrations/integration/:integrationIdOrSlug/marketplace/auto-provision/:productIdOrSlug',
    {
      config: { write: true },
      schema: {
        tags: ['integrations'],
        summary: "Create a store in the team's installation of the integration (installing it first when the terms were accepted)",
        description:
          'The vercel CLI\'s `integration add`. Omit billingPlanId for the first free plan; paid plans use the team\'s default payment method. 422 answers "finish in the browser" with a console URL.',
        params: Type.Object({ integrationIdOrSlug: Slug, productIdOrSlug: Slug }),
        querystring: TeamQuery,
        body: AutoProvisionBody,
        // 422: finish in the browser (AutoProvisionFallback), or one of a create's own errors.
        response: { 200: AutoProvisioned, 422: AutoProvisionFallback, ...STORE_CREATE_ERRORS },
      },
    },
    async (request, reply) => {
      const { team, membership } = teamOf(request);
      const user = actorOf(request).user;
      const { integrationIdOrSlug, productIdOrSlug } = request.params;
      const body = request.body;
      const integration = ctx.catalog.findIntegration(integrationIdOrSlug);
      if (!integration) throw new ApiError('not_found', `The integration ${integrationIdOrSlug} is not in this Stockroom's catalog.`);
      const product = ctx.catalog.findProduct(integration, productIdOrSlug);
      if (!product) throw new ApiError('not_found', `The product ${productIdOrSlug} of ${integration.slug} was not found.`);
      if (body.installationMetadata && Object.keys(body.installationMetadata).length > 0) {
        // Catalog integrations have no installation-level metadata schema to check it against.
        throw new ApiError('bad_request', `${integration.slug} takes no installation metadata.`, { param: 'installationMetadata' });
      }
      const metadata = body.metadata ?? {};
      // Sent on to the provider: bounded before any provider call or insert.
      assertBoundedMetadata('metadata', metadata);
      const browser = (reason: BrowserReason, message: string, installations?: readonly Installation[]) =>
        (reply as FastifyReply).code(422).send(fallback(ctx, { team, integration, product, reason, message, ...(installations ? { installations } : {}) }));

      const installations = (await listLiveInstallations(ctx.db, team.id)).filter((i) => i.integrationId === integration.id);
      const choice = chooseInstallation(installations, { ...(body.installationId ? { installationId: body.installationId } : {}), acceptedPolicies: body.acceptedPolicies ?? {} }, integration);
      if (choice.kind === 'browser') return browser(choice.reason, choice.message, choice.installations);
      const missing = missingRequiredMetadata(product.metadataSchema, metadata);
      if (missing.length > 0) return browser('metadata_required', `Missing required metadata: ${missing.join(', ')}.`);

      // Installing first is safe to keep should the create below fail: the terms were accepted,
      // and installing again answers the same installation.
      const installation = choice.kind === 'use' ? choice.installation : await install(ctx, integration, { user, team, membership });
      const { store } = await createStore(createStorePorts(ctx, { user, membership }), {
        teamId: team.id,
        teamBillingState: team.billingState,
        userId: user.id,
        name: body.name,
        integrationConfigurationId: installation.id,
        integrationProductIdOrSlug: product.id,
        metadata,
        source: body.source ?? 'cli',
        ...(body.billingPlanId !== undefined ? { billingPlanId: body.billingPlanId } : {}),
      });
      const answer: Static<typeof AutoProvisioned> = {
        kind: 'provisioned',
        integration: named(integration),
        product: named(product),
        installation: { id: installation.id },
        resource: {
          id: store.id,
          externalResourceId: store.externalResourceId ?? '',
          name: store.name,
          status: store.status ?? 'initializing',
          secretKeys: store.secrets.map((s) => s.name),
        },
        billingPlan: presentBillingPlan(store.billingPlan),
      };
      return answer;
    },
  );
};

async function install(ctx: AppContext, integration: CatalogIntegration, actor: Parameters<typeof installForActor>[2]): Promise<Installation> {
  try {
    return await installForActor(ctx, integration, actor);
  } catch (error) {
    throw isProviderError(error) ? error.toApiError() : error;
  }
}

/** The 422 body: where the console's create form continues, with the integration and product preselected. */
function fallback(
  ctx: AppContext,
  what: { team: { id: string }; integration: CatalogIntegration; product: CatalogProduct; reason: BrowserReason; message: string; installations?: readonly Installation[] },
): Static<typeof AutoProvisionFallback> {
  const url = new URL('/', ctx.publicUrl());
  url.searchParams.set('integration', what.integration.slug);
  url.searchParams.set('product', what.product.slug);
  url.searchParams.set('teamId', what.team.id);
  const fields = {
    kind: 'unknown' as const,
    reason: what.reason,
    error_message: what.message,
    url: url.href,
    integration: named(what.integration),
    product: named(what.product),
    ...(what.installations ? { installations: what.installations.map((i) => ({ id: i.id, type: 'marketplace', status: i.status })) } : {}),
  };
  return { ...fields, error: { code: 'action_required', message: what.message, ...fields } };
}
