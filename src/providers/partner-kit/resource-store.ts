import type { Kysely, Selectable } from 'kysely';
import { changedResourceColumns, resourceColumns, resourceFields, type ResourceChanges, type ResourceFields } from './resource-columns.js';
import type { KitTables, ResourceState, ResourceTable } from './tables.js';

/** A resource as the kit stores it. Times are epoch milliseconds. */
export interface StoredResource extends ResourceFields {
  readonly handle: string;
  readonly state: ResourceState;
  readonly idempotencyKey: string | null;
  readonly fingerprint: string | null;
}

export async function insertResource(db: Kysely<KitTables>, r: StoredResource): Promise<void> {
  await db
    .insertInto('resources')
    .values({ ...resourceColumns(r), handle: r.handle, state: r.state, idempotency_key: r.idempotencyKey, fingerprint: r.fingerprint })
    .execute();
}

/** Any resource of the installation with this id, deleted ones included. */
export async function findResource(db: Kysely<KitTables>, installationId: string, id: string): Promise<StoredResource | undefined> {
  const row = await db.selectFrom('resources').selectAll().where('installation_id', '=', installationId).where('id', '=', id).executeTakeFirst();
  return row ? toStoredResource(row) : undefined;
}

export async function findResourceById(db: Kysely<KitTables>, id: string): Promise<StoredResource | undefined> {
  const row = await db.selectFrom('resources').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toStoredResource(row) : undefined;
}

export async function findResourceByKey(db: Kysely<KitTables>, installationId: string, key: string): Promise<StoredResource | undefined> {
  const row = await db.selectFrom('resources').selectAll().where('installation_id', '=', installationId).where('idempotency_key', '=', key).executeTakeFirst();
  return row ? toStoredResource(row) : undefined;
}

/** Resources the installation still has (being provisioned included), oldest first; only `ids` when given. */
export async function listResources(db: Kysely<KitTables>, installationId: string, states: readonly ResourceState[], ids?: readonly string[]): Promise<StoredResource[]> {
  let query = db.selectFrom('resources').selectAll().where('installation_id', '=', installationId).where('state', 'in', [...states]).orderBy('created_at').orderBy('id');
  if (ids !== undefined) {
    if (ids.length === 0) return [];
    query = query.where('id', 'in', [...ids]);
  }
  return (await query.execute()).map(toStoredResource);
}

/**
 * Moves a resource from one of `from` to `to`; false when it was in another state (a concurrent
 * request moved it first). The guard is what keeps a delete and a late provisioning apart.
 */
export async function moveResource(db: Kysely<KitTables>, id: string, from: readonly ResourceState[], to: ResourceState, now: number): Promise<boolean> {
  const result = await db
    .updateTable('resources')
    .set({ state: to, updated_at: now, ...(to === 'deleted' ? { deleted_at: now } : {}) })
    .where('id', '=', id)
    .where('state', 'in', [...from])
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function updateResource(db: Kysely<KitTables>, id: string, changes: ResourceChanges, now: number): Promise<void> {
  await db
    .updateTable('resources')
    .set(changedResourceColumns(changes, now))
    .where('id', '=', id)
    .where('state', '=', 'ready')
    .execute();
}

function toStoredResource(row: Selectable<ResourceTable>): StoredResource {
  return { ...resourceFields(row), handle: row.handle, state: row.state, idempotencyKey: row.idempotency_key, fingerprint: row.fingerprint };
}
