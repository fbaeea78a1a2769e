import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { idempotencyScope, sendAnswer } from '../idempotency.js';
import type { PartnerApi } from '../partner-api.js';
import { ResourceParams, RotateSecretsBody } from '../schemas.js';

/** Request Secrets Rotation (partner-api.md §1.1 #10). */
export const secretRoutes: FastifyPluginAsyncTypebox<{ api: PartnerApi }> = async (app, { api }) => {
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
      const { answer, replayed } = await api.rotateSecrets(installationId, resourceId, request.body, idempotencyScope(request, installationId));
      return sendAnswer(reply, answer, replayed);
    },
  );
};
