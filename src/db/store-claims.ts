import type { Kysely, Transaction } from 'kysely';
import type { DB } from './schema.js';

/** A claim URL handed out for a sandbox store (docs/resources-and-sso-links.md). */
export interface StoreClaim {
  readonly id: string;
  readonly storeId: string;
  readonly teamId: string;
  readonly installationId: string;
  /** Who asked for the claim URL. */
  readonly userId: string;
  /** The `source` the client sent (`cli`), or `api`. */
  readonly source: string;
  /** Epoch ms after which the URL's sign-in code no longer works. */
  readonly expiresAt: number;
  readonly createdAt: number;
}

export async function insertStoreClaim(db: Kysely<DB>, claim: StoreClaim): Promise<void> {
  await db
    .insertInto('store_claims')
    .values({
      id: claim.id,
      store_id: claim.storeId,
      team_id: claim.teamId,
      installation_id: claim.installationId,
      user_id: claim.userId,
      source: claim.source,
      expires_at: claim.expiresAt,
      claimed_at: null,
      claimed_ownership: null,
      created_at: claim.createdAt,
    })
    .execute();
}

/**
 * The store stopped being a sandbox: every open claim of it is complete, with the ownership the
 * partner gave. Run in the transaction that changes the store's ownership.
 */
export async function completeStoreClaims(trx: Transaction<DB>, storeId: string, ownership: string, now: number): Promise<void> {
  await trx.updateTable('store_claims').set({ claimed_at: now, claimed_ownership: ownership }).where('store_id', '=', storeId).where('claimed_at', 'is', null).execute();
}
