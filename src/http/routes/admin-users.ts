import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { createUserWithTeam, issueToken } from '../../db/accounts-store.js';
import type { AppContext } from '../../app-context.js';
import { errorResponses } from '../error-schema.js';
import { presentTeam, presentUser, TeamWire, UserWire } from '../presenters/account.js';

/**
 * Stockroom extension (no Vercel equivalent: Vercel users sign up themselves). An operator creates
 * a user, who gets a team of their own and a first token, shown once.
 */
export const adminUserRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.post(
    '/stockroom/v1/users',
    {
      config: { auth: 'user', admin: true },
      schema: {
        tags: ['stockroom'],
        summary: 'Create a user with a personal team and a first token (operators only)',
        body: Type.Object({
          email: Type.String({ format: 'email', maxLength: 254 }),
          username: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,47}$' }),
          name: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
        }),
        response: {
          200: Type.Object({ user: UserWire, team: TeamWire, bearerToken: Type.String() }),
          ...errorResponses(400, 401, 403, 409),
        },
      },
    },
    async (request) => {
      const now = ctx.now();
      const { email, username, name } = request.body;
      const { user, team } = await createUserWithTeam(ctx.db, { email, username, name: name ?? null, isAdmin: false, teamSlug: username, teamName: name ?? username, now });
      const { value } = await issueToken(ctx.db, { userId: user.id, name: 'initial', teamId: null, expiresAt: null, origin: 'stockroom-admin', now });
      return { user: presentUser(user), team: presentTeam(team, { teamId: team.id, userId: user.id, role: 'OWNER', createdAt: now }), bearerToken: value };
    },
  );
};
