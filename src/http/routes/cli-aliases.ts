import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppContext } from '../../app-context.js';
import { errorResponses } from '../error-schema.js';
import { actorOf, resolveTeam } from '../plugins/auth.js';
import { presentTeam, TeamWire } from '../presenters/account.js';
import { TeamIdParams } from '../path-params.js';
import { TeamQuery } from '../pagination.js';

/**
 * Paths the vercel CLI calls without a version prefix, which Vercel's API answers like their
 * versioned twins. `getTeamById` (every `integration` command, to name the scope) reads
 * `GET /teams/{teamId}`, the same as `GET /v2/teams/{teamId}`.
 */
export const cliAliasRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.get(
    '/teams/:teamId',
    {
      config: { auth: 'user', scopedTokens: true },
      schema: {
        tags: ['teams'],
        summary: 'Get a team by id (or slug); the unversioned path the vercel CLI uses',
        params: TeamIdParams,
        querystring: TeamQuery,
        response: { 200: TeamWire, ...errorResponses(401, 403) },
      },
    },
    async (request) => {
      const { team, membership } = await resolveTeam(ctx, actorOf(request), { teamId: request.params.teamId });
      return presentTeam(team, membership);
    },
  );
};
