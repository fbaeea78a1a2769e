import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { pingDatabase } from '../../db/database.js';
import { ApiError } from '../../errors.js';
import type { AppContext } from '../../app-context.js';
import { errorResponses } from '../error-schema.js';

/** Liveness (the process answers) and readiness (the database answers). */
export const healthRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  const Ok = Type.Object({ status: Type.Literal('ok') });
  app.get('/healthz', { config: { auth: 'none' }, schema: { tags: ['health'], response: { 200: Ok } } }, async () => ({ status: 'ok' as const }));
  app.get('/readyz', { config: { auth: 'none' }, schema: { tags: ['health'], response: { 200: Ok, ...errorResponses(503) } } }, async () => {
    try {
      await pingDatabase(ctx.db);
    } catch {
      throw new ApiError('service_unavailable', 'The database is not reachable.');
    }
    return { status: 'ok' as const };
  });
};
