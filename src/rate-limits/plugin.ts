import type { FastifyRequest } from 'fastify';
import type { AnyFastify } from '../any-fastify.js';
import { ApiError } from '../errors.js';
import type { RateLimitCounters } from './counters.js';
import { fixedWindow, groupOf, rateLimitState, type RateLimitGroup, type RateLimitState } from './rules.js';

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

/** What the plugin needs besides the settings: the counters, the clock, and which requests it limits. */
export interface RateLimitWiring {
  readonly counters: RateLimitCounters;
  /** Epoch ms (the app's clock, which tests move). */
  readonly now: () => number;
  /** Whether a request is limited at all: Stockroom's own authenticated API, not public routes. */
  readonly appliesTo: (request: FastifyRequest) => boolean;
  /** Whether a request changes something: its group is then `write`, not `read`. */
  readonly writes: (request: FastifyRequest) => boolean;
}

declare module 'fastify' {
  interface FastifyRequest {
    rateLimit: RateLimitState | null;
  }
}

/**
 * Fixed-window rate limits per token and endpoint group (docs/rules.md §7). Over the limit is 429
 * `rate_limited` with `error.limit = {remaining, reset (epoch s), resetMs, total}` and
 * `Retry-After`; every authenticated answer carries `X-RateLimit-Limit`, `-Remaining` and `-Reset`
 * (epoch s), as Vercel sends them. Counting starts after authentication (the key is the token), so
 * a 401 carries no headers; requests `appliesTo` leaves out are not limited.
 *
 * Two hooks rather than `@fastify/rate-limit`: measured at the same speed, the library needed more
 * code to keep Vercel's reset header and 429 body (docs/rate-limits.md).
 *
 * A counter that cannot be reached fails open, with a warning: the limit protects Stockroom, and
 * refusing every request because of it would be the outage it is meant to prevent.
 */
export function registerRateLimit(app: AnyFastify, settings: RateLimitSettings, wiring: RateLimitWiring): void {
  const { counters, now } = wiring;
  const limits: Record<RateLimitGroup, number> = { 'create-store': settings.createStore, write: settings.write, read: settings.read };
  app.decorateRequest('rateLimit', null);

  // Registered after the auth hook, so `request.actor` is known here.
  app.addHook('onRequest', async (request) => {
    if (!wiring.appliesTo(request) || !request.actor) return;
    const group = groupOf(request.method, request.routeOptions.url, wiring.writes(request));
    const at = now();
    const window = fixedWindow(at, settings.windowMs);
    let count: number;
    try {
      count = await counters.increment(`${request.actor.token.id}:${group}`, window, settings.windowMs);
    } catch (error) {
      request.log.warn({ err: error }, 'rate limit counter unavailable; request allowed');
      return;
    }
    const state = rateLimitState(limits[group], count, window, at);
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
    counters.sweep(now() - 2 * settings.windowMs).catch((error: unknown) => app.log.warn({ err: error }, 'rate limit counter sweep failed'));
  }, Math.max(settings.windowMs, 60_000));
  sweeper.unref();
  app.addHook('onClose', async () => {
    clearInterval(sweeper);
    await counters.close();
  });
}
