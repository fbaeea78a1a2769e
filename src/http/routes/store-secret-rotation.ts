import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { findVisibleStoreOfTeam } from '../../db/store-reads.js';
import { replaceStoreSecrets } from '../../db/store-secrets.js';
import { toSecretValue } from '../../domain/env-vars.js';
import { ApiError } from '../../errors.js';
import type { SecretsRotation } from '../../providers/partner-client.js';
import { isProviderError } from '../../providers/provider-error.js';
import { providerFor, userCaller } from '../../providers/provider-for.js';
import type { AppContext } from '../../app-context.js';
import { ErrorBody } from '../error-schema.js';
import { TeamQuery } from '../pagination.js';
import { actorOf, teamOf } from '../plugins/auth.js';

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
 * Stockroom extension (Vercel has no public equivalent): asks the store's provider for new secrets
 * (partner-api.md §1.1 #10, "Request Secrets Rotation") and stores them sealed, so connected
 * projects read the new values at once. A provider that rotates later answers `sync:false` (202)
 * and pushes the values through Update Resource Secrets (`partner-callbacks.ts`).
 */
export const storeSecretRotationRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.post(
    '/v1/storage/stores/:id/secrets/rotate',
    {
      config: { write: true },
      schema: {
        tags: ['storage'],
        summary: "Rotate a store's secrets at its provider; the old ones stay valid for `delayOldSecretsExpirationHours` (Stockroom extension)",
        params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 128 }) }),
        querystring: TeamQuery,
        body: RotateBody,
        response: { 200: RotateAnswer, 202: RotateAnswer, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody, 500: ErrorBody },
      },
      // An empty POST means "rotate now, no delay".
      preValidation: async (request) => {
        request.body ??= {};
      },
    },
    async (request, reply) => {
      const { team, membership } = teamOf(request);
      const store = await findVisibleStoreOfTeam(ctx.db, team.id, request.params.id);
      if (!store || store.lifecycle !== 'live' || store.externalResourceId === null) throw new ApiError('not_found', `The store ${request.params.id} was not found.`);
      const integration = ctx.catalog.findIntegration(store.integrationId);
      if (!integration) throw new ApiError('internal_server_error', `The integration of store ${store.id} is no longer in the catalog.`);

      let rotation: SecretsRotation;
      try {
        rotation = await providerFor(ctx.partners, ctx.providerBaseUrl, integration).rotateSecrets(
          store.installationId,
          store.externalResourceId,
          request.body,
          userCaller(actorOf(request).user, membership),
          // One key per request, reused by the client's own retries of it.
          { idempotencyKey: `rotate-${store.id}-${randomUUID()}` },
        );
      } catch (error) {
        throw isProviderError(error) ? error.toApiError() : error;
      }
      if (!rotation.sync) return reply.code(202).send({ sync: false, secrets: [] });
      const stored = await replaceStoreSecrets(ctx.db, ctx.secretBox, store.id, rotation.secrets.map(toSecretValue), { partial: rotation.partial === true, now: ctx.now() });
      // Names and counts only: the values are secrets.
      request.log.info({ store: store.id, secrets: stored.length }, 'store secrets rotated');
      return { sync: true, secrets: stored };
    },
  );
};
