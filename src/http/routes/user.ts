import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { defaultTeamOf } from '../../domain/token-scope.js';
import { errorResponses } from '../error-schema.js';
import { actorOf } from '../plugins/auth.js';
import { presentUser, UserWire } from '../presenters/account.js';

/**
 * `GET /v2/user`: the authenticated user (Vercel's "Get the User"). For a team-scoped token the
 * default team is the token's team: the vercel CLI works in `defaultTeamId`, and a scoped token
 * must not learn the id of a team it cannot see.
 */
export const userRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/v2/user',
    {
      config: { auth: 'user', scopedTokens: true },
      schema: {
        tags: ['user'],
        summary: 'Get the authenticated user',
        response: { 200: Type.Object({ user: UserWire }), ...errorResponses(401) },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      return { user: presentUser({ ...actor.user, defaultTeamId: defaultTeamOf(actor) }) };
    },
  );
};
