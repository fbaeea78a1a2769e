import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { integrationsInCategories } from '../../catalog/discovery.js';
import { MARKETPLACE_CATEGORIES } from '../../schemas/categories.js';
import { INSTALLATION_TYPES, StringEnum } from '../../schemas/enums.js';
import type { AppContext } from '../../app-context.js';
import { errorResponses } from '../error-schema.js';
import { TeamQuery } from '../pagination.js';
import { presentMarketplaceIntegration } from '../presenters/marketplace-integration.js';
import { MarketplaceCategory, MarketplaceIntegration } from '../schemas/marketplace.js';

/**
 * The marketplace's shop window, read by `vercel integration discover`, `categories` and the
 * fallback of `integration add <unknown slug>` (docs/catalog.md): the catalog's integrations, by
 * category, and the categories themselves. Both answer bare arrays, as the CLI reads them.
 */
export const marketplaceDiscoveryRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.get(
    '/v2/integrations/integrations',
    {
      schema: {
        tags: ['integrations'],
        summary: "The catalog's integrations with their products, guides and categories",
        description:
          '`category` (repeatable; a slug of `GET /v2/integrations/categories` or its `tag_*` id) keeps the integrations in any of them; an unknown one is a 400. ' +
          'Every catalog integration is a marketplace one, so `integrationType=external` answers an empty list.',
        querystring: Type.Object({
          ...TeamQuery.properties,
          integrationType: Type.Optional(StringEnum(INSTALLATION_TYPES)),
          category: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 50 })),
        }),
        response: { 200: Type.Array(MarketplaceIntegration), ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => {
      if (request.query.integrationType === 'external') return [];
      return integrationsInCategories(ctx.catalog, request.query.category ?? []).map(presentMarketplaceIntegration);
    },
  );

  app.get(
    '/v2/integrations/categories',
    {
      schema: {
        tags: ['integrations'],
        summary: 'The marketplace categories: the slugs `category` filters by, and the titles of the `tag_*` ids',
        querystring: TeamQuery,
        response: { 200: Type.Array(MarketplaceCategory), ...errorResponses(401, 403) },
      },
    },
    async () => MARKETPLACE_CATEGORIES.map(({ id, slug, title }) => ({ id, slug, title })),
  );
};
