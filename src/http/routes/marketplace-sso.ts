import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppContext } from '../../app-context.js';
import { userCaller } from '../../providers/provider-for.js';
import { startMarketplaceSso } from '../../use-cases/sso.js';
import { errorResponses } from '../error-schema.js';
import { actorOf, teamOf } from '../plugins/auth.js';

const SsoLinkQuery = Type.Object({
  teamId: Type.Optional(Type.String({ maxLength: 128 })),
  slug: Type.Optional(Type.String({ maxLength: 128 })),
  integrationConfigurationId: Type.String({ minLength: 1, maxLength: 128 }),
  resource_id: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
});

/**
 * The SSO link `vercel integration open` prints (the CLI fixes the host to vercel.com; with the
 * host replaced by Stockroom's URL it lands here): 302 to the partner's Redirect Login URL with a
 * one-time `code` and `state`, as "Open in provider" does. Authenticated like every team route
 * (a Bearer token; the team from `teamId`), so that no cookie can be ridden by another site and
 * no token travels in a URL; errors are Vercel's JSON shape (docs/resources-and-sso-links.md).
 */
export const marketplaceSsoRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.get(
    '/api/marketplace/sso',
    {
      schema: {
        tags: ['integrations'],
        summary: 'Sign in to an installation’s (or a resource’s) dashboard at the partner: 302 to its redirect-login URL with a one-time code',
        querystring: SsoLinkQuery,
        response: { 302: Type.Null({ description: 'To the partner’s redirect-login URL; `Location` carries `code`, `state` and `resource_id`' }), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const { team, membership } = teamOf(request);
      const { url } = await startMarketplaceSso(ctx, {
        teamId: team.id,
        installationId: request.query.integrationConfigurationId,
        ...(request.query.resource_id !== undefined ? { resourceId: request.query.resource_id } : {}),
        caller: userCaller(actorOf(request).user, membership),
      });
      // The code in `Location` is a credential: never cached, never sent on as a referrer.
      return reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer').redirect(url, 302);
    },
  );
};
