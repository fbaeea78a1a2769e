import type { FastifyRequest } from 'fastify';
import { createDatabaseCounters } from '../../db/rate-limit-counters.js';
import { fixedWindow, rateLimitState, type RateLimitCounters, type RateLimitGroup, type RateLimitState } from '../../domain/rate-limits.js';
import { ApiError } from '../../errors.js';
import { createCoalescingCounters } from '../../rate-limits/coalescing-counters.js';
import { createMemoryCounters } from '../../rate-limits/memory-counters.js';
import { createRedisCounters } from '../../rate-limits/redis-counters.js';
import type { AnyFastify } from '../../any-fastify.js';
import { isOwnApiRoute, MUTATING_METHODS } from '../own-api-route.js';
import type { AppContext } from '../../app-context.js';

/** Rate limits per token and endpoint group, from the configuration (`STOCKROOM_RATE_LIMIT_*`). */
export interface RateLimitSettings {
  /** `STOCKROOM_RATE_LIMIT=off` turns every limit off, and the headers with them. */
  readonly enabled: boolean;
  /** Length of one fixed window, in ms. */
  readonly windowMs: number;
  /** Requests per token and window, by group. */
  readonly createStore: number;
  readonly write: number;
  readonly read: number;
  /** Count in Redis instead of the database (replicas then share Redis). */
  readonly redisUrl?: string;
}

/** The route whose requests form the `create-store` group. */
export const CREATE_STORE_ROUTE = '/v1/storage/stores/integration/direct';

/** Every route that creates a store: the CLI's auto-provision spends the same group (issue 13). */
const CREATE_STORE_ROUTES: ReadonlySet<string> = new Set([CREATE_STORE_ROUTE, '/v1/integrations/integration/:integrationIdOrSlug/marketplace/auto-provision/:productIdOrSlug']);

declare module 'fastify' {
  interface FastifyRequest {
    rateLimit: RateLimitState | null;
  }
}

/**
 * Fixed-window rate limits per token and endpoint group (semantics.md §7). Over the limit is 429
 * `rate_limited` with `error.limit = {remaining, reset (epoch s), resetMs, total}` and
 * `Retry-After`; every authenticated answer carries `X-RateLimit-Limit`, `-Remaining` and `-Reset`
 * (epoch s), as Vercel sends them. Counting starts after authentication (the key is the token), so
 * a 401 carries no headers; public routes and the reference partner under `/partners/` are not
 * limited. Counters are shared by replicas: in Redis when configured, else in PostgreSQL, else
 * (SQLite, one process) in memory.
 *
 * A counter that cannot be reached fails open, with a warning: the limit protects Stockroom, and
 * refusing every request because of it would be the outage it is meant to prevent.
 */
export function registerRateLimit(app: AnyFastify, ctx: AppContext, settings: RateLimitSettings): void {
  app.decorateRequest('rateLimit', null);
  if (!settings.enabled) return;
  const counters = countersFor(ctx, settings);
  const limits: Record<RateLimitGroup, number> = { 'create-store': settings.createStore, write: settings.write, read: settings.read };

  // Registered after the auth hook, so `request.actor` is known here.
  app.addHook('onRequest', async (request) => {
    if (!isOwnApiRoute(request) || !request.actor) return;
    const group = groupOf(request);
    const now = ctx.now();
    const window = fixedWindow(now, settings.windowMs);
    let count: number;
    try {
      count = await counters.increment(`${request.actor.token.id}:${group}`, window, settings.windowMs);
    } catch (error) {
      request.log.warn({ err: error }, 'rate limit counter unavailable; request allowed');
      return;
    }
    const state = rateLimitState(limits[group], count, window, now);
    request.rateLimit = state;
    if (state.limited) {
      throw new ApiError(
        'rate_limited',
        `Rate limit exceeded: this token may make ${state.total} ${group} requests per ${settings.windowMs / 1000} s; retry in ${state.retryAfterSeconds} s.`,
        { limit: { remaining: state.remaining, reset: state.reset, resetMs: state.resetMs, total: state.total } },
        { 'retry-after': String(state.retryAfterSeconds) },
      );
    }
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const state = request.rateLimit;
    if (state) {
      void reply.header('x-ratelimit-limit', String(state.total));
      void reply.header('x-ratelimit-remaining', String(state.remaining));
      void reply.header('x-ratelimit-reset', String(state.reset));
    }
    return payload;
  });

  // Old windows are only clutter (a window is never read again once it ended); one previous
  // window is kept for replicas whose clocks lag.
  const sweeper = setInterval(() => {
    counters.sweep(ctx.now() - 2 * settings.windowMs).catch((error: unknown) => ctx.logger.warn({ err: error }, 'rate limit counter sweep failed'));
  }, Math.max(settings.windowMs, 60_000));
  sweeper.unref();
  app.addHook('onClose', async () => {
    clearInterval(sweeper);
    await counters.close();
  });
}

function countersFor(ctx: AppContext, settings: RateLimitSettings): RateLimitCounters {
  if (settings.redisUrl) return createCoalescingCounters(createRedisCounters(settings.redisUrl));
  if (ctx.dialect === 'postgres') return createCoalescingCounters(createDatabaseCounters(ctx.db));
  return createMemoryCounters();
}

export function groupOf(request: FastifyRequest): RateLimitGroup {
  if (request.method === 'POST' && request.routeOptions.url !== undefined && CREATE_STORE_ROUTES.has(request.routeOptions.url)) return 'create-store';
  return MUTATING_METHODS.has(request.method) ? 'write' : 'read';
}

