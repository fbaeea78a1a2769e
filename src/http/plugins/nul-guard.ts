import type { AnyFastify } from '../../any-fastify.js';
import { ApiError } from '../../errors.js';
import { sendApiError } from './error-handler.js';

/**
 * PostgreSQL text cannot hold the NUL character (U+0000): a query with one fails with "invalid
 * byte sequence", which reached callers as a 500 (found by `test/fuzz`). No Vercel id, name or
 * value has a NUL either, so a request carrying one is refused as `bad_request` before anything
 * reads it: in the URL (path or query, percent-encoded as `%00`) here, in a JSON body by the body
 * parser (`nulPath`).
 */
export function registerNulGuard(app: AnyFastify): void {
  app.addHook('onRequest', async (request, reply) => {
    if (!/%00|\u0000/.test(request.url)) return;
    // Answered here rather than thrown: the reference partner mounted under /partners has its own
    // error handler, which knows only its own errors; the body shape is the same `{error:{code,message}}`.
    return sendApiError(reply, new ApiError('bad_request', 'The URL may not contain the NUL character (%00).'));
  });
}

/**
 * Where a NUL character sits in a parsed JSON value: the top-level field it is under, `''` for
 * the body itself, or undefined when there is none.
 */
export function nulPath(value: unknown, top?: string): string | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? (top ?? '') : undefined;
  if (value === null || typeof value !== 'object') return undefined;
  for (const [key, item] of Object.entries(value)) {
    const field = top ?? (Array.isArray(value) ? '' : key);
    if (key.includes('\u0000')) return field;
    const found = nulPath(item, field);
    if (found !== undefined) return found;
  }
  return undefined;
}
