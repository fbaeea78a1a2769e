import type { AnyFastify } from '../../any-fastify.js';

/**
 * Answers sent once the server is closing (SIGTERM, main.ts) carry `Connection: close`, so the
 * connection ends with the answer. Without it a keep-alive client keeps an answered request's
 * connection open for the server's keep-alive timeout (Fastify's 72 s), `close()` waits for it,
 * and the process outlives a supervisor's grace period to be killed. Requests arriving while
 * closing are answered 503 by Fastify (`return503OnClosing`), already with `Connection: close`.
 */
export function registerCloseOnShutdown(app: AnyFastify): void {
  let closing = false;
  // preClose runs when close() is called, before the requests in flight have finished.
  app.addHook('preClose', async () => {
    closing = true;
  });
  // A callback hook, not an async one: it runs on every answer, and an async hook costs a promise
  // per request for a check that is almost always false.
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (closing) void reply.header('connection', 'close');
    done(null, payload);
  });
}
