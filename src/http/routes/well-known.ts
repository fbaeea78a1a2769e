import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppContext } from '../../app-context.js';

/**
 * Stockroom's public signing keys. Providers verify the JWTs Stockroom sends them against this
 * set (partner-api.md §1.3); both paths are served because partners fetch either.
 */
export const wellKnownRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  for (const path of ['/.well-known/jwks', '/.well-known/jwks.json']) {
    app.get(path, { config: { auth: 'none' }, schema: { tags: ['partner'], summary: "Stockroom's JSON Web Key Set" } }, async (_request, reply) => {
      // Keys change rarely; a short cache spares partners a fetch per call without delaying a rotation much.
      return reply.header('cache-control', 'public, max-age=300').type('application/json; charset=utf-8').send(await ctx.signer.jwks());
    });
  }
};
