import type { Kysely } from 'kysely';
import type { SecretBox } from '../crypto/secret-box.js';
import { parseSecretValues, type SecretValue } from '../domain/env-vars.js';
import type { SecretInfo } from '../domain/stores.js';
import { ApiError } from '../errors.js';
import type { DB } from './schema.js';

/**
 * Replaces a live store's sealed secrets (or, with `partial`, merges them by name) and their names
 * and lengths, as `partner-callbacks.ts` does for a partner's push. A compare-and-swap on the
 * sealed value keeps two concurrent writers, on any replicas, from losing each other's names.
 * Returns the names and lengths now stored.
 */
export async function replaceStoreSecrets(
  db: Kysely<DB>,
  secretBox: SecretBox,
  storeId: string,
  given: readonly SecretValue[],
  options: { readonly partial: boolean; readonly now: number },
): Promise<SecretInfo[]> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const row = await db.selectFrom('stores').select(['secrets_sealed']).where('id', '=', storeId).where('lifecycle', '=', 'live').executeTakeFirst();
    if (!row) throw new ApiError('not_found', `The store ${storeId} was deleted meanwhile.`);
    let next: SecretValue[] = [...given];
    if (options.partial) {
      const current = row.secrets_sealed === null ? [] : parseSecretValues(secretBox.open(row.secrets_sealed, storeSecretsContext(storeId)));
      const byName = new Map(current.map((s) => [s.name, s] as const));
      for (const s of given) byName.set(s.name, s);
      next = [...byName.values()];
    }
    const meta: SecretInfo[] = next.map((s) => ({ name: s.name, length: s.value.length }));
    let update = db
      .updateTable('stores')
      .set({ secrets_sealed: secretBox.seal(JSON.stringify(next), storeSecretsContext(storeId)), secret_meta: JSON.stringify(meta), updated_at: options.now })
      .where('id', '=', storeId)
      .where('lifecycle', '=', 'live');
    update = row.secrets_sealed === null ? update.where('secrets_sealed', 'is', null) : update.where('secrets_sealed', '=', row.secrets_sealed);
    const result = await update.executeTakeFirst();
    if (Number(result.numUpdatedRows) === 1) return meta;
  }
  throw new ApiError('conflict', 'The secrets changed concurrently too many times; retry.');
}

/** What a store's sealed secrets are bound to (the secret box's additional data): its row. */
export function storeSecretsContext(storeId: string): string {
  return `stores.secrets_sealed:${storeId}`;
}
