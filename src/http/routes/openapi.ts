import type { FastifyPluginAsync } from 'fastify';

/** The OpenAPI 3.1 document, generated from the same TypeBox schemas that validate and serialize. */
export const openApiRoutes: FastifyPluginAsync = async (app) => {
  app.get('/openapi.json', { config: { auth: 'none' }, schema: { hide: true } }, async (_request, reply) => {
    return reply.type('application/json; charset=utf-8').send(app.swagger());
  });
};
