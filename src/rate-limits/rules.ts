/**
 * Rate limits (docs/rules.md §7): a fixed-window counter per token and endpoint group. Pure rules
 * here; the counters live behind `RateLimitCounters` (counters.ts), the hooks in plugin.ts.
 */

/**
 * Endpoint groups, each with its own limit: creating stores (it costs money and provider
 * resources), other writes, and reads.
 */
export type RateLimitGroup = 'create-store' | 'write' | 'read';

/**
 * The routes whose POSTs form the `create-store` group: the direct create, and the CLI's
 * auto-provision, which spends the same group (issue 13).
 */
const CREATE_STORE_ROUTES: ReadonlySet<string> = new Set([
  '/v1/storage/stores/integration/direct',
  '/v1/integrations/integration/:integrationIdOrSlug/marketplace/auto-provision/:productIdOrSlug',
]);

/** The group of a request to `route` (its pattern, e.g. `/v1/storage/stores/:id`); `writes`: its method changes something. */
export function groupOf(method: string, route: string | undefined, writes: boolean): RateLimitGroup {
  if (method === 'POST' && route !== undefined && CREATE_STORE_ROUTES.has(route)) return 'create-store';
  return writes ? 'write' : 'read';
}

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
