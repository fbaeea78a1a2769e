import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type TSchema } from 'typebox';
import { installForActor } from '../../use-cases/install-ports.js';
import { uninstall } from '../../use-cases/uninstall.js';
import { findLiveInstallation, listLiveInstallations } from '../../db/installations.js';
import { ApiError } from '../../errors.js';
import { isProviderError } from '../../providers/provider-error.js';
import { userCaller } from '../../providers/provider-for.js';
import type { AppContext } from '../../app-context.js';
import { errorResponses } from '../error-schema.js';
import { TeamQuery } from '../pagination.js';
import { actorOf, teamOf } from '../plugins/auth.js';
import { presentAccountConfiguration, presentConfiguration, presentConfigurationProduct } from '../presenters/configuration.js';
import { AccountConfiguration, ConfigurationProductsResponse, IntegrationConfiguration, UpdateConfigurationBody } from '../schemas/index.js';
import { IdParams } from '../path-params.js';
import { setAllowedProjects } from '../../db/installation-updates.js';
import { allowedProjectsOf, allowedProjectsRefusal } from '../../domain/installation-projects.js';
import { changeInstallationPlan } from '../../domain/installation-plan-change.js';
import { installationPlanChangePorts } from '../../use-cases/installation-plan-change-ports.js';

/**
 * Installations ("integration configurations"): Stockroom's install endpoint (an extension; on
 * Vercel a person installs in the dashboard) and Vercel's reads and delete.
 */
export const installationRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.post(
    '/stockroom/v1/installations',
    {
      config: { write: true },
      schema: {
        tags: ['stockroom'],
        summary: 'Install an integration for the team (idempotent: answers the live installation if there is one)',
        querystring: TeamQuery,
        body: Type.Object({ integrationIdOrSlug: Type.String({ minLength: 1, maxLength: 128 }) }),
        response: { 200: IntegrationConfiguration, ...errorResponses(400, 401, 403, 404, 409, 500) },
      },
    },
    async (request) => {
      const { team, membership } = teamOf(request);
      const user = actorOf(request).user;
      const integration = ctx.catalog.findIntegration(request.body.integrationIdOrSlug);
      if (!integration) throw new ApiError('not_found', `The integration ${request.body.integrationIdOrSlug} is not in this Stockroom's catalog.`);
      try {
        const installation = await installForActor(ctx, integration, { user, team, membership });
        return presentConfiguration(installation, integration);
      } catch (error) {
        throw isProviderError(error) ? error.toApiError() : error;
      }
    },
  );

  // The SDK uses /v1; the vercel CLI lists on /v2 (partner-api.md §3.2).
  for (const version of ['v1', 'v2']) {
    app.get(
      `/${version}/integrations/configurations`,
      {
        schema: {
          tags: ['integrations'],
          summary: "The team's installations (a top-level array)",
          querystring: Type.Object({
            view: Type.Optional(Type.Union([Type.Literal('account'), Type.Literal('project')])),
            installationType: Type.Optional(Type.String()),
            integrationIdOrSlug: Type.Optional(Type.String()),
            teamId: Type.Optional(Type.String()),
            slug: Type.Optional(Type.String()),
          }),
          response: { 200: Type.Array(AccountConfiguration), ...errorResponses(400, 401, 403) },
        },
      },
      async (request) => {
        const { team } = teamOf(request);
        const { installationType, integrationIdOrSlug } = request.query;
        // Stockroom's installations are all marketplace ones: other types list nothing.
        if (installationType && installationType !== 'marketplace') return [];
        const wanted = integrationIdOrSlug ? ctx.catalog.findIntegration(integrationIdOrSlug) : undefined;
        if (integrationIdOrSlug && !wanted) return [];
        const installations = await listLiveInstallations(ctx.db, team.id);
        return installations.flatMap((installation) => {
          const integration = ctx.catalog.findIntegration(installation.integrationId);
          if (!integration || (wanted && wanted.id !== integration.id)) return [];
          return [presentAccountConfiguration(installation, integration)];
        });
      },
    );
  }

  app.get('/v1/integrations/configuration/:id', configurationRead('One installation of the team', IntegrationConfiguration), async (request) => {
    const { installation, integration } = await loadInstallation(ctx, teamOf(request).team.id, request.params.id);
    return presentConfiguration(installation, integration);
  });

  app.get(
    '/v1/integrations/configuration/:id/products',
    configurationRead("The products of an installation's integration", ConfigurationProductsResponse),
    async (request) => {
      const { installation, integration } = await loadInstallation(ctx, teamOf(request).team.id, request.params.id);
      return {
        configuration: { id: installation.id },
        integration: { id: integration.id, slug: integration.slug, name: integration.name },
        products: integration.products.map(presentConfigurationProduct),
      };
    },
  );

  app.patch(
    '/v1/integrations/configuration/:id',
    {
      config: { write: true },
      schema: {
        tags: ['integrations'],
        summary: "Change an installation's billing plan (an installation-level plan of its provider) or which projects may use it",
        description:
          'What `vercel integration update` sends: `{billingPlanId, authorizationId?}` or `{projects: "all" | [projectId…]}`, one of the two. A paid plan is paid for as a create is (docs/installation-updates.md).',
        params: IdParams,
        querystring: TeamQuery,
        body: UpdateConfigurationBody,
        response: { 200: IntegrationConfiguration, ...errorResponses(400, 401, 402, 403, 404, 409, 500, 503) },
      },
    },
    async (request) => {
      const { team, membership } = teamOf(request);
      const body = request.body;
      if ((body.billingPlanId === undefined) === (body.projects === undefined)) {
        throw new ApiError('bad_request', 'Send either billingPlanId (to change the billing plan) or projects (to change which projects may use the installation), not both and not neither.');
      }
      const { installation, integration } = await loadInstallation(ctx, team.id, request.params.id);
      if (body.billingPlanId !== undefined) {
        await changeInstallationPlan(installationPlanChangePorts(ctx, integration, { user: actorOf(request).user, membership }), {
          teamId: team.id,
          teamBillingState: team.billingState,
          installationId: installation.id,
          billingPlanId: body.billingPlanId,
          ...(body.authorizationId !== undefined ? { authorizationId: body.authorizationId } : {}),
        });
      } else if (body.projects !== undefined) {
        const outcome = await setAllowedProjects(ctx.db, ctx.dialect, team.id, installation.id, allowedProjectsOf(body.projects), ctx.now());
        if ('refused' in outcome) throw allowedProjectsRefusal(installation.id, outcome.refused);
      }
      // Read again: the answer shows the plan change's time and the projects now allowed.
      const updated = await loadInstallation(ctx, team.id, installation.id);
      return presentConfiguration(updated.installation, updated.integration);
    },
  );

  app.delete(
    '/v1/integrations/configuration/:id',
    {
      config: { write: true },
      schema: {
        tags: ['integrations'],
        summary: 'Uninstall (204). Refused with 409 while live stores exist, unless `cascade=true`',
        params: IdParams,
        querystring: Type.Object({ ...TeamQuery.properties, cascade: Type.Optional(Type.Boolean()) }),
        response: { 204: Type.Null(), ...errorResponses(401, 403, 404, 409, 500) },
      },
    },
    async (request, reply) => {
      const { team, membership } = teamOf(request);
      const { installation, integration } = await loadInstallation(ctx, team.id, request.params.id);
      await uninstall(ctx, {
        installation,
        integration,
        cascade: request.query.cascade === true,
        reason: 'uninstalled through the API',
        caller: userCaller(actorOf(request).user, membership),
        refuse: (count) => new ApiError('conflict', `The installation ${installation.id} still has ${count} live store(s); delete them first or pass cascade=true.`),
      });
      return reply.code(204).send(null);
    },
  );
};

/** The options of a read of one installation of the team, answering `ok`. */
function configurationRead<Ok extends TSchema>(summary: string, ok: Ok) {
  return { schema: { tags: ['integrations'], summary, params: IdParams, querystring: TeamQuery, response: { 200: ok, ...errorResponses(401, 403, 404) } } };
}

async function loadInstallation(ctx: AppContext, teamId: string, id: string) {
  const installation = await findLiveInstallation(ctx.db, teamId, id);
  const integration = installation ? ctx.catalog.findIntegration(installation.integrationId) : undefined;
  if (!installation || !integration) throw new ApiError('not_found', `The integration configuration ${id} was not found.`);
  return { installation, integration };
}
