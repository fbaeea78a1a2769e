import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ErrorBody } from '../error-schema.js';
import { actorOf } from '../plugins/auth.js';
import { presentUser, UserWire } from '../presenters/account.js';

/** `GET /v2/user`: the authenticated user (Vercel's "Get the User"). */
export const userRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/v2/user',
    {
      config: { auth: 'user' },
      schema: {
        tags: ['user'],
        summary: 'Get the authenticated user',
        response: { 200: Type.Object({ user: UserWire }), 401: ErrorBody },
      },
    },
    async (request) => ({ user: presentUser(actorOf(request).user) }),
  );
};
