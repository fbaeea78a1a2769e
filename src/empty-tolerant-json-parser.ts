import type { AnyFastify } from './any-fastify.js';

/**
 * Replaces an app's `application/json` parser so that an empty body, which `@vercel/sdk` and many
 * DELETE calls send with that content type (vercel-contract.md §1.3), reads as "no body" instead of
 * an error. Anything else goes through Fastify's own parser (it guards against prototype
 * poisoning), then through `refuse`: the error for a parsed value the app will not take, or
 * undefined. Shared by Stockroom's API and the partner kit's, which refuse different things.
 */
export function registerEmptyTolerantJsonParser(app: AnyFastify, refuse: (value: unknown) => Error | undefined): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') {
      done(null, undefined);
      return;
    }
    parseJson(request, text, (error, value) => {
      const refusal = error ? undefined : refuse(value);
      if (refusal) done(refusal, undefined);
      else done(error, value);
    });
  });
}
