import type { Kysely } from 'kysely';
import type { DB } from './schema.js';

/*
 * An installation's access tokens (docs/partner-calls.md): the current one is
 * `installations.access_token_hash`; rotation moves it to `installation_tokens`, where it stays
 * valid until `expires_at` unless revoked first. Only hashes are stored.
 */

export type RotateOutcome = 'rotated' | 'gone' | 'raced';

/**
 * Makes `newHash` the installation's current token and keeps `currentHash` valid until
 * `overlapUntil`, in one transaction. A compare-and-swap on the current hash: `raced` when another
 * rotation replaced it first, `gone` when the installation was uninstalled meanwhile (its
 * `deleted_at` is set by the uninstall, which also ends every token of it).
 */
export async function rotateInstallationToken(
  db: Kysely<DB>,
  installationId: string,
  change: { readonly currentHash: string; readonly newHash: string; readonly overlapUntil: number; readonly now: number },
): Promise<RotateOutcome> {
  return db.transaction().execute(async (trx) => {
    const updated = await trx
      .updateTable('installations')
      .set({ access_token_hash: change.newHash, updated_at: change.now })
      .where('id', '=', installationId)
      .where('access_token_hash', '=', change.currentHash)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) !== 1) {
      const row = await trx.selectFrom('installations').select('deleted_at').where('id', '=', installationId).executeTakeFirst();
      return !row || row.deleted_at !== null ? 'gone' : 'raced';
    }
    await trx
      .insertInto('installation_tokens')
      .values({ token_hash: change.currentHash, installation_id: installationId, created_at: change.now, expires_at: change.overlapUntil, revoked_at: null })
      .execute();
    return 'rotated';
  });
}

/** The installation's current token hash, or undefined when it is deleted. */
export async function currentInstallationTokenHash(db: Kysely<DB>, installationId: string): Promise<string | undefined> {
  const row = await db.selectFrom('installations').select('access_token_hash').where('id', '=', installationId).where('deleted_at', 'is', null).executeTakeFirst();
  return row?.access_token_hash;
}

export type RevokeOutcome = 'revoked' | 'already_revoked' | 'unknown';

/**
 * Revokes a superseded token of the installation: `revoked` when it was still valid,
 * `already_revoked` when it was revoked or its overlap had ended, `unknown` when the installation
 * never had it as a superseded token. The current token is not here: it cannot be revoked.
 */
export async function revokeSupersededToken(db: Kysely<DB>, installationId: string, tokenHash: string, now: number): Promise<RevokeOutcome> {
  const result = await db
    .updateTable('installation_tokens')
    .set({ revoked_at: now })
    .where('token_hash', '=', tokenHash)
    .where('installation_id', '=', installationId)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) === 1) return 'revoked';
  const row = await db.selectFrom('installation_tokens').select('token_hash').where('token_hash', '=', tokenHash).where('installation_id', '=', installationId).executeTakeFirst();
  return row ? 'already_revoked' : 'unknown';
}
