import { sql, type Kysely } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import type { StoreConnectionView } from '../domain/store-connections.js';
import type { Store } from '../domain/stores.js';
import type { Dialect } from './database.js';
import type { KeysetPageQuery } from './keyset.js';
import { preparedQuery } from './prepared-queries.js';
import type { DB } from './schema.js';
import { connectionsWithProjectsQuery, connectionViewFromRow, listConnectionViews, type ConnectionViewRow } from './store-connection-views.js';
import { findVisibleStoreOfTeam, listStoresOfTeam, storesPageParams, storesPageQuery, visibleStoreOfTeamQuery, type StoresPageParams } from './store-reads.js';
import { storeFromRow } from './stores.js';

/** A store with its project connections, oldest first: what a store answer shows. */
export interface StoreWithConnections {
  readonly store: Store;
  readonly connections: readonly StoreConnectionView[];
}

/*
 * Store reads and list pages with their connections. On PostgreSQL each query is a round trip, so
 * the connections come in the same query as the stores (a JSON array per store, built by the
 * server); on SQLite, where a query is a function call, the joined form measured no faster than
 * two queries (BENCHMARKS.md), and the two queries stay.
 */

/** A visible store of the team with its connections (see `findVisibleStoreOfTeam`). */
export async function findVisibleStoreWithConnections(db: Kysely<DB>, dialect: Dialect, teamId: string, id: string): Promise<StoreWithConnections | undefined> {
  if (dialect === 'postgres') {
    const row = await visibleStoreWithConnections.first(db, { id, teamId });
    return row ? withConnections(row) : undefined;
  }
  const store = await findVisibleStoreOfTeam(db, teamId, id);
  if (!store) return undefined;
  return { store, connections: (await listConnectionViews(db, [store.id])).get(store.id) ?? [] };
}

/** A page of the team's visible stores with their connections (see `listStoresOfTeam`). */
export async function listStoresWithConnectionsOfTeam(
  db: Kysely<DB>,
  dialect: Dialect,
  teamId: string,
  page: KeysetPageQuery & { readonly projectId?: string; readonly installationId?: string },
): Promise<StoreWithConnections[]> {
  if (dialect === 'postgres') return (await storesPageWithConnections.rows(db, storesPageParams(teamId, page))).map(withConnections);
  const stores = await listStoresOfTeam(db, teamId, page);
  // One query for the connections of the whole page.
  const connections = await listConnectionViews(
    db,
    stores.map((s) => s.id),
  );
  return stores.map((store) => ({ store, connections: connections.get(store.id) ?? [] }));
}

/** The connections of the row's store, as a JSON array (PostgreSQL). */
function connectionsOfRowStore(db: Kysely<DB>) {
  return jsonArrayFrom(connectionsWithProjectsQuery(db).where('store_connections.store_id', '=', sql.ref<string>('stores.id'))).as('connections');
}

function withConnections<R extends Parameters<typeof storeFromRow>[0] & { readonly connections: unknown }>(row: R): StoreWithConnections {
  return { store: storeFromRow(row), connections: (row.connections as ConnectionViewRow[]).map(connectionViewFromRow) };
}

const visibleStoreWithConnections = preparedQuery((db: Kysely<DB>, p: { id: string; teamId: string }) =>
  visibleStoreOfTeamQuery(db, p).select(connectionsOfRowStore(db)),
);
const storesPageWithConnections = preparedQuery((db: Kysely<DB>, p: StoresPageParams) => storesPageQuery(db, p).select(connectionsOfRowStore(db)));
