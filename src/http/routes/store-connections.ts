import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import type { FastifyRequest } from 'fastify';
import { Type, type TSchema } from 'typebox';
import { deleteConnection, deleteConnectionsOfStore, listProjectConnections, upsertConnectionOfLiveStore, type ConnectionWebhook } from '../../db/connections.js';
import { findLiveInstallation } from '../../db/installations.js';
import { findProjectOfTeam } from '../../db/projects.js';
import { findLiveStoreOfInstallation, findVisibleStoreOfTeam } from '../../db/store-reads.js';
import type { Team } from '../../domain/accounts.js';
import { newId } from '../../domain/ids.js';
import { projectNotAllowedError } from '../../domain/installation-projects.js';
import { findEnvVarClashes, normalizeEnvironments, type StoreConnection } from '../../domain/store-connections.js';
import type { Store } from '../../domain/stores.js';
import { ApiError } from '../../errors.js';
import type { AppContext } from '../../app-context.js';
import { visibleStoreOfPath as visibleStoreOfPathOf } from '../visible-store.js';
import { errorResponses } from '../error-schema.js';
import { TeamQuery } from '../pagination.js';
import { actorOf, teamOf } from '../plugins/auth.js';
import { ConnectionResponse, ConnectResourceBody, ConnectStoreBody } from '../schemas/store-connection.js';

const StoreParams = Type.Object({ storeId: Type.String({ minLength: 1, maxLength: 128 }) });
const Empty = Type.Object({});

/**
 * Connecting stores to projects, so that projects get the store's secrets as env vars: the
 * vercel CLI's paths (partner-api.md §3.2) and the SDK's `connectIntegrationResourceToProject`
 * (vercel-contract.md §5). Connecting a project twice updates its connection.
 */
export const storeConnectionRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  const visibleStoreOfPath = (request: FastifyRequest, storeId: string) => visibleStoreOfPathOf(ctx, request, storeId);

  app.post(
    '/v1/storage/stores/:storeId/connections',
    {
      config: { write: true },
      schema: {
        tags: ['storage'],
        summary: 'Connect a store to a project (or update the connection)',
        params: StoreParams,
        querystring: TeamQuery,
        body: ConnectStoreBody,
        response: { 200: ConnectionResponse, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const { team } = teamOf(request);
      const store = await findVisibleStoreOfTeam(ctx.db, team.id, request.params.storeId);
      if (!store || store.lifecycle !== 'live') throw new ApiError('not_found', `The store ${request.params.storeId} was not found.`);
      const connection = await connect(ctx, team, store, request.body, connectionWebhook(ctx, request, store));
      return { connection: { id: connection.id, projectId: connection.projectId, environments: [...connection.environments], envVarPrefix: connection.envVarPrefix } };
    },
  );

  app.post(
    '/v1/integrations/installations/:integrationConfigurationId/resources/:resourceId/connections',
    {
      config: { write: true },
      schema: {
        tags: ['integrations'],
        summary: 'Connect an integration resource (a store, by its id or externalResourceId) to a project; 201 with no body',
        params: Type.Object({ integrationConfigurationId: Type.String({ minLength: 1, maxLength: 128 }), resourceId: Type.String({ minLength: 1, maxLength: 256 }) }),
        querystring: TeamQuery,
        body: ConnectResourceBody,
        // Exactly 201: the SDK treats 200 and 204 as failures (vercel-contract.md §5, §10.9).
        response: { 201: Type.Null({ description: 'Connected; the body is empty' }), ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const { team } = teamOf(request);
      const { integrationConfigurationId, resourceId } = request.params;
      const installation = await findLiveInstallation(ctx.db, team.id, integrationConfigurationId);
      if (!installation) throw new ApiError('not_found', `The integration configuration ${integrationConfigurationId} was not found.`);
      const store = await findLiveStoreOfInstallation(ctx.db, installation.id, resourceId);
      if (!store) throw new ApiError('not_found', `The resource ${resourceId} was not found in ${integrationConfigurationId}.`);
      await connect(ctx, team, store, request.body, connectionWebhook(ctx, request, store));
      // No body at all (the SDK ignores it): the untyped reply lets `send()` skip serialization.
      return (reply as FastifyReply).code(201).send();
    },
  );

  app.delete(
    '/v1/storage/stores/:storeId/connections/:connectionId',
    disconnectRoute('Disconnect one project from a store', Type.Object({ ...StoreParams.properties, connectionId: Type.String({ minLength: 1, maxLength: 128 }) })),
    async (request) => {
      const store = await visibleStoreOfPath(request, request.params.storeId);
      if (!(await deleteConnection(ctx.db, store.id, request.params.connectionId, connectionWebhook(ctx, request, store)))) {
        throw new ApiError('not_found', `The store ${store.id} has no connection ${request.params.connectionId}.`);
      }
      return {};
    },
  );

  app.delete(
    '/v1/storage/stores/:storeId/connections',
    disconnectRoute('Disconnect every project from a store', StoreParams),
    async (request) => {
      const store = await visibleStoreOfPath(request, request.params.storeId);
      await deleteConnectionsOfStore(ctx.db, store.id, connectionWebhook(ctx, request, store));
      return {};
    },
  );
};

/** What the partner's `integration-resource.project-*` webhook says of a change to `store`'s connections (docs/webhooks.md). */
function connectionWebhook(ctx: AppContext, request: FastifyRequest, store: Store): ConnectionWebhook {
  return { installationId: store.installationId, integrationId: store.integrationId, externalResourceId: store.externalResourceId, userId: actorOf(request).user.id, now: ctx.now() };
}

/** The options of a route that removes connections of the store in its path. */
function disconnectRoute<Params extends TSchema>(summary: string, params: Params) {
  return {
    config: { write: true },
    schema: { tags: ['storage'], summary, params, querystring: TeamQuery, response: { 200: Empty, ...errorResponses(401, 403, 404) } },
  };
}

interface ConnectRequest {
  readonly projectId: string;
  readonly envVarEnvironments?: readonly string[];
  readonly envVarPrefix?: string;
  readonly makeEnvVarsSensitive?: boolean;
}

/**
 * Connects or reconnects `store` to the team's project. On a reconnect, what the request leaves
 * out keeps its current value (the SDK's connect has no prefix, and must not drop one the CLI
 * set); on a first connect it takes the defaults: every standard environment, no prefix, not
 * sensitive.
 */
async function connect(ctx: AppContext, team: Team, store: Store, request: ConnectRequest, webhook: ConnectionWebhook): Promise<StoreConnection> {
  const project = await findProjectOfTeam(ctx.db, team.id, request.projectId);
  if (!project) throw new ApiError('not_found', `The project ${request.projectId} was not found.`, { param: 'projectId' });
  const existing = await listProjectConnections(ctx.db, project.id);
  const current = existing.find((row) => row.connection.storeId === store.id)?.connection;
  const environments = request.envVarEnvironments ? normalizeEnvironments(request.envVarEnvironments) : (current?.environments ?? normalizeEnvironments(undefined));
  const envVarPrefix = request.envVarPrefix ?? current?.envVarPrefix ?? null;
  const clashes = findEnvVarClashes(
    { storeId: store.id, environments, envVarPrefix, secrets: store.secrets },
    existing.map((row) => ({ storeId: row.connection.storeId, environments: row.connection.environments, envVarPrefix: row.connection.envVarPrefix, secrets: row.secrets })),
  );
  if (clashes.length > 0) {
    throw new ApiError('conflict', `The project ${project.name} already has ${clashes.join(', ')} from another store; connect with a different envVarPrefix.`, { param: 'envVarPrefix' });
  }
  const written = await upsertConnectionOfLiveStore(ctx.db, ctx.dialect, {
    id: current?.id ?? newId('spc'),
    storeId: store.id,
    projectId: project.id,
    teamId: team.id,
    environments,
    envVarPrefix,
    sensitive: request.makeEnvVarsSensitive ?? current?.sensitive ?? false,
    createdAt: current?.createdAt ?? ctx.now(),
  }, webhook);
  // Deleted (the store, or its installation uninstalled; or the project) since it was read above.
  if ('notAllowed' in written) throw projectNotAllowedError(store.installationId, project.id, written.notAllowed);
  if ('gone' in written) {
    throw written.gone === 'store'
      ? new ApiError('not_found', `The store ${store.id} was not found.`)
      : new ApiError('not_found', `The project ${request.projectId} was not found.`, { param: 'projectId' });
  }
  return written.connection;
}
