import { Redis } from 'ioredis';
import type { BatchableCounters } from './counters.js';
import type { FixedWindow } from './rules.js';

/**
 * Counters in Redis (`STOCKROOM_REDIS_URL`): one `MULTI INCRBY PEXPIRE` per update (the requests
 * that arrived meanwhile together, see `createCoalescingCounters`), cheaper than a database upsert
 * when many replicas share a busy limit. Keys expire on their own shortly after
 * their window ends, so there is nothing to sweep.
 */
export function createRedisCounters(url: string): BatchableCounters {
  // A slow or absent Redis must not hold requests: commands give up quickly and the caller fails
  // open (see the rate-limit plugin).
  const redis = new Redis(url, { maxRetriesPerRequest: 1, commandTimeout: 1000, connectTimeout: 2000 });
  // Connection errors surface through the commands that fail; an unhandled 'error' event would
  // only add noise (ioredis logs it otherwise).
  redis.on('error', () => {});
  return {
    async incrementBy(key: string, window: FixedWindow, by: number, windowMs: number): Promise<number> {
      const name = `stockroom:ratelimit:${key}:${window.start}`;
      const results = await redis.multi().incrby(name, by).pexpire(name, windowMs + 5000).exec();
      const [error, count] = results?.[0] ?? [new Error('Redis returned no result'), null];
      if (error) throw error;
      return Number(count);
    },
    async sweep(): Promise<void> {},
    async close(): Promise<void> {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
