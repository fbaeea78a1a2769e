import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { idempotencyScope, sendAnswer } from '../idempotency.js';
import { ResourceParams, RotateSecretsBody } from '../schemas.js';
import type { KitContext } from '../options.js';
import { rotateSecrets } from '../rotation.js';

/** Request Secrets Rotation (partner-api.md §1.1 #10), answered synchronously. */
export const secretRoutes: FastifyPluginAsyncTypebox<{ ctx: KitContext }> = async (app, { ctx }) => {
  app.post(
    '/v1/installations/:installationId/resources/:resourceId/secrets/rotate',
    {
      schema: { params: ResourceParams, body: RotateSecretsBody },
      preValidation: async (request) => {
        request.body ??= {};
      },
    },
    async (request, reply) => {
      const { installationId, resourceId } = request.params;
      const { answer, replayed } = await rotateSecrets(ctx, installationId, resourceId, request.body, idempotencyScope(request, installationId));
      return sendAnswer(reply, answer, replayed);
    },
  );
};
