import type { Kysely } from 'kysely';
import type { SecretBox } from '../crypto/secret-box.js';
import { parseSecretValues, type SecretValue } from '../domain/env-vars.js';
import { findEnvVarClashes } from '../domain/store-connections.js';
import type { SecretInfo } from '../domain/stores.js';
import { ApiError } from '../errors.js';
import { listProjectConnections } from './connections.js';
import type { DB } from './schema.js';

/**
 * Replaces a live store's sealed secrets (or, with `partial`, merges them by name) and their names
 * and lengths, as `partner-callbacks.ts` does for a partner's push. A compare-and-swap on the
 * sealed value keeps two concurrent writers, on any replicas, from losing each other's names.
 * Names that would clash with another store's variables in a connected project are refused with
 * 409 and nothing is stored (`refuseEnvVarClashes`). Returns the names and lengths now stored.
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
    await refuseEnvVarClashes(db, storeId, meta);
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

/**
 * The rule a connect meets (`findEnvVarClashes`, store-connections.ts) applied to new secret names:
 * in every project the store is connected to, none of its variables may share a name with
 * another connected store's in an environment both serve. Otherwise the project would list two
 * variables of one name and `env pull` would serve one of them silently.
 *
 * Not atomic with a concurrent connect of another store to the same project (each checks the
 * other's committed state); the connect rule has the same window.
 */
async function refuseEnvVarClashes(db: Kysely<DB>, storeId: string, secrets: readonly SecretInfo[]): Promise<void> {
  const projects = await db
    .selectFrom('store_connections')
    .innerJoin('projects', 'projects.id', 'store_connections.project_id')
    .select(['projects.id', 'projects.name'])
    .where('store_connections.store_id', '=', storeId)
    .execute();
  for (const project of projects) {
    const rows = await listProjectConnections(db, project.id);
    const own = rows.find((row) => row.connection.storeId === storeId);
    if (!own) continue;
    const clashes = findEnvVarClashes(
      { storeId, environments: own.connection.environments, envVarPrefix: own.connection.envVarPrefix, secrets },
      rows.map((row) => ({ storeId: row.connection.storeId, environments: row.connection.environments, envVarPrefix: row.connection.envVarPrefix, secrets: row.secrets })),
    );
    if (clashes.length > 0) {
      throw new ApiError(
        'conflict',
        `The project ${project.name} already has ${clashes.join(', ')} from another store, so this store cannot provide ${clashes.length === 1 ? 'it' : 'them'} too; nothing was changed. Rename the secret, or reconnect a store with a different envVarPrefix.`,
        { param: 'secrets' },
      );
    }
  }
}

/** What a store's sealed secrets are bound to (the secret box's additional data): its row. */
export function storeSecretsContext(storeId: string): string {
  return `stores.secrets_sealed:${storeId}`;
}
