import type { Kysely, Selectable } from 'kysely';
import type { DB, ProviderCleanupsTable } from './schema.js';

/*
 * The `provider_cleanups` table: resources a provider may still hold for stores that failed,
 * recorded for retry (docs/rules.md §6). What to retry and when is `use-cases/provider-cleanup.ts`.
 */

export interface CleanupRecord {
  readonly id: string;
  readonly storeId: string;
  readonly teamId: string;
  readonly installationId: string;
  readonly integrationId: string;
  readonly storeName: string;
  readonly resourceId: string | null;
  readonly nextAttemptAt: number;
  readonly lastError: string;
  readonly now: number;
}

/** Records a cleanup after its first failed attempt; a store already recorded keeps its row. */
export async function recordCleanup(db: Kysely<DB>, c: CleanupRecord): Promise<void> {
  await db
    .insertInto('provider_cleanups')
    .values({
      id: c.id,
      store_id: c.storeId,
      team_id: c.teamId,
      installation_id: c.installationId,
      integration_id: c.integrationId,
      store_name: c.storeName,
      resource_id: c.resourceId,
      attempts: 1,
      next_attempt_at: c.nextAttemptAt,
      last_error: c.lastError,
      created_at: c.now,
      done_at: null,
    })
    .onConflict((oc) => oc.column('store_id').doNothing())
    .execute();
}

/** Open cleanups due by `now`, the longest waiting first. */
export async function listDueCleanups(db: Kysely<DB>, now: number, limit: number): Promise<Array<Selectable<ProviderCleanupsTable>>> {
  return db.selectFrom('provider_cleanups').selectAll().where('done_at', 'is', null).where('next_attempt_at', '<=', now).orderBy('next_attempt_at').limit(limit).execute();
}

/**
 * Claims a cleanup by moving `attempts` from the value read to the next one: with replicas, only
 * the one whose update matched does the work. True when this process won it.
 */
export async function claimCleanup(db: Kysely<DB>, row: Pick<Selectable<ProviderCleanupsTable>, 'id' | 'attempts'>, nextAttemptAt: number): Promise<boolean> {
  const claimed = await db
    .updateTable('provider_cleanups')
    .set({ attempts: row.attempts + 1, next_attempt_at: nextAttemptAt })
    .where('id', '=', row.id)
    .where('attempts', '=', row.attempts)
    .executeTakeFirst();
  return Number(claimed.numUpdatedRows) === 1;
}

export async function markCleanupDone(db: Kysely<DB>, id: string, now: number): Promise<void> {
  await db.updateTable('provider_cleanups').set({ done_at: now, last_error: null }).where('id', '=', id).execute();
}

export async function recordCleanupError(db: Kysely<DB>, id: string, error: string): Promise<void> {
  await db.updateTable('provider_cleanups').set({ last_error: error }).where('id', '=', id).execute();
}
