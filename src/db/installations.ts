import type { ExpressionBuilder, Kysely, Selectable } from 'kysely';
import type { Installation } from '../domain/installations.js';
import { preparedQuery } from './prepared-queries.js';
import type { DB, InstallationsTable } from './schema.js';
import { deletedStoreColumns } from './store-deletion.js';
import { configurationRemovedEvent } from '../domain/webhook-events.js';
import { enqueueWebhookEvent } from './webhook-outbox.js';
import { parseAllowedProjects } from './installation-updates.js';

export function installationFromRow(row: Selectable<InstallationsTable>): Installation {
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
    allowedProjects: parseAllowedProjects(row.allowed_projects),
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
  const row = await liveInstallation.first(db, { id, teamId });
  return row ? installationFromRow(row) : undefined;
}

const liveInstallation = preparedQuery<{ id: string; teamId: string }, Selectable<InstallationsTable>>((db: Kysely<DB>, p) =>
  db.selectFrom('installations').selectAll().where('id', '=', p.id).where('team_id', '=', p.teamId).where('deleted_at', 'is', null),
);

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
 * process for `STALE_UNINSTALL_MS` is taken over), or a plan change holds it (`plan_change_id`):
 * that change may be paying or asking the provider, and is settled first (then an uninstall may begin).
 */
export async function beginUninstall(db: Kysely<DB>, id: string, now: number): Promise<boolean> {
  const result = await db
    .updateTable('installations')
    .set({ status: 'uninstalling', updated_at: now })
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .where('plan_change_id', 'is', null)
    .where((eb) => eb.or([eb('status', '=', 'ready'), eb.and([eb('status', '=', 'uninstalling'), eb('updated_at', '<=', now - STALE_UNINSTALL_MS)])]))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** An uninstall refused or failed: the installation is `ready` again and takes creates again. */
export async function abortUninstall(db: Kysely<DB>, id: string, now: number): Promise<void> {
  // A Finalize Installation the partner sent during the failed uninstall is forgotten with it.
  await db.updateTable('installations').set({ status: 'ready', updated_at: now, finalized_at: null }).where('id', '=', id).where('status', '=', 'uninstalling').where('deleted_at', 'is', null).execute();
}

/**
 * Finishes an uninstall in one transaction. With `cascade` (the provider deleted the resources),
 * every visible store is recorded deleted as `markStoreDeleted` does one: connections gone, sealed
 * secrets wiped. `provisioning` rows are left alone: their create, or recovery after a crash,
 * sees the installation gone, refunds what was charged and drops them (store-recovery.ts).
 *
 * `finalizeBy` (the partner answered `{finalized:false}`): the team sees the installation gone
 * all the same, but its partner may go on sending billing calls with its token until then, or
 * until it calls Finalize Installation (docs/partner-billing-and-sso.md).
 */
export async function finishUninstall(
  db: Kysely<DB>,
  id: string,
  now: number,
  options: {
    readonly cascade: boolean;
    readonly finalizeBy?: number | null;
    /** Who removed it: the `integration-configuration.removed` webhook is enqueued with the change (docs/webhooks.md). */
    readonly removedBy: { readonly teamId: string; readonly integrationId: string; readonly userId: string | null };
  },
): Promise<void> {
  await db.transaction().execute(async (trx) => {
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
    await trx
      .updateTable('installations')
      .set({ deleted_at: now, updated_at: now, finalize_by: options.finalizeBy ?? null })
      .where('id', '=', id)
      .where('deleted_at', 'is', null)
      .execute();
  });
}

/** A never-confirmed installation is removed outright when its provider upsert fails. */
export async function deletePendingInstallation(db: Kysely<DB>, id: string): Promise<void> {
  await db.deleteFrom('installations').where('id', '=', id).where('status', '=', 'pending').execute();
}

/** What a partner said of its installation through Update Installation (`null`: never said). */
export interface InstallationPartnerFields {
  readonly status: string | null;
  readonly externalId: string | null;
  /** JSON text of the plan and the notification, as stored. */
  readonly billingPlan: string | null;
  readonly notification: string | null;
}

export async function findInstallationPartnerFields(db: Kysely<DB>, id: string): Promise<InstallationPartnerFields | undefined> {
  const row = await db.selectFrom('installations').select(['partner_status', 'external_id', 'billing_plan', 'notification']).where('id', '=', id).executeTakeFirst();
  return row ? { status: row.partner_status, externalId: row.external_id, billingPlan: row.billing_plan, notification: row.notification } : undefined;
}

/**
 * Writes the fields a partner's Update Installation gave (`undefined` leaves one as it is, `null`
 * clears it) on a live installation; false when it is deleted meanwhile.
 */
export async function updateInstallationPartnerFields(db: Kysely<DB>, id: string, fields: Partial<InstallationPartnerFields>, now: number): Promise<boolean> {
  const set = {
    ...(fields.status !== undefined ? { partner_status: fields.status } : {}),
    ...(fields.externalId !== undefined ? { external_id: fields.externalId } : {}),
    ...(fields.billingPlan !== undefined ? { billing_plan: fields.billingPlan } : {}),
    ...(fields.notification !== undefined ? { notification: fields.notification } : {}),
    updated_at: now,
  };
  const result = await db.updateTable('installations').set(set).where('id', '=', id).where('deleted_at', 'is', null).executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/**
 * The installation a provider's callback token belongs to (partner → Stockroom calls): its current
 * token, or a superseded one still inside its rotation overlap and not revoked
 * (`installation_tokens`, docs/partner-calls.md); `tokenIsCurrent` says which. The installation
 * must be live; with `duringFinalization` (billing calls: usage, balances, invoices, Finalize) it
 * may also be uninstalled and still waiting for its final invoices at `now` (`finalize_by` not
 * passed, not finalized; docs/partner-billing-and-sso.md); `finalizing` says which.
 */
export async function findInstallationByTokenHash(
  db: Kysely<DB>,
  accessTokenHash: string,
  now: number,
  options: { readonly duringFinalization?: boolean } = {},
): Promise<(Installation & { readonly tokenIsCurrent: boolean; readonly finalizing: boolean }) | undefined> {
  const usable = (eb: ExpressionBuilder<DB, 'installations'>) =>
    options.duringFinalization
      ? eb.or([eb('installations.deleted_at', 'is', null), eb.and([eb('installations.finalized_at', 'is', null), eb('installations.finalize_by', '>', now)])])
      : eb('installations.deleted_at', 'is', null);
  const found = (row: Selectable<InstallationsTable>, tokenIsCurrent: boolean) => ({ ...installationFromRow(row), tokenIsCurrent, finalizing: row.deleted_at !== null });
  const row = await db.selectFrom('installations').selectAll().where('access_token_hash', '=', accessTokenHash).where(usable).executeTakeFirst();
  if (row) return found(row, true);
  const superseded = await db
    .selectFrom('installation_tokens')
    .innerJoin('installations', 'installations.id', 'installation_tokens.installation_id')
    .selectAll('installations')
    .where('installation_tokens.token_hash', '=', accessTokenHash)
    .where('installation_tokens.revoked_at', 'is', null)
    .where('installation_tokens.expires_at', '>', now)
    .where((eb) => usable(eb as unknown as ExpressionBuilder<DB, 'installations'>))
    .executeTakeFirst();
  return superseded ? found(superseded, false) : undefined;
}

/**
 * Finalize Installation: the partner has sent its last invoice. Recorded while the uninstall runs
 * (the partner may call it while answering Delete Installation) or while it waits; `false` when the
 * installation is neither (a live one, or one already finalized).
 */
export async function recordFinalization(db: Kysely<DB>, id: string, now: number): Promise<boolean> {
  const result = await db
    .updateTable('installations')
    .set({ finalized_at: now })
    .where('id', '=', id)
    .where('finalized_at', 'is', null)
    .where((eb) =>
      eb.or([
        eb.and([eb('deleted_at', 'is', null), eb('status', '=', 'uninstalling')]),
        eb.and([eb('deleted_at', 'is not', null), eb('finalize_by', '>', now)]),
      ]),
    )
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/**
 * Ends every wait for final invoices whose time is up: the installation is finalized at its
 * deadline, and its token is refused from then on. Returns their ids. Idempotent, so replicas may
 * run it together.
 */
export async function completeDueFinalizations(db: Kysely<DB>, now: number, limit: number): Promise<string[]> {
  const due = await db
    .selectFrom('installations')
    .select('id')
    .where('finalized_at', 'is', null)
    .where('finalize_by', '<=', now)
    .orderBy('finalize_by')
    .limit(limit)
    .execute();
  if (due.length === 0) return [];
  const ids = due.map((row) => row.id);
  await db
    .updateTable('installations')
    .set((eb) => ({ finalized_at: eb.ref('finalize_by') }))
    .where('id', 'in', ids)
    .where('finalized_at', 'is', null)
    .execute();
  return ids;
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
