/**
 * Rate limits (semantics.md §7): a fixed-window counter per token and endpoint group. Pure rules
 * here; the counters live behind `RateLimitCounters`.
 */

/**
 * Endpoint groups, each with its own limit: creating stores (it costs money and provider
 * resources), other writes, and reads.
 */
export type RateLimitGroup = 'create-store' | 'write' | 'read';

/** One fixed window: `[start, start + length)`, aligned to multiples of its length since the epoch. */
export interface FixedWindow {
  /** Epoch ms. */
  readonly start: number;
  /** Epoch ms at which the next window starts and the count starts again. */
  readonly resetMs: number;
}

export function fixedWindow(now: number, windowMs: number): FixedWindow {
  const start = Math.floor(now / windowMs) * windowMs;
  return { start, resetMs: start + windowMs };
}

/** Where a caller stands in the window, as `error.limit` and the `X-RateLimit-*` headers tell it. */
export interface RateLimitState {
  /** The limit of the window. */
  readonly total: number;
  /** Requests left in the window after this one (never negative). */
  readonly remaining: number;
  /** When the window resets, epoch seconds (rounded up). */
  readonly reset: number;
  /** When the window resets, epoch ms. */
  readonly resetMs: number;
  /** True when this request is over the limit. */
  readonly limited: boolean;
  /** Seconds until the reset, at least 1: the `Retry-After` of a 429. */
  readonly retryAfterSeconds: number;
}

/** The state after the window's `count`-th request (this one included). */
export function rateLimitState(limit: number, count: number, window: FixedWindow, now: number): RateLimitState {
  return {
    total: limit,
    remaining: Math.max(0, limit - count),
    reset: Math.ceil(window.resetMs / 1000),
    resetMs: window.resetMs,
    limited: count > limit,
    retryAfterSeconds: Math.max(1, Math.ceil((window.resetMs - now) / 1000)),
  };
}

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
