import type { Kysely } from 'kysely';
import type { Store } from '../domain/stores.js';
import type { DB } from './schema.js';
import type { Dialect } from './database.js';
import { markStoreLive, storeRowValues } from './stores.js';
import { completeStoreClaims } from './store-claims.js';

/*
 * The queries of the resource endpoints partners call (docs/partner-calls.md): a resource is a
 * store of the installation, named by the partner's id (`external_resource_id`).
 */

/**
 * Writes an imported store and makes it `live` in one transaction, through `markStoreLive`, so it
 * meets an uninstall as a created store does (docs/uninstall-and-creates.md): false, and nothing
 * written, when the installation is being or was uninstalled. A unique index refusing the name or
 * the resource id throws (the caller answers 409).
 */
export async function insertImportedStore(
  db: Kysely<DB>,
  dialect: Dialect,
  store: Store,
  extra: { readonly secretsSealed: string; readonly extras: string | null },
): Promise<boolean> {
  return db
    .transaction()
    .execute(async (trx) => {
      await trx
        .insertInto('stores')
        .values({ ...storeRowValues({ ...store, lifecycle: 'provisioning' }), ownership: store.ownership ?? null, extras: extra.extras })
        .execute();
      const made = await markStoreLive(trx, dialect, store.id, {
        status: store.status ?? 'error',
        externalResourceId: store.externalResourceId ?? '',
        externalResourceStatus: store.externalResourceStatus,
        notification: store.notification,
        secrets: store.secrets,
        secretsSealed: extra.secretsSealed,
        now: store.updatedAt,
      });
      if (!made) throw new InstallationGone();
      return true;
    })
    .catch((error: unknown) => {
      if (error instanceof InstallationGone) return false;
      throw error;
    });
}

class InstallationGone extends Error {}

/** The fields a partner's Import or Update Resource may change on a live store (absent: unchanged). */
export interface PartnerResourceChange {
  readonly name?: string;
  readonly status?: string;
  readonly externalResourceStatus?: string | null;
  readonly metadata?: string;
  readonly billingPlanId?: string;
  readonly billingPlan?: string;
  readonly notification?: string | null;
  readonly ownership?: string;
  readonly extras?: string;
}

/** Applies `change` to a live store; false when it is no longer live. */
export async function updatePartnerResource(db: Kysely<DB>, storeId: string, change: PartnerResourceChange, now: number): Promise<boolean> {
  const set = {
    ...(change.name !== undefined ? { name: change.name } : {}),
    ...(change.status !== undefined ? { status: change.status } : {}),
    ...(change.externalResourceStatus !== undefined ? { external_resource_status: change.externalResourceStatus } : {}),
    ...(change.metadata !== undefined ? { metadata: change.metadata } : {}),
    ...(change.billingPlanId !== undefined ? { billing_plan_id: change.billingPlanId } : {}),
    ...(change.billingPlan !== undefined ? { billing_plan: change.billingPlan } : {}),
    ...(change.notification !== undefined ? { notification: change.notification } : {}),
    ...(change.ownership !== undefined ? { ownership: change.ownership } : {}),
    ...(change.extras !== undefined ? { extras: change.extras } : {}),
    updated_at: now,
  };
  return db.transaction().execute(async (trx) => {
    const result = await trx.updateTable('stores').set(set).where('id', '=', storeId).where('lifecycle', '=', 'live').where('deleted_at', 'is', null).executeTakeFirst();
    const updated = Number(result.numUpdatedRows) === 1;
    // A sandbox store the partner made the team's own: its claims are complete (vercel integration resource claim polls the store).
    if (updated && change.ownership !== undefined && change.ownership !== 'sandbox') await completeStoreClaims(trx, storeId, change.ownership, now);
    return updated;
  });
}
