import type { Kysely, Selectable } from 'kysely';
import type { CredentialState, CredentialTable, KitTables } from './tables.js';

/** A credential as the kit stores it; the password stays sealed until a backend needs it. */
export interface StoredCredential {
  readonly id: string;
  readonly resourceId: string;
  readonly generation: number;
  readonly login: string;
  readonly passwordSealed: string | null;
  readonly state: CredentialState;
  readonly idempotencyKey: string | null;
  readonly fingerprint: string | null;
  readonly revokeAt: number | null;
  readonly createdAt: number;
}

export async function insertCredential(db: Kysely<KitTables>, c: StoredCredential, now: number): Promise<void> {
  await db
    .insertInto('credentials')
    .values({
      id: c.id,
      resource_id: c.resourceId,
      generation: c.generation,
      login: c.login,
      password_sealed: c.passwordSealed,
      state: c.state,
      idempotency_key: c.idempotencyKey,
      fingerprint: c.fingerprint,
      revoke_at: c.revokeAt,
      revoked_at: null,
      created_at: now,
      updated_at: now,
    })
    .execute();
}

/** The resource's credentials in these states, newest generation first. */
export async function listCredentials(db: Kysely<KitTables>, resourceId: string, states: readonly CredentialState[]): Promise<StoredCredential[]> {
  const rows = await db
    .selectFrom('credentials')
    .selectAll()
    .where('resource_id', '=', resourceId)
    .where('state', 'in', [...states])
    .orderBy('generation', 'desc')
    .execute();
  return rows.map(toStoredCredential);
}

export async function findCredentialByKey(db: Kysely<KitTables>, resourceId: string, key: string): Promise<StoredCredential | undefined> {
  const row = await db.selectFrom('credentials').selectAll().where('resource_id', '=', resourceId).where('idempotency_key', '=', key).executeTakeFirst();
  return row ? toStoredCredential(row) : undefined;
}

export async function highestGeneration(db: Kysely<KitTables>, resourceId: string): Promise<number> {
  const row = await db
    .selectFrom('credentials')
    .select((eb) => eb.fn.max('generation').as('generation'))
    .where('resource_id', '=', resourceId)
    .executeTakeFirst();
  return Number(row?.generation ?? 0);
}

/**
 * Makes `id` the resource's active credential and starts the others' countdown: they stay valid
 * until `revokeAt`. False when `id` was no longer pending (a concurrent retry activated it).
 */
export async function activateCredential(trx: Kysely<KitTables>, resourceId: string, id: string, revokeAt: number, now: number): Promise<boolean> {
  const activated = await trx
    .updateTable('credentials')
    .set({ state: 'active', updated_at: now })
    .where('id', '=', id)
    .where('state', '=', 'pending')
    .executeTakeFirst();
  if (Number(activated.numUpdatedRows) !== 1) return false;
  await trx
    .updateTable('credentials')
    .set({ state: 'expiring', revoke_at: revokeAt, updated_at: now })
    .where('resource_id', '=', resourceId)
    .where('state', '=', 'active')
    .where('id', '!=', id)
    .execute();
  return true;
}

/** Credentials whose revocation is due, oldest due first; only one resource's when `resourceId` is given. */
export async function listDueCredentials(db: Kysely<KitTables>, now: number, limit: number, resourceId?: string): Promise<StoredCredential[]> {
  let query = db.selectFrom('credentials').selectAll().where('state', '=', 'expiring').where('revoke_at', '<=', now);
  if (resourceId !== undefined) query = query.where('resource_id', '=', resourceId);
  const rows = await query.orderBy('revoke_at').limit(limit).execute();
  return rows.map(toStoredCredential);
}

/**
 * Claims a due credential by moving its `revoke_at` from the value read to `leaseUntil`: only the
 * replica whose update matched revokes it, and if that replica dies the row is due again once the
 * lease passes.
 */
export async function claimDueCredential(db: Kysely<KitTables>, c: StoredCredential, leaseUntil: number, now: number): Promise<boolean> {
  if (c.revokeAt === null) return false;
  const result = await db
    .updateTable('credentials')
    .set({ revoke_at: leaseUntil, updated_at: now })
    .where('id', '=', c.id)
    .where('state', '=', 'expiring')
    .where('revoke_at', '=', c.revokeAt)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Revoked: the password is wiped, so no copy outlives its validity. */
export async function markCredentialRevoked(db: Kysely<KitTables>, id: string, now: number): Promise<void> {
  await db.updateTable('credentials').set({ state: 'revoked', password_sealed: null, revoked_at: now, updated_at: now }).where('id', '=', id).execute();
}

/** Every credential of a deleted resource is revoked with it. */
export async function revokeAllCredentials(db: Kysely<KitTables>, resourceId: string, now: number): Promise<void> {
  await db
    .updateTable('credentials')
    .set({ state: 'revoked', password_sealed: null, revoked_at: now, updated_at: now })
    .where('resource_id', '=', resourceId)
    .where('state', '!=', 'revoked')
    .execute();
}

function toStoredCredential(row: Selectable<CredentialTable>): StoredCredential {
  return {
    id: row.id,
    resourceId: row.resource_id,
    generation: Number(row.generation),
    login: row.login,
    passwordSealed: row.password_sealed,
    state: row.state,
    idempotencyKey: row.idempotency_key,
    fingerprint: row.fingerprint,
    revokeAt: row.revoke_at === null ? null : Number(row.revoke_at),
    createdAt: Number(row.created_at),
  };
}
