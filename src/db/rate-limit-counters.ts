import type { Kysely } from 'kysely';
import type { FixedWindow, RateLimitCounters } from '../domain/rate-limits.js';
import type { DB } from './schema.js';

/** Row type of `rate_limit_counters` (migration 0006). */
export interface RateLimitCountersTable {
  key: string;
  window_start: number;
  count: number;
}

type Tables = { rate_limit_counters: RateLimitCountersTable };

/**
 * Counters in the database, so every replica on one PostgreSQL counts into the same window. Each
 * request costs one upsert (`INSERT … ON CONFLICT DO UPDATE … RETURNING`): one round trip and a
 * row lock held only for that statement. A busy token serializes on its row, which is the point
 * of a shared limit; tokens do not contend with each other.
 */
export function createDatabaseCounters(db: Kysely<DB>): RateLimitCounters {
  const counters = db.withTables<Tables>();
  return {
    async increment(key: string, window: FixedWindow): Promise<number> {
      const row = await counters
        .insertInto('rate_limit_counters')
        .values({ key, window_start: window.start, count: 1 })
        .onConflict((oc) => oc.columns(['key', 'window_start']).doUpdateSet((eb) => ({ count: eb('rate_limit_counters.count', '+', 1) })))
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
