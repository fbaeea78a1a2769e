import type { FastifyInstance } from 'fastify';
import { registerEmptyTolerantJsonParser } from '../../empty-tolerant-json-parser.js';
import { validationError } from './errors.js';

/**
 * Accepts an empty body sent with `content-type: application/json` (DELETE calls often do) as
 * "no body", and otherwise parses JSON with Fastify's own prototype-poisoning-safe parser.
 * Registered inside the partner's plugin context, so it works the same standalone and mounted.
 */
export function registerTolerantJsonParser(app: FastifyInstance): void {
  // PostgreSQL text cannot hold NUL (U+0000); refused as a 400 rather than failing the insert.
  registerEmptyTolerantJsonParser(app, (value) => (hasNul(value) ? validationError([{ key: 'body', message: 'may not contain the NUL character' }]) : undefined));
}

function hasNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (value === null || typeof value !== 'object') return false;
  return Object.entries(value).some(([key, item]) => key.includes('\u0000') || hasNul(item));
}
