import type { AnyFastify } from '../app-type.js';

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
    parseJson(req, text, done);
  });
}
