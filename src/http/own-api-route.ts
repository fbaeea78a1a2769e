import type { FastifyRequest } from 'fastify';

/** Methods that change something: the ones idempotency keys and the `write` limits apply to. */
export const MUTATING_METHODS: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Whether a request is for Stockroom's own authenticated API. Public routes (`auth: 'none'`:
 * health, JWKS, partner callbacks) and the reference partner mounted under `/partners/` are not:
 * the partner is a provider that receives Stockroom's own Idempotency-Keys and keeps its own.
 * Unknown routes (404) are not either.
 */
export function isOwnApiRoute(request: FastifyRequest): boolean {
  const url = request.routeOptions.url;
  if (!url || url.startsWith('/partners/')) return false;
  return request.routeOptions.config.auth !== 'none';
}
