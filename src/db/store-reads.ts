import type { Kysely, Selectable } from 'kysely';
import type { Store, StoreLifecycle } from '../domain/stores.js';
import { keysetRangeOf, type KeysetPageQuery } from './keyset.js';
import { preparedQuery } from './prepared-queries.js';
import type { DB, StoresTable } from './schema.js';
import { STORE_COLUMNS, storeFromRow } from './stores.js';

/**
 * Stores a team can see: live ones and those being deleted (a failed delete leaves `deleting`,
 * and the store must stay visible so it can be deleted again). `provisioning` rows are not stores
 * yet: create has not answered, and recovery may still undo them. A deleted store is `deleted`
 * (store-deletion.ts); rows an older version left `live` with a deletion time were repaired by
 * migration 0011, so the lifecycle alone decides.
 */
export const VISIBLE_LIFECYCLES: readonly StoreLifecycle[] = ['live', 'deleting'];

/**
 * One page of the team's visible stores, newest first, up to `limit + 1` rows. Reads the index
 * `stores_team_created_idx (team_id, created_at, id)` backwards from the position, so the cost
 * does not grow with the number of stores or with how far the caller has paged. `projectId`
 * keeps only stores connected to that project.
 */
export async function listStoresOfTeam(
  db: Kysely<DB>,
  teamId: string,
  page: KeysetPageQuery & { readonly projectId?: string; readonly installationId?: string },
): Promise<Store[]> {
  const rows = await storesPage.rows(db, storesPageParams(teamId, page));
  return rows.map(storeFromRow);
}

/** What `storesPageQuery` reads: the parameters of `listStoresOfTeam`, flat, for `preparedQuery`. */
export interface StoresPageParams {
  readonly teamId: string;
  readonly installationId?: string | undefined;
  readonly projectId?: string | undefined;
  readonly since?: number | undefined;
  readonly until?: number | undefined;
  readonly afterCreatedAt?: number | undefined;
  readonly afterId?: string | undefined;
  readonly rows: number;
}

export function storesPageParams(teamId: string, page: KeysetPageQuery & { readonly projectId?: string; readonly installationId?: string }): StoresPageParams {
  return {
    teamId,
    installationId: page.installationId,
    projectId: page.projectId,
    since: page.since,
    until: page.until,
    afterCreatedAt: page.after?.createdAt,
    afterId: page.after?.id,
    rows: page.limit + 1,
  };
}

// Prepared, one SQL per combination of filters: `GET /v1/storage/stores`.
const storesPage = preparedQuery((db: Kysely<DB>, p: StoresPageParams) => storesPageQuery(db, p));

/** The query of one page of stores (see `listStoresOfTeam`). */
export function storesPageQuery(db: Kysely<DB>, p: StoresPageParams) {
  let query = db.selectFrom('stores').select(STORE_COLUMNS).where('team_id', '=', p.teamId).where('lifecycle', 'in', VISIBLE_LIFECYCLES).where('deleted_at', 'is', null);
  if (p.installationId !== undefined) query = query.where('installation_id', '=', p.installationId);
  const projectId = p.projectId;
  if (projectId !== undefined) {
    query = query.where((eb) =>
      eb.exists(eb.selectFrom('store_connections').select('store_connections.id').whereRef('store_connections.store_id', '=', 'stores.id').where('store_connections.project_id', '=', projectId)),
    );
  }
  const after = p.afterCreatedAt !== undefined && p.afterId !== undefined ? { createdAt: p.afterCreatedAt, id: p.afterId } : undefined;
  return keysetRangeOf(query, { since: p.since, until: p.until, after }).limit(p.rows);
}

/** A visible store of the team; another team's store reads as absent (no probing). */
export async function findVisibleStoreOfTeam(db: Kysely<DB>, teamId: string, id: string): Promise<Store | undefined> {
  const row = await visibleStoreOfTeam.first(db, { id, teamId });
  return row ? storeFromRow(row) : undefined;
}

// Prepared: `GET /v1/storage/stores/{id}`.
const visibleStoreOfTeam = preparedQuery((db: Kysely<DB>, p: { id: string; teamId: string }) => visibleStoreOfTeamQuery(db, p));

/** The query of a visible store of the team (see `findVisibleStoreOfTeam`). */
export function visibleStoreOfTeamQuery(db: Kysely<DB>, p: { readonly id: string; readonly teamId: string }) {
  return db.selectFrom('stores').select(STORE_COLUMNS).where('id', '=', p.id).where('team_id', '=', p.teamId).where('lifecycle', 'in', VISIBLE_LIFECYCLES);
}

/** A visible store by id alone, for the unauthenticated status read (vercel-contract.md §7.1). */
export async function findVisibleStore(db: Kysely<DB>, id: string): Promise<Store | undefined> {
  const row = await db.selectFrom('stores').selectAll().where('id', '=', id).where('lifecycle', 'in', VISIBLE_LIFECYCLES).executeTakeFirst();
  return row ? storeFromRow(row) : undefined;
}

/** The team's store in any lifecycle, deleted included. */
export async function findAnyStoreOfTeam(db: Kysely<DB>, teamId: string, id: string): Promise<Store | undefined> {
  const row = await db.selectFrom('stores').selectAll().where('id', '=', id).where('team_id', '=', teamId).executeTakeFirst();
  return row ? storeFromRow(row) : undefined;
}

/**
 * A live store of an installation by Stockroom's id or by the provider's `externalResourceId`:
 * SDK users only ever see the latter (vercel-contract.md §10.1), and connect takes either.
 */
export async function findLiveStoreOfInstallation(db: Kysely<DB>, installationId: string, idOrExternalId: string): Promise<Store | undefined> {
  const rows = await liveStoresOfInstallation(db, installationId)
    .where((eb) => eb.or([eb('id', '=', idOrExternalId), eb('external_resource_id', '=', idOrExternalId)]))
    .execute();
  const row = rows.find((r) => r.id === idOrExternalId) ?? rows[0];
  return row ? storeFromRow(row) : undefined;
}

/** The installation's live stores that have a partner resource id, oldest first (List Resources). */
export async function listLiveStoresOfInstallation(db: Kysely<DB>, installationId: string): Promise<Store[]> {
  const rows = await liveStoresOfInstallation(db, installationId).where('external_resource_id', 'is not', null).orderBy('created_at', 'asc').orderBy('id', 'asc').execute();
  return rows.map(storeFromRow);
}

function liveStoresOfInstallation(db: Kysely<DB>, installationId: string) {
  return (
    db
      .selectFrom('stores')
      .selectAll()
      .where('installation_id', '=', installationId)
      .where('lifecycle', '=', 'live')
      // Lets PostgreSQL use the partial index on (installation_id, name) of live rows.
      .where('deleted_at', 'is', null)
  );
}

/**
 * The row made from the provider's resource `resourceId` in this installation, in any lifecycle
 * but deleted: a partner callback names a resource by the provider's id, and what it may do then
 * depends on the lifecycle (a store still `provisioning` is left to its create request).
 */
export async function findStoreRowOfResource(db: Kysely<DB>, installationId: string, resourceId: string): Promise<Selectable<StoresTable> | undefined> {
  return db
    .selectFrom('stores')
    .selectAll()
    .where('installation_id', '=', installationId)
    .where('external_resource_id', '=', resourceId)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
}

/**
 * The provider resource ids of the installation's stores that are not deleted: resources a
 * cleanup must not touch, since a store of Stockroom still stands on them.
 */
export async function listExternalResourceIdsOfInstallation(db: Kysely<DB>, installationId: string): Promise<string[]> {
  const rows = await db.selectFrom('stores').select('external_resource_id').where('installation_id', '=', installationId).where('deleted_at', 'is', null).execute();
  return rows.map((r) => r.external_resource_id).filter((id): id is string => id !== null);
}
