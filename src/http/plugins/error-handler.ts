import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { AnyFastify } from '../../any-fastify.js';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { newRequestId } from './request-id.js';
import { isStorageFailure } from '../../db/errors.js';
import { ApiError, isApiError } from '../../errors.js';

/**
 * The one place errors become responses, all in Vercel's shape `{"error":{"code","message"}}`
 * (docs/rules.md §7). Unknown failures are logged with their cause and answered with a plain
 * `internal_server_error` carrying the request id, never a stack trace or driver text.
 */
export function registerErrorHandler(app: AnyFastify, routeMatchers: RouteMatcher[]): void {
  app.setErrorHandler((error: FastifyError | ApiError | Error, request, reply) => {
    const apiError = toApiError(error, request);
    if (apiError.status >= 500) {
      request.log.error({ err: error, code: apiError.code }, 'request failed');
    }
    return sendApiError(reply, apiError);
  });

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    const allowed = routeMatchers.filter((r) => r.pattern.test(path)).map((r) => r.method);
    if (allowed.length > 0) {
      void reply.header('allow', [...new Set(allowed)].join(', '));
      return sendApiError(reply, new ApiError('method_unknown', `The method ${request.method} is not allowed on ${path}.`));
    }
    return sendApiError(reply, new ApiError('not_found', `The route ${request.method} ${path} does not exist.`));
  });
}

/**
 * Fastify's `frameworkErrors`: what its router rejects before any route or hook runs, a path with
 * a malformed percent-encoding (`%zz`) or a path parameter longer than `maxParamLength`. Fastify's
 * own answer has another body and no request id (found by `test/fuzz`); this one is ours. The
 * hooks do not run for such a request, so the request id header is set here.
 */
export function renderFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const message =
    error.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? 'A path segment is longer than any id or name Stockroom knows.'
      : 'The URL is not valid: a path segment has a malformed percent-encoding.';
  void reply.header('x-request-id', request.id);
  void sendApiError(reply, new ApiError('bad_request', message));
}

/**
 * Fastify's `clientErrorHandler`: what Node's HTTP parser refuses before Fastify sees a request,
 * such as a request line and headers over Node's 16 KiB (a 100 KB URL, thousands of headers), a
 * malformed request or one too slow to arrive. Fastify's default answers in its own shape without
 * a request id; this answers in Vercel's, with `x-request-id`, then closes the connection (its
 * remaining bytes cannot be trusted to start a new request).
 */
export function answerClientError(this: { log: { debug(details: object, message: string): void } }, error: NodeJS.ErrnoException, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const apiError =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? new ApiError('request_header_fields_too_large', 'The request line and headers are larger than 16 KiB: send long values in the body.')
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? new ApiError('request_timeout')
        : new ApiError('bad_request', 'The request is not valid HTTP.');
  const requestId = newRequestId();
  this.log.debug({ err: error, requestId, status: apiError.status }, 'client error');
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const body = JSON.stringify(apiError.toBody());
  // `end` flushes the answer before closing, where `destroy` could drop it.
  socket.end(
    `HTTP/1.1 ${apiError.status} ${STATUS_CODES[apiError.status] ?? ''}\r\n` +
      `content-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\n` +
      `x-request-id: ${requestId}\r\nconnection: close\r\n\r\n${body}`,
  );
}

export function sendApiError(reply: FastifyReply, error: ApiError): FastifyReply {
  const body = error.toBody();
  if (error.status >= 500) (body.error as Record<string, unknown>).requestId = reply.request.id;
  return reply.code(error.status).headers(error.headers).type('application/json; charset=utf-8').send(body);
}

function toApiError(error: FastifyError | ApiError | Error, request: FastifyRequest): ApiError {
  if (isApiError(error)) return error;
  const fe = error as FastifyError;
  if (fe.validation) return validationError(fe);
  switch (fe.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ApiError('unsupported_media_type', `The content type ${request.headers['content-type'] ?? '(none)'} is not supported; send application/json.`);
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ApiError('payload_too_large', 'The request body is larger than 1 MiB.');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new ApiError('bad_request', 'The request body is not valid JSON.');
    default:
      break;
  }
  if (error instanceof SyntaxError || fe.statusCode === 400) return new ApiError('bad_request', 'The request body is not valid JSON.');
  if (fe.statusCode === 413) return new ApiError('payload_too_large', 'The request body is too large.');
  if (fe.statusCode === 415) return new ApiError('unsupported_media_type');
  if (isStorageFailure(error)) return new ApiError('service_unavailable', 'The database stopped after a failed disk sync; Stockroom must be restarted.');
  return new ApiError('internal_server_error');
}

/** Turns a schema failure into `bad_request` naming the field (`param`), docs/rules.md §1.4. */
function validationError(error: FastifyError): ApiError {
  const first = error.validation?.[0];
  const where = error.validationContext ?? 'body';
  let param = '';
  if (first) {
    const missing = (first.params as { missingProperty?: string } | undefined)?.missingProperty;
    const path = first.instancePath.replace(/^\//, '').split('/')[0] ?? '';
    param = missing && path === '' ? missing : path;
  }
  const field = param || where;
  const reason = first?.message ?? 'is invalid';
  const message = param
    ? `Invalid request: \`${field}\` ${reason}.`
    : where === 'body' && first?.keyword === 'type'
      ? 'Invalid request: a JSON object body is required.'
      : `Invalid request: ${where} ${reason}.`;
  return new ApiError('bad_request', message, { param: field });
}

export interface RouteMatcher {
  readonly method: string;
  readonly pattern: RegExp;
}

/** Collects every route as a regular expression so the 404 handler can tell 405 from 404. */
export function collectRouteMatchers(app: AnyFastify): RouteMatcher[] {
  const matchers: RouteMatcher[] = [];
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const source = route.url
      .split('/')
      .map((part) => (part.startsWith(':') ? '[^/]+' : part === '*' ? '.*' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      .join('/');
    for (const method of methods) {
      if (method === 'HEAD' || method === 'OPTIONS') continue;
      matchers.push({ method, pattern: new RegExp(`^${source}/?$`) });
    }
  });
  return matchers;
}
