import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { PartnerError } from '../../partner-kit/errors.js';
import { findLiveInstallation, markInstallationDeleted, upsertInstallation } from '../installation-store.js';
import type { PartnerContext } from '../options.js';
import { markInstallationResourcesDeleted } from '../resource-store.js';
import { DeleteInstallationBody, InstallationParams, UpsertInstallationBody } from '../../partner-kit/schemas.js';

/** Upsert, Get and Delete Installation (partner-api.md §1.1 #1, #2, #4). */
export const installationRoutes: FastifyPluginAsyncTypebox<{ ctx: PartnerContext }> = async (app, { ctx }) => {
  // Vercel's example answers 201; the partner API documents 200 with an optional body.
  app.put('/v1/installations/:installationId', { schema: { params: InstallationParams, body: UpsertInstallationBody } }, async (request) => {
    const { body } = request;
    await upsertInstallation(
      ctx.db,
      {
        id: request.params.installationId,
        scopes: body.scopes,
        acceptedPolicies: body.acceptedPolicies,
        account: body.account,
        accessToken: body.credentials.access_token,
        tokenType: body.credentials.token_type,
      },
      ctx.now(),
    );
    return {};
  });

  // Resources are billed one by one, so there is no installation-level plan to report.
  app.get('/v1/installations/:installationId', { schema: { params: InstallationParams } }, async (request) => {
    const { installationId } = request.params;
    if (!(await findLiveInstallation(ctx.db, installationId))) {
      throw new PartnerError('not_found', `Installation ${installationId} was not found.`);
    }
    return {};
  });

  // Nothing is ever invoiced, so deletion is final at once; deleting again succeeds too.
  app.delete(
    '/v1/installations/:installationId',
    {
      schema: { params: InstallationParams, body: DeleteInstallationBody },
      // Vercel may send no body; treat that as `{}` before validation.
      preValidation: async (request) => {
        request.body ??= {};
      },
    },
    async (request) => {
      const { installationId } = request.params;
      const now = ctx.now();
      await ctx.db.transaction().execute(async (trx) => {
        await markInstallationDeleted(trx, installationId, now);
        if (request.body.cascadeResourceDeletion) await markInstallationResourcesDeleted(trx, installationId, now);
      });
      return { finalized: true };
    },
  );
};
