import type { FastifyError, FastifyInstance } from 'fastify';
import { PartnerError, validationError, type FieldError } from './errors.js';

/**
 * Renders every failure inside a partner server's routes in the partner API's error shape
 * (partner-api.md §1), naming the server (`reference partner`, `PostgreSQL provider`) in its
 * messages and logs. Fastify keeps error and not-found handlers per plugin context, so
 * Stockroom's own error answers are untouched when a partner is mounted inside it.
 */
export function registerPartnerErrorHandler(app: FastifyInstance, providerName: string, options: { readonly notFound?: boolean } = {}): void {
  app.setErrorHandler((error: FastifyError | PartnerError, request, reply) => {
    const partnerError = toPartnerError(error, providerName);
    if (partnerError.status >= 500 && !(error instanceof PartnerError)) {
      // Unknown failures are logged with their message only and answered without driver text.
      request.log.error({ err: { message: error.message, code: error.code } }, `${providerName} request failed`);
    }
    return reply.code(partnerError.status).type('application/json; charset=utf-8').send(partnerError.toBody());
  });

  // A second context under the same prefix (a partner's own pages beside the partner API) keeps
  // the first one's not-found handler: Fastify allows one per prefix.
  if (options.notFound === false) return;
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    const error = new PartnerError('not_found', `The route ${request.method} ${path} does not exist on the ${providerName}.`);
    return reply.code(error.status).type('application/json; charset=utf-8').send(error.toBody());
  });
}

function toPartnerError(error: FastifyError | PartnerError, providerName: string): PartnerError {
  if (error instanceof PartnerError) return error;
  if (error.validation) {
    // One entry per field: a union that fails reports once per branch, which helps nobody.
    const fields = new Map<string, FieldError>();
    for (const issue of error.validation) {
      const missing = (issue.params as { missingProperty?: string } | undefined)?.missingProperty;
      const path = issue.instancePath.replace(/^\//, '').replaceAll('/', '.');
      const key = [path, missing].filter(Boolean).join('.') || (error.validationContext ?? 'body');
      if (!fields.has(key)) fields.set(key, { key, message: missing ? 'is required' : (issue.message ?? 'is invalid') });
    }
    const list = [...fields.values()];
    return validationError(list, `Invalid ${error.validationContext ?? 'request'}: ${list.map((f) => `${f.key} ${f.message}`).join('; ')}.`);
  }
  if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return new PartnerError('unsupported_media_type', 'Send the request body as application/json.');
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return new PartnerError('payload_too_large', 'The request body is too large.');
  if (error instanceof SyntaxError || error.statusCode === 400) {
    return validationError([{ key: 'body', message: 'is not valid JSON' }], 'The request body is not valid JSON.');
  }
  return new PartnerError('internal_server_error', `The ${providerName} failed unexpectedly.`);
}
