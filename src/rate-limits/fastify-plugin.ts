import fastifyRateLimit, { type FastifyRateLimitStore } from '@fastify/rate-limit';
import type { AnyFastify } from '../any-fastify.js';
import { ApiError } from '../errors.js';
import type { RateLimitSettings, RateLimitWiring } from './plugin.js';
import { fixedWindow, groupOf, type RateLimitGroup } from './rules.js';

/**
 * The same limits through `@fastify/rate-limit`, with today's counters as its store (issue 14 #6,
 * measured against plugin.ts by bench/rate-limit.ts). The library counts and sends
 * `X-RateLimit-Limit`, `-Remaining` and `Retry-After`; Vercel's `X-RateLimit-Reset` is an epoch
 * time where the library sends seconds left, and its 429 body is ours, so both are added here.
 */
export async function registerFastifyRateLimit(app: AnyFastify, settings: RateLimitSettings, wiring: RateLimitWiring): Promise<void> {
  const { counters, now } = wiring;
  const limits: Record<RateLimitGroup, number> = { 'create-store': settings.createStore, write: settings.write, read: settings.read };
  const group = (request: Parameters<RateLimitWiring['writes']>[0]) => groupOf(request.method, request.routeOptions.url, wiring.writes(request));
  const resetOf = () => fixedWindow(now(), settings.windowMs).resetMs;

  // The library's store interface: a callback with the count and the ms left in the window.
  class CountersStore implements FastifyRateLimitStore {
    incr(key: string, callback: (error: Error | null, result?: { current: number; ttl: number }) => void, timeWindow: number): void {
      const at = now();
      const window = fixedWindow(at, timeWindow);
      counters.increment(key, window, timeWindow).then(
        (current) => callback(null, { current, ttl: window.resetMs - at }),
        (error: Error) => {
          app.log.warn({ err: error }, 'rate limit counter unavailable; request allowed');
          callback(error);
        },
      );
    }
    child(): FastifyRateLimitStore {
      return this;
    }
  }

  await app.register(fastifyRateLimit, {
    store: CountersStore,
    timeWindow: settings.windowMs,
    skipOnError: true,
    keyGenerator: (request) => (request.actor ? `${request.actor.token.id}:${group(request)}` : ''),
    allowList: (request) => !request.actor || !wiring.appliesTo(request),
    max: (request) => limits[group(request)],
    addHeaders: { 'x-ratelimit-reset': false },
    addHeadersOnExceeding: { 'x-ratelimit-reset': false },
    errorResponseBuilder: (request, context) => {
      const resetMs = resetOf();
      const retryAfter = Math.max(1, Math.ceil(context.ttl / 1000));
      return new ApiError(
        'rate_limited',
        `Rate limit exceeded: this token may make ${context.max} ${group(request)} requests per ${settings.windowMs / 1000} s; retry in ${retryAfter} s.`,
        { limit: { remaining: 0, reset: Math.ceil(resetMs / 1000), resetMs, total: context.max } },
        { 'retry-after': String(retryAfter) },
      );
    },
  });

  app.addHook('onSend', async (_request, reply, payload) => {
    if (reply.hasHeader('x-ratelimit-limit')) void reply.header('x-ratelimit-reset', String(Math.ceil(resetOf() / 1000)));
    return payload;
  });
  const sweeper = setInterval(() => {
    counters.sweep(now() - 2 * settings.windowMs).catch((error: unknown) => app.log.warn({ err: error }, 'rate limit counter sweep failed'));
  }, Math.max(settings.windowMs, 60_000));
  sweeper.unref();
  app.addHook('onClose', async () => {
    clearInterval(sweeper);
    await counters.close();
  });
}
