import cluster from 'node:cluster';

/**
 * What one worker process forgets and the others must forget too (STOCKROOM_WORKERS > 1,
 * docs/workers.md): a revoked token's cached lookup, and an installation's cached plan lists after
 * a change to it. The workers are one server to its clients, so "refused at once through this
 * server" must hold whichever worker answers next. A worker announces to the primary, which passes
 * the message to every other worker (workers.ts). In a process that is not a cluster worker (one
 * process, a test) both functions do nothing: there is no one else to tell.
 */
export type Invalidation = { readonly kind: 'tokens' } | { readonly kind: 'plans'; readonly scope: string };

/** The message's `type`, as the primary recognises it. */
export const INVALIDATION_MESSAGE = 'stockroom:invalidate';

const handlers = new Set<(invalidation: Invalidation) => void>();
let listening = false;

/** Tells the other workers to forget what this one just forgot. */
export function announceInvalidation(invalidation: Invalidation): void {
  if (!cluster.isWorker || !process.send) return;
  process.send({ type: INVALIDATION_MESSAGE, invalidation });
}

/** Runs `handler` when another worker announces an invalidation; returns how to stop. */
export function onInvalidation(handler: (invalidation: Invalidation) => void): () => void {
  if (!cluster.isWorker) return () => undefined;
  handlers.add(handler);
  if (!listening) {
    listening = true;
    process.on('message', (message: unknown) => {
      if (typeof message !== 'object' || message === null || (message as { type?: unknown }).type !== INVALIDATION_MESSAGE) return;
      for (const run of handlers) run((message as { invalidation: Invalidation }).invalidation);
    });
  }
  return () => void handlers.delete(handler);
}
