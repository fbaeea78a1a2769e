import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { idempotencyScope, sendAnswer } from '../../partner-kit/idempotency.js';
import { findReplay } from '../idempotency.js';
import type { PartnerContext } from '../options.js';
import { rotateSecrets } from '../resource-changes.js';
import { ResourceParams, RotateSecretsBody } from '../../partner-kit/schemas.js';

/** Request Secrets Rotation (partner-api.md §1.1 #10), answered synchronously. */
export const secretRoutes: FastifyPluginAsyncTypebox<{ ctx: PartnerContext }> = async (app, { ctx }) => {
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
      const scope = idempotencyScope(request, installationId);
      const replay = scope && (await findReplay(ctx, scope));
      if (replay) return sendAnswer(reply, replay, true);
      const { answer, replayed } = await rotateSecrets(ctx, installationId, resourceId, request.body, scope);
      return sendAnswer(reply, answer, replayed);
    },
  );
};
