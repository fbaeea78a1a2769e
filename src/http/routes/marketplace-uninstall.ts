import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { uninstall } from '../../use-cases/uninstall.js';
import { findLiveInstallation } from '../../db/installations.js';
import { ApiError } from '../../errors.js';
import { userCaller } from '../../providers/provider-for.js';
import type { AppContext } from '../../app-context.js';
import { errorResponses } from '../error-schema.js';
import { TeamQuery } from '../pagination.js';
import { actorOf, teamOf } from '../plugins/auth.js';
import { IdParams } from '../path-params.js';

/**
 * `POST /v2/integrations/installations/{id}/uninstall`, what `vercel integration remove` calls.
 * It never deletes stores: while the installation has live ones it answers 403 with a message
 * naming its resources, which is what the CLI recognises to list them and say how to remove them
 * (`vercel integration-resource remove … --disconnect-all`). Deliberately 403 and not the 409 of
 * `DELETE /v1/integrations/configuration/{id}`: this path exists for the CLI, and the CLI keys on
 * Vercel's status. Without stores, the provider is told (Delete Installation) and the
 * installation is removed.
 */
export const marketplaceUninstallRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.post(
    '/v2/integrations/installations/:id/uninstall',
    {
      config: { write: true },
      schema: {
        tags: ['integrations'],
        summary: 'Uninstall an integration that has no live stores (403 while it has some)',
        params: IdParams,
        querystring: TeamQuery,
        body: Type.Optional(Type.Object({})),
        response: { 200: Type.Object({}), ...errorResponses(401, 403, 404, 500) },
      },
    },
    async (request) => {
      const { team, membership } = teamOf(request);
      const installation = await findLiveInstallation(ctx.db, team.id, request.params.id);
      const integration = installation ? ctx.catalog.findIntegration(installation.integrationId) : undefined;
      if (!installation || !integration) throw new ApiError('not_found', `The integration configuration ${request.params.id} was not found.`);
      await uninstall(ctx, {
        installation,
        integration,
        cascade: false,
        reason: 'uninstalled with the vercel CLI',
        caller: userCaller(actorOf(request).user, membership),
        refuse: (count) => new ApiError('forbidden', `Cannot uninstall ${integration.slug}: the installation still has ${count} resources; delete them first.`),
      });
      return {};
    },
  );
};
