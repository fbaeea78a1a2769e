import type { FastifyError, FastifyInstance } from 'fastify';
import { PartnerError, validationError, type FieldError } from './errors.js';

/**
 * Renders every failure inside the partner's routes in the partner API's error shape. Fastify
 * keeps error and not-found handlers per plugin context, so this does not change how Stockroom
 * answers when the partner is mounted inside it.
 */
export function registerPartnerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | PartnerError, request, reply) => {
    const partnerError = toPartnerError(error);
    if (partnerError.status >= 500 && !(error instanceof PartnerError)) {
      // Unknown failures are logged with their cause and answered without driver text.
      request.log.error({ err: error }, 'reference partner request failed');
    }
    return reply.code(partnerError.status).type('application/json; charset=utf-8').send(partnerError.toBody());
  });

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    const error = new PartnerError('not_found', `The route ${request.method} ${path} does not exist on the reference partner.`);
    return reply.code(error.status).type('application/json; charset=utf-8').send(error.toBody());
  });
}

function toPartnerError(error: FastifyError | PartnerError): PartnerError {
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
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new PartnerError('unsupported_media_type', 'Send the request body as application/json.');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new PartnerError('payload_too_large', 'The request body is too large.');
    default:
      break;
  }
  if (error instanceof SyntaxError || error.statusCode === 400) {
    return validationError([{ key: 'body', message: 'is not valid JSON' }], 'The request body is not valid JSON.');
  }
  return new PartnerError('internal_server_error', 'The reference partner failed unexpectedly.');
}
