import type { Kysely } from 'kysely';
import type { BatchableCounters } from '../rate-limits/counters.js';
import type { FixedWindow } from '../rate-limits/rules.js';
import type { Dialect } from './database.js';
import type { DB } from './schema.js';

/** Row type of `rate_limit_counters` (migration 0006). */
export interface RateLimitCountersTable {
  key: string;
  window_start: number;
  count: number;
}

type Tables = { rate_limit_counters: RateLimitCountersTable };

/**
 * Counters in the database, so every replica on one PostgreSQL counts into the same window; null
 * on SQLite, which one process serves: memory counts as well there, without a write per request.
 * An update is one upsert (`INSERT … ON CONFLICT DO UPDATE … RETURNING`): one round trip and a row
 * lock held only for that statement; `createCoalescingCounters` adds up the requests that arrive
 * while one is in flight. A busy token serializes on its row, which is the point of a shared
 * limit; tokens do not contend with each other.
 */
export function createDatabaseCounters(db: Kysely<DB>, dialect: Dialect): BatchableCounters | null {
  if (dialect !== 'postgres') return null;
  const counters = db.withTables<Tables>();
  return {
    async incrementBy(key: string, window: FixedWindow, by: number): Promise<number> {
      const row = await counters
        .insertInto('rate_limit_counters')
        .values({ key, window_start: window.start, count: by })
        .onConflict((oc) => oc.columns(['key', 'window_start']).doUpdateSet((eb) => ({ count: eb('rate_limit_counters.count', '+', by) })))
        .returning('count')
        .executeTakeFirstOrThrow();
      return Number(row.count);
    },
    async sweep(before: number): Promise<void> {
      await counters.deleteFrom('rate_limit_counters').where('window_start', '<', before).execute();
    },
    // The database belongs to the app, which closes it.
    async close(): Promise<void> {},
  };
}
