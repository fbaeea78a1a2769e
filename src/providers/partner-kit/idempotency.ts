import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { canonicalJson } from '../../domain/idempotency.js';
import { validationError } from './errors.js';

/** One `Idempotency-Key`, scoped to the installation it was sent for. */
export interface IdempotencyScope {
  readonly installationId: string;
  readonly key: string;
  /** Method, path and body of the request, hashed. */
  readonly fingerprint: string;
}

/** An answer that can be sent now or replayed later. */
export interface Answer {
  readonly statusCode: number;
  readonly body: unknown;
}

/** The request's `Idempotency-Key` (1–255 characters), or null when it sent none. */
export function idempotencyScope(request: FastifyRequest, installationId: string): IdempotencyScope | null {
  const header = request.headers['idempotency-key'];
  if (header === undefined) return null;
  const key = Array.isArray(header) ? (header[0] ?? '') : header;
  if (key.length < 1 || key.length > 255) {
    throw validationError([{ key: 'Idempotency-Key', message: 'must be 1 to 255 characters' }]);
  }
  const path = request.url.split('?')[0] ?? '';
  const fingerprint = createHash('sha256')
    .update(`${request.method} ${path}\n${canonicalJson(request.body ?? null)}`)
    .digest('hex');
  return { installationId, key, fingerprint };
}

/** Sends an answer, marking replays the way Stockroom marks its own. */
export function sendAnswer(reply: FastifyReply, answer: Answer, replayed: boolean): FastifyReply {
  if (replayed) void reply.header('idempotent-replayed', 'true');
  return reply.code(answer.statusCode).type('application/json; charset=utf-8').send(JSON.stringify(answer.body));
}
