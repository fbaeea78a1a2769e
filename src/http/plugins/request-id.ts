import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Echoes a caller's `x-request-id` when it is safe to log and to put in a header; otherwise
 * makes one. Fastify calls this before anything else, so every log line carries the id.
 */
export function requestIdFor(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  if (typeof given === 'string' && SAFE_REQUEST_ID.test(given)) return given;
  return newRequestId();
}

export function newRequestId(): string {
  return `req_${randomUUID().replace(/-/g, '')}`;
}
