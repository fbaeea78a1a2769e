import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppContext } from '../../app-context.js';
import { rotateStoreSecrets } from '../../use-cases/rotate-store-secrets.js';
import { errorResponses } from '../error-schema.js';
import { TeamQuery } from '../pagination.js';
import { actorOf, teamOf } from '../plugins/auth.js';
import { IdParams } from '../path-params.js';

const RotateBody = Type.Object({
  reason: Type.Optional(Type.String({ maxLength: 500 })),
  /** Hours the old secrets stay valid, 0–720, fractions allowed; default 0 (partner-api.md §1.1 #10). */
  delayOldSecretsExpirationHours: Type.Optional(Type.Number({ minimum: 0, maximum: 720 })),
});

const RotateAnswer = Type.Object({
  /** `true`: the new secrets are stored and already in the connected projects' env vars. */
  sync: Type.Boolean(),
  /** Names and lengths of the store's secrets now (never values); empty while `sync` is false. */
  secrets: Type.Array(Type.Object({ name: Type.String(), length: Type.Integer({ minimum: 0 }) })),
});

/**
 * Stockroom extension (Vercel has no public equivalent): rotates a store's secrets at its provider
 * (`use-cases/rotate-store-secrets.ts`), so connected projects read the new values at once. A
 * provider that rotates later answers `sync:false` (202) and pushes the values through Update
 * Resource Secrets (`partner-callbacks.ts`).
 */
export const storeSecretRotationRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.post(
    '/v1/storage/stores/:id/secrets/rotate',
    {
      config: { write: true },
      schema: {
        tags: ['storage'],
        summary: "Rotate a store's secrets at its provider; the old ones stay valid for `delayOldSecretsExpirationHours` (Stockroom extension)",
        params: IdParams,
        querystring: TeamQuery,
        body: RotateBody,
        response: { 200: RotateAnswer, 202: RotateAnswer, ...errorResponses(400, 401, 403, 404, 409, 500) },
      },
      // An empty POST means "rotate now, no delay".
      preValidation: async (request) => {
        request.body ??= {};
      },
    },
    async (request, reply) => {
      const { membership } = teamOf(request);
      const outcome = await rotateStoreSecrets(ctx, { user: actorOf(request).user, membership }, request.params.id, request.body);
      if (!outcome.sync) return reply.code(202).send({ sync: false, secrets: [] });
      // Names and counts only: the values are secrets.
      request.log.info({ store: request.params.id, secrets: outcome.secrets.length }, 'store secrets rotated');
      return { sync: true, secrets: outcome.secrets };
    },
  );
};
