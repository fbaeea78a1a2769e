import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppContext } from '../../app-context.js';
import { missingPolicies } from '../../domain/auto-provision.js';
import { ApiError } from '../../errors.js';
import { SOURCES, StringEnum } from '../../schemas/enums.js';
import { isProviderError } from '../../providers/provider-error.js';
import { installForActor } from '../../use-cases/install-ports.js';
import { errorResponses } from '../error-schema.js';
import { TeamQuery } from '../pagination.js';
import { actorOf, teamOf } from '../plugins/auth.js';
import { presentConfiguration } from '../presenters/configuration.js';
import { IntegrationConfiguration } from '../schemas/index.js';

/**
 * `vercel integration accept-terms <integration>` in a terminal: the person accepted the
 * marketplace terms at the prompt, and the CLI installs the integration for the team with no
 * resource (docs/resources-and-sso-links.md). Every policy the integration needs must carry an
 * acceptance time (the rule `integration add` follows); installing twice answers the live
 * installation. The CLI reads the answer's `id`.
 */
export const marketplaceAcceptTermsRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.post(
    '/v2/integrations/integration/:integrationIdOrSlug/marketplace/install',
    {
      config: { write: true },
      schema: {
        tags: ['integrations'],
        summary: 'Install an integration for the team once its terms are accepted (no resource); answers the installation',
        params: Type.Object({ integrationIdOrSlug: Type.String({ minLength: 1, maxLength: 128 }) }),
        querystring: TeamQuery,
        body: Type.Object({
          acceptedPolicies: Type.Record(Type.String({ maxLength: 32 }), Type.String({ maxLength: 64 })),
          source: Type.Optional(StringEnum(SOURCES)),
        }),
        response: { 200: IntegrationConfiguration, ...errorResponses(400, 401, 403, 404, 409, 500) },
      },
    },
    async (request) => {
      const { team, membership } = teamOf(request);
      const integration = ctx.catalog.findIntegration(request.params.integrationIdOrSlug);
      if (!integration) throw new ApiError('not_found', `The integration ${request.params.integrationIdOrSlug} is not in this Stockroom's catalog.`);
      const missing = missingPolicies(integration, request.body.acceptedPolicies);
      if (missing.length > 0) {
        throw new ApiError('bad_request', `Installing ${integration.slug} requires accepting ${missing.join(', ')} first (a time for each in acceptedPolicies).`, { param: 'acceptedPolicies' });
      }
      try {
        return presentConfiguration(await installForActor(ctx, integration, { user: actorOf(request).user, team, membership }), integration);
      } catch (error) {
        throw isProviderError(error) ? error.toApiError() : error;
      }
    },
  );
};
