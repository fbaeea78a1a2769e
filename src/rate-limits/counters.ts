import type { AppContext } from '../app-context.js';
import { createDatabaseCounters } from '../db/rate-limit-counters.js';
import { createCoalescingCounters } from './coalescing-counters.js';
import { createMemoryCounters } from './memory-counters.js';
import { createRedisCounters } from './redis-counters.js';
import type { FixedWindow } from './rules.js';

/**
 * Counts requests per key and window. Implementations: in memory (one process, SQLite),
 * PostgreSQL (replicas sharing the database) and Redis (when configured).
 */
export interface RateLimitCounters {
  /** Adds one request to the key's window and returns the window's count, this request included. */
  increment(key: string, window: FixedWindow, windowMs: number): Promise<number>;
  /** Forgets windows that ended before `before` (epoch ms). */
  sweep(before: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * A shared counter (PostgreSQL, Redis) that adds several requests in one update and returns the
 * new total; `createCoalescingCounters` turns it into `RateLimitCounters`.
 */
export interface BatchableCounters extends Omit<RateLimitCounters, 'increment'> {
  incrementBy(key: string, window: FixedWindow, by: number, windowMs: number): Promise<number>;
}

/**
 * The counters replicas share: in Redis when configured, else in the database when replicas can
 * share it (PostgreSQL), else (SQLite, one process) in this process's memory. A shared counter
 * is a round trip, so the requests that arrive while one is in flight are added together.
 */
export function countersFor(ctx: Pick<AppContext, 'db' | 'dialect'>, redisUrl: string | undefined): RateLimitCounters {
  const shared = redisUrl ? createRedisCounters(redisUrl) : createDatabaseCounters(ctx.db, ctx.dialect);
  return shared ? createCoalescingCounters(shared) : createMemoryCounters();
}
