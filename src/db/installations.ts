import type { Kysely, Selectable } from 'kysely';
import type { Installation } from '../domain/installations.js';
import type { DB, InstallationsTable } from './schema.js';

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

export async function findLiveInstallationById(db: Kysely<DB>, id: string): Promise<Installation | undefined> {
  const row = await db.selectFrom('installations').selectAll().where('id', '=', id).where('deleted_at', 'is', null).executeTakeFirst();
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
  await db.updateTable('installations').set({ status: 'ready', access_token_hash: accessTokenHash, updated_at: now }).where('id', '=', id).execute();
}

export async function setInstallationToken(db: Kysely<DB>, id: string, accessTokenHash: string, now: number): Promise<void> {
  await db.updateTable('installations').set({ access_token_hash: accessTokenHash, updated_at: now }).where('id', '=', id).execute();
}

export async function softDeleteInstallation(db: Kysely<DB>, id: string, now: number): Promise<void> {
  await db.updateTable('installations').set({ deleted_at: now, updated_at: now }).where('id', '=', id).where('deleted_at', 'is', null).execute();
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
