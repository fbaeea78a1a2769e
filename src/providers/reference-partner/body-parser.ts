import type { FastifyInstance } from 'fastify';

/**
 * Accepts an empty body sent with `content-type: application/json` (DELETE calls often do) as
 * "no body", and otherwise parses JSON with Fastify's own prototype-poisoning-safe parser.
 * Registered inside the partner's plugin context, so it works the same standalone and mounted.
 */
export function registerTolerantJsonParser(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') {
      done(null, undefined);
      return;
    }
    parseJson(request, text, done);
  });
}
