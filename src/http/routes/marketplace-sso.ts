import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppContext } from '../../app-context.js';
import { userCaller } from '../../providers/provider-for.js';
import { startMarketplaceSso } from '../../use-cases/sso.js';
import { errorResponses } from '../error-schema.js';
import { TeamQuery } from '../pagination.js';
import { actorOf, teamOf } from '../plugins/auth.js';

const InstallationId = Type.String({ minLength: 1, maxLength: 128 });
const ResourceId = Type.String({ minLength: 1, maxLength: 256 });
const SsoLinkQuery = Type.Object({ ...TeamQuery.properties, integrationConfigurationId: InstallationId, resource_id: Type.Optional(ResourceId) });

/**
 * The SSO link `vercel integration open` prints (the CLI fixes the host to vercel.com; with the
 * host replaced by Stockroom's URL it lands here), docs/resources-and-sso-links.md:
 * - with `Authorization: Bearer`, 302 to the partner's Redirect Login URL with a one-time `code`
 *   and `state`, as "Open in provider" does;
 * - from a browser (no Authorization header: Stockroom has no cookies), 302 to the console's
 *   `#/sso?…` page, which asks the signed-in person to continue and then calls the POST route.
 * No token ever travels in a URL, and no cookie can be ridden by another site.
 */
export const marketplaceSsoRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.get(
    '/api/marketplace/sso',
    {
      config: { anonymous: true },
      schema: {
        tags: ['integrations'],
        summary: 'Sign in to an installation’s (or a resource’s) dashboard at the partner: 302 to its redirect-login URL with a one-time code (from a browser without a token: to the console)',
        querystring: SsoLinkQuery,
        response: { 302: Type.Null({ description: 'To the partner’s redirect-login URL (`code`, `state`, `resource_id`), or without a token to the console’s `#/sso?…` page' }), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      // The code in `Location` is a credential: never cached, never sent on as a referrer.
      void reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer');
      if (request.actor === null) {
        const query = request.query;
        const forward = new URLSearchParams({ integrationConfigurationId: query.integrationConfigurationId });
        if (query.teamId !== undefined) forward.set('teamId', query.teamId);
        if (query.slug !== undefined) forward.set('slug', query.slug);
        if (query.resource_id !== undefined) forward.set('resource_id', query.resource_id);
        return reply.redirect(`/#/sso?${forward}`, 302);
      }
      const { url } = await startMarketplaceSso(ctx, {
        teamId: teamOf(request).team.id,
        installationId: request.query.integrationConfigurationId,
        ...(request.query.resource_id !== undefined ? { resourceId: request.query.resource_id } : {}),
        caller: userCaller(actorOf(request).user, teamOf(request).membership),
      });
      return reply.redirect(url, 302);
    },
  );

  app.post(
    '/stockroom/v1/marketplace/sso',
    {
      schema: {
        tags: ['stockroom'],
        summary: 'The console’s half of the SSO link: a one-time SSO code (5 min) and the partner’s redirect-login URL carrying it',
        querystring: TeamQuery,
        body: Type.Object({ integrationConfigurationId: InstallationId, resource_id: Type.Optional(ResourceId) }),
        response: { 200: Type.Object({ url: Type.String(), expiresAt: Type.Number() }), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const { team, membership } = teamOf(request);
      return startMarketplaceSso(ctx, {
        teamId: team.id,
        installationId: request.body.integrationConfigurationId,
        ...(request.body.resource_id !== undefined ? { resourceId: request.body.resource_id } : {}),
        caller: userCaller(actorOf(request).user, membership),
      });
    },
  );
};
