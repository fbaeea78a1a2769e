import type { AnyFastify } from '../../any-fastify.js';
import { ApiError } from '../../errors.js';
import { MAX_JSON_DEPTH, tooDeepAt } from '../json-limits.js';
import { nulPath } from './nul-guard.js';

/**
 * Wraps Fastify's JSON parser (which guards against prototype poisoning) so that an empty body,
 * which `@vercel/sdk` sends with `content-type: application/json` when a call has no body
 * (vercel-contract.md §1.3), reads as "no body" instead of an error.
 */
export function registerJsonBodyParser(app: AnyFastify): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') {
      done(null, undefined);
      return;
    }
    parseJson(req, text, (error, value) => {
      // Deep nesting would overflow the stack of whatever walks the body next (the idempotency
      // fingerprint, the NUL check, metadata forwarding): refused first, naming the field.
      const deep = error ? undefined : tooDeepAt(value);
      if (deep !== undefined) {
        done(new ApiError('bad_request', `Invalid request: ${deep ? `\`${deep}\`` : 'the body'} nests deeper than ${MAX_JSON_DEPTH} levels.`, { param: deep || 'body' }), undefined);
        return;
      }
      // A NUL character cannot be stored (nul-guard.ts): refused before any handler sees it.
      const param = error ? undefined : nulPath(value);
      if (param !== undefined) done(new ApiError('bad_request', 'Text in the body may not contain the NUL character (\\u0000).', { param: param || 'body' }), undefined);
      else done(error, value);
    });
  });
}
