import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { deleteStorePorts } from '../../use-cases/delete-store-ports.js';
import { listConnectionViews } from '../../db/store-connection-views.js';
import { findVisibleStore } from '../../db/store-reads.js';
import { findVisibleStoreWithConnections, listStoresWithConnectionsOfTeam } from '../../db/store-views.js';
import { deleteStore } from '../../domain/delete-store.js';
import { ID_RANDOM_LENGTH, isId } from '../../domain/ids.js';
import type { Store } from '../../domain/stores.js';
import { ApiError } from '../../errors.js';
import type { AppContext } from '../../app-context.js';
import { errorResponses } from '../error-schema.js';
import { KeysetPagination, KeysetQuery, keysetPage, keysetPageQuery } from '../keyset-pagination.js';
import { TeamQuery } from '../pagination.js';
import { actorOf, teamOf } from '../plugins/auth.js';
import type { StoreConnectionView } from '../../domain/store-connections.js';
import { listedStoreJson, presentStoreStatus } from '../presenters/store.js';
import { sendJsonText } from '../json-text.js';
import { Store as StoreWire, StoreStatusView } from '../schemas/index.js';
import { IdParams } from '../path-params.js';

/** A store as lists and reads show it: the create response's store, plus Vercel's `type`. */
const ListedStore = Type.Object({ ...StoreWire.properties, type: Type.Literal('integration') });

/** Reading and deleting integration stores (issue 4 §3). Create lives in `create-store.ts`. */
export const storeRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  /** A store's JSON as reads and lists show it (`listedStoreJson`: the wire shape `ListedStore`). */
  const storeJson = (store: Store, connections: readonly StoreConnectionView[]): string => {
    const integration = ctx.catalog.findIntegration(store.integrationId);
    const product = integration ? ctx.catalog.findProduct(integration, store.productId) : undefined;
    // The catalog is configuration: a product removed from it while stores exist is an operator error.
    if (!integration || !product) throw new ApiError('internal_server_error', `The product of store ${store.id} is no longer in the catalog.`);
    return listedStoreJson(store, integration, product, connections);
  };

  app.get(
    '/v1/storage/stores',
    {
      schema: {
        tags: ['storage'],
        summary: "The team's stores, newest first",
        description:
          'Pages with `limit` (default 20, at most 100) and `until`/`since` (epoch ms, exclusive), as on Vercel; `pagination.next` never skips stores created in the same millisecond. `cursor` (from `pagination.nextCursor`) continues exactly after the last store. `projectId` keeps stores connected to that project; `integrationConfigurationId` keeps the stores of that installation (what `vercel integration remove` asks for to name the resources in its way).',
        querystring: Type.Object({
          ...KeysetQuery.properties,
          ...TeamQuery.properties,
          projectId: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
          integrationConfigurationId: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
          // Sent by the vercel CLI; every list answer is already without secrets' values.
          'skip-metadata': Type.Optional(Type.Boolean()),
        }),
        response: { 200: Type.Object({ stores: Type.Array(ListedStore), pagination: KeysetPagination }), ...errorResponses(400, 401, 403) },
      },
    },
    async (request, reply) => {
      const page = keysetPageQuery(request.query);
      const { projectId, integrationConfigurationId } = request.query;
      const rows = await listStoresWithConnectionsOfTeam(ctx.db, ctx.dialect, teamOf(request).team.id, {
        ...page,
        ...(projectId !== undefined ? { projectId } : {}),
        ...(integrationConfigurationId !== undefined ? { installationId: integrationConfigurationId } : {}),
      });
      const { items, pagination } = keysetPage(rows, page.limit, (r) => r.store);
      const stores = items.map((r) => storeJson(r.store, r.connections));
      return sendJsonText(reply, `{"stores":[${stores.join(',')}],"pagination":${JSON.stringify(pagination)}}`);
    },
  );

  app.get(
    '/v1/storage/stores/:id',
    {
      schema: {
        tags: ['storage'],
        summary: 'One store of the team',
        params: IdParams,
        querystring: TeamQuery,
        response: { 200: Type.Object({ store: ListedStore }), ...errorResponses(401, 403, 404) },
      },
    },
    async (request, reply) => {
      const found = await findVisibleStoreWithConnections(ctx.db, ctx.dialect, teamOf(request).team.id, request.params.id);
      if (!found) throw new ApiError('not_found', `The store ${request.params.id} was not found.`);
      return sendJsonText(reply, `{"store":${storeJson(found.store, found.connections)}}`);
    },
  );

  /*
   * Deliberate, bounded deviation (vercel-contract.md §7.1, §10.11): `getStorageStoresById` sends
   * no Authorization header and no team, so this route cannot authenticate its caller. Rather
   * than refuse every SDK call, it treats the store id as a capability: ids carry 24 random
   * base62 characters (~143 bits, `domain/ids.ts`), so they cannot be guessed, and an id that is
   * not a full-length store id answers 404 without a query. Only the status shape the SDK keeps
   * is answered (status, quota flag, connected projects with env var *names*); secrets, metadata,
   * plan, product and the owner stay behind authenticated routes.
   */
  app.get(
    '/storage/stores/:id',
    {
      config: { auth: 'none' },
      schema: {
        tags: ['storage'],
        summary: "A store's status, without authentication (the store id is the capability)",
        security: [],
        params: IdParams,
        querystring: Type.Object({ 'skip-metadata': Type.Optional(Type.Boolean()), 'include-guides': Type.Optional(Type.Boolean()) }),
        response: { 200: Type.Object({ store: StoreStatusView }), ...errorResponses(404) },
      },
    },
    async (request) => {
      const { id } = request.params;
      const store = isUnguessableStoreId(id) ? await findVisibleStore(ctx.db, id) : undefined;
      if (!store) throw new ApiError('not_found', `The store ${id} was not found.`);
      const connections = (await listConnectionViews(ctx.db, [store.id])).get(store.id) ?? [];
      return { store: presentStoreStatus(store, connections) };
    },
  );

  app.delete(
    '/v1/storage/stores/integration/:id',
    {
      config: { write: true },
      schema: {
        tags: ['storage'],
        summary: 'Delete an integration store, at its provider first (200 `{}`, also when already deleted)',
        params: IdParams,
        querystring: TeamQuery,
        response: { 200: Type.Object({}), ...errorResponses(401, 403, 404, 409, 500) },
      },
    },
    async (request) => {
      const { team, membership } = teamOf(request);
      await deleteStore(deleteStorePorts(ctx, { user: actorOf(request).user, membership }), { teamId: team.id, storeId: request.params.id });
      // 200 `{}` rather than 204: the vercel CLI's client.fetch takes either, and raw clients that
      // parse JSON on every 2xx do not trip on an empty body.
      return {};
    },
  );
};

function isUnguessableStoreId(id: string): boolean {
  return isId('store', id) && id.length === 'store_'.length + ID_RANDOM_LENGTH;
}

