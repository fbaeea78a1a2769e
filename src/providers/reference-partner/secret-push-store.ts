import type { Kysely } from 'kysely';
import type { PartnerTables } from './tables.js';

/** A resource whose current secrets are due to be pushed to Update Resource Secrets. */
export interface DueSecretPush {
  readonly resourceId: string;
  readonly installationId: string;
  readonly dueAt: number;
  readonly attempts: number;
  /** The rotation the due push is for. */
  readonly generation: number;
}

/** Written in the rotation's transaction: the new secrets are to be pushed now, from the first attempt. */
export async function markSecretsPushDue(db: Kysely<PartnerTables>, installationId: string, resourceId: string, now: number): Promise<void> {
  await db
    .updateTable('ref_partner_resources')
    .set((eb) => ({ secrets_push_due_at: now, secrets_push_attempts: 0, secrets_generation: eb('secrets_generation', '+', 1) }))
    .where('installation_id', '=', installationId)
    .where('id', '=', resourceId)
    .execute();
}

/** Live resources whose push is due by `now`, soonest first. A deleted resource's push is dropped. */
export async function listDueSecretPushes(db: Kysely<PartnerTables>, now: number, limit: number): Promise<DueSecretPush[]> {
  await db.updateTable('ref_partner_resources').set({ secrets_push_due_at: null }).where('secrets_push_due_at', 'is not', null).where('deleted_at', 'is not', null).execute();
  const rows = await db
    .selectFrom('ref_partner_resources')
    .select(['id', 'installation_id', 'secrets_push_due_at', 'secrets_push_attempts', 'secrets_generation'])
    .where('secrets_push_due_at', '<=', now)
    .orderBy('secrets_push_due_at')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ resourceId: r.id, installationId: r.installation_id, dueAt: Number(r.secrets_push_due_at), attempts: Number(r.secrets_push_attempts), generation: Number(r.secrets_generation) }));
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
    .where('secrets_generation', '=', push.generation)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Which claimed attempt of which rotation's push. */
export interface ClaimedPush {
  readonly resourceId: string;
  readonly generation: number;
  readonly attempt: number;
}

/**
 * Ends the claimed push (pushed, or given up). When a rotation happened since the claim, the
 * secrets this attempt read may be older than what another replica has pushed meanwhile, and may
 * have reached Vercel after them: the current secrets are made due again, so that the newest ones
 * are the last pushed.
 */
export async function endSecretPush(db: Kysely<PartnerTables>, claim: ClaimedPush, now: number): Promise<void> {
  const ended = await db
    .updateTable('ref_partner_resources')
    .set({ secrets_push_due_at: null, secrets_push_attempts: 0 })
    .where('id', '=', claim.resourceId)
    .where('secrets_generation', '=', claim.generation)
    .where('secrets_push_attempts', '=', claim.attempt)
    .executeTakeFirst();
  if (Number(ended.numUpdatedRows) === 1) return;
  await db
    .updateTable('ref_partner_resources')
    .set({ secrets_push_due_at: now, secrets_push_attempts: 0 })
    .where('id', '=', claim.resourceId)
    .where('secrets_generation', '>', claim.generation)
    .where('deleted_at', 'is', null)
    .execute();
}

/** After the claimed attempt failed: due again at `retryAt`, unless a rotation re-armed it since. */
export async function retrySecretPush(db: Kysely<PartnerTables>, claim: ClaimedPush, retryAt: number): Promise<void> {
  await db
    .updateTable('ref_partner_resources')
    .set({ secrets_push_due_at: retryAt })
    .where('id', '=', claim.resourceId)
    .where('secrets_generation', '=', claim.generation)
    .where('secrets_push_attempts', '=', claim.attempt)
    .execute();
}
