import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { readProvisionHooks } from '../hooks.js';
import { idempotencyScope, sendAnswer, type Answer } from '../../partner-kit/idempotency.js';
import { findReplay } from '../idempotency.js';
import type { PartnerContext } from '../options.js';
import { provisionResource } from '../provision.js';
import { changeResource, deleteResource, getResource } from '../resource-changes.js';
import { listLiveResources } from '../resource-store.js';
import { presentResource } from '../resource-view.js';
import { InstallationParams, ListResourcesQuery, ProvisionBody, ResourceParams, UpdateResourceBody } from '../../partner-kit/schemas.js';

/** Provision, Get, Update, Delete and List Resources (partner-api.md §1.1 #5–#9). */
export const resourceRoutes: FastifyPluginAsyncTypebox<{ ctx: PartnerContext }> = async (app, { ctx }) => {
  // Vercel's example answers 201; the partner API documents 200.
  app.post(
    '/v1/installations/:installationId/resources',
    { schema: { params: InstallationParams, body: ProvisionBody } },
    async (request, reply) => {
      const { installationId } = request.params;
      const scope = idempotencyScope(request, installationId);
      // A replay answers at once, even for `fail-slow`: the work was done the first time.
      const replay = scope && (await findReplay(ctx, scope));
      if (replay) return sendAnswer(reply, replay, true);

      const hooks = readProvisionHooks(request.body.name, request.body.metadata, ctx);
      let outcome: { answer: Answer; replayed: boolean };
      try {
        outcome = await provisionResource(ctx, installationId, request.body, hooks, scope);
      } finally {
        // `fail-slow` delays every answer, refusals included, as a slow partner would.
        if (hooks.answerDelayMs > 0) await pause(hooks.answerDelayMs, ctx.closing);
      }
      return sendAnswer(reply, outcome.answer, outcome.replayed);
    },
  );

  // Deprecated in the partner API but still served; unknown ids are left out, not refused.
  app.get(
    '/v1/installations/:installationId/resources',
    { schema: { params: InstallationParams, querystring: ListResourcesQuery } },
    async (request) => {
      const ids = request.query.ids?.flatMap((value) => value.split(',')).filter((id) => id !== '');
      const resources = await listLiveResources(ctx.db, ctx.secretBox, request.params.installationId, ids);
      const now = ctx.now();
      return { resources: resources.map((r) => presentResource(r, now)) };
    },
  );

  app.get('/v1/installations/:installationId/resources/:resourceId', { schema: { params: ResourceParams } }, async (request) => {
    const { installationId, resourceId } = request.params;
    return presentResource(await getResource(ctx, installationId, resourceId), ctx.now());
  });

  app.patch(
    '/v1/installations/:installationId/resources/:resourceId',
    { schema: { params: ResourceParams, body: UpdateResourceBody } },
    async (request) => {
      const { installationId, resourceId } = request.params;
      return changeResource(ctx, installationId, resourceId, request.body);
    },
  );

  app.delete('/v1/installations/:installationId/resources/:resourceId', { schema: { params: ResourceParams } }, async (request, reply) => {
    const { installationId, resourceId } = request.params;
    await deleteResource(ctx, installationId, resourceId);
    return reply.code(204).send();
  });
};

/** Waits, but gives up when the server closes so a shutdown is not held by test delays. */
async function pause(ms: number, closing: AbortSignal): Promise<void> {
  try {
    await sleep(ms, undefined, { signal: closing });
  } catch {
    // Aborted by shutdown: answer now.
  }
}
