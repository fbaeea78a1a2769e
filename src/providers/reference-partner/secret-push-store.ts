import type { Kysely } from 'kysely';
import type { PartnerTables } from './tables.js';

/** A resource whose current secrets are due to be pushed to Update Resource Secrets. */
export interface DueSecretPush {
  readonly resourceId: string;
  readonly installationId: string;
  readonly dueAt: number;
  readonly attempts: number;
}

/** Written in the rotation's transaction: the new secrets are to be pushed now, from the first attempt. */
export async function markSecretsPushDue(db: Kysely<PartnerTables>, installationId: string, resourceId: string, now: number): Promise<void> {
  await db
    .updateTable('ref_partner_resources')
    .set({ secrets_push_due_at: now, secrets_push_attempts: 0 })
    .where('installation_id', '=', installationId)
    .where('id', '=', resourceId)
    .execute();
}

/** Live resources whose push is due by `now`, soonest first. A deleted resource's push is dropped. */
export async function listDueSecretPushes(db: Kysely<PartnerTables>, now: number, limit: number): Promise<DueSecretPush[]> {
  await db.updateTable('ref_partner_resources').set({ secrets_push_due_at: null }).where('secrets_push_due_at', 'is not', null).where('deleted_at', 'is not', null).execute();
  const rows = await db
    .selectFrom('ref_partner_resources')
    .select(['id', 'installation_id', 'secrets_push_due_at', 'secrets_push_attempts'])
    .where('secrets_push_due_at', '<=', now)
    .orderBy('secrets_push_due_at')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ resourceId: r.id, installationId: r.installation_id, dueAt: Number(r.secrets_push_due_at), attempts: Number(r.secrets_push_attempts) }));
}

/**
 * Takes one attempt at a due push: moves its due time to `leaseUntil` (when it is tried again
 * should this attempt's process die) and counts the attempt. False when another pass or replica
 * took it first, or a new rotation changed it since it was read.
 */
export async function claimSecretPush(db: Kysely<PartnerTables>, push: DueSecretPush, leaseUntil: number): Promise<boolean> {
  const result = await db
    .updateTable('ref_partner_resources')
    .set({ secrets_push_due_at: leaseUntil, secrets_push_attempts: push.attempts + 1 })
    .where('id', '=', push.resourceId)
    .where('secrets_push_due_at', '=', push.dueAt)
    .where('secrets_push_attempts', '=', push.attempts)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/**
 * Ends the push claimed as `attempt` (pushed, or given up). A rotation since then reset the
 * attempts to 0 and stays due, so its newer secrets are pushed too.
 */
export async function endSecretPush(db: Kysely<PartnerTables>, resourceId: string, attempt: number): Promise<void> {
  await db
    .updateTable('ref_partner_resources')
    .set({ secrets_push_due_at: null, secrets_push_attempts: 0 })
    .where('id', '=', resourceId)
    .where('secrets_push_attempts', '=', attempt)
    .execute();
}

/** After attempt `attempt` failed: due again at `retryAt`, unless a rotation re-armed it since. */
export async function retrySecretPush(db: Kysely<PartnerTables>, resourceId: string, attempt: number, retryAt: number): Promise<void> {
  await db
    .updateTable('ref_partner_resources')
    .set({ secrets_push_due_at: retryAt })
    .where('id', '=', resourceId)
    .where('secrets_push_attempts', '=', attempt)
    .execute();
}
