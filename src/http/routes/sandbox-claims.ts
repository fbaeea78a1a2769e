import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppContext } from '../../app-context.js';
import { userCaller } from '../../providers/provider-for.js';
import { startSandboxClaim } from '../../use-cases/sandbox-claim.js';
import { errorResponses } from '../error-schema.js';
import { TeamQuery } from '../pagination.js';
import { actorOf, teamOf } from '../plugins/auth.js';

/**
 * Claiming a sandbox resource (`vercel integration resource claim`, docs/resources-and-sso-links.md):
 * a claim URL at the partner's claim page. The CLI then polls `GET /v1/storage/stores/{id}` until
 * `ownership` is no longer `sandbox`, which the partner sets with Update Resource.
 */
export const sandboxClaimRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.post(
    '/v1/integrations/installations/:integrationConfigurationId/resources/:resourceId/sandbox/claim-url',
    {
      config: { write: true },
      schema: {
        tags: ['integrations'],
        summary: 'A claim URL for a sandbox resource: the partner’s claim page with a one-time sign-in code (5 min)',
        params: Type.Object({ integrationConfigurationId: Type.String({ minLength: 1, maxLength: 128 }), resourceId: Type.String({ minLength: 1, maxLength: 256 }) }),
        querystring: TeamQuery,
        body: Type.Optional(Type.Object({ source: Type.Optional(Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' })) })),
        response: { 200: Type.Object({ claimUrl: Type.String() }), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const { team, membership } = teamOf(request);
      return startSandboxClaim(ctx, {
        teamId: team.id,
        installationId: request.params.integrationConfigurationId,
        resourceId: request.params.resourceId,
        caller: userCaller(actorOf(request).user, membership),
        source: request.body?.source ?? 'api',
      });
    },
  );
};
