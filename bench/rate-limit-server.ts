import Fastify from 'fastify';
import { collectRouteMatchers, registerErrorHandler } from '../src/http/plugins/error-handler.js';
import { isOwnApiRoute, MUTATING_METHODS } from '../src/http/own-api-route.js';
import type { AnyFastify } from '../src/any-fastify.js';
import { createCoalescingCounters } from '../src/rate-limits/coalescing-counters.js';
import type { RateLimitCounters } from '../src/rate-limits/counters.js';
import { registerFastifyRateLimit } from '../src/rate-limits/fastify-plugin.js';
import { createMemoryCounters } from '../src/rate-limits/memory-counters.js';
import { registerRateLimit, type RateLimitSettings } from '../src/rate-limits/plugin.js';
import { createRedisCounters } from '../src/rate-limits/redis-counters.js';

/**
 * One side of bench/rate-limit.ts: `tsx bench/rate-limit-server.ts <hooks|library> <memory|redis-url> <read limit>`.
 * A Fastify app with Stockroom's error handler, an authentication stand-in (every request is one
 * token's, as a cached token lookup would make it) and `GET /v2/user`, limited by one of the two
 * rate-limit plugins over the named counters. Nothing else runs, so the difference between the
 * two is the rate limit's own cost.
 */
const [variant, countersName, readLimit] = process.argv.slice(2);
if ((variant !== 'hooks' && variant !== 'library') || !countersName || !readLimit) throw new Error('usage: rate-limit-server.ts <hooks|library> <memory|redis://…> <read limit>');

const counters: RateLimitCounters = countersName === 'memory' ? createMemoryCounters() : createCoalescingCounters(createRedisCounters(countersName));
const settings: RateLimitSettings = { enabled: true, windowMs: 60_000, createStore: 100, write: 1_000_000_000, read: Number(readLimit) };
const wiring = { counters, now: Date.now, appliesTo: isOwnApiRoute, writes: (request: { method: string }) => MUTATING_METHODS.has(request.method) };
// A fresh token per server process, so a Redis counter left by an earlier run never counts here.
const token = { id: `tok_bench_${process.pid}_${Date.now()}` };

const app = Fastify({ logger: false }) as unknown as AnyFastify;
registerErrorHandler(app, collectRouteMatchers(app));
app.decorateRequest('actor', null);
app.addHook('onRequest', async (request) => {
  request.actor = { token } as never;
});
if (variant === 'hooks') registerRateLimit(app, settings, wiring);
else await registerFastifyRateLimit(app, settings, wiring);
app.get('/v2/user', async () => ({ user: { id: 'user_bench', email: 'bench@example.com', name: 'Bench', username: 'bench' } }));

await app.listen({ port: 0, host: '127.0.0.1' });
const address = app.server.address();
if (address && typeof address === 'object') process.send?.({ port: address.port });
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
