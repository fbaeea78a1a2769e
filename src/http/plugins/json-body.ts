import type { AnyFastify } from '../app-type.js';
import { ApiError } from '../../errors.js';
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
      // A NUL character cannot be stored (nul-guard.ts): refused before any handler sees it.
      const param = error ? undefined : nulPath(value);
      if (param !== undefined) done(new ApiError('bad_request', 'Text in the body may not contain the NUL character (\\u0000).', { param: param || 'body' }), undefined);
      else done(error, value);
    });
  });
}
