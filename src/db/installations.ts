import type { Kysely, Selectable } from 'kysely';
import type { Installation } from '../domain/installations.js';
import type { DB, InstallationsTable } from './schema.js';
import { deletedStoreColumns } from './store-deletion.js';
import { configurationRemovedEvent } from '../domain/webhook-events.js';
import { enqueueWebhookEvent } from './webhook-outbox.js';

function installationFromRow(row: Selectable<InstallationsTable>): Installation {
  return {
    id: row.id,
    teamId: row.team_id,
    integrationId: row.integration_id,
    userId: row.user_id,
    scopes: JSON.parse(row.scopes) as string[],
    source: row.source,
    status: row.status as Installation['status'],
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    deletedAt: row.deleted_at,
  };
}

export async function insertInstallation(db: Kysely<DB>, installation: Installation, accessTokenHash: string): Promise<void> {
  await db
    .insertInto('installations')
    .values({
      id: installation.id,
      team_id: installation.teamId,
      integration_id: installation.integrationId,
      user_id: installation.userId,
      scopes: JSON.stringify(installation.scopes),
      access_token_hash: accessTokenHash,
      source: installation.source,
      status: installation.status,
      created_at: installation.createdAt,
      updated_at: installation.updatedAt,
      deleted_at: installation.deletedAt,
    })
    .execute();
}

/** A live installation of the team, by id. Another team's id reads as absent (no probing). */
export async function findLiveInstallation(db: Kysely<DB>, teamId: string, id: string): Promise<Installation | undefined> {
  const row = await db.selectFrom('installations').selectAll().where('id', '=', id).where('team_id', '=', teamId).where('deleted_at', 'is', null).executeTakeFirst();
  return row ? installationFromRow(row) : undefined;
}

export async function findLiveInstallationOfIntegration(db: Kysely<DB>, teamId: string, integrationId: string): Promise<Installation | undefined> {
  const row = await db
    .selectFrom('installations')
    .selectAll()
    .where('team_id', '=', teamId)
    .where('integration_id', '=', integrationId)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  return row ? installationFromRow(row) : undefined;
}

export async function listLiveInstallations(db: Kysely<DB>, teamId: string): Promise<Installation[]> {
  const rows = await db.selectFrom('installations').selectAll().where('team_id', '=', teamId).where('deleted_at', 'is', null).orderBy('created_at', 'desc').execute();
  return rows.map(installationFromRow);
}

/** Marks the installation ready with a fresh callback token (the provider got it in the upsert). */
export async function markInstallationReady(db: Kysely<DB>, id: string, accessTokenHash: string, now: number): Promise<void> {
  // Only from `pending`: an install racing an uninstall must not turn `uninstalling` back to `ready`.
  await db.updateTable('installations').set({ status: 'ready', access_token_hash: accessTokenHash, updated_at: now }).where('id', '=', id).where('status', '=', 'pending').execute();
}

export async function setInstallationToken(db: Kysely<DB>, id: string, accessTokenHash: string, now: number): Promise<void> {
  await db.updateTable('installations').set({ access_token_hash: accessTokenHash, updated_at: now }).where('id', '=', id).execute();
}

/** An uninstall that has not finished after this long is taken for one its process died in. */
export const STALE_UNINSTALL_MS = 5 * 60 * 1000;

/**
 * Begins an uninstall: `ready` → `uninstalling`, the state that stops every store of the
 * installation from going live (`markStoreLive`), on every replica, from the moment this commits.
 * False when the installation is not `ready` (an uninstall is already running; one left by a dead
 * process for `STALE_UNINSTALL_MS` is taken over).
 */
export async function beginUninstall(db: Kysely<DB>, id: string, now: number): Promise<boolean> {
  const result = await db
    .updateTable('installations')
    .set({ status: 'uninstalling', updated_at: now })
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .where((eb) => eb.or([eb('status', '=', 'ready'), eb.and([eb('status', '=', 'uninstalling'), eb('updated_at', '<=', now - STALE_UNINSTALL_MS)])]))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** An uninstall refused or failed: the installation is `ready` again and takes creates again. */
export async function abortUninstall(db: Kysely<DB>, id: string, now: number): Promise<void> {
  await db.updateTable('installations').set({ status: 'ready', updated_at: now }).where('id', '=', id).where('status', '=', 'uninstalling').where('deleted_at', 'is', null).execute();
}

/**
 * Finishes an uninstall in one transaction. With `cascade` (the provider deleted the resources),
 * every visible store is recorded deleted as `markStoreDeleted` does one: connections gone, sealed
 * secrets wiped. `provisioning` rows are left alone: their create, or recovery after a crash,
 * sees the installation gone, refunds what was charged and drops them (store-recovery.ts).
 */
export async function finishUninstall(
  db: Kysely<DB>,
  id: string,
  now: number,
  options: { readonly cascade: boolean; readonly removedBy?: { readonly teamId: string; readonly integrationId: string; readonly userId: string | null } },
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    if (options.removedBy) {
      // `integration-configuration.removed`, in the transaction that removes the installation
      // (docs/webhooks.md), naming the resources it still had.
      const stores = await trx.selectFrom('stores').select(['id', 'external_resource_id']).where('installation_id', '=', id).where('deleted_at', 'is', null).execute();
      const event = configurationRemovedEvent({
        installationId: id,
        teamId: options.removedBy.teamId,
        userId: options.removedBy.userId,
        resources: stores.map((s) => ({ storeId: s.id, externalResourceId: s.external_resource_id })),
      });
      await enqueueWebhookEvent(trx, { ...event, installationId: id, teamId: options.removedBy.teamId, integrationId: options.removedBy.integrationId, now });
    }
    if (options.cascade) {
      // The stores first: on PostgreSQL this UPDATE waits for a connect holding a store FOR SHARE
      // (upsertConnectionOfLiveStore), so the DELETE below also removes what that connect wrote.
      await trx
        .updateTable('stores')
        .set(deletedStoreColumns(now))
        .where('installation_id', '=', id)
        .where('lifecycle', 'in', ['live', 'deleting'])
        .execute();
      await trx.deleteFrom('store_connections').where('store_id', 'in', trx.selectFrom('stores').select('stores.id').where('stores.installation_id', '=', id)).execute();
    }
    await trx.updateTable('installations').set({ deleted_at: now, updated_at: now }).where('id', '=', id).where('deleted_at', 'is', null).execute();
  });
}

/** A never-confirmed installation is removed outright when its provider upsert fails. */
export async function deletePendingInstallation(db: Kysely<DB>, id: string): Promise<void> {
  await db.deleteFrom('installations').where('id', '=', id).where('status', '=', 'pending').execute();
}

/** The installation a provider's callback token belongs to (partner → Stockroom calls). */
export async function findInstallationByTokenHash(db: Kysely<DB>, accessTokenHash: string): Promise<Installation | undefined> {
  const row = await db.selectFrom('installations').selectAll().where('access_token_hash', '=', accessTokenHash).where('deleted_at', 'is', null).executeTakeFirst();
  return row ? installationFromRow(row) : undefined;
}

export async function countLiveStoresOfInstallation(db: Kysely<DB>, installationId: string): Promise<number> {
  const row = await db
    .selectFrom('stores')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('installation_id', '=', installationId)
    .where('deleted_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
