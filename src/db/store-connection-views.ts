import type { Kysely } from 'kysely';
import type { StoreConnectionView } from '../domain/store-connections.js';
import { connectionFromRow } from './connections.js';
import type { DB } from './schema.js';

/**
 * The project connections of several stores in one query (no query per store), grouped by store,
 * oldest first: what `presentStore` lists as `projectsMetadata`.
 */
export async function listConnectionViews(db: Kysely<DB>, storeIds: readonly string[]): Promise<Map<string, StoreConnectionView[]>> {
  const byStore = new Map<string, StoreConnectionView[]>();
  if (storeIds.length === 0) return byStore;
  const rows = await db
    .selectFrom('store_connections')
    .innerJoin('projects', 'projects.id', 'store_connections.project_id')
    .selectAll('store_connections')
    .select(['projects.name', 'projects.framework'])
    .where('store_connections.store_id', 'in', [...storeIds])
    .orderBy('store_connections.created_at', 'asc')
    .orderBy('store_connections.id', 'asc')
    .execute();
  for (const row of rows) {
    const list = byStore.get(row.store_id) ?? [];
    const { id, projectId, environments, envVarPrefix, sensitive } = connectionFromRow(row);
    list.push({ id, projectId, projectName: row.name, framework: row.framework, environments, envVarPrefix, sensitive });
    byStore.set(row.store_id, list);
  }
  return byStore;
}
