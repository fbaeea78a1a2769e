import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { PartnerError } from '../errors.js';
import type { PartnerApi } from '../partner-api.js';
import { DeleteInstallationBody, InstallationParams, UpdateInstallationBody, UpsertInstallationBody } from '../schemas.js';

/** Upsert, Get, Update and Delete Installation (partner-api.md §1.1 #1–#4). */
export const installationRoutes: FastifyPluginAsyncTypebox<{ api: PartnerApi }> = async (app, { api }) => {
  // Vercel's example answers 201; the partner API documents 200 with an optional body.
  app.put('/v1/installations/:installationId', { schema: { params: InstallationParams, body: UpsertInstallationBody } }, async (request) => {
    await api.upsertInstallation(request.params.installationId, request.body);
    return {};
  });

  // The installation-level plan, when the partner has one (what Update Installation set); a
  // partner billing each resource on its own plan reports none.
  app.get('/v1/installations/:installationId', { schema: { params: InstallationParams } }, async (request) => {
    const { installationId } = request.params;
    if (!(await api.isLiveInstallation(installationId))) throw new PartnerError('not_found', `Installation ${installationId} was not found.`);
    const billingPlan = (await api.installationPlan?.(installationId)) ?? null;
    return billingPlan === null ? {} : { billingPlan };
  });

  // An installation-level plan change; a partner billing only per resource refuses every one.
  app.patch('/v1/installations/:installationId', { schema: { params: InstallationParams, body: UpdateInstallationBody } }, async (request) => {
    const { installationId } = request.params;
    if (!(await api.isLiveInstallation(installationId))) throw new PartnerError('not_found', `Installation ${installationId} was not found.`);
    if (!api.updateInstallation) {
      throw new PartnerError('validation_error', 'This partner bills each resource on its own plan and has no installation-level plans.', [{ key: 'billingPlanId', message: 'no installation-level plans' }]);
    }
    return api.updateInstallation(installationId, request.body);
  });

  // Deleting again succeeds too.
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
      const answer = await api.deleteInstallation(request.params.installationId, request.body.cascadeResourceDeletion ?? false);
      return { finalized: answer?.finalized ?? true };
    },
  );
};
