import type { Kysely, Selectable } from 'kysely';
import type { StoreConnectionView } from '../domain/store-connections.js';
import { connectionFromRow } from './connections.js';
import { preparedQuery } from './prepared-queries.js';
import type { DB, StoreConnectionsTable } from './schema.js';

/**
 * The project connections of several stores in one query (no query per store), grouped by store,
 * oldest first: what `presentStore` lists as `projectsMetadata`.
 */
export async function listConnectionViews(db: Kysely<DB>, storeIds: readonly string[]): Promise<Map<string, StoreConnectionView[]>> {
  const byStore = new Map<string, StoreConnectionView[]>();
  if (storeIds.length === 0) return byStore;
  const rows = await connectionsOfStores.rows(db, { storeIds });
  for (const row of rows) {
    const list = byStore.get(row.store_id) ?? [];
    list.push(connectionViewFromRow(row));
    byStore.set(row.store_id, list);
  }
  return byStore;
}

/** A row of `connectionsOfStoresQuery`: a connection with its project's name and framework. */
export type ConnectionViewRow = Selectable<StoreConnectionsTable> & { readonly name: string; readonly framework: string | null };

export function connectionViewFromRow(row: ConnectionViewRow): StoreConnectionView {
  const { id, projectId, environments, envVarPrefix, sensitive } = connectionFromRow(row);
  return { id, projectId, projectName: row.name, framework: row.framework, environments, envVarPrefix, sensitive };
}

/** The connections with their projects' names and frameworks, oldest first; `where` picks whose. */
export function connectionsWithProjectsQuery(db: Kysely<DB>) {
  return db
    .selectFrom('store_connections')
    .innerJoin('projects', 'projects.id', 'store_connections.project_id')
    .selectAll('store_connections')
    .select(['projects.name', 'projects.framework'])
    .orderBy('store_connections.created_at', 'asc')
    .orderBy('store_connections.id', 'asc');
}

// Prepared, one SQL per number of stores (a page holds at most 100).
const connectionsOfStores = preparedQuery((db: Kysely<DB>, p: { storeIds: readonly string[] }) =>
  connectionsWithProjectsQuery(db).where('store_connections.store_id', 'in', [...p.storeIds]),
);
