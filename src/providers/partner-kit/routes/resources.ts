import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { idempotencyScope, sendAnswer } from '../idempotency.js';
import type { PartnerApi } from '../partner-api.js';
import { InstallationParams, ListResourcesQuery, ProvisionBody, ResourceParams, UpdateResourceBody } from '../schemas.js';

/** Provision, Get, Update, Delete and List Resources (partner-api.md §1.1 #5–#9). */
export const resourceRoutes: FastifyPluginAsyncTypebox<{ api: PartnerApi }> = async (app, { api }) => {
  // Vercel's example answers 201; the partner API documents 200.
  app.post('/v1/installations/:installationId/resources', { schema: { params: InstallationParams, body: ProvisionBody } }, async (request, reply) => {
    const { installationId } = request.params;
    const { answer, replayed } = await api.provisionResource(installationId, request.body, idempotencyScope(request, installationId));
    return sendAnswer(reply, answer, replayed);
  });

  // Deprecated in the partner API, but Stockroom's orphan cleanup finds a resource whose id it
  // never learned by listing; unknown ids are left out, not refused.
  app.get('/v1/installations/:installationId/resources', { schema: { params: InstallationParams, querystring: ListResourcesQuery } }, async (request) => {
    const ids = request.query.ids?.flatMap((value) => value.split(',')).filter((id) => id !== '');
    return { resources: await api.listResources(request.params.installationId, ids) };
  });

  app.get('/v1/installations/:installationId/resources/:resourceId', { schema: { params: ResourceParams } }, async (request) => {
    return api.getResource(request.params.installationId, request.params.resourceId);
  });

  app.patch('/v1/installations/:installationId/resources/:resourceId', { schema: { params: ResourceParams, body: UpdateResourceBody } }, async (request) => {
    return api.updateResource(request.params.installationId, request.params.resourceId, request.body);
  });

  // Naturally idempotent: deleting what is gone succeeds.
  app.delete('/v1/installations/:installationId/resources/:resourceId', { schema: { params: ResourceParams } }, async (request, reply) => {
    await api.deleteResource(request.params.installationId, request.params.resourceId);
    return reply.code(204).send();
  });
};
