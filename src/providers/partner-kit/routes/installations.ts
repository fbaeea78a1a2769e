import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { PartnerError } from '../errors.js';
import { DeleteInstallationBody, InstallationParams, UpsertInstallationBody } from '../schemas.js';
import { deleteInstallationResources } from '../deprovision.js';
import { isLiveInstallation, markInstallationDeleted, upsertInstallation } from '../installation-store.js';
import type { KitContext } from '../options.js';

/** Upsert, Get and Delete Installation (partner-api.md §1.1 #1, #2, #4). */
export const installationRoutes: FastifyPluginAsyncTypebox<{ ctx: KitContext }> = async (app, { ctx }) => {
  // The body is validated but not kept: these providers never call Stockroom back, so they need
  // neither the account nor the installation's access token.
  app.put('/v1/installations/:installationId', { schema: { params: InstallationParams, body: UpsertInstallationBody } }, async (request) => {
    await upsertInstallation(ctx.db, request.params.installationId, ctx.now());
    return {};
  });

  // Billed per resource, so there is no installation-level plan to report.
  app.get('/v1/installations/:installationId', { schema: { params: InstallationParams } }, async (request) => {
    const { installationId } = request.params;
    if (!(await isLiveInstallation(ctx.db, installationId))) throw new PartnerError('not_found', `Installation ${installationId} was not found.`);
    return {};
  });

  // With cascadeResourceDeletion every database or user of the installation is dropped for real,
  // before the installation is marked deleted, so a failure can be retried.
  app.delete(
    '/v1/installations/:installationId',
    {
      schema: { params: InstallationParams, body: DeleteInstallationBody },
      preValidation: async (request) => {
        request.body ??= {};
      },
    },
    async (request) => {
      const { installationId } = request.params;
      if (request.body.cascadeResourceDeletion) await deleteInstallationResources(ctx, installationId);
      await markInstallationDeleted(ctx.db, installationId, ctx.now());
      return { finalized: true };
    },
  );
};
