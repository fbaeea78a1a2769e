import type { AnyFastify } from '../../any-fastify.js';
import { registerEmptyTolerantJsonParser } from '../../empty-tolerant-json-parser.js';
import { ApiError } from '../../errors.js';
import { MAX_JSON_DEPTH, tooDeepAt } from '../json-limits.js';
import { nulPath } from './nul-guard.js';

/**
 * Wraps Fastify's JSON parser (which guards against prototype poisoning) so that an empty body,
 * which `@vercel/sdk` sends with `content-type: application/json` when a call has no body
 * (vercel-contract.md §1.3), reads as "no body" instead of an error.
 */
export function registerJsonBodyParser(app: AnyFastify): void {
  registerEmptyTolerantJsonParser(app, (value) => {
    // Deep nesting would overflow the stack of whatever walks the body next (the idempotency
    // fingerprint, the NUL check, metadata forwarding): refused first, naming the field.
    const deep = tooDeepAt(value);
    if (deep !== undefined) return new ApiError('bad_request', `Invalid request: ${deep ? `\`${deep}\`` : 'the body'} nests deeper than ${MAX_JSON_DEPTH} levels.`, { param: deep || 'body' });
    // A NUL character cannot be stored (nul-guard.ts): refused before any handler sees it.
    const param = nulPath(value);
    return param !== undefined ? new ApiError('bad_request', 'Text in the body may not contain the NUL character (\\u0000).', { param: param || 'body' }) : undefined;
  });
}
