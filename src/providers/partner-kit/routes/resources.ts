import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { idempotencyScope, sendAnswer } from '../idempotency.js';
import { InstallationParams, ListResourcesQuery, ProvisionBody, ResourceParams, UpdateResourceBody } from '../schemas.js';
import { deleteResource } from '../deprovision.js';
import type { KitContext } from '../options.js';
import { provisionResource } from '../provision.js';
import { changeResource, getLiveResource } from '../resource-changes.js';
import { listResources } from '../resource-store.js';
import { presentResource } from '../resource-view.js';

/** Provision, Get, Update, Delete and List Resources (partner-api.md §1.1 #5–#9). */
export const resourceRoutes: FastifyPluginAsyncTypebox<{ ctx: KitContext }> = async (app, { ctx }) => {
  app.post('/v1/installations/:installationId/resources', { schema: { params: InstallationParams, body: ProvisionBody } }, async (request, reply) => {
    const { installationId } = request.params;
    const { answer, replayed } = await provisionResource(ctx, installationId, request.body, idempotencyScope(request, installationId));
    return sendAnswer(reply, answer, replayed);
  });

  // Deprecated in the partner API, but Stockroom's orphan cleanup finds a resource whose id it
  // never learned here, by name: resources still being provisioned are listed too.
  app.get('/v1/installations/:installationId/resources', { schema: { params: InstallationParams, querystring: ListResourcesQuery } }, async (request) => {
    const ids = request.query.ids?.flatMap((value) => value.split(',')).filter((id) => id !== '');
    const resources = await listResources(ctx.db, request.params.installationId, ['provisioning', 'ready'], ids);
    return { resources: resources.map((r) => presentResource(r, ctx.products)) };
  });

  app.get('/v1/installations/:installationId/resources/:resourceId', { schema: { params: ResourceParams } }, async (request) => {
    const { installationId, resourceId } = request.params;
    return presentResource(await getLiveResource(ctx, installationId, resourceId), ctx.products);
  });

  app.patch('/v1/installations/:installationId/resources/:resourceId', { schema: { params: ResourceParams, body: UpdateResourceBody } }, async (request) => {
    const { installationId, resourceId } = request.params;
    return changeResource(ctx, installationId, resourceId, request.body);
  });

  // Naturally idempotent: deleting what is gone succeeds, and a half-done delete is finished.
  app.delete('/v1/installations/:installationId/resources/:resourceId', { schema: { params: ResourceParams } }, async (request, reply) => {
    const { installationId, resourceId } = request.params;
    await deleteResource(ctx, installationId, resourceId);
    return reply.code(204).send();
  });
};
